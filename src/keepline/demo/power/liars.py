"""The liars: which enterprises' power tells another story than their reports, which accounts
miss days, and what the liars really draw."""

from __future__ import annotations

import datetime as dt

import numpy as np

from keepline.bubble.models import EnterpriseMode
from keepline.demo.power.arrays import MODES, CityArrays
from keepline.demo.power.halts import GIANTS_EXEMPT
from keepline.demo.power.timeline import DETECTION, EARLY_STATIC, STATIC_FROM, STATIC_UNTIL

# Of the case halts (`halts`), how many keep running.
HALTED_LIARS = 2
PRODUCING_LIARS = 2
# The missing days of the planted gaps: one account of a two-account enterprise, and another.
GAPS = ((dt.date(2022, 9, 13), dt.date(2022, 9, 16)), (dt.date(2022, 9, 3), dt.date(2022, 9, 4)))


def plant(
    rng: np.random.Generator, city: CityArrays, continuous: np.ndarray
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


def apply_liars(
    rng: np.random.Generator,
    city: CityArrays,
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
