"""API of daily reports, deadlines, chases, targets and the figures: the same services,
selectors and scopes as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from keepline.bubble.models import EnterpriseMode
from keepline.core.errors import InvalidInput
from keepline.core.scopes import get_for, require_role
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.reports import indicators, selectors, sentences, services
from keepline.reports.models import (
    DailyReport,
    ReportChannel,
    ReportChase,
    ReportDeadline,
    ResumptionTarget,
)

router = Router(tags=["reports"])


# ---- daily reports -------------------------------------------------------------------------


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


class ReportFilterIn(Schema):
    date_from: dt.date | None = Field(None, examples=["2022-09-08"])
    date_to: dt.date | None = Field(None, examples=["2022-09-11"])
    region: str = Field("", description="Region code with its subtree", examples=["510502"])
    park: str = Field("", description="Park code", examples=["LZ-LIQUOR"])
    industry: str = Field("", description="Section letter or division", examples=["C"])
    mode: str = Field("", examples=["closed_loop"])
    late: str = Field("", description="yes | no", examples=["yes"])
    q: str = Field("", description="Part of the name or credit code", examples=["酒业"])
    sort: str = Field(
        "-date",
        description="date, enterprise, region, output, capacity, submitted; - for descending",
        examples=["-date"],
    )


def _report(request: Any, report_id: int) -> DailyReport:
    return get_for(DailyReport.objects.select_related("enterprise"), request.auth, report_id)


@router.get("/reports", response=list[ReportOut], summary="Daily reports the user may see")
@paginate(PageNumberPagination, page_size=100)
def report_list(request: Any, filters: Query[ReportFilterIn]) -> Any:
    require_role(request.auth, DailyReport)
    data = filters.dict()
    area = selectors.AreaFilter(data.pop("region"), data.pop("park"), data.pop("industry"))
    return selectors.reports(request.auth, selectors.ReportFilter(area=area, **data))


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


# ---- missing reports and chasing -----------------------------------------------------------


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


class MissingFilterIn(Schema):
    date: dt.date | None = Field(None, description="Default: today", examples=["2022-09-11"])
    region: str = Field("", examples=["510502"])
    park: str = Field("", examples=["LZ-LIQUOR"])
    industry: str = Field("", examples=["C"])


@router.get(
    "/reports/missing",
    response=list[MissingOut],
    summary="Enterprises that must report for a date and have not",
)
@paginate(PageNumberPagination, page_size=100)
def missing_list(request: Any, filters: Query[MissingFilterIn]) -> Any:
    require_role(request.auth, ReportChase, "change")
    area = selectors.AreaFilter(filters.region, filters.park, filters.industry)
    return selectors.missing_reports(request.auth, filters.date or timezone.localdate(), area)


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
        area = selectors.AreaFilter(payload.region, payload.park, payload.industry)
        ids = list(
            selectors.missing_reports(request.auth, payload.date, area).values_list("pk", flat=True)
        )
    outcome = services.chase_reports(actor=request.auth, day=payload.date, enterprise_ids=ids)
    return {
        "chased": [e.pk for e in outcome.chased],
        "already_reported": [e.pk for e in outcome.already_reported],
        "not_required": [e.pk for e in outcome.not_required],
    }


# ---- deadlines -----------------------------------------------------------------------------


class DeadlineOut(Schema):
    id: int
    region: str = Field(alias="region.code", examples=["510502"])
    date: dt.date = Field(examples=["2022-09-11"])
    due_time: dt.time = Field(examples=["16:00"])
    set_by_name: str = Field(examples=["district"])


class DeadlineIn(Schema):
    region: str = Field(description="Region code", examples=["510502"])
    date: dt.date = Field(examples=["2022-09-11"])
    due_time: dt.time = Field(examples=["16:00"])


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise InvalidInput(
            _("Unknown region code: %(code)s.") % {"code": code},
            errors={"region": [_("Unknown region code: %(code)s.") % {"code": code}]},
        )
    return region


@router.get("/reports/deadlines", response=list[DeadlineOut], summary="Report deadlines")
@paginate(PageNumberPagination, page_size=100)
def deadline_list(request: Any, since: dt.date | None = None) -> Any:
    require_role(request.auth, ReportDeadline)
    return selectors.deadlines(request.auth, since)


@router.put("/reports/deadlines", response=DeadlineOut, summary="Set a region's deadline for a day")
def deadline_set(request: Any, payload: DeadlineIn) -> Any:
    return services.set_deadline(
        actor=request.auth,
        region=_region(payload.region),
        day=payload.date,
        due_time=payload.due_time,
    )


@router.delete(
    "/reports/deadlines/{deadline_id}", response={204: None}, summary="Remove a deadline"
)
def deadline_remove(request: Any, deadline_id: int) -> Any:
    services.remove_deadline(actor=request.auth, deadline_id=deadline_id)
    return Status(204, None)


# After the fixed paths under /reports/, which the id would otherwise swallow.
@router.get("/reports/{report_id}", response=ReportOut, summary="One daily report")
def report_detail(request: Any, report_id: int) -> Any:
    return _report(request, report_id)


# ---- targets -------------------------------------------------------------------------------


class TargetOut(Schema):
    id: int
    region: str | None = Field(None, examples=["520000"])
    park: str | None = Field(None, examples=[None])
    date: dt.date = Field(examples=["2023-02-15"])
    rate: Decimal = Field(description="Per cent", examples=["90.00"])
    basis: str = Field(examples=["count"])
    note: str = Field(examples=["节后复工"])

    @staticmethod
    def resolve_region(obj: ResumptionTarget) -> str | None:
        return obj.region.code if obj.region else None

    @staticmethod
    def resolve_park(obj: ResumptionTarget) -> str | None:
        return obj.park.code if obj.park else None


class TargetIn(Schema):
    region: str = Field("", description="Region code, or empty with a park", examples=["510500"])
    park: str = Field("", description="Park code, or empty with a region", examples=[""])
    date: dt.date = Field(examples=["2023-02-15"])
    rate: Decimal = Field(examples=["90"])
    basis: str = Field("count", description="count | output", examples=["count"])
    note: str = Field("", examples=["节后复工"])


@router.get("/targets", response=list[TargetOut], summary="Resumption targets")
@paginate(PageNumberPagination, page_size=100)
def target_list(request: Any) -> Any:
    require_role(request.auth, ResumptionTarget)
    return selectors.targets(request.auth)


@router.put("/targets", response=TargetOut, summary="Set an area's resumption target for a date")
def target_set(request: Any, payload: TargetIn) -> Any:
    park = None
    if payload.park:
        park = Park.objects.select_related("region").filter(code=payload.park).first()
        if park is None:
            message = _("Unknown park code: %(code)s.") % {"code": payload.park}
            raise InvalidInput(message, errors={"park": [message]})
    return services.set_target(
        actor=request.auth,
        region=_region(payload.region) if payload.region else None,
        park=park,
        day=payload.date,
        rate=payload.rate,
        basis=payload.basis,
        note=payload.note,
    )


@router.delete("/targets/{target_id}", response={204: None}, summary="Remove a target")
def target_remove(request: Any, target_id: int) -> Any:
    services.remove_target(actor=request.auth, target_id=target_id)
    return Status(204, None)


# ---- figures -------------------------------------------------------------------------------


class FiguresIn(Schema):
    region: list[str] = Field(
        default_factory=list,
        description="Region codes (repeat or separate by commas); each with its subtree",
        examples=[["510502", "510504"]],
    )
    park: list[str] = Field(default_factory=list, examples=[["HJ-PORT"]])
    industry: list[str] = Field(
        default_factory=list, description="Section letters or divisions", examples=[["C"]]
    )
    under: str = Field(
        "",
        description="Only the areas covered by control measures of this kind in force",
        examples=["static"],
    )
    as_of: dt.datetime | None = Field(
        None,
        description="Default: now; without a zone, Beijing time",
        examples=["2022-09-11T15:00"],
    )
    all_sizes: bool = Field(False, description="Count below-size enterprises too", examples=[False])

    def scope(self) -> indicators.FigureScope:
        return indicators.FigureScope.parse(
            regions=self.region,
            parks=self.park,
            industries=self.industry,
            under=self.under,
            all_sizes=self.all_sizes,
        )


class ScopeOut(Schema):
    regions: list[str] = Field(examples=[["510502"]])
    parks: list[str] = Field(examples=[[]])
    industries: list[str] = Field(examples=[["C"]])
    under: str = Field(examples=["static"])
    all_sizes: bool = Field(examples=[False])


class AreaOut(Schema):
    code: str = Field(examples=["510500"])
    name: str = Field(examples=["泸州市"])


class IndicatorOut(Schema):
    key: str = Field(examples=["closed_loop_share_count"])
    label: str = Field(examples=["Closed-loop share by count"])
    value: int | Decimal | None = Field(examples=["65.12"])
    unit: str = Field(examples=["%"])
    definition: str = Field(examples=["Closed-loop enterprises ÷ all enterprises in scope × 100"])
    enterprises: str | None = Field(
        None,
        description="The API list of the enterprises behind the figure",
        examples=["/api/figures/enterprises?under=static&mode=closed_loop"],
    )


class ModeOut(Schema):
    mode: str = Field(examples=["closed_loop"])
    label: str = Field(examples=["Closed loop"])
    enterprises: int = Field(examples=[463])
    output: Decimal = Field(examples=["4630000.00"])
    employees: int = Field(examples=[231500])


class RatesOut(Schema):
    as_of: dt.datetime = Field(examples=["2022-09-10T15:00:00+08:00"])
    resumption_count: Decimal | None = Field(examples=["71.10"])
    resumption_output: Decimal | None = Field(examples=["70.02"])
    closed_loop_share_count: Decimal | None = Field(examples=["56.68"])
    closed_loop_share_output: Decimal | None = Field(examples=["80.10"])


class RowOut(Schema):
    key: str = Field(examples=["510502"])
    label: str = Field(examples=["江阳区"])
    enterprises: int = Field(examples=[170])
    by_mode: dict[str, int] = Field(examples=[{"closed_loop": 120, "halted": 22}])
    closed_loop_share_count: Decimal | None = Field(examples=["70.59"])
    closed_loop_share_output: Decimal | None = Field(examples=["88.24"])
    resumption_count: Decimal | None = Field(examples=["87.10"])
    resumption_output: Decimal | None = Field(examples=["95.01"])
    enterprises_url: str | None = Field(
        None, examples=["/api/figures/enterprises?region=510502&mode=all"]
    )


class TargetProgressOut(Schema):
    area: str = Field(examples=["贵州省"])
    date: dt.date = Field(examples=["2023-02-15"])
    rate: Decimal = Field(examples=["90.00"])
    basis: str = Field(examples=["count"])
    actual: Decimal | None = Field(examples=["87.60"])
    gap: Decimal | None = Field(description="Target − actual, in points", examples=["2.40"])
    days_left: int = Field(examples=[5])
    needed_per_day: Decimal | None = Field(examples=["0.48"])
    status: str = Field(examples=["on_track"])


class SentenceOut(Schema):
    zh_hans: str = Field(examples=["在实施静态管理的五个区县，463家规上工业企业实行闭环生产……"])
    en: str = Field(examples=["In the five districts under static management, 463 …"])


class FiguresOut(Schema):
    as_of: dt.datetime = Field(examples=["2022-09-11T15:00:00+08:00"])
    scope: ScopeOut
    area: AreaOut | None = None
    indicators: list[IndicatorOut]
    by_mode: list[ModeOut]
    previous: RatesOut
    targets: list[TargetProgressOut]
    by_region: list[RowOut]
    by_park: list[RowOut]
    by_industry: list[RowOut]
    sentences: dict[str, SentenceOut] = Field(
        description="The briefing's key sentences, in both languages"
    )
    definitions: dict[str, str] = Field(
        examples=[{"resumption_count": "Producing enterprises ÷ enterprises in scope …"}]
    )


def enterprises_url(
    scope: indicators.FigureScope, group: str, as_of: dt.datetime, base: str = ""
) -> str:
    """The list of the enterprises behind a figure, as an API (or page) address."""
    query = [*scope.params(), ("mode", group), ("as_of", as_of.isoformat())]
    return (base or reverse("api:figure_enterprises")) + "?" + urlencode(query)


def _row(row: indicators.BreakdownRow, as_of: dt.datetime) -> dict[str, Any]:
    s = row.summary
    return {
        "key": row.key,
        "label": row.label,
        "enterprises": s.total.enterprises,
        "by_mode": {m: t.enterprises for m, t in s.by_mode.items()},
        "closed_loop_share_count": s.closed_loop_share_count,
        "closed_loop_share_output": s.closed_loop_share_output,
        "resumption_count": s.resumption_count,
        "resumption_output": s.resumption_output,
        "enterprises_url": enterprises_url(row.scope, "all", as_of) if row.scope else None,
    }


def figures_body(figures: indicators.Figures) -> dict[str, Any]:
    """The figures as the API answers them."""
    as_of = figures.as_of
    previous = figures.previous
    return {
        "as_of": timezone.localtime(as_of),
        "scope": {
            "regions": list(figures.scope.regions),
            "parks": list(figures.scope.parks),
            "industries": list(figures.scope.industries),
            "under": figures.scope.under,
            "all_sizes": figures.scope.all_sizes,
        },
        "area": {"code": figures.area.code, "name": figures.area.name} if figures.area else None,
        "indicators": [
            {
                "key": i.key,
                "label": i.label,
                "value": i.value,
                "unit": i.unit,
                "definition": i.definition,
                "enterprises": enterprises_url(figures.scope, i.group, as_of) if i.group else None,
            }
            for i in figures.indicators()
        ],
        "by_mode": [
            {
                "mode": mode.value,
                "label": str(mode.label),
                "enterprises": figures.summary.by_mode.get(mode, indicators.Tally()).enterprises,
                "output": figures.summary.by_mode.get(mode, indicators.Tally()).output,
                "employees": figures.summary.by_mode.get(mode, indicators.Tally()).employees,
            }
            for mode in EnterpriseMode
        ],
        "previous": {"as_of": timezone.localtime(figures.previous_as_of)}
        | {rate: getattr(previous, rate) for rate in indicators.RATES},
        "targets": [
            {
                "area": p.area,
                "date": p.target.date,
                "rate": p.target.rate,
                "basis": p.target.basis,
                "actual": p.actual,
                "gap": p.gap,
                "days_left": p.days_left,
                "needed_per_day": p.needed_per_day,
                "status": p.status.value,
            }
            for p in figures.targets
        ],
        "by_region": [_row(r, as_of) for r in figures.by_region],
        "by_park": [_row(r, as_of) for r in figures.by_park],
        "by_industry": [_row(r, as_of) for r in figures.by_industry],
        "sentences": {
            "closed_loop": {
                "zh_hans": sentences.closed_loop_sentence(figures, sentences.ZH),
                "en": sentences.closed_loop_sentence(figures, sentences.EN),
            },
            "resumption": {
                "zh_hans": sentences.resumption_sentence(figures, sentences.ZH),
                "en": sentences.resumption_sentence(figures, sentences.EN),
            },
        },
        "definitions": figures.definitions,
    }


@router.get(
    "/figures",
    response=FiguresOut,
    url_name="figures",
    summary="The figures for an area and time, with their definitions",
)
def figures(request: Any, filters: Query[FiguresIn]) -> Any:
    require_role(request.auth, ResumptionTarget)
    return figures_body(indicators.compute(request.auth, filters.scope(), filters.as_of))


class FigureEnterpriseOut(Schema):
    id: int
    uscc: str = Field(examples=["91510500MA62X5QF23"])
    name: str = Field(examples=["泸州示例酒业有限公司"])
    region: str = Field(alias="region.code", examples=["510502"])
    park: str | None = Field(None, examples=["LZ-LIQUOR"])
    industry: str = Field(alias="industry.code", examples=["15"])
    above_size: bool = Field(examples=[True])
    annual_output: Decimal = Field(examples=["52000.50"])
    employees: int = Field(examples=[860])
    mode: str = Field(description="Official mode at the as-of time", examples=["closed_loop"])

    @staticmethod
    def resolve_park(obj: Enterprise) -> str | None:
        return obj.park.code if obj.park else None


class FigureEnterprisesIn(FiguresIn):
    mode: str = Field(
        "all",
        description="A mode, or producing (normal + closed loop + semi-closed), counted (all "
        "but seasonal stop), all",
        examples=["closed_loop"],
    )


@router.get(
    "/figures/enterprises",
    response=list[FigureEnterpriseOut],
    url_name="figure_enterprises",
    summary="The enterprises behind a figure",
)
@paginate(PageNumberPagination, page_size=100)
def figure_enterprises(request: Any, filters: Query[FigureEnterprisesIn]) -> Any:
    require_role(request.auth, ResumptionTarget)
    return indicators.enterprises_behind(request.auth, filters.scope(), filters.mode, filters.as_of)
