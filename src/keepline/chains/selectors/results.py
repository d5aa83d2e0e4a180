"""Reads of a scenario's results: its rows (one core.lists declaration made for the scenario)
and its figures by district and industry over the rows the reader sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.chains.models import RecoveryTime, Scenario, ScenarioResult
from keepline.chains.selectors.network import district_code
from keepline.chains.selectors.scenarios import day_date
from keepline.core.lists import Column, FilterSet, Listing, YesNoFilter
from keepline.core.scopes import Actor, visible
from keepline.enterprises.selectors import industry_filter
from keepline.places.models import Region
from keepline.places.selectors import region_filter


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
    at_risk = YesNoFilter(
        label=gettext_lazy("Runs dry"),
        choices=[("1", gettext_lazy("Runs dry")), ("0", gettext_lazy("Does not run dry"))],
        empty_label=gettext_lazy("All enterprises"),
        method="by_at_risk",
    )
    in_area = YesNoFilter(
        label=gettext_lazy("Loss"),
        choices=[("1", gettext_lazy("Direct (inside)")), ("0", gettext_lazy("Indirect (outside)"))],
        empty_label=gettext_lazy("Direct and indirect"),
        method="by_in_area",
    )
    flagged = YesNoFilter(
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
