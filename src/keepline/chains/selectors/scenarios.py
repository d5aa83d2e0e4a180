"""Reads of lockdown scenarios: the list, one scenario, its results, its figures by district
and industry, and comparisons. A scenario's totals are the whole network's, while its rows
are read by enterprise, so a district official sees its own enterprises' outcomes in a city
scenario."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.chains.models import (
    RecoveryTime,
    Scenario,
    ScenarioResult,
    ScenarioSource,
    ScenarioStatus,
)
from keepline.chains.selectors.network import district_code
from keepline.core.errors import InvalidInput
from keepline.core.lists import Column, FilterSet, Listing
from keepline.core.scopes import Actor, get_for, require_role, visible
from keepline.enterprises.models import Enterprise
from keepline.enterprises.selectors import industry_filter
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


def _results_of(actor: Actor, scenario: Scenario) -> QuerySet[ScenarioResult]:
    """The scenario's result rows the actor may read, with each enterprise's time to recover."""
    qs = visible(
        ScenarioResult.objects.filter(scenario=scenario).select_related(
            "scenario", "enterprise__region", "enterprise__industry", "scarce"
        ),
        actor,
    )
    recovery = RecoveryTime.objects.filter(scenario=scenario, enterprise=OuterRef("enterprise"))
    return qs.annotate(recover=Subquery(recovery.values("days")[:1]))


# Time to survive (dry_day - 1) below the time to recover.
FLAGGED = Q(dry_day__isnull=False, recover__isnull=False, dry_day__lte=F("recover"))


class OneOrZeroField(django_filters.fields.ChoiceField):
    """1 or 0, as the page's dropdown sends it; true and false read the same (the API took a
    boolean)."""

    def clean(self, value: Any) -> Any:
        word = str(value).strip().lower() if value is not None else value
        return super().clean({"true": "1", "false": "0"}.get(word, word) if word else value)


class OneOrZeroFilter(django_filters.ChoiceFilter):
    field_class = OneOrZeroField


class ResultFilterSet(FilterSet):
    """A scenario's results' filters: the at-risk list on its page and
    `GET /api/chains/scenarios/{id}/results`."""

    q = django_filters.CharFilter(
        label=gettext_lazy("Enterprise"),
        method="search",
        widget=forms.TextInput(
            {"type": "search", "placeholder": gettext_lazy("Name or credit code")}
        ),
    )
    region = region_filter(prefix="enterprise__", label=gettext_lazy("District"))
    industry = industry_filter(prefix="enterprise__")
    at_risk = OneOrZeroFilter(
        label=gettext_lazy("Runs dry"),
        choices=[("1", gettext_lazy("Runs dry")), ("0", gettext_lazy("Does not run dry"))],
        empty_label=gettext_lazy("All enterprises"),
        method="by_at_risk",
    )
    in_area = OneOrZeroFilter(
        label=gettext_lazy("Loss"),
        choices=[("1", gettext_lazy("Direct (inside)")), ("0", gettext_lazy("Indirect (outside)"))],
        empty_label=gettext_lazy("Direct and indirect"),
        method="by_in_area",
    )
    flagged = OneOrZeroFilter(
        label=gettext_lazy("Time to recover"),
        choices=[
            ("1", gettext_lazy("Runs dry before it recovers")),
            ("0", gettext_lazy("Recovers in time")),
        ],
        empty_label=gettext_lazy("All"),
        method="by_flagged",
    )

    class Meta:
        model = ScenarioResult
        fields: list[str] = []

    def search(
        self, qs: QuerySet[ScenarioResult], name: str, value: str
    ) -> QuerySet[ScenarioResult]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(enterprise__name__icontains=value) | Q(enterprise__uscc__icontains=value)
        )

    def by_at_risk(
        self, qs: QuerySet[ScenarioResult], name: str, value: str
    ) -> QuerySet[ScenarioResult]:
        return qs.filter(dry_day__isnull=value != "1")

    def by_in_area(
        self, qs: QuerySet[ScenarioResult], name: str, value: str
    ) -> QuerySet[ScenarioResult]:
        return qs.filter(in_area=value == "1")

    def by_flagged(
        self, qs: QuerySet[ScenarioResult], name: str, value: str
    ) -> QuerySet[ScenarioResult]:
        return qs.filter(FLAGGED) if value == "1" else qs.exclude(FLAGGED)


def result_listing(scenario: Scenario) -> Listing[ScenarioResult]:
    """The declaration of one scenario's results (its page's at-risk list, its export and its
    API list): the rows are the scenario's, so the declaration is made for it."""

    def dry_on(r: ScenarioResult) -> dt.date | None:
        return day_date(scenario, r.dry_day) if r.dry_day else None

    return Listing(
        filterset=ResultFilterSet,
        title=scenario.name,
        filename=f"scenario-{scenario.pk}",
        base=lambda actor: _results_of(actor, scenario),
        default_sort="-loss",
        columns=(
            Column("name", gettext_lazy("Enterprise"), "enterprise.name", sort="enterprise__name"),
            Column("uscc", gettext_lazy("Credit code"), "enterprise.uscc", table=False),
            Column(
                "district",
                gettext_lazy("District"),
                lambda r: str(r.enterprise.region),
                css="d-none d-md-table-cell",
            ),
            Column(
                "industry",
                gettext_lazy("Industry"),
                lambda r: str(r.enterprise.industry or ""),
                table=False,
            ),
            Column("in_area", gettext_lazy("Inside the shut area"), table=False),
            Column("lost", gettext_lazy("Lost output (10k CNY)"), table=False),
            Column("dry_day_number", gettext_lazy("Runs dry on day"), "dry_day", table=False),
            # The table's "runs dry on" shows the date and sorts by the day.
            Column(
                "dry_day",
                gettext_lazy("Runs dry on"),
                sort=("dry_day", "enterprise__name"),
                css="num",
                export=False,
            ),
            Column("dry_on", gettext_lazy("Runs dry on"), dry_on, table=False),
            Column("survives", gettext_lazy("Time to survive (days)"), "survives_days", css="num"),
            Column("scarce", gettext_lazy("Input that runs out"), lambda r: str(r.scarce or "")),
            Column("lowest", gettext_lazy("Lowest production"), table=False),
            Column(
                "loss",
                gettext_lazy("Lost output"),
                sort=("lost", "enterprise__name"),
                css="num",
                export=False,
            ),
            Column(
                "recover",
                gettext_lazy("Time to recover (days)"),
                lambda r: getattr(r, "recover", None),
                css="num",
            ),
            Column("flagged", gettext_lazy("Runs dry before it recovers"), flagged, table=False),
            Column("actions", "", export=False),
        ),
    )


