"""Daily reports: the list, one report, and filing or correcting one."""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.scopes import get_for, require_role
from keepline.reports import selectors, services
from keepline.reports.models import DailyReport, ReportChannel

router = Router(tags=["reports"])
detail_router = Router(tags=["reports"])


class ReportOut(Schema):
    id: int
    enterprise_id: int = Field(examples=[42])
    enterprise: str = Field(alias="enterprise.name", examples=["泸州示例酒业有限公司"])
    uscc: str = Field(alias="enterprise.uscc", examples=["91510500MA62X5QF23"])
    date: dt.date = Field(examples=["2022-09-11"])
    mode: str = Field(description="Mode the enterprise reports", examples=["closed_loop"])
    staff_on_site: int = Field(examples=[420])
    staff_inside: int = Field(description="Staff living inside the loop", examples=[380])
    output_value: Decimal = Field(description="Output value today, 10k CNY", examples=["152.50"])
    capacity_use: Decimal = Field(description="Per cent of rated capacity", examples=["85.0"])
    raw_material_days: Decimal = Field(examples=["12.0"])
    finished_goods_days: Decimal = Field(examples=["5.0"])
    problems: str = Field(examples=["缺少包装材料"])
    via: str = Field(examples=["form"])
    submitted_by_name: str = Field(examples=["liaison"])
    submitted_at: dt.datetime = Field(examples=["2022-09-11T16:20:00+08:00"])
    first_submitted_at: dt.datetime = Field(examples=["2022-09-11T16:05:00+08:00"])
    late: bool = Field(description="First submitted after the deadline", examples=[False])
    version: int = Field(examples=[2])


class ReportIn(Schema):
    mode: str = Field(examples=["closed_loop"])
    staff_on_site: int = Field(examples=[420])
    staff_inside: int = Field(examples=[380])
    output_value: Decimal = Field(description="10k CNY (万元)", examples=["152.5"])
    capacity_use: Decimal = Field(description="0–150 %", examples=["85"])
    raw_material_days: Decimal = Field(examples=["12"])
    finished_goods_days: Decimal = Field(examples=["5"])
    problems: str = Field("", examples=["缺少包装材料"])
    version: int | None = Field(
        None,
        description="The version you read (0: none filed yet); a stale one answers 409. "
        "Leave it out to overwrite.",
        examples=[1],
    )


def _report(request: Any, report_id: int) -> DailyReport:
    return get_for(DailyReport.objects.select_related("enterprise"), request.auth, report_id)


@router.get(
    "/reports",
    response=list[ReportOut],
    summary="Daily reports the user may see",
    description="The list page's filters and sort, field for field.",
    openapi_extra=selectors.REPORTS.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def report_list(request: Any) -> Any:
    require_role(request.auth, DailyReport)
    return selectors.REPORTS.rows(request.auth, request.GET)


@router.put(
    "/enterprises/{enterprise_id}/reports/{date}",
    response={200: ReportOut, 201: ReportOut},
    summary="File or correct an enterprise's report for a date",
    description="One report per enterprise and date: the first PUT files it (201), later ones "
    "correct it (200). Sending the same report again changes nothing, so clients may retry.",
)
def report_submit(request: Any, enterprise_id: int, date: dt.date, payload: ReportIn) -> Any:
    data = payload.dict()
    version = data.pop("version")
    report, created = services.submit_report(
        actor=request.auth,
        enterprise_id=enterprise_id,
        data=data | {"date": date},
        version=version,
        via=ReportChannel.API,
    )
    return Status(201 if created else 200, _report(request, report.pk))


@detail_router.get("/reports/{report_id}", response=ReportOut, summary="One daily report")
def report_detail(request: Any, report_id: int) -> Any:
    return _report(request, report_id)
