"""The demo city's meter data: daily energy from January 2020, hourly load from August 2022, and
a few enterprises whose power tells another story than their reports.

Every account's day is its enterprise's base load (output value × the industry's electricity
intensity) times a weekly shape, a mild seasonal swing, a little growth, the holidays (the Spring
Festival, the golden weeks, Mid-Autumn), the August 2022 power rationing, the level of the mode the
enterprise was in (its own mode records: halted 2–8%, semi-closed 50–70%, closed loop 75–95%),
and noise. The Spring Festival of 2021 replays the 2022 stops and returns on the lunar calendar,
so that February compares with February. Everything is written through the meter-data import, and
the alerts are then detected for 1–20 September 2022.

The planted liars (`Planted`): two enterprises halted after a case on site on 12 September that
keep drawing full power; two "closed loop" enterprises drawing almost nothing; one "closed loop"
enterprise idling its machines around the clock; two accounts with days missing. Same seed, same
data: the generator has a numpy stream of its own, so the city's other draws stay as they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
from django.db.models import Q
from django.utils import timezone

from keepline.bubble.models import EnterpriseMode, ModeRecord
from keepline.bubble.selectors import modes_at
from keepline.bubble.services import modes as bubble_modes
from keepline.core import audit
from keepline.core.models import AuditEvent
from keepline.core.scopes import Actor
from keepline.enterprises.models import Enterprise, PowerAccount
from keepline.power.importers import POWER_IMPORTER
from keepline.power.models import PowerImport
from keepline.power.services.detection import Detection, detect_alerts
from keepline.power.services.imports import import_power

TZ = ZoneInfo("Asia/Shanghai")
# Two years before 2022: every 2022 month has its last year, and so has every month a year
# earlier, which the index page draws as the line to compare with.
FIRST_DAY = dt.date(2020, 1, 1)
LAST_DAY = dt.date(2022, 9, 30)
PROFILE_FIRST = dt.date(2022, 8, 1)
DETECTION = (dt.date(2022, 9, 1), dt.date(2022, 9, 20))

# Streams of the demo seed for these draws alone, apart from the city's `random.Random`.
HALT_STREAM, POWER_STREAM = 71, 72

# kWh drawn a year per 10,000 yuan of annual output, by GB/T 4754 division.
INTENSITY = {
    "13": 150,
    "14": 200,
    "15": 300,  # steaming, distilling, air-conditioned cellars, bottling
    "17": 450,
    "22": 600,
    "23": 220,
    "25": 700,
    "26": 900,
    "27": 250,
    "29": 400,
    "30": 1100,
    "33": 450,
    "34": 180,
    "35": 180,
    "37": 200,
    "38": 220,
    "39": 250,
    "44": 120,  # a plant's own use, not what it sends out
}
DEFAULT_INTENSITY = 300
# Process industries that run around the clock and through the holidays.
CONTINUOUS = frozenset({"25", "26", "30", "44"})

# Share of the normal level per mode, drawn once per enterprise between the bounds.
MODE_LEVELS = {
    EnterpriseMode.NORMAL: (1.0, 1.0),
    EnterpriseMode.CLOSED_LOOP: (0.75, 0.95),
    EnterpriseMode.SEMI_CLOSED: (0.5, 0.7),
    EnterpriseMode.HALTED: (0.02, 0.08),
    EnterpriseMode.SEASONAL_STOP: (0.03, 0.10),
}
MODES = list(MODE_LEVELS)
# On a day whose mode changes after midnight, production winds down (or up) through the day:
# the day keeps this share of the difference from the mode it started in. Kept under the
# halted-with-power threshold, so a plant halted at 20:00 does not look like a liar that day.
CHANGE_DAY_CARRY = 0.35

SPRING_FESTIVAL = {
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
}
LUNAR_SHIFT = SPRING_FESTIVAL[2022] - SPRING_FESTIVAL[2021]
REPLAYED = (dt.date(2022, 1, 1), dt.date(2022, 4, 1))  # mode records replayed a lunar year back
# Public holidays besides the Spring Festival: first and last day, the share of production
# that discrete manufacturing keeps (process plants run on).
HOLIDAYS = (
    (dt.date(2020, 5, 1), dt.date(2020, 5, 5), 0.7),
    (dt.date(2020, 10, 1), dt.date(2020, 10, 8), 0.7),  # National Day and Mid-Autumn together
    (dt.date(2021, 5, 1), dt.date(2021, 5, 5), 0.7),
    (dt.date(2021, 9, 19), dt.date(2021, 9, 21), 0.8),  # Mid-Autumn
    (dt.date(2021, 10, 1), dt.date(2021, 10, 7), 0.7),
    (dt.date(2022, 4, 30), dt.date(2022, 5, 4), 0.7),
    (dt.date(2022, 9, 10), dt.date(2022, 9, 12), 0.8),
)
RATIONING = (dt.date(2022, 8, 15), dt.date(2022, 8, 25))  # 四川有序用电: industry gave way

# 12 September: a worker tests positive in three semi-closed enterprises, which the district
# halts; two of them keep running.
CASE_HALT = dt.date(2022, 9, 12)
CASE_REASON = "厂区发现核酸检测阳性人员，停产消杀"
CASE_HALTS, HALTED_LIARS = 3, 2
EARLY_STATIC = ("510502", "510504", "510521")  # static management from 8 September 00:00
STATIC_FROM = dt.date(2022, 9, 8)
STATIC_UNTIL = dt.date(2022, 9, 25)  # the last whole day; modes return on the 26th
GIANTS_EXEMPT = 5  # the city's giants (`city.GIANTS`) are watched too closely to lie
PRODUCING_LIARS = 2
LARGE_SHARE = 0.15
PROFILED = 30
FLAT_PLANTS = 2
# The missing days of the planted gaps: one account of a two-account enterprise, and another.
GAPS = ((dt.date(2022, 9, 13), dt.date(2022, 9, 16)), (dt.date(2022, 9, 3), dt.date(2022, 9, 4)))

# Hourly weights of a two-shift day with a lunch dip (hours 0–23).
TWO_SHIFTS = np.array(
    [0.35] * 7 + [0.6] + [1.0] * 4 + [0.7] + [1.0] * 5 + [0.85] + [0.9] * 4 + [0.5]
)


@dataclass(frozen=True)
class Planted:
    """Who the demo's power data lies about, by credit code, and where its gaps are."""

    halted_with_power: tuple[str, ...]
    honest_halts: tuple[str, ...]
    producing_without_power: tuple[str, ...]
    idling: tuple[str, ...]
    flat_plants: tuple[str, ...]
    # Account number -> its enterprise's credit code, first and last missing day.
    gaps: dict[str, tuple[str, dt.date, dt.date]]