def results(actor: Actor, scenario: Scenario, **filters: Any) -> QuerySet[ScenarioResult]:
    """The scenario's result rows the actor may read, through its declaration: `filters` are
    its filters and `sort` (True and False read as 1 and 0), the largest loss first."""
    params = QueryDict(mutable=True)
    for name, value in filters.items():
        if value is not None:
            params[name] = ("1" if value else "0") if isinstance(value, bool) else str(value)
    return result_listing(scenario).rows(actor, params)


def flagged(row: ScenarioResult) -> bool:
    """Whether the enterprise runs dry before it could recover (time to survive < to recover)."""
    recover = getattr(row, "recover", None)
    return row.survives_days is not None and recover is not None and row.survives_days < recover


@dataclass
class Split:
    """Lost output of a group of enterprises, direct (inside the shut area) and indirect."""

    key: str
    label: str
    direct: Decimal = Decimal("0.00")
    indirect: Decimal = Decimal("0.00")
    enterprises: int = 0
    at_risk: int = 0

    @property
    def total(self) -> Decimal:
        return self.direct + self.indirect

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "direct": str(self.direct),
            "indirect": str(self.indirect),
            "total": str(self.total),
            "enterprises": self.enterprises,
            "at_risk": self.at_risk,
        }


@dataclass
class Figures:
    """What the scenario page charts: loss by district and by industry over the rows the reader
    sees, and the whole network's production index by day."""

    scenario: Scenario
    whole: bool  # the reader sees every row: its sums are the scenario's totals
    by_region: list[Split] = field(default_factory=list)
    by_industry: list[Split] = field(default_factory=list)
    days: list[dt.date] = field(default_factory=list)
    index: list[float] = field(default_factory=list)
    seen_loss: Decimal = Decimal("0.00")
    seen_at_risk: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario_id": self.scenario.pk,
            "status": self.scenario.status,
            "ran_at": self.scenario.ran_at.isoformat() if self.scenario.ran_at else None,
            "whole_network": self.whole,
            "visible_loss": str(self.seen_loss),
            "visible_at_risk": self.seen_at_risk,
            "by_region": [s.as_dict() for s in self.by_region],
            "by_industry": [s.as_dict() for s in self.by_industry],
            "index": [
                {"day": i + 1, "date": d.isoformat(), "index": v}
                for i, (d, v) in enumerate(zip(self.days, self.index, strict=True))
            ],
        }


def _split(groups: dict[str, Split], key: str, label: str, row: ScenarioResult) -> None:
    split = groups.setdefault(key, Split(key, label))
    if row.in_area:
        split.direct += row.lost
    else:
        split.indirect += row.lost
    split.enterprises += 1
    split.at_risk += row.dry_day is not None


def figures(actor: Actor, scenario: Scenario) -> Figures:
    """Loss by district and industry (rows the reader sees) and the network's production index."""
    rows = list(
        visible(
            ScenarioResult.objects.filter(scenario=scenario).select_related(
                "enterprise__region", "enterprise__industry"
            ),
            actor,
        )
    )
    count = ScenarioResult.objects.filter(scenario=scenario).count()
    by_region: dict[str, Split] = {}
    by_industry: dict[str, Split] = {}
    districts = {district_code(r.enterprise.region.path) for r in rows}
    names = {r.code: r.name for r in Region.objects.filter(code__in=districts)}
    for row in rows:
        code = district_code(row.enterprise.region.path)
        _split(by_region, code, names.get(code, code), row)
        industry = row.enterprise.industry
        key = industry.code if industry else ""
        _split(by_industry, key, str(industry) if industry else _("Unknown"), row)
    order = lambda s: (-s.total, s.key)  # noqa: E731
    return Figures(
        scenario=scenario,
        whole=len(rows) == count,
        by_region=sorted(by_region.values(), key=order),
        by_industry=sorted(by_industry.values(), key=order),
        days=[day_date(scenario, d) for d in range(1, scenario.days + 1)],
        index=list(scenario.index),
        seen_loss=sum((r.lost for r in rows), Decimal("0.00")),
        seen_at_risk=sum(1 for r in rows if r.dry_day is not None),
    )


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
    """An id as sent, or -1 (found nowhere) when it is not a number."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return -1
