"""Tallies of the power resumption index: the grouped queries joined in one more GROUP BY,
by day and by district, park or industry, and the year-on-year change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum

from keepline.enterprises.models import Enterprise, PowerAccount
from keepline.power.metrics.baselines import (
    Baseline,
    baselines,
    daily_energy,
    days_between,
    fetch_rows,
    month_number,
    month_start,
    quoted_columns,
    readings_between,
    resumed_at,
    shift_years,
    sql_of,
)
from keepline.reports.indicators.rates import ratio, rounded

# State Grid's weights: half the share of enterprises resumed, half the recovery rate.
INDEX_WEIGHT = Decimal("0.5")


# ---- the power resumption index ------------------------------------------------------------


def large_industry(enterprises: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    """The enterprises with at least one account on the large-industry tariff."""
    return enterprises.filter(
        pk__in=PowerAccount.objects.filter(large_industry=True).values("enterprise_id")
    )


def _exact(part: float, whole: float) -> Decimal | None:
    return ratio(Decimal(part), Decimal(whole))


@dataclass(frozen=True)
class PowerTally:
    """The power figures of a set of enterprises on one day.

    Of the `enterprises` in scope, `with_baseline` have a baseline above zero; of those,
    `counted` have a reading on the day, and `resumed` of them drew more than the threshold
    share of their baseline. `kwh` and `baseline_kwh` sum over the counted enterprises only.
    """

    enterprises: int = 0
    with_baseline: int = 0
    counted: int = 0
    resumed: int = 0
    kwh: float = 0.0
    baseline_kwh: float = 0.0

    def __add__(self, other: PowerTally) -> PowerTally:
        return PowerTally(
            self.enterprises + other.enterprises,
            self.with_baseline + other.with_baseline,
            self.counted + other.counted,
            self.resumed + other.resumed,
            self.kwh + other.kwh,
            self.baseline_kwh + other.baseline_kwh,
        )

    @property
    def no_baseline(self) -> int:
        return self.enterprises - self.with_baseline

    @property
    def no_reading(self) -> int:
        return self.with_baseline - self.counted

    def exact(self, figure: str) -> Decimal | None:
        """ "share", "rate" or "index" unrounded (percent; the index in points)."""
        share = ratio(self.resumed, self.counted)
        rate = _exact(self.kwh, self.baseline_kwh)
        if figure == "share":
            return share
        if figure == "rate":
            return rate
        if share is None or rate is None:
            return None
        return share * INDEX_WEIGHT + rate * (1 - INDEX_WEIGHT)

    @property
    def share(self) -> Decimal | None:
        return rounded(self.exact("share"))

    @property
    def rate(self) -> Decimal | None:
        return rounded(self.exact("rate"))

    @property
    def index(self) -> Decimal | None:
        return rounded(self.exact("index"))


@dataclass(frozen=True)
class YearOnYear:
    """A month's energy up to a day against the same days a year before, summed over the
    enterprises with readings in both."""

    first: dt.date
    last: dt.date
    enterprises: int = 0
    kwh: float = 0.0
    kwh_before: float = 0.0

    def __add__(self, other: YearOnYear) -> YearOnYear:
        return YearOnYear(
            self.first,
            self.last,
            self.enterprises + other.enterprises,
            self.kwh + other.kwh,
            self.kwh_before + other.kwh_before,
        )

    def exact(self) -> Decimal | None:
        return _exact(self.kwh - self.kwh_before, self.kwh_before)

    @property
    def change(self) -> Decimal | None:
        """Percent change on the year before (+1.30 = 1.3% more)."""
        change = rounded(self.exact())
        # A tiny fall rounds to −0.00; adding zero drops the sign.
        return None if change is None else change + 0

    @property
    def first_before(self) -> dt.date:
        return shift_years(self.first, -1)

    @property
    def last_before(self) -> dt.date:
        return shift_years(self.last, -1)


# ---- SQL over the grouped queries ----------------------------------------------------------

# The group keys of the breakdowns, as columns of the enterprise table joined in.
REGION, PARK, INDUSTRY = "k_region", "k_park", "k_industry"


def _with_keys(
    enterprises: QuerySet[Enterprise], keys: dict[str, str], source: str
) -> tuple[str, str, list[Any]]:
    """(join clause, key columns, parameters) adding the enterprises' group keys to `source`."""
    if not keys:
        return "", "", []
    sql, params = sql_of(
        enterprises.values(eid=F("pk"), **{k: F(field) for k, field in keys.items()}).order_by()
    )
    join = (
        f" JOIN ({sql}) e ON {quoted_columns('e', 'eid')[0]} = {quoted_columns(source, 'eid')[0]}"
    )
    return join, ", ".join(quoted_columns("e", *keys)), params


def _group_by(*parts: str) -> str:
    columns = ", ".join(p for p in parts if p)
    return f" GROUP BY {columns}" if columns else ""


