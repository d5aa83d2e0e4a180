"""Who has not reported for a date, and asking them to."""

import datetime as dt
from typing import Any

from django.http import QueryDict
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.scopes import require_role
from keepline.enterprises.models import Enterprise
from keepline.reports import selectors, services
from keepline.reports.models import ReportChase

router = Router(tags=["reports"])


class MissingOut(Schema):
    id: int
    uscc: str = Field(examples=["91510500MA62X5QF23"])
    name: str = Field(examples=["泸州示例酒业有限公司"])
    region: str = Field(alias="region.code", examples=["510502"])
    park: str | None = Field(None, examples=["LZ-LIQUOR"])
    mode: str = Field(description="Official mode at the end of the day", examples=["halted"])
    chase_times: int = Field(description="How often asked to report", examples=[1])
    last_chased_at: dt.datetime | None = Field(None, examples=["2022-09-11T17:30:00+08:00"])

    @staticmethod
    def resolve_park(obj: Enterprise) -> str | None:
        return obj.park.code if obj.park else None


@router.get(
    "/reports/missing",
    response=list[MissingOut],
    summary="Enterprises that must report for a date and have not",
    description="The missing page's filters and sort, field for field; no date means today.",
    openapi_extra=selectors.MISSING.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def missing_list(request: Any) -> Any:
    require_role(request.auth, ReportChase, "change")
    return selectors.MISSING.rows(request.auth, request.GET)


class ChaseIn(Schema):
    date: dt.date = Field(examples=["2022-09-11"])
    enterprise_ids: list[int] = Field(default_factory=list, examples=[[42, 43]])
    all_missing: bool = Field(
        False, description="Ask every enterprise missing in the area below", examples=[False]
    )
    region: str = Field("", examples=["510502"])
    park: str = Field("", examples=[""])
    industry: str = Field("", examples=[""])


class ChaseOut(Schema):
    chased: list[int] = Field(examples=[[42]])
    already_reported: list[int] = Field(examples=[[43]])
    not_required: list[int] = Field(examples=[[]])


@router.post("/reports/chases", response=ChaseOut, summary="Ask enterprises to report for a date")
def chase(request: Any, payload: ChaseIn) -> Any:
    ids = payload.enterprise_ids
    if payload.all_missing:
        require_role(request.auth, ReportChase, "change")
        filters = QueryDict(mutable=True)
        filters.update(
            {
                "date": payload.date.isoformat(),
                "region": payload.region,
                "park": payload.park,
                "industry": payload.industry,
            }
        )
        ids = list(selectors.MISSING.rows(request.auth, filters).values_list("pk", flat=True))
    outcome = services.chase_reports(actor=request.auth, day=payload.date, enterprise_ids=ids)
    return {
        "chased": [e.pk for e in outcome.chased],
        "already_reported": [e.pk for e in outcome.already_reported],
        "not_required": [e.pk for e in outcome.not_required],
    }
