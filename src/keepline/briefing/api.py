"""API of the briefing app."""

from ninja import Router

router = Router(tags=["briefing"])
