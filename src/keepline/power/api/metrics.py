"""API of the power resumption index: the same filters and figures as the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from ninja import Field, Query, Router, Schema

from keepline.core.scopes import require_role
from keepline.power.metrics.baselines import Baseline, BaselineMethod
from keepline.power.metrics.behind import Group
from keepline.power.metrics.index import PowerFilter, PowerIndex, PowerRow, compute
from keepline.power.metrics.tallies import PowerTally, YearOnYear
from keepline.power.models import DailyReading
from keepline.reports.api.figures import AreaIn
from keepline.reports.indicators.scope import FigureScope

router = Router()


class BaselineIn(Schema):
    """The baseline of an analysis, in the parameter names the pages use too."""

    baseline: BaselineMethod = Field(
        BaselineMethod.SAME_MONTH_LAST_YEAR,
        description="same_month (daily average of the same month last year), period (of "
        "baseline_start..baseline_end) or days_before (of the baseline_days days before "
        "baseline_event)",
        examples=["same_month"],
    )
    baseline_start: dt.date | None = Field(None, examples=["2021-12-01"])
    baseline_end: dt.date | None = Field(None, examples=["2021-12-31"])
    baseline_event: dt.date | None = Field(None, examples=["2022-09-01"])
    baseline_days: int = Field(30, examples=[30])

    def chosen(self) -> Baseline:
        return Baseline(
            method=self.baseline,
            start=self.baseline_start,
            end=self.baseline_end,
            event=self.baseline_event,
            days=self.baseline_days,
        )


class IndexIn(BaselineIn, AreaIn):
    since: dt.date | None = Field(
        None, description="First day; default: 59 days before the last", examples=["2022-07-13"]
    )
    until: dt.date | None = Field(
        None,
        description="Last day, the as-of day; default: the latest day with readings",
        examples=["2022-09-10"],
    )
    large: bool = Field(False, description="Large industrial users only")

    def power_filter(self) -> PowerFilter:
        return PowerFilter(
            scope=self.scope(),
            since=self.since,
            until=self.until,
            baseline=self.chosen(),
            large_only=self.large,
        )


class TallyOut(Schema):
    enterprises: int = Field(description="Enterprises in scope", examples=[120])
    no_baseline: int = Field(description="Without a baseline: counted apart", examples=[3])
    no_reading: int = Field(description="With a baseline, no reading on the day", examples=[2])
    counted: int = Field(description="With a baseline and a reading", examples=[115])
    resumed: int = Field(examples=[98])
    kwh: float = Field(description="Energy of the counted enterprises", examples=[1250000.0])
    baseline_kwh: float = Field(description="Their baselines, summed", examples=[1400000.0])
    share: Decimal | None = Field(description="Share resumed, %", examples=["85.22"])
    rate: Decimal | None = Field(description="Recovery rate, %", examples=["89.29"])
    index: Decimal | None = Field(description="Power resumption index", examples=["87.25"])


class YearOnYearOut(Schema):
    first: dt.date = Field(examples=["2022-09-01"])
    last: dt.date = Field(examples=["2022-09-10"])
    first_before: dt.date = Field(examples=["2021-09-01"])
    last_before: dt.date = Field(examples=["2021-09-10"])
    enterprises: int = Field(description="With readings in both periods", examples=[117])
    kwh: float = Field(examples=[12500000.0])
    kwh_before: float = Field(examples=[12340000.0])
    change: Decimal | None = Field(description="%, + is more than a year before", examples=["1.30"])


class DayOut(Schema):
    day: dt.date = Field(examples=["2022-09-10"])
    figures: TallyOut
    year_before: TallyOut = Field(description="The same calendar day a year earlier")


class RowOut(Schema):
    key: str = Field(examples=["510502"])
    label: str = Field(examples=["江阳区"])
    figures: TallyOut
    year_on_year: YearOnYearOut
    enterprises_url: str | None = Field(
        None, description="The page of the enterprises behind the row", examples=["/power/…"]
    )


class LargeIndustryOut(Schema):
    percent: Decimal | None = Field(
        description="Large industry's energy on the as-of day, % of their daily average of "
        "the same month last year",
        examples=["104.10"],
    )
    figures: TallyOut


class IndexOut(Schema):
    as_of: dt.date = Field(description="The day the figures are of", examples=["2022-09-10"])
    since: dt.date = Field(examples=["2022-07-13"])
    baseline: str = Field(examples=["daily average of the same month last year"])
    large_only: bool = Field(examples=[False])
    area: str | None = Field(examples=["510500"])
    figures: TallyOut
    year_on_year: YearOnYearOut
    large_industry: LargeIndustryOut
    series: list[DayOut]
    by_region: list[RowOut]
    by_park: list[RowOut]
    by_industry: list[RowOut]
    definitions: dict[str, str] = Field(
        examples=[{"index": "Power resumption index (State Grid): …"}]
    )


def _tally(t: PowerTally) -> dict[str, Any]:
    return {
        "enterprises": t.enterprises,
        "no_baseline": t.no_baseline,
        "no_reading": t.no_reading,
        "counted": t.counted,
        "resumed": t.resumed,
        "kwh": t.kwh,
        "baseline_kwh": t.baseline_kwh,
        "share": t.share,
        "rate": t.rate,
        "index": t.index,
    }


def _yoy(y: YearOnYear) -> dict[str, Any]:
    return {
        "first": y.first,
        "last": y.last,
        "first_before": y.first_before,
        "last_before": y.last_before,
        "enterprises": y.enterprises,
        "kwh": y.kwh,
        "kwh_before": y.kwh_before,
        "change": y.change,
    }


def enterprises_url(
    f: PowerFilter,
    scope: FigureScope | None,
    day: dt.date,
    group: str = Group.ALL,
) -> str | None:
    """The page of the enterprises behind a count on a day (None where no scope selects them:
    enterprises directly under an area, or in no park)."""
    if scope is None:
        return None
    query = PowerFilter(
        scope=scope, until=day, baseline=f.baseline, large_only=f.large_only
    ).params()
    query.append(("group", str(group)))
    return reverse("power:index_enterprises") + "?" + urlencode(query)


def index_body(index: PowerIndex) -> dict[str, Any]:
    """The index as the API answers it."""
    f = index.filter

    def row(r: PowerRow) -> dict[str, Any]:
        return {
            "key": r.key,
            "label": r.label,
            "figures": _tally(r.tally),
            "year_on_year": _yoy(r.year_on_year),
            "enterprises_url": enterprises_url(f, r.scope, index.as_of),
        }

    return {
        "as_of": index.as_of,
        "since": index.since,
        "baseline": f.baseline.describe(),
        "large_only": f.large_only,
        "area": index.area.code if index.area else None,
        "figures": _tally(index.headline),
        "year_on_year": _yoy(index.year_on_year),
        "large_industry": {
            "percent": index.large_industry_percent,
            "figures": _tally(index.large_same_month),
        },
        "series": [
            {"day": p.day, "figures": _tally(p.tally), "year_before": _tally(p.year_before)}
            for p in index.series
        ],
        "by_region": [row(r) for r in index.by_region],
        "by_park": [row(r) for r in index.by_park],
        "by_industry": [row(r) for r in index.by_industry],
        "definitions": index.definitions,
    }


@router.get(
    "/power/index",
    response=IndexOut,
    url_name="power_index",
    summary="The power resumption index of an area over a period, with its definitions",
    description="Per day: share of enterprises resumed (energy above 30% of the baseline), "
    "recovery rate (energy ÷ baseline energy) and the index ((share × 0.5 + rate × 0.5)); on "
    "the last day also by district, park and industry, year on year, and large industry "
    "against the same month last year. Bad filters answer 400 naming the parameter.",
)
def power_index(request: Any, filters: Query[IndexIn]) -> Any:
    require_role(request.auth, DailyReading)
    return index_body(compute(request.auth, filters.power_filter()))
