"""What the figures of a scope at a time are: the summary, the day before, the breakdowns
and the targets, and the list of indicators the pages and the API show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from keepline.bubble.models import EnterpriseMode
from keepline.places.models import Region
from keepline.reports.indicators.rates import RATES, Summary, Tally, change
from keepline.reports.indicators.scope import FigureScope
from keepline.reports.indicators.targets import TargetProgress


@dataclass(frozen=True)
class BreakdownRow:
    """The figures of one district, park or industry within the scope; `scope` selects exactly
    its enterprises (None where no scope can: enterprises directly under the area, no park)."""

    key: str
    label: str
    summary: Summary
    scope: FigureScope | None


@dataclass(frozen=True)
class Indicator:
    """One number with its meaning; `group` names the enterprises behind it ("" for changes)."""

    key: str
    label: str
    value: Decimal | int | None
    unit: str
    definition: str
    group: str


@dataclass(frozen=True)
class Figures:
    """Every figure of a scope at a time, the day before, and the definitions of each."""

    as_of: dt.datetime
    previous_as_of: dt.datetime
    scope: FigureScope
    area: Region | None  # the smallest region holding every enterprise counted
    named_regions: list[Region]  # the regions the scope names, or those under its measures
    summary: Summary
    previous: Summary
    by_region: list[BreakdownRow]
    by_park: list[BreakdownRow]
    by_industry: list[BreakdownRow]
    targets: list[TargetProgress]
    definitions: dict[str, str] = field(default_factory=dict)

    def change(self, rate: str, places: int = 2) -> Decimal | None:
        """The day-on-day change of one of RATES, in percentage points."""
        return change(self.summary, self.previous, rate, places)

    def indicators(self) -> list[Indicator]:
        s, d = self.summary, self.definitions
        out = [
            Indicator(
                "enterprises",
                _("Enterprises"),
                s.total.enterprises,
                "enterprises",
                d["enterprises"],
                "all",
            ),
            Indicator(
                "output", _("Annual output value"), s.total.output, "10k CNY", d["output"], "all"
            ),
            Indicator(
                "employees", _("Employees"), s.total.employees, "people", d["employees"], "all"
            ),
        ]
        for mode in EnterpriseMode:
            out.append(
                Indicator(
                    f"mode_{mode.value}",
                    str(mode.label),
                    s.by_mode.get(mode.value, Tally()).enterprises,
                    "enterprises",
                    d[f"mode_{mode.value}"],
                    mode.value,
                )
            )
        closed = EnterpriseMode.CLOSED_LOOP.value
        out += [
            Indicator(
                "closed_loop",
                _("Closed-loop enterprises"),
                s.closed_loop.enterprises,
                "enterprises",
                d["closed_loop"],
                closed,
            ),
            Indicator(
                "closed_loop_share_count",
                _("Closed-loop share by count"),
                s.closed_loop_share_count,
                "%",
                d["closed_loop_share_count"],
                closed,
            ),
            Indicator(
                "closed_loop_share_output",
                _("Closed-loop share by output value"),
                s.closed_loop_share_output,
                "%",
                d["closed_loop_share_output"],
                closed,
            ),
            Indicator(
                "closed_loop_share_employees",
                _("Closed-loop share by employees"),
                s.closed_loop_share_employees,
                "%",
                d["closed_loop_share_employees"],
                closed,
            ),
            Indicator(
                "counted",
                _("Enterprises counted for resumption"),
                s.counted.enterprises,
                "enterprises",
                d["counted"],
                "counted",
            ),
            Indicator(
                "producing",
                _("Producing enterprises"),
                s.producing.enterprises,
                "enterprises",
                d["producing"],
                "producing",
            ),
            Indicator(
                "resumption_count",
                _("Resumption rate by count"),
                s.resumption_count,
                "%",
                d["resumption_count"],
                "producing",
            ),
            Indicator(
                "resumption_output",
                _("Resumption rate by output value"),
                s.resumption_output,
                "%",
                d["resumption_output"],
                "producing",
            ),
        ]
        labels = {
            "resumption_count": _("Resumption rate by count, change on the day before"),
            "resumption_output": _("Resumption rate by output value, change on the day before"),
            "closed_loop_share_count": _("Closed-loop share by count, change on the day before"),
            "closed_loop_share_output": _(
                "Closed-loop share by output value, change on the day before"
            ),
        }
        out += [
            Indicator(f"{rate}_change", labels[rate], self.change(rate), "points", d["change"], "")
            for rate in RATES
        ]
        return out
