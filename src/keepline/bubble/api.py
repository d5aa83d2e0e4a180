"""API of the bubble app."""

from ninja import Router

router = Router(tags=["bubble"])