@dataclass(frozen=True)
class DemoPower:
    """What the power step of the demo wrote."""

    readings: int
    profiles: int
    large_accounts: int
    planted: Planted
    detection: Detection


# ---- the halts after a case on site --------------------------------------------------------


def _in_districts(codes: Sequence[str]) -> Q:
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(region__path__contains=f"/{code}/")
    return q


def build_case_halts(actor: Actor, *, seed: int) -> int:
    """The district halts three semi-closed enterprises from 12 September after a positive case
    (before the daily reports are filed, so their reports say halted); returns how many."""
    rng = np.random.default_rng([HALT_STREAM, seed])
    before = dt.datetime.combine(CASE_HALT - dt.timedelta(days=1), dt.time(12), TZ)
    candidates = Enterprise.objects.filter(_in_districts(EARLY_STATIC), above_size=True)
    modes = modes_at(candidates, before)
    semi = sorted(
        candidates.filter(pk__in=[pk for pk, m in modes.items() if m == EnterpriseMode.SEMI_CLOSED])
        .order_by("-annual_output", "uscc")[GIANTS_EXEMPT:]
        .values_list("uscc", "pk")
    )
    chosen = rng.choice(len(semi), size=min(CASE_HALTS, len(semi)), replace=False)
    for i in sorted(chosen):
        bubble_modes.set_mode(
            actor=actor,
            enterprise_id=semi[i][1],
            mode=EnterpriseMode.HALTED,
            reason=CASE_REASON,
            effective_on=CASE_HALT,
            now=dt.datetime.combine(CASE_HALT - dt.timedelta(days=1), dt.time(18), TZ),
        )
    return len(chosen)


# ---- the city as arrays ------------------------------------------------------------------------


