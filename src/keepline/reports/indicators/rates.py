"""Tallies of enterprises by mode and the rates computed from them: the arithmetic of every
figure, rounded once, at the end, half up as published figures are."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from keepline.bubble.models import PRODUCING, EnterpriseMode
from keepline.reports.models import TargetBasis

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MODES: tuple[str, ...] = tuple(EnterpriseMode.values)
PRODUCING_MODES: tuple[str, ...] = tuple(m.value for m in PRODUCING)
# The groups of enterprises a figure can be drilled down to, besides the single modes.
GROUPS: dict[str, tuple[str, ...]] = {
    "all": MODES,
    "counted": tuple(m for m in MODES if m != EnterpriseMode.SEASONAL_STOP),
    "producing": PRODUCING_MODES,
} | {m: (m,) for m in MODES}


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole × 100 unrounded (28 significant digits), or None when the whole is zero."""
    if not whole:
        return None
    return Decimal(part) * HUNDRED / Decimal(whole)


def rounded(value: Decimal | None, places: int = 2) -> Decimal | None:
    """Half up, as published figures are; rounding happens once, at the end."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(part: Decimal | int, whole: Decimal | int, places: int = 2) -> Decimal | None:
    return rounded(ratio(part, whole), places)


def points(now: Decimal | None, before: Decimal | None, places: int = 2) -> Decimal | None:
    """The change of a rate in percentage points, or None when either rate is undefined."""
    if now is None or before is None:
        return None
    return rounded(now - before, places)


@dataclass(frozen=True)
class Tally:
    """How many enterprises, with how much annual output value (10k CNY) and how many staff."""

    enterprises: int = 0
    output: Decimal = Decimal(0)
    employees: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.enterprises + other.enterprises,
            self.output + other.output,
            self.employees + other.employees,
        )

    def __sub__(self, other: Tally) -> Tally:
        return Tally(
            self.enterprises - other.enterprises,
            self.output - other.output,
            self.employees - other.employees,
        )


def _sum(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total = total + tally
    return total


@dataclass(frozen=True)
class Summary:
    """The figures of one set of enterprises at one time, from their tallies by mode."""

    by_mode: Mapping[str, Tally]

    def group(self, name: str) -> Tally:
        return _sum(self.by_mode.get(m, Tally()) for m in GROUPS[name])

    @property
    def total(self) -> Tally:
        return self.group("all")

    @property
    def counted(self) -> Tally:
        return self.group("counted")

    @property
    def producing(self) -> Tally:
        return self.group("producing")

    @property
    def closed_loop(self) -> Tally:
        return self.group(EnterpriseMode.CLOSED_LOOP)

    @property
    def closed_loop_share_count(self) -> Decimal | None:
        return percent(self.closed_loop.enterprises, self.total.enterprises)

    @property
    def closed_loop_share_output(self) -> Decimal | None:
        return percent(self.closed_loop.output, self.total.output)

    @property
    def closed_loop_share_employees(self) -> Decimal | None:
        return percent(self.closed_loop.employees, self.total.employees)

    @property
    def resumption_count(self) -> Decimal | None:
        return percent(self.producing.enterprises, self.counted.enterprises)

    @property
    def resumption_output(self) -> Decimal | None:
        return percent(self.producing.output, self.counted.output)

    def rate(self, basis: str) -> Decimal | None:
        return self.resumption_output if basis == TargetBasis.OUTPUT else self.resumption_count

    def exact(self, rate: str) -> Decimal | None:
        """One of RATES unrounded, for changes and for figures published to other precisions."""
        fractions: dict[str, tuple[Decimal | int, Decimal | int]] = {
            "resumption_count": (self.producing.enterprises, self.counted.enterprises),
            "resumption_output": (self.producing.output, self.counted.output),
            "closed_loop_share_count": (self.closed_loop.enterprises, self.total.enterprises),
            "closed_loop_share_output": (self.closed_loop.output, self.total.output),
        }
        return ratio(*fractions[rate])


RATES = (
    "resumption_count",
    "resumption_output",
    "closed_loop_share_count",
    "closed_loop_share_output",
)


def change(now: Summary, before: Summary, rate: str, places: int = 2) -> Decimal | None:
    """The change of one of RATES from `before` to `now`, in percentage points."""
    return points(now.exact(rate), before.exact(rate), places)
