"""API of the command dashboard: the charts' data, the same the page draws."""

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from keepline.briefing import dashboard as dashboard_data
from keepline.core.scopes import require_role
from keepline.reports.indicators.scope import FigureScope
from keepline.reports.models import ResumptionTarget

router = Router(tags=["briefing"])


class DashboardQuery(Schema):
    region: list[str] = Field(
        default_factory=list, description="Region codes", examples=[["510500"]]
    )
    park: list[str] = Field(default_factory=list, examples=[["HJ-PORT"]])
    industry: list[str] = Field(default_factory=list, examples=[["15"]])
    under: str = Field(
        "", description="Only areas under measures of this kind", examples=["static"]
    )
    as_of: dt.datetime | None = Field(None, examples=["2022-09-11T15:00:00+08:00"])


@router.get("/dashboard", summary="The command dashboard's charts and tables as data")
def dashboard(request: Any, filters: Query[DashboardQuery]) -> dict[str, Any]:
    require_role(request.auth, ResumptionTarget)
    scope = FigureScope.parse(
        regions=filters.region, parks=filters.park, industries=filters.industry, under=filters.under
    )
    return dashboard_data.dashboard(request.auth, scope, filters.as_of or timezone.now())
