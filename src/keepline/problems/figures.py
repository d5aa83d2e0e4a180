"""The task force's figures on problems (诉求): how many were received, closed, on time, how
satisfied the enterprises were, and how many were solved for whitelisted enterprises.

Every figure is over the problems the actor may see (the one visibility function), in the
dashboard's scope (regions, parks, industries, areas under measures; enterprises of every size),
as of a time. Definitions are in `definitions()` and, with a worked example, in
docs/indicators.md ("Problems").

Cost: a handful of statements whatever the number of problems: one GROUP BY for the breakdowns,
one for the open ones, one row per problem closed in the period (for the median and the
ratings), one count each for acknowledgements and the emergency's figure, and the open problems
not yet overdue read once to judge "near" (its 20% rule depends on each problem's allowance).
The status at the as-of time is the latest timeline event by then, a correlated subquery on the
events' problem index.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from keepline.core.models import Department
from keepline.core.scopes import Actor, SystemActor, visible
from keepline.places.models import ControlMeasure
from keepline.problems.calendar import TZ
from keepline.problems.listings import (
    HANDLER_ONLY,
    HIGH_RATING,
    OPEN,
    UNASSIGNED,
    ProblemFilterSet,
)
from keepline.problems.models import (
    OPEN_STATUSES,
    Problem,
    ProblemCategory,
    ProblemEvent,
    ProblemStatus,
    Tier,
)
from keepline.problems.selectors import deadline_state
from keepline.reports.indicators import rates
from keepline.reports.indicators import scope as scopes
from keepline.reports.indicators.scope import FigureScope

# A figure as of this close to the present is the problems as they stand now, which is what
# the problem list shows: its counts link to the list. An earlier one has no list to link to.
LIVE_WITHIN = dt.timedelta(minutes=5)
SYSTEM = SystemActor("problem figures")


@dataclass(frozen=True)
class Number:
    """A number of problems and the problem list filtered to exactly them (None where the
    list's filters cannot select them)."""

    value: int
    url: str | None = None


@dataclass(frozen=True)
class Rate:
    """part ÷ whole × 100, rounded half up to one decimal; None when the whole is zero."""

    part: Number
    whole: Number

    @property
    def exact(self) -> Decimal | None:
        return rates.ratio(self.part.value, self.whole.value)

    @property
    def value(self) -> Decimal | None:
        return rates.rounded(self.exact, 1)


@dataclass(frozen=True)
class Row:
    """The problems received in the period of one category, department or tier, by where
    they stood at the as-of time."""

    key: str
    label: str
    received: Number
    open: Number  # the handler side holds them: submitted, accepted, in progress
    replied: Number  # answered, waiting for the enterprise to confirm
    closed: Number


@dataclass(frozen=True)
class StatusCount:
    """The problems received in the period that stood at one status at the as-of time."""

    key: str
    label: str
    count: Number


@dataclass(frozen=True)
class Satisfaction:
    """The ratings (1–5) the enterprises gave the problems closed in the period."""

    rated: Number
    high: Number  # rated 4 or 5
    mean: Decimal | None  # to one decimal

    @property
    def high_share(self) -> Decimal | None:
        return Rate(self.high, self.rated).value


@dataclass(frozen=True)
class ProblemFigures:
    """The figures of the problems in a scope, for a period, as of a time."""

    as_of: dt.datetime
    start: dt.date | None  # None: from the first problem
    end: dt.date
    emergency_start: dt.datetime | None
    received: Number
    closed: Number
    by_status: list[StatusCount]
    by_category: list[Row]
    by_department: list[Row]
    by_tier: list[Row]
    open: Number
    replied: Number
    overdue: Number
    near: Number
    on_time: Rate
    acknowledged_on_time: Rate
    median_close_days: Decimal | None
    satisfaction: Satisfaction
    whitelisted_solved: Number
    whitelisted_solved_since_emergency: Number | None
    definitions: dict[str, str] = field(default_factory=dict)


def definitions() -> dict[str, str]:
    """What each figure means, in the active language (docs/indicators.md says it at length)."""
    return {
        "scope": _(
            "Problems the user may see, of enterprises (of every size) in the regions, parks, "
            "industries and areas under measures named."
        ),
        "period": _(
            "The period runs from the start of its first day to the end of its last, or to "
            "the as-of time if that is earlier (Asia/Shanghai)."
        ),
        "received": _("Problems filed in the period."),
        "closed": _("Problems the enterprise confirmed solved (closed) in the period."),
        "by_status": _(
            "Problems received in the period by where they stood at the as-of time (the last "
            "step on their timeline by then). Department and tier are as they stand now."
        ),
        "open": _(
            "Problems filed by the as-of time that the handler side still held then: "
            "submitted, accepted or in progress (replied ones wait for the enterprise)."
        ),
        "overdue": _(
            "Open problems with a deadline still owed (acknowledge, interim reply, close) that "
            "had passed at the as-of time."
        ),
        "near": _(
            "Open problems not overdue whose next deadline was within the last fifth of its "
            "allowance at the as-of time."
        ),
        "on_time": _(
            "On-time closing rate: of the problems closed in the period, the share whose final "
            "reply came on or before the close deadline (the deadline of the last round, after "
            "a reopening), × 100. The final reply, not the enterprise's confirmation, stops the "
            "handler's clock, as the deadline flags do."
        ),
        "acknowledged_on_time": _(
            "On-time acknowledgement rate: of the problems accepted in the period, the share "
            "accepted on or before the acknowledge deadline, × 100."
        ),
        "median_close_days": _(
            "Median time to close: the median of (closed − filed) in clock days over the "
            "problems closed in the period, to two decimals."
        ),
        "satisfaction": _(
            "Satisfaction: the mean rating (1–5) of the problems closed in the period, to one "
            "decimal; the share rated 4 or 5 among them; and how many were rated."
        ),
        "whitelisted_solved": _(
            "Problems solved for whitelisted enterprises: problems of enterprises on a "
            "whitelist when they filed, closed in the period."
        ),
        "whitelisted_solved_since_emergency": _(
            "The same, closed from the first day of the emergency up to the as-of time. The "
            "emergency began with the earliest of the measures the user sees in force at the "
            "as-of time, moved back through measures that ran into it without a gap; with none "
            "in force there is no such figure."
        ),
    }


# ---- period and scope ------------------------------------------------------------------------


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TZ)


