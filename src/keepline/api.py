"""The HTTP API: one NinjaAPI, one router per app, the same services and scopes as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from keepline.briefing.api import router as briefing_router
from keepline.bubble.api import router as bubble_router
from keepline.chains.api import router as chains_router
from keepline.core.api import router as core_router
from keepline.core.errors import KeeplineError
from keepline.core.services import user_for_token
from keepline.enterprises.api import router as enterprises_router
from keepline.places.api import router as places_router
from keepline.power.api import router as power_router
from keepline.problems.api import router as problems_router
from keepline.reports.api import router as reports_router
from keepline.service.api import router as service_router
from keepline.whitelist.api import router as whitelist_router


class TokenAuth(HttpBearer):
    """`Authorization: Bearer kl_…` with a per-user API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Keepline API",
    version="1",
    description="Keepline's HTTP API. Authenticate with a session cookie (browser) or a "
    "per-user token: `Authorization: Bearer <token>` (create one under Account → API tokens).",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(KeeplineError)
def keepline_error(request: HttpRequest, exc: KeeplineError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


api.add_router("/", core_router)
api.add_router("/", places_router)
api.add_router("/", enterprises_router)
api.add_router("/", whitelist_router)
api.add_router("/", bubble_router)
api.add_router("/", reports_router)
api.add_router("/", power_router)
api.add_router("/", problems_router)
api.add_router("/", service_router)
api.add_router("/", chains_router)
api.add_router("/", briefing_router)
