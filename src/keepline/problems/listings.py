"""The problem list, declared once: its filters (a FilterSet), its columns (the table header, the
sort keys and the Excel export) and default order, read by the page, the export and the API
alike. The letters' register is declared in letter_listings."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.forms import BoundField
from django.utils import timezone, translation
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from keepline.core.lists import Column, FilterSet, Listing, ScopedChoiceFilter, YesNoFilter
from keepline.core.models import Department
from keepline.core.scopes import Actor, get_for, parse_key, visible
from keepline.enterprises.models import Enterprise
from keepline.places.selectors import park_filter, region_filter
from keepline.problems.calendar import TZ
from keepline.problems.models import (
    OPEN_STATUSES,
    Problem,
    ProblemCategory,
    ProblemEvent,
    ProblemStatus,
    Tier,
    Urgency,
)
from keepline.problems.selectors import deadline_state

# The list's filter values that are not a model's choice; keepline.problems.figures builds its
# drill-down links with them.
OPEN = "open"  # submitted, accepted or in progress: the handler side holds it
HANDLER_ONLY = "handler"  # routed to a named handler, no department
UNASSIGNED = "unassigned"  # neither a department nor a handler
YES = "yes"
RATED = "any"
RATED_HIGH = "4-5"
HIGH_RATING = 4  # "4-5": rated 4 or 5
# The dates the list filters by, each a from/until pair (whole days, inclusive).
DATE_RANGES = ("filed", "accepted", "closed")


def overdue_q(now: dt.datetime) -> Q:
    """Open problems with a deadline still owed that has passed (as deadline_state)."""
    return Q(status__in=OPEN_STATUSES) & (
        Q(accepted_at__isnull=True, acknowledge_due__lte=now)
        | Q(interim_replied_at__isnull=True, interim_due__lte=now)
        | Q(close_due__lte=now)
    )


def day_range(lookup: str, first: dt.date | None, last: dt.date | None) -> Q:
    """`lookup` on the days first … last, inclusive, in Asia/Shanghai."""
    q = Q()
    if first is not None:
        q &= Q(**{f"{lookup}__gte": dt.datetime.combine(first, dt.time(), tzinfo=TZ)})
    if last is not None:
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=TZ)
        q &= Q(**{f"{lookup}__lt": end})
    return q


class EnterpriseField(forms.IntegerField):
    """An enterprise's id; one the actor may not see answers 404, as its page would."""

    def __init__(self, *, actor: Actor, **kwargs: Any) -> None:
        self.actor = actor
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Enterprise | None:
        pk = super().clean(value)
        if pk is None:
            return None
        return get_for(Enterprise.objects.only("pk", "name"), self.actor, pk)


class EnterpriseFilter(django_filters.Filter):
    """Set by a link from the enterprise's page: its problems only."""

    field_class = EnterpriseField

    @property
    def field(self) -> forms.Field:
        if not hasattr(self, "_field"):
            self.extra["actor"] = self.parent.actor
        return super().field

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        return qs if value is None else qs.filter(enterprise=value)


def routed_departments(actor: Actor, asked: str = "") -> list[tuple[str, str]]:
    """The departments the actor's problems are routed to, and the one asked for if it exists
    (a link from the figures stays valid after its problems move on); a department the actor
    may not see is named by its id, so the query string does not reveal its name."""
    # One EXISTS per department rather than a DISTINCT over every visible problem: the list
    # page builds these choices on each request (benchmarks/problems.py).
    routed = visible(Problem.objects.filter(department=OuterRef("pk")), actor)
    ids = set(Department.objects.filter(Exists(routed.values("pk"))).values_list("pk", flat=True))
    hidden: set[int] = set()
    asked_key = parse_key(asked)
    if asked_key is not None and asked_key not in ids:
        ids.add(asked_key)
        if not visible(Department.objects.filter(pk=asked_key), actor).exists():
            hidden.add(asked_key)
    departments = sorted(
        (
            (str(d.pk), str(d.pk) if d.pk in hidden else str(d))
            for d in Department.objects.filter(pk__in=ids).select_related("region")
        ),
        key=lambda choice: choice[1],
    )
    return [
        (HANDLER_ONLY, str(_("A named handler, no department"))),
        (UNASSIGNED, str(_("Unassigned"))),
        *departments,
    ]