def _in(lookup: str, start: dt.datetime | None, end: dt.datetime) -> Q:
    """`lookup` within [start, end]: the start of the first day, the end of the last."""
    q = Q(**{f"{lookup}__lte": end})
    if start is not None:
        q &= Q(**{f"{lookup}__gte": start})
    return q


def emergency_start(actor: Actor, as_of: dt.datetime) -> dt.datetime | None:
    """When the emergency in force at `as_of` began: the earliest start of the measures the
    actor sees in force then, moved back through measures that ran into it without a gap."""
    spans = list(
        visible(ControlMeasure.objects.filter(starts_at__lte=as_of), actor).values_list(
            "starts_at", "ends_at"
        )
    )
    in_force = [s for s, e in spans if e is None or e > as_of]
    if not in_force:
        return None
    start = min(in_force)
    moved = True
    while moved:
        moved = False
        for s, e in spans:
            if s < start and (e is None or e >= start):
                start, moved = s, True
    return start.astimezone(TZ)


def _scoped(actor: Actor, scope: FigureScope, as_of: dt.datetime) -> QuerySet[Problem]:
    qs = visible(Problem.objects.all(), actor)
    if scope.regions or scope.parks or scope.industries or scope.under:
        resolved = scopes.resolve(scope, as_of)
        # The scope's enterprises of every size; who sees which problem is the problems' own
        # visibility (a handler sees problems routed to them outside their area), not the
        # enterprises'.
        enterprises = scopes.enterprises_in(SYSTEM, replace(scope, all_sizes=True), resolved)
        qs = qs.filter(enterprise__in=enterprises.values("pk"))
    return qs


# ---- links -----------------------------------------------------------------------------------


def _accepts(name: str, value: str) -> bool:
    """Whether the problem list filters by this parameter and value."""
    found = ProblemFilterSet.base_filters.get(name)
    if found is None:
        return False
    choices = found.extra.get("choices")
    if choices and not callable(choices):
        return value in {str(key) for key, _label in choices}
    return True


class Links:
    """Builds the problem-list address of a set of problems, where the list can select it."""

    def __init__(self, scope: FigureScope, live: bool) -> None:
        expressible = (
            len(scope.regions) <= 1
            and len(scope.parks) <= 1
            and not scope.industries
            and not scope.under
        )
        self.base: list[tuple[str, str]] | None = None
        if live and expressible:
            self.base = [("region", c) for c in scope.regions] + [("park", c) for c in scope.parks]

    def __call__(self, value: int, *params: tuple[str, str]) -> Number:
        if self.base is None or not all(_accepts(k, v) for k, v in params):
            return Number(value)
        query = urlencode([*self.base, *params])
        return Number(value, reverse("problems:list") + (f"?{query}" if query else ""))


def _day(value: dt.datetime) -> str:
    return value.astimezone(TZ).date().isoformat()


# ---- computing -------------------------------------------------------------------------------


