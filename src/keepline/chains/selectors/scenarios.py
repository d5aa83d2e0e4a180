"""Reads of lockdown scenarios: the list, one scenario and comparisons (its results and figures
are selectors.results). A scenario's totals are the whole network's, while its rows
are read by enterprise, so a district official sees its own enterprises' outcomes in a city
scenario."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.chains.models import (
    Scenario,
    ScenarioResult,
    ScenarioSource,
    ScenarioStatus,
)
from keepline.chains.selectors.network import district_code
from keepline.core.errors import InvalidInput
from keepline.core.lists import Column, FilterSet, Listing
from keepline.core.scopes import Actor, get_for, parse_key, require_role, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region
from keepline.places.selectors import region_filter

COMPARE_MIN, COMPARE_MAX = 2, 4


def last_day(scenario: Scenario) -> dt.date:
    """The last day the scenario models."""
    return scenario.starts_on + dt.timedelta(days=scenario.days - 1)


def day_date(scenario: Scenario, day: int) -> dt.date:
    """The date of day `day` (1-based) of the scenario."""
    return scenario.starts_on + dt.timedelta(days=day - 1)


def area_summary(scenario: Scenario) -> list[dict[str, Any]]:
    """The scenario's areas as JSON values, for the audit trail and the API."""
    return [
        {
            "id": a.pk,
            "region": a.region.code if a.region else None,
            "park": a.park.code if a.park else None,
            "starts_on": a.starts_on.isoformat(),
            "ends_on": a.ends_on.isoformat(),
            "strictness": a.strictness,
            "measure_id": a.measure_id,
        }
        for a in scenario.areas.select_related("region", "park")
    ]


# ---- selectors --------------------------------------------------------------------------------


def scenarios(actor: Actor) -> QuerySet[Scenario]:
    """The scenarios the actor may read, newest first."""
    require_role(actor, Scenario)
    return visible(Scenario.objects.select_related("region"), actor).order_by("-created_at", "-id")


class ScenarioFilterSet(FilterSet):
    """The scenarios' filters: the list page, its export and `GET /api/chains/scenarios`."""

    q = django_filters.CharFilter(
        label=gettext_lazy("Name"),
        method="search",
        widget=forms.TextInput({"type": "search", "placeholder": gettext_lazy("Name or note")}),
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=ScenarioStatus.choices,
        empty_label=gettext_lazy("Any status"),
    )
    source = django_filters.ChoiceFilter(
        label=gettext_lazy("Source"),
        choices=ScenarioSource.choices,
        empty_label=gettext_lazy("Any source"),
    )
    # Scenarios kept within the region.
    region = region_filter(label=gettext_lazy("Kept by"))

    class Meta:
        model = Scenario
        fields: list[str] = []

    def search(self, qs: QuerySet[Scenario], name: str, value: str) -> QuerySet[Scenario]:
        value = value.strip()
        return qs.filter(Q(name__icontains=value) | Q(note__icontains=value)) if value else qs


SCENARIOS: Listing[Scenario] = Listing(
    filterset=ScenarioFilterSet,
    title=gettext_lazy("Lockdown scenarios"),
    filename="scenarios",
    page="chains:scenarios",
    api="/api/chains/scenarios",
    default_sort="-created",
    related=("region",),
    columns=(
        Column("name", gettext_lazy("Name"), sort="name"),
        Column(
            "region",
            gettext_lazy("Kept by"),
            lambda s: str(s.region),
            sort="region__path",
            css="d-none d-md-table-cell",
        ),
        Column("source", gettext_lazy("Source"), lambda s: s.get_source_display(), table=False),
        Column("status", gettext_lazy("Status"), lambda s: s.get_status_display(), sort="status"),
        Column("starts_on", gettext_lazy("First day"), sort="starts_on", css="text-nowrap"),
        # The table's short headers; the export's say what the figure is and its unit.
        Column("days", gettext_lazy("Days"), sort="days", css="num", export=False),
        Column("days_modelled", gettext_lazy("Days modelled"), "days", table=False),
        Column("loss", gettext_lazy("Lost output"), sort="total_loss", css="num", export=False),
        Column("total_loss", gettext_lazy("Lost output (10k CNY)"), table=False),
        Column(
            "direct",
            gettext_lazy("Direct"),
            "direct_loss",
            sort="direct_loss",
            css="num d-none d-md-table-cell",
            export=False,
        ),
        Column("direct_loss", gettext_lazy("Direct loss (10k CNY)"), table=False),
        Column(
            "indirect",
            gettext_lazy("Indirect"),
            "indirect_loss",
            sort="indirect_loss",
            css="num d-none d-md-table-cell",
            export=False,
        ),
        Column("indirect_loss", gettext_lazy("Indirect loss (10k CNY)"), table=False),
        Column("at_risk", gettext_lazy("Running dry"), sort="at_risk", css="num", export=False),
        Column("running_dry", gettext_lazy("Enterprises running dry"), "at_risk", table=False),
        Column(
            "ran_at",
            gettext_lazy("Last run"),
            sort="ran_at",
            css="d-none d-lg-table-cell text-nowrap small",
        ),
        Column("ran_by", gettext_lazy("Run by"), table=False),
        Column("created_by", gettext_lazy("Created by"), table=False),
        Column(
            "created",
            gettext_lazy("Created"),
            "created_at",
            sort="created_at",
            table=False,
            export=False,
        ),
    ),
)