def _resolve_assigned(actor: Actor, code: str) -> str | None:
    """A department that exists (the rows stay the actor's visible ones), or a marker."""
    if code in (HANDLER_ONLY, UNASSIGNED):
        return code
    key = parse_key(code)
    if key is not None and Department.objects.filter(pk=key).exists():
        return code
    return None


def _assigned(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    if value == HANDLER_ONLY:
        return qs.filter(department__isnull=True, handler__isnull=False)
    if value == UNASSIGNED:
        return qs.filter(department__isnull=True, handler__isnull=True)
    return qs.filter(department_id=int(value))


class AssignedFilter(ScopedChoiceFilter):
    """A department id, HANDLER_ONLY or UNASSIGNED; the dropdown offers the asked one too."""

    @property
    def field(self) -> forms.Field:
        if not hasattr(self, "_field"):
            form_field = super().field
            asked = str(self.parent.data.get(self.field_name, "")) if self.parent.data else ""
            actor = self.parent.actor
            form_field.widget.choices = CallableChoiceIterator(
                lambda: [("", str(self.empty_label)), *routed_departments(actor, asked)]
            )
        return self._field


class ProblemFilterForm(forms.Form):
    """The filter bar: the common filters on top, the rest folded away on a phone."""

    MAIN = ("status", "category", "deadline", "region")
    # Set by a link from the enterprise's page and shown as a removable label, not in the bar.
    APART = ("enterprise",)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for prefix in DATE_RANGES:
            first, last = data.get(f"{prefix}_from"), data.get(f"{prefix}_to")
            if first is not None and last is not None and first > last:
                self.add_error(f"{prefix}_from", _("The first day is after the last."))
        return data

    def main_fields(self) -> list[BoundField]:
        return [self[name] for name in self.MAIN]

    def more_fields(self) -> list[BoundField]:
        return [self[name] for name in self.fields if name not in (*self.MAIN, *self.APART)]

    def more_in_use(self) -> int:
        """How many of the "more" filters are set (or wrong): the section opens when any is."""
        if not self.is_bound:
            return 0
        return sum(
            1
            for name in self.fields
            if name not in (*self.MAIN, *self.APART)
            and (self.data.get(self.add_prefix(name)) or self.errors.get(name))
        )


def _day(label: Any, lookup: str, last: bool) -> django_filters.DateFilter:
    def apply(qs: QuerySet[Any], name: str, value: dt.date) -> QuerySet[Any]:
        return qs.filter(day_range(lookup, None, value) if last else day_range(lookup, value, None))

    return django_filters.DateFilter(label=label, method=apply)


def _flag(label: Any, empty: Any, chosen: Any, q: Any) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        label=label,
        empty_label=empty,
        choices=[(YES, chosen)],
        method=lambda qs, name, value: qs.filter(q),
    )