def _status_at(as_of: dt.datetime) -> Coalesce:
    """The status at `as_of`: the last step on the timeline by then (a problem without a
    timeline, made outside the services, at its status now)."""
    last = (
        ProblemEvent.objects.filter(problem=OuterRef("pk"), at__lte=as_of)
        .order_by("-at", "-id")
        .values("to_status")[:1]
    )
    return Coalesce(Subquery(last, output_field=CharField()), F("status"))


def _overdue_at(as_of: dt.datetime) -> Q:
    """Deadlines still owed at `as_of` that had passed by then (views.overdue_q at a time)."""
    return (
        Q(acknowledge_due__lte=as_of) & (Q(accepted_at__isnull=True) | Q(accepted_at__gt=as_of))
        | Q(interim_due__lte=as_of)
        & (Q(interim_replied_at__isnull=True) | Q(interim_replied_at__gt=as_of))
        | Q(close_due__lte=as_of)
    )


def _as_it_stood(problem: Problem, as_of: dt.datetime) -> Problem:
    """The problem's deadline fields as they stood at `as_of` (steps taken later undone)."""
    for name in ("accepted_at", "interim_replied_at", "reopened_at"):
        value = getattr(problem, name)
        if value is not None and value > as_of:
            setattr(problem, name, None)
    problem.status = problem.status_at  # type: ignore[attr-defined]
    return problem


def _rows(
    cells: Iterable[Mapping[str, Any]],
    key: str,
    labels: Mapping[str, str],
    link: Links,
    param: str,
    period: list[tuple[str, str]],
) -> list[Row]:
    totals: dict[str, dict[str, int]] = {}
    for cell in cells:
        bucket = totals.setdefault(cell[key], {"received": 0, OPEN: 0, "replied": 0, "closed": 0})
        bucket["received"] += cell["n"]
        status = cell["status_at"]
        if status in OPEN_STATUSES:
            bucket[OPEN] += cell["n"]
        elif status == ProblemStatus.REPLIED:
            bucket["replied"] += cell["n"]
        elif status == ProblemStatus.CLOSED:
            bucket["closed"] += cell["n"]
    out = []
    for k, label in labels.items():
        t = totals.get(k)
        if t is None:
            continue
        own = [(param, k)]
        out.append(
            Row(
                key=k,
                label=label,
                received=link(t["received"], *period, *own),
                open=link(t[OPEN], *period, *own, ("status", OPEN)),
                replied=link(t["replied"], *period, *own, ("status", ProblemStatus.REPLIED)),
                closed=link(t["closed"], *period, *own, ("status", ProblemStatus.CLOSED)),
            )
        )
    return out


