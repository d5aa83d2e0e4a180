"""API of the problem figures (keepline.problems.figures; docs/indicators.md, "Problems")."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from keepline.core.errors import InvalidInput
from keepline.core.scopes import require_role
from keepline.problems import figures as problem_figures
from keepline.problems.models import Problem
from keepline.reports.indicators.scope import FigureScope

router = Router(tags=["problems"])


class FiguresQuery(Schema):
    region: list[str] = Field(
        default_factory=list,
        description="Region codes, each with its subtree",
        examples=[["510502"]],
    )
    park: list[str] = Field(
        default_factory=list, description="Park codes", examples=[["LZ-LIQUOR"]]
    )
    industry: list[str] = Field(default_factory=list, examples=[["15"]])
    under: str = Field(
        "", description="Only areas under measures of this kind", examples=["static"]
    )
    start: dt.date | None = Field(
        None, description="First day; none: from the first problem", examples=["2022-09-08"]
    )
    end: dt.date | None = Field(
        None, description="Last day; none: the as-of day", examples=["2022-09-20"]
    )
    as_of: dt.datetime | None = Field(
        None, description="Default now", examples=["2022-09-20T23:59:59+08:00"]
    )


class NumberOut(Schema):
    value: int = Field(examples=[84])
    url: str | None = Field(
        description="The problem list filtered to exactly these problems; null where it cannot be",
        examples=["/problems/?region=510502&status=closed"],
    )


class RateOut(Schema):
    value: float | None = Field(description="part ÷ whole × 100, one decimal", examples=[91.7])
    part: NumberOut
    whole: NumberOut


class RowOut(Schema):
    key: str = Field(examples=["logistics"])
    label: str = Field(examples=["Logistics"])
    received: NumberOut
    open: NumberOut
    replied: NumberOut
    closed: NumberOut


class StatusCountOut(Schema):
    key: str = Field(examples=["closed"])
    label: str = Field(examples=["Closed"])
    count: NumberOut


class SatisfactionOut(Schema):
    mean: float | None = Field(description="Mean rating 1–5, one decimal", examples=[4.6])
    high_share: float | None = Field(description="Share rated 4–5 (%)", examples=[88.1])
    rated: NumberOut
    high: NumberOut


class ProblemFiguresOut(Schema):
    as_of: dt.datetime = Field(examples=["2022-09-20T23:59:59+08:00"])
    start: dt.date | None = Field(examples=[None])
    end: dt.date = Field(examples=["2022-09-20"])
    emergency_start: dt.datetime | None = Field(examples=["2022-09-08T00:00:00+08:00"])
    received: NumberOut
    closed: NumberOut
    by_status: list[StatusCountOut]
    by_category: list[RowOut]
    by_department: list[RowOut]
    by_tier: list[RowOut]
    open: NumberOut
    replied: NumberOut
    overdue: NumberOut
    near: NumberOut
    on_time: RateOut
    acknowledged_on_time: RateOut
    median_close_days: float | None = Field(description="Clock days, two decimals", examples=[2.35])
    satisfaction: SatisfactionOut
    whitelisted_solved: NumberOut
    whitelisted_solved_since_emergency: NumberOut | None
    definitions: dict[str, str] = Field(examples=[{"received": "Problems filed in the period."}])


@router.get(
    "/problems/figures",
    response=ProblemFiguresOut,
    summary="Counts, on-time rates, time to close, satisfaction, solved for whitelisted",
)
def problem_figures_get(request: Any, filters: Query[FiguresQuery]) -> Any:
    require_role(request.auth, Problem)
    if filters.start and filters.end and filters.start > filters.end:
        message = _("The first day is after the last.")
        raise InvalidInput(message, errors={"start": [message]})
    scope = FigureScope.parse(
        regions=filters.region, parks=filters.park, industries=filters.industry, under=filters.under
    )
    return problem_figures.compute(
        request.auth, scope=scope, start=filters.start, end=filters.end, as_of=filters.as_of
    )