@dataclass
class _City:
    """The enterprises and accounts in a fixed order, and their modes day by day."""

    uscc: list[str]
    industry: list[str]
    district: list[str]
    output: np.ndarray  # per enterprise, 10,000 yuan
    ranked: np.ndarray  # per enterprise: its rank by output, largest 0
    account_ids: list[int]
    numbers: list[str]
    owner: np.ndarray  # per account: index of its enterprise
    days: np.ndarray  # datetime64[D]
    start_mode: np.ndarray  # [enterprise, day] index into MODES at the day's first minute
    end_mode: np.ndarray  # ... and at its last
    case_halted: list[int]

    def day(self, day: dt.date) -> int:
        return (day - FIRST_DAY).days

    def span(self, first: dt.date, last: dt.date) -> slice:
        return slice(self.day(first), self.day(last) + 1)


def _load_city() -> _City:
    rows = list(
        Enterprise.objects.order_by("uscc").values_list(
            "pk", "uscc", "industry__code", "region__path", "annual_output"
        )
    )
    index = {pk: i for i, (pk, *_rest) in enumerate(rows)}
    output = np.array([float(r[4]) for r in rows])
    ranked = np.empty(len(rows), dtype=np.int64)
    ranked[np.lexsort((np.arange(len(rows)), -output))] = np.arange(len(rows))
    accounts = list(
        PowerAccount.objects.order_by("number").values_list("pk", "number", "enterprise_id")
    )
    days = np.arange(
        np.datetime64(FIRST_DAY), np.datetime64(LAST_DAY + dt.timedelta(days=1)), dtype="M8[D]"
    )
    start = np.zeros((len(rows), len(days)), dtype=np.int64)
    end = np.zeros_like(start)
    records = ModeRecord.objects.order_by("effective_from", "id").values_list(
        "enterprise_id", "mode", "effective_from", "reason"
    )
    events: list[tuple[dt.datetime, int, int, int]] = []
    case_halted = []
    for n, (enterprise_id, mode, at, reason) in enumerate(records):
        local = timezone.localtime(at, TZ)
        e, code = index[enterprise_id], MODES.index(EnterpriseMode(mode))
        events.append((local, n, e, code))
        if REPLAYED[0] <= local.date() < REPLAYED[1]:
            events.append((local - LUNAR_SHIFT, n, e, code))
        if reason == CASE_REASON and mode == EnterpriseMode.HALTED:
            case_halted.append(e)
    for local, _n, e, code in sorted(events):
        d = (local.date() - FIRST_DAY).days
        end[e, max(d, 0) :] = code
        # A mode taking effect at midnight holds the whole day; later, from the next day on.
        s = d if local.time() == dt.time.min else d + 1
        start[e, max(s, 0) :] = code
    return _City(
        uscc=[r[1] for r in rows],
        industry=[r[2] for r in rows],
        district=[r[3].split("/")[2] for r in rows],
        output=output,
        ranked=ranked,
        account_ids=[a[0] for a in accounts],
        numbers=[a[1] for a in accounts],
        owner=np.array([index[a[2]] for a in accounts], dtype=np.int64),
        days=days,
        start_mode=start,
        end_mode=end,
        case_halted=sorted(case_halted),
    )


# ---- the shape of a normal year -------------------------------------------------------------


def _holidays(rng: np.random.Generator, city: _City, continuous: np.ndarray) -> np.ndarray:
    """[enterprise, day] factor of the Spring Festival and the other public holidays."""
    e, d = len(city.uscc), len(city.days)
    factor = np.ones((e, d))
    ordinal = city.days.astype(np.int64)
    back_in = rng.integers(3, 11, size=e)  # days to return to full production after the holiday
    for festival in SPRING_FESTIVAL.values():
        o = ordinal - np.datetime64(festival).astype(np.int64)
        curve = np.ones((e, d))
        for offset, level in ((-5, 0.85), (-4, 0.7), (-3, 0.55)):
            curve[:, o == offset] = level
        curve[:, (o >= -2) & (o <= 5)] = 0.3  # the holiday week: workers are home
        ramp = 0.5 + 0.5 * (o[None, :] - 6) / back_in[:, None]
        returning = (o[None, :] >= 6) & (o[None, :] < 6 + back_in[:, None])
        curve = np.where(returning, ramp, curve)
        curve[continuous] = np.where((o >= -2) & (o <= 5), 0.9, 1.0)
        factor *= curve
    for first, last, kept in HOLIDAYS:
        factor[:, city.span(first, last)] *= np.where(continuous, 0.97, kept)[:, None]
    return factor


