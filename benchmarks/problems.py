"""The problem figures and the problem list at province scale (`run.py --only problem-figures`).

A province's enterprises (province.py's on PostgreSQL; the same kind of rows bulk-created on
SQLite) raise ~200,000 problems over the year up to now. Each problem lives a simulated life,
truncated at now: filed, accepted (mostly within the hour), started, an interim reply, the final
reply, the enterprise's confirmation with a rating (or a reopening and a second round), and the
deadline sweep's escalations and overdue marks where a deadline passed unanswered. The rows and
the timeline agree with each other the way the services would leave them (status = the last
step's status, deadlines from the time limits and the working-day calendar), written with COPY
on PostgreSQL and bulk_create on SQLite (generation is not measured).

Measured, as a bureau user whose membership is at the province region, through the real code:
the figures (keepline.problems.figures.compute) for 30 days as of now and as of a past time,
against a bare grouped COUNT(*) by status, category and tier; the problem list's first page
(listings.PROBLEMS.rows for the query string + the page + deadline_state on the page's rows, as
the list page does before drawing) by default, overdue and near, against a bare
`ORDER BY filed_at DESC LIMIT 50`; the Excel ledger (the list's export view) of ~5,000 problems
against a bare SELECT of the same rows. The main figures are recomputed with raw SQL and from a
values_list dump, and the statuses at the as-of times from the generator's own timeline; the
list's overdue and near counts are compared with the figures' at the real clock, which is the
one the list judges deadlines by; any disagreement stops the run.

KEEPLINE_BENCH_PROBLEMS shrinks the run (problems; enterprises are a fifth of that unless
KEEPLINE_BENCH_ENTERPRISES says otherwise).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

T = TypeVar("T")

PROBLEMS = 200_000
RUNS = 5
LEDGER_ROWS = 5_000
PAST_DAYS = 100  # the past as-of time: this many days before now
PERIOD_DAYS = 30
SWEEP_LAG = dt.timedelta(minutes=10)  # the deadline sweep runs every few minutes
SEED = 2022

# Realistic shares (the Luzhou 2022 ledger's rough proportions).
CATEGORIES = {
    "logistics": 22, "raw_materials": 15, "labour": 14, "passes": 12, "energy": 8,
    "capital": 7, "living_supplies": 6, "protective_supplies": 5, "policy": 6, "other": 5,
}  # fmt: skip
URGENCIES = {"normal": 70, "urgent": 25, "critical": 5}
SOURCES = {"form": 55, "on_behalf": 20, "report": 20, "import": 5}
RATINGS = {5: 55, 4: 28, 3: 10, 2: 4, 1: 3}
# Time limits for the urgent and the critical (hours to acknowledge, working days to the
# interim reply and to close); the rest keep Keepline's default 1 h / 3 / 5.
LIMITS = {"urgent": (1, 2, 3), "critical": (1, 1, 2)}
DEFAULT_LIMITS = (1, 3, 5)
DEPARTMENT_KINDS = [("transport", "交通运输局"), ("grid", "供电公司"), ("commerce", "商务局"),
                    ("health", "卫生健康委")]  # fmt: skip
HANDLERS = 40
OPEN = ("submitted", "accepted", "in_progress")


def _pick(rng: random.Random, shares: dict[Any, int]) -> Any:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _timed(action: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _median(action: Callable[[], T], runs: int = RUNS) -> tuple[float, T]:
    """The median time of `runs` runs after one to warm the caches (the machine may be busy)."""
    result = action()
    times = []
    for _ in range(runs):
        seconds, result = _timed(action)
        times.append(seconds)
    return statistics.median(times), result


def _describe() -> str:
    from django.db import connection

    version = ".".join(str(n) for n in connection.get_database_version())
    return f"{connection.display_name} {version}"


# ---- the province ---------------------------------------------------------------------------


@dataclass
class Life:
    """One problem's simulated life: the row's fields and its timeline, up to now."""

    row: dict[str, Any]
    events: list[tuple[dt.datetime, str, str, str, str]] = field(default_factory=list)

    def status_at(self, when: dt.datetime) -> str | None:
        """The last step's status by `when` (None: not filed yet)."""
        times = [e[0] for e in self.events]
        i = bisect.bisect_right(times, when)
        return self.events[i - 1][3] if i else None


