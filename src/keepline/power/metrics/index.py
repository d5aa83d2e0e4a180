"""The power resumption index of an area: the filter, the headline, the series, the
breakdowns, and what each figure means."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core.errors import InvalidInput
from keepline.core.scopes import Actor
from keepline.enterprises.models import Enterprise, Industry
from keepline.places.models import Park, Region
from keepline.power.metrics.baselines import (
    Baseline,
    days_between,
    month_start,
    resumed_at,
    shift_years,
)
from keepline.power.metrics.tallies import (
    INDUSTRY,
    PARK,
    REGION,
    PowerTally,
    YearOnYear,
    large_industry,
    tallies,
    year_on_year,
)
from keepline.power.models import DailyReading
from keepline.reports.indicators.computing import common_path, narrow_industries, narrow_regions
from keepline.reports.indicators.scope import FigureScope, Resolved, enterprises_in, resolve


@dataclass(frozen=True)
class PowerFilter:
    """What the index page, its export and the API compute: an area (as the figures pages
    name it), a period (None: the 60 days up to the latest day with readings), a baseline, and
    whether to count large industrial users only."""

    scope: FigureScope = field(default_factory=FigureScope)
    since: dt.date | None = None
    until: dt.date | None = None
    baseline: Baseline = field(default_factory=Baseline)
    large_only: bool = False

    def params(self) -> list[tuple[str, str]]:
        """The query parameters that select these figures (pages and the API read the same)."""
        out = self.scope.params()
        if self.since:
            out.append(("since", self.since.isoformat()))
        if self.until:
            out.append(("until", self.until.isoformat()))
        out += self.baseline.params()
        if self.large_only:
            out.append(("large", "true"))
        return out


@dataclass(frozen=True)
class PowerRow:
    """The figures of one district, park or industry on the as-of day; `scope` selects exactly
    its enterprises (None where no scope can: enterprises directly under the area, no park)."""

    key: str
    label: str
    tally: PowerTally
    year_on_year: YearOnYear
    scope: FigureScope | None


@dataclass(frozen=True)
class DayPoint:
    """One day of the trend, and the same calendar day a year earlier (baseline moved too)."""

    day: dt.date
    tally: PowerTally
    year_before: PowerTally


@dataclass(frozen=True)
class PowerIndex:
    """The power resumption index of an area: per day over a period, on its last day (the
    as-of day) in full and by district, park and industry, with the definitions."""

    as_of: dt.date
    since: dt.date
    filter: PowerFilter  # with the period filled in
    area: Region | None  # the smallest region holding every enterprise counted
    headline: PowerTally
    series: list[DayPoint]
    year_on_year: YearOnYear
    large_same_month: PowerTally  # large industry on the as-of day vs same month last year
    by_region: list[PowerRow]
    by_park: list[PowerRow]
    by_industry: list[PowerRow]
    definitions: dict[str, str]

    @property
    def large_industry_percent(self) -> Decimal | None:
        """Large industry's energy on the as-of day as a percentage of their daily average in
        the same month last year (the briefing's sentence)."""
        return self.large_same_month.rate


# ---- computing -----------------------------------------------------------------------------

DEFAULT_DAYS = 60


def latest_day(enterprises: QuerySet[Enterprise], by: dt.date | None = None) -> dt.date | None:
    """The last day (on or before `by`, if given) any of the enterprises has a reading for."""
    readings = DailyReading.objects.filter(account__enterprise__in=enterprises.values("pk"))
    if by is not None:
        readings = readings.filter(day__lte=by)
    # ORDER BY … LIMIT 1 walks the day index backwards; MAX() over the join reads every row.
    last: dt.date | None = readings.order_by("-day").values_list("day", flat=True).first()
    return last


def scoped(actor: Actor, f: PowerFilter) -> tuple[QuerySet[Enterprise], Resolved]:
    """The enterprises the filter counts for the actor, and its scope's codes resolved."""
    moment = (
        timezone.make_aware(dt.datetime.combine(f.until, dt.time.max))
        if f.until
        else timezone.now()
    )
    resolved = resolve(f.scope, moment)
    enterprises = enterprises_in(actor, f.scope, resolved)
    return (large_industry(enterprises) if f.large_only else enterprises), resolved


def period(enterprises: QuerySet[Enterprise], f: PowerFilter) -> tuple[dt.date, dt.date]:
    """The filter's period, its gaps filled: up to the latest day with readings (else today),
    from DEFAULT_DAYS days before."""
    end = f.until or latest_day(enterprises) or timezone.localdate()
    start = f.since or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise InvalidInput(
            _("The period ends before it starts."),
            errors={"until": [_("Give a last day on or after %(day)s.") % {"day": start}]},
        )
    return start, end


def compute(actor: Actor, f: PowerFilter, *, breakdowns: bool = True) -> PowerIndex:
    """The power resumption index of the enterprises the actor sees in the filter's area.

    `breakdowns=False` leaves out the tables by district, park and industry (the briefing's
    sentence needs only the headline)."""
    enterprises, resolved = scoped(actor, f)
    start, end = period(enterprises, f)
    baseline = f.baseline
    now = tallies(enterprises, start, end, baseline).get((), {})
    before = tallies(
        enterprises, shift_years(start, -1), shift_years(end, -1), baseline.shifted(-1)
    ).get((), {})
    series = [
        DayPoint(
            day,
            now.get(day, PowerTally()),
            before.get(shift_years(day, -1), PowerTally()),
        )
        for day in days_between(start, end)
    ]
    large = tallies(large_industry(enterprises), end, end, Baseline()).get((), {})
    by_region: list[PowerRow] = []
    by_park: list[PowerRow] = []
    by_industry: list[PowerRow] = []
    area: Region | None = None
    if breakdowns:
        area, by_region, by_park, by_industry = _breakdowns(enterprises, f, resolved, end, baseline)
    return PowerIndex(
        as_of=end,
        since=start,
        filter=replace(f, since=start, until=end),
        area=area,
        headline=series[-1].tally,
        series=series,
        year_on_year=year_on_year(enterprises, end).get((), YearOnYear(month_start(end), end)),
        large_same_month=large.get(end, PowerTally()),
        by_region=by_region,
        by_park=by_park,
        by_industry=by_industry,
        definitions=definitions(),
    )


def _breakdowns(
    enterprises: QuerySet[Enterprise],
    f: PowerFilter,
    resolved: Resolved,
    day: dt.date,
    baseline: Baseline,
) -> tuple[Region | None, list[PowerRow], list[PowerRow], list[PowerRow]]:
    """The day's figures by district (one level below the area), park and industry, rolled
    up from one grouped pass per figure over (region, park, industry)."""
    keys = {REGION: "region_id", PARK: "park_id", INDUSTRY: resolved.industry_key}
    cells = {k: v[day] for k, v in tallies(enterprises, day, day, baseline, keys).items()}
    yoy = year_on_year(enterprises, day, keys)
    empty_yoy = YearOnYear(month_start(day), day)
    if not cells:
        return None, [], [], []

    def rollup(position: int, key_of: Any = None) -> dict[Any, tuple[PowerTally, YearOnYear]]:
        sums: dict[Any, tuple[PowerTally, YearOnYear]] = {}
        for combination, tally in cells.items():
            k = combination[position]
            k = key_of(k) if key_of else k
            t, y = sums.get(k, (PowerTally(), empty_yoy))
            sums[k] = (t + tally, y + yoy.get(combination, empty_yoy))
        return sums

    paths = dict(Region.objects.filter(pk__in={c[0] for c in cells}).values_list("pk", "path"))
    area_path = common_path(min(paths.values()), max(paths.values()))
    area = Region.objects.filter(path=area_path).first() if area_path else None
    scope = f.scope

    by_region: list[PowerRow] = []
    if area is not None:
        # One level below the area; the codes of a level share a length (GB/T 2260, towns).
        child_code = Region.objects.filter(parent=area).values_list("code", flat=True).first()
        key_length = len(area_path) + (len(child_code) + 1 if child_code else 0)
        region_sums = rollup(0, lambda pk: paths[pk][:key_length])
        regions = {r.path: r for r in Region.objects.filter(path__in=list(region_sums))}
        for path in sorted(region_sums):
            region = regions[path]
            direct = path == area.path and child_code is not None
            by_region.append(
                PowerRow(
                    region.code,
                    _("%(region)s (directly)") % {"region": region.name} if direct else region.name,
                    *region_sums[path],
                    None
                    if direct
                    else replace(scope, regions=narrow_regions(resolved.regions, region)),
                )
            )

    park_sums = rollup(1)
    parks = Park.objects.in_bulk([k for k in park_sums if k is not None])
    by_park = sorted(
        (
            PowerRow(
                parks[k].code if k else "",
                parks[k].name if k else _("Not in a park"),
                *sums,
                replace(scope, parks=(parks[k].code,)) if k else None,
            )
            for k, sums in park_sums.items()
        ),
        key=lambda row: (row.key == "", row.label),
    )

    industry_sums = rollup(2)
    industries = Industry.objects.in_bulk([k for k in industry_sums if k is not None])
    by_industry = [
        PowerRow(
            industries[k].code,
            industries[k].name,
            *industry_sums[k],
            replace(scope, industries=narrow_industries(resolved.industries, industries[k])),
        )
        for k in sorted(
            (k for k in industry_sums if k is not None), key=lambda k: industries[k].code
        )
    ]
    return area, by_region, by_park, by_industry


# ---- definitions ---------------------------------------------------------------------------


def definitions() -> dict[str, str]:
    """What each power figure means, in the active language (docs/indicators.md, "Power")."""
    threshold = resumed_at()
    return {
        "scope": _(
            "Enterprises in scope: those the actor may see in the regions, parks and industries "
            "named, above designated size unless all sizes are asked for; with large industry "
            "only, those with at least one account on the large-industry tariff."
        ),
        "daily_energy": _(
            "An enterprise's daily energy: the sum of the day's readings of all its power "
            "accounts. A day without a reading on any account has no energy (a gap), never zero."
        ),
        "baseline": _(
            "Baseline daily energy: the mean of the enterprise's daily energy over the days of "
            "the baseline window that have readings. Same month last year: for a day in "
            "September 2022, the days of September 2021. Reference period: the days from its "
            "first to its last day. Days before an event: the N days before the event's day. "
            "An enterprise without readings in the window, or with a baseline of zero, has no "
            "baseline and is counted apart."
        ),
        "ratio": _("Recovery ratio of an enterprise: its daily energy ÷ its baseline."),
        "resumed": _(
            "Resumed: an enterprise whose recovery ratio is above %(threshold)s (setting "
            "KEEPLINE_POWER_RESUMED_AT)."
        )
        % {"threshold": threshold},
        "counted": _(
            "Counted on a day: enterprises in scope with a baseline and a reading that day. "
            "Those without a baseline, and those without a reading that day, are shown apart "
            "and left out of every rate."
        ),
        "share": _("Share resumed: resumed enterprises ÷ counted enterprises × 100."),
        "rate": _(
            "Recovery rate: the day's energy of the counted enterprises ÷ the sum of their "
            "baselines × 100."
        ),
        "index": _(
            "Power resumption index (State Grid): (share resumed × 0.5 + recovery rate × 0.5), "
            "both in percent; 100 means every counted enterprise resumed and using its baseline."
        ),
        "year_before": _(
            "The same calendar days a year earlier, over the same enterprises, with the baseline "
            "moved back a year too."
        ),
        "year_on_year": _(
            "Year-on-year change: the energy of the as-of day's month up to that day ÷ the energy "
            "of the same days a year before − 1, × 100, over the enterprises with readings in "
            "both periods."
        ),
        "large_industry": _(
            "Large industry at “X%” of the same month's daily average last year: the as-of day's "
            "energy of the large industrial users (enterprises with an account on the "
            "large-industry tariff) with a reading that day ÷ the sum of their daily averages in "
            "the same month last year × 100."
        ),
    }