def _rationing(rng: np.random.Generator, city: _City, continuous: np.ndarray) -> np.ndarray:
    """[enterprise, day] factor of August 2022: industry cut hard so that homes had power."""
    e = len(city.uscc)
    cut = np.where(continuous, rng.uniform(0.45, 0.7, e), rng.uniform(0.15, 0.45, e))
    factor = np.ones((e, len(city.days)))
    first, last = RATIONING
    factor[:, city.day(first) - 1] = 0.85  # announced the day before
    factor[:, city.span(first, last)] = cut[:, None]
    factor[:, city.day(last) + 1] = (1 + cut) / 2
    return factor


def _mode_levels(rng: np.random.Generator, city: _City) -> np.ndarray:
    """[enterprise, day] share of normal production the enterprise's modes allow."""
    e = len(city.uscc)
    table = np.column_stack([rng.uniform(low, high, e) for low, high in MODE_LEVELS.values()])
    ends = np.take_along_axis(table, city.end_mode, axis=1)
    starts = np.take_along_axis(table, city.start_mode, axis=1)
    return np.where(
        city.start_mode == city.end_mode, ends, ends + (starts - ends) * CHANGE_DAY_CARRY
    )


# ---- the liars --------------------------------------------------------------------------------


def _plant(
    rng: np.random.Generator, city: _City, continuous: np.ndarray
) -> tuple[dict[str, list[int]], dict[int, tuple[dt.date, dt.date]]]:
    """Choose the liars (enterprise indexes by kind) and the accounts with missing days."""
    emergency = city.span(STATIC_FROM, DETECTION[1])
    closed = (city.start_mode[:, emergency] == MODES.index(EnterpriseMode.CLOSED_LOOP)).all(axis=1)
    early = np.isin(city.district, EARLY_STATIC)
    fair = (city.ranked >= GIANTS_EXEMPT) & early & closed
    halts = [int(i) for i in rng.permutation(city.case_halted)]
    # A process plant's load is flat anyway: only a plant with a daily rhythm can fake one.
    idlers = np.flatnonzero(fair & ~continuous)
    idler = [int(rng.choice(idlers))] if len(idlers) else []
    producing = rng.permutation(np.setdiff1d(np.flatnonzero(fair), idler))[:PRODUCING_LIARS]
    kinds = {
        "halted": halts[:HALTED_LIARS],
        "honest_halts": halts[HALTED_LIARS:],
        "producing": [int(i) for i in producing],
        "idling": idler,
    }
    taken = {i for chosen in kinds.values() for i in chosen}
    accounts = np.bincount(city.owner, minlength=len(city.uscc))
    gaps: dict[int, tuple[dt.date, dt.date]] = {}
    for (first, last), several in zip(GAPS, (True, False), strict=True):
        pool = [
            i
            for i in np.flatnonzero((accounts >= 2) if several else (accounts == 1))
            if int(i) not in taken
        ]
        if not pool:
            continue
        e = int(rng.choice(pool))
        taken.add(e)
        gaps[int(np.flatnonzero(city.owner == e)[-1])] = (first, last)
    return kinds, gaps


def _apply_liars(
    rng: np.random.Generator,
    city: _City,
    normal: np.ndarray,
    factor: np.ndarray,
    kinds: dict[str, list[int]],
) -> None:
    """Overwrite the liars' days with what they really draw: `normal` is each enterprise's
    day as if no mode held it back, `factor` the day as its modes allow."""
    september = city.day(dt.date(2022, 9, 1))
    halted = MODES.index(EnterpriseMode.HALTED)
    for e in kinds["halted"]:
        days = september + np.flatnonzero(city.end_mode[e, september:] == halted)
        factor[e, days] = normal[e, days]  # working on as if nothing had happened
    # The lights and the guards, or machines turning with nothing made: neither cares for
    # weekends and holidays.
    emergency = city.span(STATIC_FROM, STATIC_UNTIL)
    width = emergency.stop - emergency.start
    for e in kinds["producing"]:
        factor[e, emergency] = rng.uniform(0.02, 0.05, width)
    for e in kinds["idling"]:
        factor[e, emergency] = rng.uniform(0.68, 0.72, width)


# ---- readings and profiles --------------------------------------------------------------------