def _enterprises(count: int) -> tuple[list[tuple[int, str, str]], float]:
    """(id, region path, whitelist level) of `count` new enterprises, and the seconds taken:
    province.py's generator on PostgreSQL, the same kind of rows bulk-created elsewhere. A
    twelfth of them are put on a whitelist, as the whitelist services would."""
    import province
    from django.db import connection
    from stdnum.cn import uscc

    from keepline.enterprises.models import Enterprise, Industry

    started = time.perf_counter()
    before = Enterprise.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    if connection.vendor == "postgresql":
        province.generate(enterprises=count, days=0)
    else:
        rng = random.Random(SEED)
        districts = province._regions()
        industries = list(
            Industry.objects.filter(code__in=province.INDUSTRIES).values_list("pk", flat=True)
        )
        rows = []
        for serial in range(1, count + 1):
            body = f"93510000{serial:09d}"
            output = round(min(rng.lognormvariate(9.0, 1.2), 5_000_000), 2)
            rows.append(
                Enterprise(
                    uscc=body + uscc.calc_check_digit(body),
                    name=f"诉求基准企业{serial:06d}有限公司",
                    region_id=rng.choice(districts),
                    industry_id=rng.choice(industries),
                    above_size=rng.random() < 0.95,
                    annual_output=Decimal(str(output)),
                    employees=max(5, int(output**0.7 / 3)),
                )
            )
        Enterprise.objects.bulk_create(rows, batch_size=2000)
    rng = random.Random(SEED + 1)
    ours = Enterprise.objects.filter(pk__gt=before)
    listed: dict[str, list[int]] = {"city": [], "province": [], "national": []}
    for pk in ours.values_list("pk", flat=True):
        if rng.random() < 1 / 12:
            listed[_pick(rng, {"city": 6, "province": 3, "national": 1})].append(pk)
    for level, pks in listed.items():
        for i in range(0, len(pks), 5000):
            Enterprise.objects.filter(pk__in=pks[i : i + 5000]).update(whitelist_level=level)
    made = list(ours.values_list("pk", "region__path", "whitelist_level").order_by("pk"))
    return made, time.perf_counter() - started


@functools.cache
def _working_date(day: dt.date, days: int) -> dt.date:
    """The `days`th working day after `day`, by Keepline's own calendar code (cached: a year
    of filings has only ~365 distinct start days)."""
    from keepline.problems.calendar import TZ, add_working_days

    return add_working_days(dt.datetime.combine(day, dt.time(12), tzinfo=TZ), days).date()


def _add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    from keepline.problems.calendar import TZ

    local = start.astimezone(TZ)
    return dt.datetime.combine(_working_date(local.date(), days), local.time(), tzinfo=TZ)


