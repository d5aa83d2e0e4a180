"""API of problems, assembled from its sub-domains' routers: the same selectors, services and
scopes as the pages."""

from ninja import Router

from keepline.problems.api import attachments, figures, letters, lifecycle, setup

router = Router()
for part in (lifecycle, figures, setup, attachments, letters):
    router.add_router("", part.router)