@dataclass
class _Meters:
    """The generated daily energy and what was planted in it."""

    kwh: np.ndarray  # [account, day], NaN where a day is missing
    expected: np.ndarray  # per account: its normal daily energy
    large: np.ndarray  # the large-industry accounts
    kinds: dict[str, list[int]]  # liar kind -> enterprise indexes
    gaps: dict[int, tuple[dt.date, dt.date]]  # account -> first and last missing day


def _daily(rng: np.random.Generator, city: _City) -> _Meters:
    e, d, a = len(city.uscc), len(city.days), len(city.numbers)
    continuous = np.isin(city.industry, list(CONTINUOUS))
    intensity = np.array([INTENSITY.get(code, DEFAULT_INTENSITY) for code in city.industry])
    base = city.output * intensity / 365 * rng.lognormal(0, 0.3, e)
    # An enterprise's accounts: a main supply (its first account) and smaller ones.
    share = np.empty(a)
    for owner in range(e):
        mine = np.flatnonzero(city.owner == owner)
        share[mine] = np.sort(rng.dirichlet(np.array([4.0, 2.0, 1.0])[: len(mine)]))[::-1]
    account_base = base[city.owner] * share
    large = np.flatnonzero(account_base >= np.quantile(account_base, 1 - LARGE_SHARE))

    weekday = (city.days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    week = np.ones((e, 7))
    week[:, 5] = np.where(continuous, 0.99, rng.uniform(0.8, 0.95, e))
    week[:, 6] = np.where(continuous, 0.97, rng.uniform(0.55, 0.8, e))
    doy = (city.days - city.days.astype("M8[Y]")).astype(np.int64)
    season = 1 + 0.05 * np.cos(2 * np.pi * (doy - 200) / 365.25)  # cooling peaks in July
    years = (city.days - np.datetime64(FIRST_DAY)).astype(np.int64) / 365.25
    growth = (1 + rng.normal(0.02, 0.04, e))[:, None] ** years[None, :]
    normal = (
        week[:, weekday]
        * season[None, :]
        * growth
        * _holidays(rng, city, continuous)
        * _rationing(rng, city, continuous)
        * rng.lognormal(0, 0.03, (e, d))
    )
    factor = normal * _mode_levels(rng, city)
    kinds, gaps = _plant(rng, city, continuous)
    _apply_liars(rng, city, normal, factor, kinds)
    kwh = account_base[:, None] * factor[city.owner] * rng.lognormal(0, 0.04, (a, d))
    kwh = np.round(kwh, 1)
    for account, (first, last) in gaps.items():
        kwh[account, city.span(first, last)] = np.nan
    return _Meters(kwh, account_base, large, kinds, gaps)


def _profiled(city: _City, meters: _Meters) -> tuple[list[int], list[int], list[int]]:
    """Accounts with an interval meter, each an enterprise's main supply (its first account):
    the idler's, and those of the largest users that keep producing through August and
    September, about 30 in all. Returns them, the flat process plants' and the idler's."""
    window = city.span(PROFILE_FIRST, LAST_DAY)
    stopped = [MODES.index(EnterpriseMode.HALTED), MODES.index(EnterpriseMode.SEASONAL_STOP)]
    owners, first = np.unique(city.owner, return_index=True)
    main = dict(zip(owners.tolist(), first.tolist(), strict=True))
    idlers = [main[e] for e in meters.kinds["idling"]]
    excluded = {i for chosen in meters.kinds.values() for i in chosen}
    excluded |= {int(city.owner[a]) for a in meters.gaps}
    excluded |= set(np.flatnonzero(np.isin(city.end_mode[:, window], stopped).any(axis=1)).tolist())
    honest = sorted(
        (o for o in main if o not in excluded),
        key=lambda o: -meters.expected[main[o]],
    )
    flat = [main[o] for o in honest if city.industry[o] in CONTINUOUS][:FLAT_PLANTS]
    room = PROFILED - len(flat) - len(idlers)
    shaped = [main[o] for o in honest if city.industry[o] not in CONTINUOUS][:room]
    return sorted(flat + shaped + idlers), sorted(flat), idlers


def _profiles(
    rng: np.random.Generator,
    city: _City,
    kwh: np.ndarray,
    accounts: list[int],
    flat: list[int],
    idlers: list[int],
) -> np.ndarray:
    """[account, day, hour] kWh of the profiled accounts, summing to their daily energy."""
    window = city.span(PROFILE_FIRST, LAST_DAY)
    idle = slice(city.day(STATIC_FROM) - window.start, city.day(STATIC_UNTIL) + 1 - window.start)
    shapes = np.empty((len(accounts), window.stop - window.start, 24))
    for n, account in enumerate(accounts):
        shape = TWO_SHIFTS.copy()
        shape[19:23] *= rng.uniform(0.6, 1.1)  # how hard the evening shift works
        shapes[n] = 1.0 if account in flat else shape
        if account in idlers:
            shapes[n, idle] = 1.0
    shapes *= rng.normal(1, 0.02, shapes.shape)
    shapes /= shapes.sum(axis=2, keepdims=True)
    return np.round(kwh[accounts, window][:, :, None] * shapes, 2)


def _daily_csv(city: _City, kwh: np.ndarray) -> bytes:
    a, d = kwh.shape
    frame = pl.DataFrame(
        {
            "account": np.repeat(np.array(city.numbers), d),
            "date": np.tile(city.days, a),
            "kwh": kwh.ravel(),
        }
    ).filter(pl.col("kwh").is_not_nan())
    return frame.write_csv().encode()


def _interval_csv(city: _City, accounts: list[int], load: np.ndarray) -> bytes:
    n, days, hours = load.shape
    first = city.day(PROFILE_FIRST)
    starts = city.days[first : first + days].astype("M8[ms]")
    times = starts[:, None] + np.arange(hours).astype("m8[h]")
    frame = pl.DataFrame(
        {
            "account": np.repeat(np.array(city.numbers)[accounts], days * hours),
            "time": np.tile(times.ravel(), n),
            "kwh": load.ravel(),
        }
    ).with_columns(pl.col("time").dt.strftime("%Y-%m-%d %H:%M"))
    return frame.write_csv().encode()


def _mark_large(actor: Actor, city: _City, large: np.ndarray) -> int:
    """The large-industry tariff on the largest accounts, in one update, each change audited."""
    ids = [city.account_ids[a] for a in large]
    PowerAccount.objects.filter(pk__in=ids).update(large_industry=True)
    AuditEvent.objects.bulk_create(
        audit.build(
            actor=actor,
            action=audit.Action.UPDATE,
            obj=account,
            before={"large_industry": False},
            after={"large_industry": True},
        )
        for account in PowerAccount.objects.filter(pk__in=ids).select_related("enterprise__region")
    )
    return len(ids)


def _import(actor: Actor, filename: str, data: bytes) -> PowerImport:
    """A generated file through the meter-data import's check and write."""
    check = POWER_IMPORTER.check(actor, filename, data)
    if not check.ok:
        raise check.as_error()
    return import_power(actor=actor, check=check)


def build_power(actor: Actor, *, seed: int) -> DemoPower:
    """Generate and import the meter data, mark the large industrial users, and detect the
    alerts of 1–20 September 2022; returns what was written and who was planted."""
    rng = np.random.default_rng([POWER_STREAM, seed])
    city = _load_city()
    meters = _daily(rng, city)
    kinds = meters.kinds
    large_accounts = _mark_large(actor, city, meters.large)
    daily = _import(actor, "demo-daily-2020-2022.csv", _daily_csv(city, meters.kwh))
    accounts, flat, idlers = _profiled(city, meters)
    load = _profiles(rng, city, meters.kwh, accounts, flat, idlers)
    _import(actor, "demo-hourly-2022-08-09.csv", _interval_csv(city, accounts, load))
    detection = detect_alerts(actor=actor, start=DETECTION[0], end=DETECTION[1])

    def codes(indexes: Sequence[int]) -> tuple[str, ...]:
        return tuple(sorted(city.uscc[i] for i in indexes))

    planted = Planted(
        halted_with_power=codes(kinds["halted"]),
        honest_halts=codes(kinds["honest_halts"]),
        producing_without_power=codes(kinds["producing"]),
        idling=codes(kinds["idling"]),
        flat_plants=codes([int(city.owner[a]) for a in flat]),
        gaps={
            city.numbers[a]: (city.uscc[int(city.owner[a])], first, last)
            for a, (first, last) in meters.gaps.items()
        },
    )
    return DemoPower(
        readings=daily.rows,
        profiles=load.shape[0] * load.shape[1],
        large_accounts=large_accounts,
        planted=planted,
        detection=detection,
    )
