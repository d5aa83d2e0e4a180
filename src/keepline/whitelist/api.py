"""API of the whitelist app."""

from ninja import Router

router = Router(tags=["whitelist"])