class ProblemFilterSet(FilterSet):
    """The problem list's filters: its page, its Excel ledger and `GET /api/problems`. The
    meanings are those of keepline.problems.figures, whose counts link here."""

    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("Any status"),
        choices=[
            (OPEN, gettext_lazy("Open (submitted, accepted, in progress)")),
            *ProblemStatus.choices,
        ],
        method="by_status",
    )
    category = django_filters.ChoiceFilter(
        label=gettext_lazy("Category"),
        empty_label=gettext_lazy("All categories"),
        choices=ProblemCategory.choices,
    )
    deadline = django_filters.ChoiceFilter(
        label=gettext_lazy("Deadline"),
        empty_label=gettext_lazy("Any deadline"),
        choices=[("overdue", gettext_lazy("Overdue")), ("near", gettext_lazy("Near a deadline"))],
        method="by_deadline",
    )
    region = region_filter(prefix="enterprise__")
    park = park_filter(prefix="enterprise__")
    tier = django_filters.ChoiceFilter(
        label=gettext_lazy("Tier"), empty_label=gettext_lazy("Any tier"), choices=Tier.choices
    )
    whitelisted = YesNoFilter(
        label=gettext_lazy("Whitelist"),
        empty_label=gettext_lazy("Whitelisted or not"),
        choices=[(YES, gettext_lazy("Whitelisted")), ("no", gettext_lazy("Not whitelisted"))],
        method=lambda qs, name, value: qs.filter(whitelisted=value == YES),
    )
    department = AssignedFilter(
        label=gettext_lazy("Assigned to"),
        empty_label=gettext_lazy("Any department or handler"),
        choices=lambda actor: routed_departments(actor),
        resolve=_resolve_assigned,
        apply=_assigned,
    )
    enterprise = EnterpriseFilter(widget=forms.HiddenInput, label=gettext_lazy("Enterprise"))
    filed_from = _day(gettext_lazy("Filed from"), "filed_at", last=False)
    filed_to = _day(gettext_lazy("Filed until"), "filed_at", last=True)
    accepted_from = _day(gettext_lazy("Accepted from"), "accepted_at", last=False)
    accepted_to = _day(gettext_lazy("Accepted until"), "accepted_at", last=True)
    closed_from = _day(gettext_lazy("Closed from"), "closed_at", last=False)
    closed_to = _day(gettext_lazy("Closed until"), "closed_at", last=True)
    acknowledged = _flag(
        gettext_lazy("Acknowledged"),
        gettext_lazy("Acknowledged or not"),
        gettext_lazy("Acknowledged"),
        Q(accepted_at__isnull=False),
    )
    acknowledged_on_time = _flag(
        gettext_lazy("Acknowledged on time"),
        gettext_lazy("Acknowledged on time or not"),
        gettext_lazy("Acknowledged by the acknowledge deadline"),
        Q(accepted_at__lte=F("acknowledge_due")),
    )
    on_time = _flag(
        gettext_lazy("Final reply on time"),
        gettext_lazy("Final reply on time or not"),
        gettext_lazy("Final reply by the close deadline"),
        Q(replied_at__lte=F("close_due")),
    )
    rating = django_filters.ChoiceFilter(
        label=gettext_lazy("Rating"),
        empty_label=gettext_lazy("Rated or not"),
        choices=[(RATED, gettext_lazy("Rated")), (RATED_HIGH, gettext_lazy("Rated 4 or 5"))],
        method="by_rating",
    )

    class Meta:
        model = Problem
        form = ProblemFilterForm
        fields: list[str] = []

    def by_status(self, qs: QuerySet[Problem], name: str, value: str) -> QuerySet[Problem]:
        return qs.filter(status__in=OPEN_STATUSES) if value == OPEN else qs.filter(status=value)

    def by_rating(self, qs: QuerySet[Problem], name: str, value: str) -> QuerySet[Problem]:
        if value == RATED_HIGH:
            return qs.filter(rating__gte=HIGH_RATING)
        return qs.filter(rating__isnull=False)

    def by_deadline(self, qs: QuerySet[Problem], name: str, value: str) -> QuerySet[Problem]:
        now = timezone.now()
        if value == "overdue":
            return qs.filter(overdue_q(now))
        # The 20% share depends on each problem's own allowance: judged in Python over the open
        # problems that are not overdue.
        candidates = qs.filter(status__in=OPEN_STATUSES).exclude(overdue_q(now))
        near = [p.pk for p in candidates.prefetch_related(None) if deadline_state(p, now).near]
        return qs.filter(pk__in=near)


# The ledger's replies column: only the reply steps, not the whole timeline
# (benchmarks/problems.py, "ledger").
REPLIES = Prefetch(
    "events",
    queryset=ProblemEvent.objects.filter(kind__in=["interim_reply", "replied"]).only(
        "problem_id", "kind", "note", "at"
    ),
    to_attr="replies",
)