class Generator:
    """Simulated problems for a province, deterministic for a seed and a `now`."""

    def __init__(
        self,
        now: dt.datetime,
        enterprises: list[tuple[int, str, str]],
        departments: dict[str, list[int]],
        handlers: list[int],
        seed: int = SEED,
    ) -> None:
        self.now = now
        self.rng = random.Random(seed)
        self.enterprises = enterprises
        # A twentieth of the enterprises raise a third of the problems.
        self.frequent = enterprises[: max(1, len(enterprises) // 20)]
        self.departments = departments
        self.handlers = handlers

    def filed_at(self) -> dt.datetime:
        """Over the year up to now, with a three-week surge (an emergency) 150–171 days ago,
        on working hours mostly."""
        from keepline.problems.calendar import TZ

        rng = self.rng
        days_ago = rng.uniform(150, 171) if rng.random() < 0.2 else rng.uniform(0, 365)
        moment = self.now - dt.timedelta(days=days_ago)
        local = moment.astimezone(TZ)
        if rng.random() < 0.85:
            local = local.replace(hour=rng.randint(8, 17))
        return min(local.astimezone(dt.UTC), self.now)

    def life(self, pk: int, filed: dt.datetime) -> Life:
        rng = self.rng
        pool = self.frequent if rng.random() < 1 / 3 else self.enterprises
        enterprise_id, path, level = rng.choice(pool)
        category = _pick(rng, CATEGORIES)
        urgency = _pick(rng, URGENCIES)
        ack_hours, interim_days, close_days = LIMITS.get(urgency, DEFAULT_LIMITS)
        city = path.split("/")[1]
        department = handler = None
        route = rng.random()
        if route < 0.55:
            department = rng.choice(self.departments.get(city) or self.departments["510000"])
        elif route < 0.8:
            handler = rng.choice(self.handlers)
        row: dict[str, Any] = {
            "id": pk,
            "enterprise_id": enterprise_id,
            "category": category,
            "urgency": urgency,
            "title": f"{category} 基准诉求 {pk}",
            "description": "企业反映的问题（基准数据）",
            "source": _pick(rng, SOURCES),
            "report_id": None,
            "whitelist_level": level,
            "whitelisted": bool(level),
            "tier": "local",
            "department_id": department,
            "handler_id": handler,
            "status": "submitted",
            "filed_by_id": None,
            "filed_by_name": "基准联络员",
            "filed_at": filed,
            "accepted_at": None,
            "started_at": None,
            "interim_replied_at": None,
            "replied_at": None,
            "reopened_at": None,
            "closed_at": None,
            "reply": "",
            "rating": None,
            "rating_comment": "",
            "acknowledge_due": filed + dt.timedelta(hours=ack_hours),
            "interim_due": _add_working_days(filed, interim_days),
            "close_due": _add_working_days(filed, close_days),
            "escalated_through": None,
            "overdue_since": None,
            "version": 1,
        }
        # The whole life, then cut at now.
        steps = [(filed, "filed", "", "submitted", "")]
        close_dues = [(filed, row["close_due"])]  # (from, the close deadline from then on)
        t = filed
        status = "submitted"

        def step(at: dt.datetime, kind: str, to: str, note: str = "") -> None:
            nonlocal status
            steps.append((at, kind, status, to, note))
            status = to

        stalled = rng.random()
        if stalled >= 0.005:  # 0.5% are never taken up
            late = rng.random() < 0.07
            t += dt.timedelta(
                minutes=rng.uniform(61, 600) if late else min(59, rng.lognormvariate(3.2, 0.6))
            )
            step(t, "accepted", "accepted")
            accepted = t
            if rng.random() < 0.8:
                t += dt.timedelta(hours=rng.uniform(0.5, 8))
                step(t, "started", "in_progress", "已安排专人对接")
            if stalled >= 0.015:  # 1% more are taken up and then left
                rounds = 1
                interim_given = False
                while True:
                    # Time to the final reply: ~2 days typical, a tail past the deadline.
                    reply_at = max(t, accepted) + dt.timedelta(days=rng.lognormvariate(0.7, 0.8))
                    # An answer that will take a while gets an interim reply first, mostly in
                    # time; a few quick ones get one too.
                    slow = reply_at > row["interim_due"] - dt.timedelta(hours=2)
                    if not interim_given and rng.random() < (0.85 if slow else 0.1):
                        latest = min(row["interim_due"], reply_at) - dt.timedelta(minutes=1)
                        if latest <= t:
                            latest = reply_at - dt.timedelta(minutes=1)
                        step(t + (latest - t) * rng.random(), "interim_reply", "in_progress",
                             "正在协调处理")  # fmt: skip
                        interim_given = True
                    t = reply_at
                    step(t, "replied", "replied", "已协调解决")
                    if rng.random() < 0.03:  # never confirmed
                        break
                    t += dt.timedelta(hours=rng.uniform(0.5, 72))
                    if rounds == 1 and rng.random() < 0.06:
                        step(t, "reopened", "in_progress", "问题仍未解决")
                        close_dues.append((t, _add_working_days(t, close_days)))
                        rounds += 1
                        continue
                    step(t, "confirmed", "closed", "")
                    break
        life = Life(row)
        for at, kind, before, to, note in steps:
            if at > self.now:
                break
            life.events.append((at, kind, before, to, note))
            self._apply(row, kind, at, note)
        self._sweeps(life, close_dues)
        row["status"] = life.events[-1][3]
        return life

    def _apply(self, row: dict[str, Any], kind: str, at: dt.datetime, note: str) -> None:
        """The row's fields after a step, as the services set them."""
        if kind == "accepted":
            row["accepted_at"] = at
            if row["handler_id"] is None and row["department_id"] is not None:
                row["handler_id"] = self.rng.choice(self.handlers)
        elif kind == "started":
            row["started_at"] = row["started_at"] or at
        elif kind in ("interim_reply", "replied"):
            row["started_at"] = row["started_at"] or at
            row["interim_replied_at"] = row["interim_replied_at"] or at
            if kind == "replied":
                row["replied_at"] = at
                row["reply"] = note
        elif kind == "reopened":
            row["reopened_at"] = at
            row["replied_at"] = None
            limits = LIMITS.get(row["urgency"], DEFAULT_LIMITS)
            row["close_due"] = _add_working_days(at, limits[2])
        elif kind == "confirmed":
            row["closed_at"] = at
            row["rating"] = _pick(self.rng, RATINGS)
            if row["rating"] <= 2:
                row["rating_comment"] = "处理较慢"
        if kind != "filed":
            row["version"] += 1

    def _sweeps(self, life: Life, close_dues: list[tuple[dt.datetime, dt.datetime]]) -> None:
        """The deadline sweep's steps: each deadline that passed while still owed escalates the
        problem one tier (an overdue mark at the top), a sweep after the deadline."""
        row = life.row
        first_events = {e[1]: e[0] for e in reversed(life.events)}
        accepted = first_events.get("accepted")
        interim = min(
            (e[0] for e in life.events if e[1] in ("interim_reply", "replied")), default=None
        )
        deadlines = [(row["acknowledge_due"], "ack"), (row["interim_due"], "interim")]
        deadlines += [(due, "close") for _since, due in close_dues]
        marks: list[tuple[dt.datetime, str, str, str, str]] = []
        through: dt.datetime | None = None
        tiers = ["local", "city", "province"]
        for due, kind in sorted(deadlines):
            sweep = due + SWEEP_LAG
            if sweep > self.now or (through is not None and due <= through):
                continue
            status = life.status_at(sweep)
            if status not in OPEN:
                continue
            if kind == "ack" and accepted is not None and accepted <= sweep:
                continue
            if kind == "interim" and interim is not None and interim <= sweep:
                continue
            if kind == "close":
                current = [d for since, d in close_dues if since <= sweep][-1]
                if current != due:
                    continue
            # Everything owed and passed by the sweep is answered by this one step.
            owed = [due]
            for other, other_kind in deadlines:
                if due < other <= sweep and other_kind != kind:
                    owed.append(other)
            through = max(owed)
            row["escalated_through"] = through
            row["overdue_since"] = row["overdue_since"] or sweep
            row["version"] += 1
            position = tiers.index(row["tier"])
            if position + 1 < len(tiers):
                row["tier"] = tiers[position + 1]
                marks.append((sweep, "escalated", status, status, "Deadline missed"))
            else:
                marks.append((sweep, "overdue", status, status, "Deadline missed at the top"))
        if marks:
            life.events = sorted(life.events + marks, key=lambda e: e[0])


def _write(table: str, rows: list[dict[str, Any]]) -> None:
    """COPY on PostgreSQL, bulk_create elsewhere."""
    import province
    from django.apps import apps
    from django.db import connection

    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = list(rows[0])
        with connection.cursor() as cursor:
            province._copy(
                cursor.cursor,
                table,
                columns,
                (
                    tuple(v.isoformat() if isinstance(v, dt.datetime) else v for v in r.values())
                    for r in rows
                ),
            )
        return
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    for i in range(0, len(rows), 2000):
        model._default_manager.bulk_create([model(**r) for r in rows[i : i + 2000]])


@dataclass(frozen=True)
class Province:
    bureau_id: int
    now: dt.datetime
    lives: list[Life]
    enterprises: int
    events: int
    seconds: float
    enterprise_seconds: float


def generate(problems: int, enterprises: int) -> Province:
    from django.db import connection
    from django.utils import timezone

    from keepline.core.models import Department, Membership, Role, User
    from keepline.places.models import Region
    from keepline.problems.models import TimeLimit

    made, enterprise_s = _enterprises(enterprises)
    started = time.perf_counter()
    province_region = Region.objects.get(code="510000")
    bureau = User.objects.create_user("bench-bureau", display_name="省工作专班（基准）")
    Membership.objects.create(user=bureau, role=Role.BUREAU, region=province_region)
    handlers = [
        User.objects.create_user(f"bench-handler-{n:02d}", display_name=f"服务专员{n:02d}").pk
        for n in range(HANDLERS)
    ]
    for urgency, (hours, interim, close) in LIMITS.items():
        TimeLimit.objects.create(
            urgency=urgency, acknowledge_hours=hours, interim_days=interim, close_days=close
        )
    cities = {path.split("/")[1] for _pk, path, _level in made} | {"510000"}
    regions = Region.objects.in_bulk(cities, field_name="code")
    departments: dict[str, list[int]] = {}
    for code in sorted(cities):
        for kind, name in DEPARTMENT_KINDS:
            d = Department.objects.create(name=f"{code}{name}", kind=kind, region=regions[code])
            departments.setdefault(code, []).append(d.pk)
    now = timezone.now()
    generator = Generator(now, made, departments, handlers)
    filed = sorted(generator.filed_at() for _ in range(problems))
    lives = [generator.life(pk, at) for pk, at in enumerate(filed, start=1)]
    _write("problems_problem", [life.row for life in lives])
    kinds = ("at", "kind", "from_status", "to_status", "note")
    events = [
        {"problem_id": life.row["id"], **dict(zip(kinds, e, strict=True)), "actor_name": "基准"}
        for life in lives
        for e in life.events
    ]
    _write("problems_problemevent", events)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('problems_problem', 'id'), %s)", [problems]
            )
            # A database in use has had its autovacuum: statistics and the visibility map.
            for table in ("problems_problem", "problems_problemevent", "enterprises_enterprise"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return Province(
        bureau.pk, now, lives, len(made), len(events), time.perf_counter() - started, enterprise_s
    )


# ---- the independent figures ----------------------------------------------------------------


def _rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def expected_figures(
    start: dt.datetime, end: dt.datetime, as_of: dt.datetime, lives: list[Life]
) -> dict[str, Any]:
    """The main figures for problems filed/closed in [start, end], as of `as_of`: counts in one
    raw SQL query, the median from a values_list dump, statuses from the generator's timeline."""
    from django.db import connection

    from keepline.problems.models import Problem

    params = {"s": start, "e": end, "a": as_of}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT
              count(CASE WHEN filed_at >= %(s)s AND filed_at <= %(e)s THEN 1 END),
              count(CASE WHEN closed THEN 1 END),
              count(CASE WHEN closed AND replied_at <= close_due THEN 1 END),
              count(CASE WHEN closed AND rating IS NOT NULL THEN 1 END),
              sum(CASE WHEN closed THEN rating END),
              count(CASE WHEN closed AND whitelisted THEN 1 END)
            FROM (
              SELECT *, (status = 'closed' AND closed_at >= %(s)s AND closed_at <= %(e)s) AS closed
              FROM problems_problem WHERE filed_at <= %(a)s
            ) p
            """,
            {k: connection.ops.adapt_datetimefield_value(v) for k, v in params.items()},
        )
        received, closed, on_time, rated, rating_sum, whitelisted = cursor.fetchone()
    spans = Problem.objects.filter(
        status="closed", closed_at__gte=start, closed_at__lte=end, filed_at__lte=as_of
    ).values_list("filed_at", "closed_at")
    days = [(c - f).total_seconds() / 86400 for f, c in spans if c is not None]
    by_status: dict[str, int] = {}
    open_ = 0
    for life in lives:
        status = life.status_at(as_of)
        if status is None:
            continue
        if status in OPEN:
            open_ += 1
        if start <= life.row["filed_at"] <= end:
            by_status[status] = by_status.get(status, 0) + 1
    return {
        "received": received,
        "closed": closed,
        "on_time": _rounded(Decimal(on_time * 100) / closed, 1) if closed else None,
        "median_close_days": (_rounded(Decimal(str(statistics.median(days))), 2) if days else None),
        "mean_rating": _rounded(Decimal(rating_sum) / rated, 1) if rated else None,
        "whitelisted_solved": whitelisted,
        "by_status": {k: v for k, v in sorted(by_status.items())},
        "open": open_,
    }


def got_figures(f: Any) -> dict[str, Any]:
    return {
        "received": f.received.value,
        "closed": f.closed.value,
        "on_time": f.on_time.value,
        "median_close_days": f.median_close_days,
        "mean_rating": f.satisfaction.mean,
        "whitelisted_solved": f.whitelisted_solved.value,
        "by_status": {s.key: s.count.value for s in sorted(f.by_status, key=lambda s: s.key)
                      if s.count.value},
        "open": f.open.value,
    }  # fmt: skip


# ---- a proposal for `deadline=near` ---------------------------------------------------------


def with_near(qs: Any, now: dt.datetime) -> Any:
    """`deadline=near` in SQL (a proposal for listings.ProblemFilterSet.by_deadline): open, nothing
    owed past due, and the earliest deadline still owed within the last fifth of its allowance,
    counted from filing, or from the reopening for a close deadline. Ties go to the earlier
    kind, as selectors.unmet_deadlines's stable sort does. PostgreSQL's interval arithmetic."""
    from django.db.models import (
        Case,
        DateTimeField,
        DurationField,
        ExpressionWrapper,
        F,
        Q,
        Value,
        When,
    )
    from django.db.models.functions import Least

    from keepline.problems.listings import overdue_q
    from keepline.problems.models import OPEN_STATUSES

    never = Value(dt.datetime(9999, 1, 1, tzinfo=dt.UTC), output_field=DateTimeField())
    ack = Case(When(accepted_at__isnull=True, then=F("acknowledge_due")), default=never)
    interim = Case(When(interim_replied_at__isnull=True, then=F("interim_due")), default=never)
    due = Least(ack, interim, F("close_due"))
    start = Case(
        When(
            Q(reopened_at__isnull=False, close_due__lt=ack) & Q(close_due__lt=interim),
            then=F("reopened_at"),
        ),
        default=F("filed_at"),
    )
    # near ⇔ now ≥ due − 0.2 × (due − start)
    fifth = ExpressionWrapper((due - start) * Value(0.2), output_field=DurationField())
    near_from = ExpressionWrapper(due - fifth, output_field=DateTimeField())
    return (
        qs.filter(status__in=OPEN_STATUSES)
        .exclude(overdue_q(now))
        .alias(near_from=near_from)
        .filter(near_from__lte=now)
    )


# ---- a proposal for the figures' open, overdue and replied -------------------------------


def open_and_replied(
    actor: Any, scope: Any, as_of: dt.datetime, *, proposal: bool = False
) -> tuple[int, int, int]:
    """figures.compute's two statements over the status at `as_of` (open + overdue, replied),
    or the proposal: one statement, with the problems closed by `as_of` left out before the
    status subquery runs (closing is final: their status then was closed)."""
    from django.db.models import Count, Q

    from keepline.problems import figures
    from keepline.problems.models import OPEN_STATUSES, ProblemStatus

    base = figures._scoped(actor, scope, as_of).filter(filed_at__lte=as_of)
    if not proposal:
        annotated = base.annotate(status_at=figures._status_at(as_of))
        states = annotated.filter(status_at__in=OPEN_STATUSES).aggregate(
            open=Count("pk"), overdue=Count("pk", filter=figures._overdue_at(as_of))
        )
        replied = annotated.filter(status_at=ProblemStatus.REPLIED).count()
        return states["open"], states["overdue"], replied
    annotated = base.exclude(closed_at__lte=as_of).annotate(status_at=figures._status_at(as_of))
    is_open = Q(status_at__in=OPEN_STATUSES)
    got = annotated.aggregate(
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & figures._overdue_at(as_of)),
        replied=Count("pk", filter=Q(status_at=ProblemStatus.REPLIED)),
    )
    return got["open"], got["overdue"], got["replied"]


# ---- the ledger by hand ---------------------------------------------------------------------


def ledger_by_hand(request: Any) -> bytes:
    """The ledger's rows written by hand over the list's own query: what this benchmark once
    proposed for the ledger (the choice labels looked up once per export, not through
    get_FOO_display, and only the reply steps prefetched), which listings.PROBLEMS now does
    through core.lists' columns. Kept as the reference whose cells the export must equal, and
    to show what the shared columns cost over it."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from keepline.core.tabular import workbook_response
    from keepline.problems import listings, selectors
    from keepline.problems.models import ProblemCategory, ProblemStatus, Tier, Urgency

    now = timezone.now()
    # The list's query string, sort included; its rows carry the reply steps (`replies`).
    rows = listings.PROBLEMS.rows(request.user, request.GET)
    labels = {
        name: {k: str(v) for k, v in choices.choices}
        for name, choices in (
            ("category", ProblemCategory),
            ("urgency", Urgency),
            ("tier", Tier),
            ("status", ProblemStatus),
        )
    }
    yes = _("yes")

    def line(p: Any) -> list[Any]:
        return [
            p.pk,
            p.enterprise.name,
            p.enterprise.uscc,
            p.enterprise.region.name,
            labels["category"][p.category],
            labels["urgency"][p.urgency],
            p.title,
            p.filed_at,
            p.filed_by_name,
            listings.assigned_to(p),
            labels["tier"][p.tier],
            labels["status"][p.status],
            p.accepted_at,
            p.interim_replied_at,
            p.replied_at,
            "\n".join(e.note for e in p.replies),
            p.closed_at,
            p.rating,
            p.rating_comment,
            yes if selectors.deadline_state(p, now).overdue else "",
        ]

    response = workbook_response(
        "problems-ledger",
        [str(n) for n in range(20)],
        (line(p) for p in rows),
        title="ledger",
    )
    return bytes(response.content)


# ---- the benchmark --------------------------------------------------------------------------


def bench_problem_figures() -> None:
    import io

    import openpyxl
    from django.core.paginator import Paginator
    from django.db import connection
    from django.http import QueryDict
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from keepline.core.lists import PAGE_SIZE
    from keepline.core.models import User
    from keepline.problems import figures, listings, selectors
    from keepline.problems.calendar import TZ
    from keepline.problems.views import lifecycle
    from keepline.reports.indicators.scope import FigureScope

    size = int(os.environ.get("KEEPLINE_BENCH_PROBLEMS", str(PROBLEMS)))
    enterprises = int(os.environ.get("KEEPLINE_BENCH_ENTERPRISES", str(max(200, size // 5))))
    made = generate(size, enterprises)
    print(
        f"problem-figures: {size:,} problems ({made.events:,} timeline steps) over the year to"
        f" now, {made.enterprises:,} enterprises, on {_describe()} (enterprises"
        f" {made.enterprise_seconds:.0f} s, problems {made.seconds:.0f} s)"
    )
    by_status: dict[str, int] = {}
    for life in made.lives:
        by_status[life.row["status"]] = by_status.get(life.row["status"], 0) + 1
    tiers: dict[str, int] = {}
    for life in made.lives:
        tiers[life.row["tier"]] = tiers.get(life.row["tier"], 0) + 1
    print(f"  now: {by_status}; tiers {tiers}")
    rf = RequestFactory()

    def bureau() -> User:
        # A fresh user per call, as each request has: its memberships are read again.
        return User.objects.get(pk=made.bureau_id)

    def line(label: str, seconds: float, base: float, extra: str = "") -> None:
        print(
            f"  {label:<58} {seconds * 1000:8.0f} ms vs baseline {base * 1000:6.0f} ms"
            f" → {seconds / base:6.1f}×{extra}"
        )

    # -- baselines
    def grouped_count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT status, category, tier, count(*) FROM problems_problem"
                " GROUP BY status, category, tier"
            )
            return len(cursor.fetchall())

    def first_50() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM problems_problem ORDER BY filed_at DESC, id DESC LIMIT %s",
                [PAGE_SIZE],
            )
            return [r[0] for r in cursor.fetchall()]

    count_s, _cells = _median(grouped_count)
    top_s, top_ids = _median(first_50)

    # -- 1. the figures, 30 days, as of now and as of a past time
    scope = FigureScope(regions=("510000",))
    print(f"  figures (median of {RUNS} after a warm-up; 30-day period; region 510000):")
    for name, as_of in (
        ("now", made.now),
        (f"{PAST_DAYS} days ago", made.now - dt.timedelta(days=PAST_DAYS)),
    ):
        end = as_of.astimezone(TZ).date()
        start = end - dt.timedelta(days=PERIOD_DAYS - 1)

        def compute(as_of: dt.datetime = as_of, start: dt.date = start) -> Any:
            return figures.compute(bureau(), scope=scope, start=start, end=None, as_of=as_of)

        seconds, f = _median(compute)
        with CaptureQueriesContext(connection) as queries:
            compute()
        line(
            f"figures.compute as of {name}",
            seconds,
            count_s,
            f"  ({len(queries)} queries)",
        )
        period_start = dt.datetime.combine(start, dt.time(), tzinfo=TZ)
        period_end = min(
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=TZ)
            - dt.timedelta(microseconds=1),
            as_of,
        )
        want = expected_figures(period_start, period_end, as_of, made.lives)
        got = got_figures(f)
        if got != want:
            sys.exit(f"figures as of {name} disagree:\n got  {got}\n want {want}")
        print(
            f"    agree with raw SQL / the timeline: received {got['received']:,}, closed"
            f" {got['closed']:,}, on time {got['on_time']}%, median {got['median_close_days']}"
            f" d, rating {got['mean_rating']}, whitelisted solved {got['whitelisted_solved']:,},"
            f" open {got['open']:,}; overdue {f.overdue.value:,}, near {f.near.value:,}"
        )
        if connection.vendor == "postgresql":
            current_s, current = _median(
                functools.partial(lambda at: open_and_replied(bureau(), scope, at), as_of)
            )
            proposed_s, proposed = _median(
                functools.partial(
                    lambda at: open_and_replied(bureau(), scope, at, proposal=True), as_of
                )
            )
            if proposed != current or current != (f.open.value, f.overdue.value, f.replied.value):
                sys.exit(f"open/overdue/replied: {current} now, {proposed} proposed")
            line(
                "  of which open+overdue, replied (2 statements)",
                current_s,
                count_s,
            )
            line("  proposal: one statement, closed-by-then left out", proposed_s, count_s)

    # -- 2. the list's first page: default sort, overdue, near
    print(f"  the problem list, page 1 ({PAGE_SIZE} rows; median of {RUNS}):")

    def first_page(params: dict[str, str]) -> tuple[int, list[Any]]:
        """What the list page does before drawing: the declared list's rows for the query
        string, page 1, and the deadline flags of the page's rows."""
        query = QueryDict(mutable=True)
        query.update(params)
        page = Paginator(listings.PROBLEMS.rows(bureau(), query), PAGE_SIZE).get_page(1)
        now = timezone.now()
        return page.paginator.count, [(p, selectors.deadline_state(p, now)) for p in page]

    def live_deadlines() -> tuple[int, int]:
        """The figures' overdue and near as of the real now."""
        end = timezone.now().astimezone(TZ).date()
        start = end - dt.timedelta(days=PERIOD_DAYS - 1)
        f = figures.compute(bureau(), scope=scope, start=start, end=None, as_of=None)
        return f.overdue.value, f.near.value

    def at_one_instant(read: Callable[[], T]) -> tuple[T, tuple[int, int]]:
        """`read` and the figures' (overdue, near) at one instant of the real clock, by which
        the list judges deadlines; the generator's `now` has passed by the time the list is
        read. Kept when the figures are the same before and after: overdue only grows, and a
        problem leaves `near` only by falling overdue, so nothing crossed a deadline between."""
        for _ in range(5):
            before = live_deadlines()
            got = read()
            if live_deadlines() == before:
                return got, before
        sys.exit("deadlines kept passing while the list was read; nothing to compare with")

    for label, params in (
        ("default sort (-filed)", {}),
        ("deadline=overdue", {"deadline": "overdue"}),
        ("deadline=near", {"deadline": "near"}),
    ):
        seconds, (count, rows) = _median(functools.partial(first_page, params))
        with CaptureQueriesContext(connection) as queries:
            first_page(params)
        deadline = params.get("deadline")
        if not deadline and [p.pk for p, _s in rows] != top_ids:
            sys.exit("the list's first page is not the newest 50")
        if deadline:
            (count, rows), (overdue, near) = at_one_instant(functools.partial(first_page, params))
            expected = overdue if deadline == "overdue" else near
            if count != expected or not all(getattr(s, deadline) for _p, s in rows):
                sys.exit(f"{deadline}: the list has {count}, the figures {expected}")
        line(f"list {label}: {count:,} problems", seconds, top_s, f"  ({len(queries)} queries)")

    # The proposal: `near` in SQL rather than judged in Python (PostgreSQL's interval maths).
    if connection.vendor == "postgresql":

        def sql_near() -> tuple[int, list[Any]]:
            now = timezone.now()
            qs = with_near(listings.PROBLEMS.rows(bureau(), QueryDict()), now)
            page = Paginator(qs, PAGE_SIZE).get_page(1)
            return page.paginator.count, [(p, selectors.deadline_state(p, now)) for p in page]

        seconds, (count, rows) = _median(sql_near)

        def both_nears() -> tuple[set[int], set[int]]:
            proposed = with_near(listings.PROBLEMS.rows(bureau(), QueryDict()), timezone.now())
            kept = listings.PROBLEMS.rows(bureau(), QueryDict("deadline=near"))
            return (
                set(proposed.values_list("pk", flat=True)),
                set(kept.values_list("pk", flat=True)),
            )

        (ids, keepline_ids), _live = at_one_instant(both_nears)
        same = "same problems" if ids == keepline_ids else f"DIFFERS by {len(ids ^ keepline_ids)}"
        line(f"proposal: near in SQL: {count:,} problems ({same})", seconds, top_s)
        # The proposal for the default sort: an index in its order (the table has none on
        # filed_at), so the first page walks 50 rows of it rather than sorting every problem.
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE INDEX bench_problem_filed ON problems_problem (filed_at DESC, id DESC)"
            )
            cursor.execute("ANALYZE problems_problem")
        for label, params in (("default sort", {}), ("deadline=overdue", {"deadline": "overdue"})):
            seconds, (count, _rows) = _median(functools.partial(first_page, params))
            line(f"proposal: index (filed_at DESC, id DESC): {label}", seconds, top_s)
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX bench_problem_filed")
            cursor.execute("ANALYZE problems_problem")

    # -- 3. the Excel ledger of ~5,000 problems
    per_day = size / 365
    window = max(1, min(365, math.ceil(LEDGER_ROWS / per_day)))
    last = (made.now - dt.timedelta(days=PAST_DAYS)).astimezone(TZ).date()
    first = last - dt.timedelta(days=window - 1)
    params = {"filed_from": first.isoformat(), "filed_to": last.isoformat(), "region": "510000"}

    def _ledger_request() -> Any:
        request = rf.get("/problems/export/", params)
        request.user = bureau()
        return request

    def ledger() -> bytes:
        response = lifecycle.problem_export(_ledger_request())
        if response.status_code != 200:
            sys.exit(f"the ledger answered {response.status_code}")
        return bytes(response.content)

    def bare_rows() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.*, e.name, e.uscc, r.name_zh FROM problems_problem p"
                " JOIN enterprises_enterprise e ON e.id = p.enterprise_id"
                " JOIN places_region r ON r.id = e.region_id"
                " WHERE p.filed_at >= %s AND p.filed_at < %s ORDER BY p.filed_at DESC, p.id DESC",
                [
                    dt.datetime.combine(first, dt.time(), tzinfo=TZ),
                    dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=TZ),
                ],
            )
            return len(cursor.fetchall())

    bare_s, rows_n = _median(bare_rows, 3)
    ledger_s, content = _median(ledger, 3)
    with CaptureQueriesContext(connection) as queries:
        ledger()
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    lines = sum(1 for _ in sheet.iter_rows()) - 1
    if lines != rows_n:
        sys.exit(f"the ledger has {lines} rows, the window {rows_n}")
    line(
        f"Excel ledger, {rows_n:,} problems ({window} days filed)",
        ledger_s,
        bare_s,
        f"  ({len(queries)} queries, {len(content) / 1e6:.1f} MB, {rows_n / ledger_s:,.0f} rows/s)",
    )
    by_hand_s, by_hand_book = _median(lambda: ledger_by_hand(_ledger_request()), 3)
    by_hand_rows = [
        list(r) for r in openpyxl.load_workbook(io.BytesIO(by_hand_book)).worksheets[0].values
    ][1:]
    kept_rows = [list(r) for r in openpyxl.load_workbook(io.BytesIO(content)).worksheets[0].values]
    same = "same cells" if by_hand_rows == kept_rows[1:] else "CELLS DIFFER"
    line(f"by hand: labels once, reply steps only ({same})", by_hand_s, bare_s)
    print(
        "  baselines: figures — one bare grouped COUNT(*) by status, category, tier over all"
        " problems; list — bare SELECT * ORDER BY filed_at DESC, id DESC LIMIT 50; ledger — bare"
        " SELECT of the same rows joined to enterprise and region."
    )