def compute(
    actor: Actor,
    *,
    scope: FigureScope | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    as_of: dt.datetime | None = None,
) -> ProblemFigures:
    """The problem figures of the actor's problems in `scope`, for the days `start` … `end`
    (inclusive; no start: from the first problem; no end: the as-of day), as of `as_of`
    (default now)."""
    now = timezone.now()
    as_of = as_of or now
    scope = scope or FigureScope()
    end = end or as_of.astimezone(TZ).date()
    period_start = _midnight(start) if start else None
    period_end = min(_midnight(end + dt.timedelta(days=1)) - dt.timedelta(microseconds=1), as_of)
    link = Links(scope, live=as_of >= now - LIVE_WITHIN)
    # The list's proposed date filters; an end on the as-of day is no filter for a live list.
    filed: list[tuple[str, str]] = []
    closed_in: list[tuple[str, str]] = []
    if start:
        filed.append(("filed_from", start.isoformat()))
        closed_in.append(("closed_from", start.isoformat()))
    if end < as_of.astimezone(TZ).date():
        filed.append(("filed_to", end.isoformat()))
        closed_in.append(("closed_to", end.isoformat()))

    base = _scoped(actor, scope, as_of).filter(filed_at__lte=as_of)
    annotated = base.annotate(status_at=_status_at(as_of))

    # Breakdowns of the problems received in the period: one GROUP BY.
    cells: list[dict[str, Any]] = [
        dict(cell)
        for cell in annotated.filter(_in("filed_at", period_start, period_end))
        .values("status_at", "category", "tier", "department_id", "handler_id")
        .annotate(n=Count("pk"))
        .order_by()
    ]
    for cell in cells:
        if cell["department_id"] is not None:
            cell["assigned"] = str(cell["department_id"])
        else:
            cell["assigned"] = HANDLER_ONLY if cell["handler_id"] is not None else UNASSIGNED
    received = link(sum(c["n"] for c in cells), *filed)
    by_status_n: dict[str, int] = {}
    for cell in cells:
        by_status_n[cell["status_at"]] = by_status_n.get(cell["status_at"], 0) + cell["n"]
    by_status = [
        StatusCount(
            s.value, str(s.label), link(by_status_n.get(s.value, 0), *filed, ("status", s.value))
        )
        for s in ProblemStatus
    ]
    department_ids = [int(c["assigned"]) for c in cells if c["assigned"].isdigit()]
    departments = {
        str(d.pk): str(d)
        for d in Department.objects.filter(pk__in=department_ids).select_related("region")
    }
    department_labels = dict(sorted(departments.items(), key=lambda kv: kv[1]))
    department_labels[HANDLER_ONLY] = _("A named handler, no department")
    department_labels[UNASSIGNED] = _("Unassigned")
    by_department = _rows(cells, "assigned", department_labels, link, "department", filed)
    by_category = _rows(
        cells, "category", {c.value: str(c.label) for c in ProblemCategory}, link, "category", filed
    )
    by_tier = _rows(cells, "tier", {t.value: str(t.label) for t in Tier}, link, "tier", filed)

    # Open at the as-of time, whenever filed.
    open_qs = annotated.filter(status_at__in=OPEN_STATUSES)
    states = open_qs.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=_overdue_at(as_of)),
    )
    replied = annotated.filter(status_at=ProblemStatus.REPLIED).count()
    candidates = open_qs.exclude(_overdue_at(as_of)).only(
        "status",
        "filed_at",
        "accepted_at",
        "interim_replied_at",
        "reopened_at",
        "acknowledge_due",
        "interim_due",
        "close_due",
    )
    near = sum(1 for p in candidates if deadline_state(_as_it_stood(p, as_of), as_of).near)

    # The problems closed in the period: one row each, for the on-time rate, the median and
    # the ratings.
    closed_rows = list(
        base.filter(
            _in("closed_at", period_start, period_end), status=ProblemStatus.CLOSED
        ).values_list("filed_at", "closed_at", "replied_at", "close_due", "rating", "whitelisted")
    )
    closed_status = ("status", ProblemStatus.CLOSED)
    closed = link(len(closed_rows), *closed_in, closed_status)
    in_time = sum(1 for r in closed_rows if r[2] is not None and r[2] <= r[3])
    days = [(r[1] - r[0]).total_seconds() / 86400 for r in closed_rows if r[1] is not None]
    median = rates.rounded(Decimal(str(statistics.median(days))), 2) if days else None
    ratings = [r[4] for r in closed_rows if r[4] is not None]
    high = sum(1 for r in ratings if r >= HIGH_RATING)
    mean = rates.rounded(Decimal(sum(ratings)) / len(ratings), 1) if ratings else None
    whitelisted = sum(1 for r in closed_rows if r[5])

    acknowledged = base.filter(_in("accepted_at", period_start, period_end)).aggregate(
        all=Count("pk"), in_time=Count("pk", filter=Q(accepted_at__lte=F("acknowledge_due")))
    )
    accepted_in = [(k.replace("filed", "accepted"), v) for k, v in filed]

    began = emergency_start(actor, as_of)
    since: Number | None = None
    if began is not None:
        # From the start of its first day, as the list's date filters count.
        first_day = _midnight(began.astimezone(TZ).date())
        n = base.filter(
            closed_at__gte=first_day,
            closed_at__lte=as_of,
            whitelisted=True,
            status=ProblemStatus.CLOSED,
        ).count()
        since = link(n, ("closed_from", _day(began)), closed_status, ("whitelisted", "yes"))

    return ProblemFigures(
        as_of=as_of,
        start=start,
        end=end,
        emergency_start=began,
        received=received,
        closed=closed,
        by_status=by_status,
        by_category=by_category,
        by_department=by_department,
        by_tier=by_tier,
        open=link(states["open"], ("status", OPEN)),
        replied=link(replied, ("status", ProblemStatus.REPLIED)),
        overdue=link(states["overdue"], ("deadline", "overdue")),
        near=link(near, ("deadline", "near")),
        on_time=Rate(
            link(in_time, *closed_in, closed_status, ("on_time", "yes")),
            closed,
        ),
        acknowledged_on_time=Rate(
            link(acknowledged["in_time"], *accepted_in, ("acknowledged_on_time", "yes")),
            link(acknowledged["all"], *accepted_in, ("acknowledged", "yes")),
        ),
        median_close_days=median,
        satisfaction=Satisfaction(
            rated=link(len(ratings), *closed_in, closed_status, ("rating", "any")),
            high=link(high, *closed_in, closed_status, ("rating", "4-5")),
            mean=mean,
        ),
        whitelisted_solved=link(whitelisted, *closed_in, closed_status, ("whitelisted", "yes")),
        whitelisted_solved_since_emergency=since,
        definitions=definitions(),
    )
