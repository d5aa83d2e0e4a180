"""The shape of a normal year: each enterprise's day as a share of its base load, before the liars
(`liars`) are planted."""

from __future__ import annotations

import numpy as np

from keepline.demo.power.arrays import MODE_LEVELS, CityArrays
from keepline.demo.power.timeline import HOLIDAYS, RATIONING, SPRING_FESTIVAL

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

# On a day whose mode changes after midnight, production winds down (or up) through the day:
# the day keeps this share of the difference from the mode it started in. Kept under the
# halted-with-power threshold, so a plant halted at 20:00 does not look like a liar that day.
CHANGE_DAY_CARRY = 0.35


def holiday_factor(
    rng: np.random.Generator, city: CityArrays, continuous: np.ndarray
) -> np.ndarray:
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


def rationing_factor(
    rng: np.random.Generator, city: CityArrays, continuous: np.ndarray
) -> np.ndarray:
    """[enterprise, day] factor of August 2022: industry cut hard so that homes had power."""
    e = len(city.uscc)
    cut = np.where(continuous, rng.uniform(0.45, 0.7, e), rng.uniform(0.15, 0.45, e))
    factor = np.ones((e, len(city.days)))
    first, last = RATIONING
    factor[:, city.day(first) - 1] = 0.85  # announced the day before
    factor[:, city.span(first, last)] = cut[:, None]
    factor[:, city.day(last) + 1] = (1 + cut) / 2
    return factor


def mode_levels(rng: np.random.Generator, city: CityArrays) -> np.ndarray:
    """[enterprise, day] share of normal production the enterprise's modes allow."""
    e = len(city.uscc)
    table = np.column_stack([rng.uniform(low, high, e) for low, high in MODE_LEVELS.values()])
    ends = np.take_along_axis(table, city.end_mode, axis=1)
    starts = np.take_along_axis(table, city.start_mode, axis=1)
    return np.where(
        city.start_mode == city.end_mode, ends, ends + (starts - ends) * CHANGE_DAY_CARRY
    )