def _select(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


def _key(row: Sequence[Any], n: int) -> tuple[Any, ...]:
    return tuple(row[:n])


def tallies(
    enterprises: QuerySet[Enterprise],
    start: dt.date,
    end: dt.date,
    baseline: Baseline,
    keys: dict[str, str] | None = None,
) -> dict[tuple[Any, ...], dict[dt.date, PowerTally]]:
    """The tally of every day start..end for each combination of `keys` (alias -> enterprise
    field: REGION -> "region_id"…); no keys: one combination, ().

    Two queries, whatever the number of enterprises and days: enterprises per combination;
    then, in one statement, enterprises with a baseline above zero per combination (and month,
    for a monthly baseline), and per combination and day the counted and resumed enterprises
    and their energy and baseline energy, joining each enterprise-day to its baseline."""
    keys = keys or {}
    n = len(keys)
    if enterprises.query.is_empty():
        return {}
    population = (
        {
            _key(row, n): row[n]
            for row in enterprises.values_list(*keys.values())
            .annotate(total=Count("pk", distinct=True))
            .order_by()
        }
        if keys
        else {(): enterprises.count()}
    )
    if not any(population.values()):
        return {}

    # One statement: the baselines are computed once (a CTE used twice is materialised) for
    # both the count of enterprises with a baseline and the join with the daily energy.
    base_sql, params = baselines(enterprises, start, end, baseline)
    daily_sql, daily_params = sql_of(
        daily_energy(enterprises, start, end, monthly=baseline.monthly)
    )
    ctes = [f"b AS ({base_sql})", f"d AS ({daily_sql})"]
    params += daily_params
    d_eid, d_day, d_kwh, d_mon = quoted_columns("d", "eid", "day", "kwh", "mon")
    b_eid, b_base, b_mon = quoted_columns("b", "eid", "baseline", "mon")
    key_columns = join_b = join_d = ""
    if keys:
        ent_sql, ent_params = sql_of(
            enterprises.values(eid=F("pk"), **{k: F(f) for k, f in keys.items()}).order_by()
        )
        ctes.append(f"e AS ({ent_sql})")
        params += ent_params
        key_columns = ", ".join(quoted_columns("e", *keys))
        e_eid = quoted_columns("e", "eid")[0]
        join_b, join_d = f" JOIN e ON {e_eid} = {b_eid}", f" JOIN e ON {e_eid} = {d_eid}"
    month = b_mon if baseline.monthly else ""
    on = f"{b_eid} = {d_eid}"
    if baseline.monthly:
        on += f" AND {b_mon} = {d_mon}"
    rows = fetch_rows(
        f"WITH {', '.join(ctes)}"
        f" SELECT {_select('0', key_columns, month or 'NULL')}, NULL, COUNT(*), 0, 0.0, 0.0"
        f" FROM b{join_b} WHERE {b_base} > 0{_group_by(key_columns, month)}"
        f" UNION ALL SELECT {_select('1', key_columns)}, NULL, {d_day}, COUNT(*),"
        f" SUM(CASE WHEN {d_kwh} / {b_base} > %s THEN 1 ELSE 0 END), SUM({d_kwh}), SUM({b_base})"
        f" FROM d JOIN b ON {on}{join_d} WHERE {b_base} > 0{_group_by(key_columns, d_day)}",
        [*params, resumed_at()],
    )
    with_baseline: dict[tuple[Any, ...], int] = {}
    counted: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for kind, *row in rows:
        combination = tuple(row[:n])
        mon, day, *figures = row[n:]
        if kind == 0:
            with_baseline[(*combination, mon)] = figures[0]
        else:
            counted[(*combination, _as_date(day))] = tuple(figures)

    out: dict[tuple[Any, ...], dict[dt.date, PowerTally]] = {}
    for combination, total in population.items():
        days: dict[dt.date, PowerTally] = {}
        for day in days_between(start, end):
            mon = month_number(day) if baseline.monthly else None
            c, r, kwh, base = counted.get((*combination, day), (0, 0, 0.0, 0.0))
            days[day] = PowerTally(
                enterprises=total,
                with_baseline=with_baseline.get((*combination, mon), 0),
                counted=c,
                resumed=int(r),
                kwh=float(kwh),
                baseline_kwh=float(base),
            )
        out[combination] = days
    return out


def _as_date(value: Any) -> dt.date:
    """SQLite hands back a date computed in a subquery as text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def year_on_year(
    enterprises: QuerySet[Enterprise], day: dt.date, keys: dict[str, str] | None = None
) -> dict[tuple[Any, ...], YearOnYear]:
    """The month of `day` up to `day` against the same days a year before, for each
    combination of `keys`, over the enterprises with readings in both periods."""
    keys = keys or {}
    first = month_start(day)
    if enterprises.query.is_empty():
        return {}

    def energy(a: dt.date, b: dt.date) -> tuple[str, list[Any]]:
        return sql_of(
            readings_between(enterprises, a, b)
            .values(eid=F("account__enterprise_id"))
            .annotate(kwh=Sum("kwh"))
        )

    now_sql, now_params = energy(first, day)
    before_sql, before_params = energy(shift_years(first, -1), shift_years(day, -1))
    t_eid, t_kwh = quoted_columns("t", "eid", "kwh")
    p_eid, p_kwh = quoted_columns("p", "eid", "kwh")
    join, key_columns, key_params = _with_keys(enterprises, keys, "t")
    rows = fetch_rows(
        f"SELECT {_select(key_columns, 'COUNT(*)')}, SUM({t_kwh}), SUM({p_kwh})"
        f" FROM ({now_sql}) t JOIN ({before_sql}) p ON {p_eid} = {t_eid}{join}"
        f"{_group_by(key_columns)}",
        [*now_params, *before_params, *key_params],
    )
    n = len(keys)
    # Without keys the one row always comes back, with a count of 0 when nothing matched.
    return {
        _key(row, n): YearOnYear(first, day, row[n], float(row[n + 1]), float(row[n + 2]))
        for row in rows
        if row[n]
    }
