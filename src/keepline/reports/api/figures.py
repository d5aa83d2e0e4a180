"""The figures for an area and time with their definitions, and the enterprises behind them."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from keepline.bubble.models import EnterpriseMode
from keepline.core.scopes import require_role
from keepline.enterprises.models import Enterprise
from keepline.reports import sentences
from keepline.reports.indicators.computing import compute
from keepline.reports.indicators.rates import RATES, Tally
from keepline.reports.indicators.results import BreakdownRow, Figures
from keepline.reports.indicators.scope import FigureScope, enterprises_behind
from keepline.reports.models import ResumptionTarget

router = Router(tags=["reports"])


class AreaIn(Schema):
    """The area a figure is of, in the parameter names the figure and power pages use too."""

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
    all_sizes: bool = Field(False, description="Count below-size enterprises too", examples=[False])

    def scope(self) -> FigureScope:
        return FigureScope.parse(
            regions=self.region,
            parks=self.park,
            industries=self.industry,
            under=self.under,
            all_sizes=self.all_sizes,
        )


class FiguresIn(AreaIn):
    as_of: dt.datetime | None = Field(
        None,
        description="Default: now; without a zone, Beijing time",
        examples=["2022-09-11T15:00"],
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


def _row(row: BreakdownRow, as_of: dt.datetime) -> dict[str, Any]:
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
        "enterprises_url": row.scope.enterprises_url("all", as_of) if row.scope else None,
    }


def figures_body(figures: Figures) -> dict[str, Any]:
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
                "enterprises": figures.scope.enterprises_url(i.group, as_of) if i.group else None,
            }
            for i in figures.indicators()
        ],
        "by_mode": [
            {
                "mode": mode.value,
                "label": str(mode.label),
                "enterprises": figures.summary.by_mode.get(mode, Tally()).enterprises,
                "output": figures.summary.by_mode.get(mode, Tally()).output,
                "employees": figures.summary.by_mode.get(mode, Tally()).employees,
            }
            for mode in EnterpriseMode
        ],
        "previous": {"as_of": timezone.localtime(figures.previous_as_of)}
        | {rate: getattr(previous, rate) for rate in RATES},
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
    return figures_body(compute(request.auth, filters.scope(), filters.as_of))


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
    return enterprises_behind(request.auth, filters.scope(), filters.mode, filters.as_of)