def _listed_problems(actor: Actor) -> QuerySet[Problem]:
    qs = Problem.objects.select_related(
        "enterprise__region", "enterprise__park", "department", "handler"
    )
    return visible(qs.prefetch_related(REPLIES), actor)


@lru_cache(maxsize=8)
def _labels(language: str | None) -> dict[str, dict[str, str]]:
    """Choice labels looked up once per language, not per cell through get_FOO_display."""
    return {
        name: {k: str(v) for k, v in choices.choices}
        for name, choices in (
            ("category", ProblemCategory),
            ("urgency", Urgency),
            ("tier", Tier),
            ("status", ProblemStatus),
        )
    }


def _label(name: str) -> Any:
    return lambda p: _labels(translation.get_language())[name][getattr(p, name)]


def assigned_to(p: Problem) -> str:
    parts = [
        str(p.department) if p.department else "",
        p.handler.get_username() if p.handler else "",
    ]
    return " / ".join(x for x in parts if x)


PROBLEMS: Listing[Problem] = Listing(
    filterset=ProblemFilterSet,
    title=gettext_lazy("Problem ledger"),
    filename="problems-ledger",
    page="problems:list",
    api="/api/problems",
    default_sort="-filed",
    base=_listed_problems,
    # The table's columns and the ledger's (交办 / 反馈 / 销号) in one sequence; where the two
    # orders differ a column appears once for each.
    columns=(
        Column("no", gettext_lazy("No."), "pk", table=False),
        Column(
            "enterprise",
            gettext_lazy("Enterprise"),
            "enterprise.name",
            sort="enterprise__name",
            css="d-none d-md-table-cell",
        ),
        Column("problem", gettext_lazy("Problem"), export=False),
        Column("uscc", gettext_lazy("Unified social credit code"), "enterprise.uscc", table=False),
        Column("region", gettext_lazy("Region"), "enterprise.region.name", table=False),
        Column(
            "category",
            gettext_lazy("Category"),
            _label("category"),
            sort="category",
            css="d-none d-md-table-cell",
        ),
        Column("urgency", gettext_lazy("Urgency"), _label("urgency"), table=False),
        Column("title", gettext_lazy("Problem"), table=False),
        # Times: "when" tells them from the statuses and steps of the same name.
        Column(
            "filed",
            pgettext_lazy("when", "Filed"),
            "filed_at",
            sort="filed_at",
            css="d-none d-sm-table-cell",
        ),
        Column("filed_by", gettext_lazy("Filed by"), "filed_by_name", table=False),
        Column("assigned", gettext_lazy("Assigned to"), assigned_to, table=False),
        Column(
            "tier", gettext_lazy("Tier"), _label("tier"), sort="tier", css="d-none d-md-table-cell"
        ),
        Column("status", gettext_lazy("Status"), _label("status"), sort="status"),
        Column("accepted", pgettext_lazy("when", "Accepted"), "accepted_at", table=False),
        Column(
            "interim", pgettext_lazy("when", "Interim reply"), "interim_replied_at", table=False
        ),
        Column("replied", pgettext_lazy("when", "Replied"), "replied_at", table=False),
        Column(
            "replies",
            gettext_lazy("Replies"),
            lambda p: "\n".join(e.note for e in p.replies),
            table=False,
        ),
        Column("closed", pgettext_lazy("when", "Closed"), "closed_at", table=False),
        Column("rating", gettext_lazy("Rating"), table=False),
        Column("rating_comment", gettext_lazy("Rating comment"), table=False),
        Column(
            "overdue",
            gettext_lazy("Overdue"),
            lambda p: _("yes") if deadline_state(p, timezone.now()).overdue else "",
            table=False,
        ),
        Column("close_due", gettext_lazy("Deadline"), sort="close_due", export=False),
        Column(
            "assigned_table",
            gettext_lazy("Assigned to"),
            export=False,
            css="d-none d-lg-table-cell",
        ),
    ),
)