def get_scenario(actor: Actor, scenario_id: Any, action: str = "view") -> Scenario:
    """One scenario the actor may read (404) and, for other actions, change (403)."""
    return get_for(Scenario.objects.select_related("region"), actor, scenario_id, action)


@dataclass
class Difference:
    """One enterprise's outcome in each compared scenario."""

    enterprise: Enterprise
    lost: list[Decimal | None]
    dry_day: list[int | None]
    spread: Decimal

    @property
    def pairs(self) -> list[tuple[Decimal | None, int | None]]:
        """(lost, dry day) in each scenario, for a table row."""
        return list(zip(self.lost, self.dry_day, strict=True))


@dataclass
class Comparison:
    """Two to four scenarios side by side."""

    scenarios: list[Scenario]
    regions: list[tuple[str, str, list[Decimal]]]  # district code, name, loss in each scenario
    differences: list[Difference]


def compare(actor: Actor, ids: Sequence[Any], *, limit: int = 20) -> Comparison:
    """The scenarios (each one the actor may read), their loss by district over the rows the
    reader sees, and the enterprises whose outcome differs most between them."""
    unique = list(dict.fromkeys(as_key(i) for i in ids))
    if not COMPARE_MIN <= len(unique) <= COMPARE_MAX:
        message = _("Choose from %(min)s to %(max)s different scenarios to compare.") % {
            "min": COMPARE_MIN,
            "max": COMPARE_MAX,
        }
        raise InvalidInput(message, errors={"ids": [message]})
    chosen = [get_scenario(actor, pk) for pk in unique]
    position = {s.pk: k for k, s in enumerate(chosen)}
    rows = visible(
        ScenarioResult.objects.filter(scenario__in=chosen).select_related("enterprise__region"),
        actor,
    )
    regions: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal("0.00")] * len(chosen))
    lost: dict[int, list[Decimal | None]] = {}
    dry: dict[int, list[int | None]] = {}
    enterprises: dict[int, Enterprise] = {}
    for row in rows:
        k = position[row.scenario_id]
        regions[district_code(row.enterprise.region.path)][k] += row.lost
        lost.setdefault(row.enterprise_id, [None] * len(chosen))[k] = row.lost
        dry.setdefault(row.enterprise_id, [None] * len(chosen))[k] = row.dry_day
        enterprises[row.enterprise_id] = row.enterprise
    names = {r.code: r.name for r in Region.objects.filter(code__in=list(regions))}
    region_rows = sorted(
        ((code, names.get(code, code), values) for code, values in regions.items()),
        key=lambda r: (-max(r[2]), r[0]),
    )
    differences = []
    for pk, values in lost.items():
        amounts = [v or Decimal("0.00") for v in values]
        dries = dry[pk]
        spread = max(amounts) - min(amounts)
        if spread > 0 or len(set(dries)) > 1:
            differences.append(Difference(enterprises[pk], values, dries, spread))
    differences.sort(key=lambda d: (-d.spread, d.enterprise.name))
    return Comparison(chosen, region_rows, differences[:limit])


def as_key(value: Any) -> int:
    """An id as sent, or -1 (found nowhere) when it cannot be one: not a number, or past the
    largest key (a row lookup with it would fail in the database)."""
    key = parse_key(str(value).strip())
    return -1 if key is None else key
