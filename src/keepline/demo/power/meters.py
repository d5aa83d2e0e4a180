"""Readings and profiles: every account's daily energy, the liars' included, and the hourly load of
the accounts with an interval meter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from keepline.bubble.models import EnterpriseMode
from keepline.demo.power.arrays import MODES, CityArrays
from keepline.demo.power.liars import apply_liars, plant
from keepline.demo.power.timeline import (
    FIRST_DAY,
    LAST_DAY,
    PROFILE_FIRST,
    STATIC_FROM,
    STATIC_UNTIL,
)
from keepline.demo.power.year import (
    CONTINUOUS,
    DEFAULT_INTENSITY,
    INTENSITY,
    holiday_factor,
    mode_levels,
    rationing_factor,
)

LARGE_SHARE = 0.15
PROFILED = 30
FLAT_PLANTS = 2

# Hourly weights of a two-shift day with a lunch dip (hours 0–23).
TWO_SHIFTS = np.array(
    [0.35] * 7 + [0.6] + [1.0] * 4 + [0.7] + [1.0] * 5 + [0.85] + [0.9] * 4 + [0.5]
)


@dataclass
class Meters:
    """The generated daily energy and what was planted in it."""

    kwh: np.ndarray  # [account, day], NaN where a day is missing
    expected: np.ndarray  # per account: its normal daily energy
    large: np.ndarray  # the large-industry accounts
    kinds: dict[str, list[int]]  # liar kind -> enterprise indexes
    gaps: dict[int, tuple[dt.date, dt.date]]  # account -> first and last missing day


def daily_energy(rng: np.random.Generator, city: CityArrays) -> Meters:
    """[account, day] kWh from the first day to the last, the liars planted and the gaps cut."""
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
        * holiday_factor(rng, city, continuous)
        * rationing_factor(rng, city, continuous)
        * rng.lognormal(0, 0.03, (e, d))
    )
    factor = normal * mode_levels(rng, city)
    kinds, gaps = plant(rng, city, continuous)
    apply_liars(rng, city, normal, factor, kinds)
    kwh = account_base[:, None] * factor[city.owner] * rng.lognormal(0, 0.04, (a, d))
    kwh = np.round(kwh, 1)
    for account, (first, last) in gaps.items():
        kwh[account, city.span(first, last)] = np.nan
    return Meters(kwh, account_base, large, kinds, gaps)


def profiled_accounts(city: CityArrays, meters: Meters) -> tuple[list[int], list[int], list[int]]:
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


def hourly_profiles(
    rng: np.random.Generator,
    city: CityArrays,
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
