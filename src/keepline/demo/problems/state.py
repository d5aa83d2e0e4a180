"""The run's shared state: a planned problem and its steps, a problem as it stands, the summary
of the build, and the base every part of the run builds on."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max

from keepline.core.models import Notification, User
from keepline.core.scopes import SystemActor
from keepline.demo.common import TZ
from keepline.demo.problems.stories import FIRST_DAY, STREAM, SWEEP_EVERY, Template
from keepline.enterprises.models import Enterprise
from keepline.reports.models import DailyReport


@dataclass
class Step:
    """One thing done to a problem at a time of the scenario."""

    at: dt.datetime
    kind: str  # accept, start, interim, reply, reopen, confirm, reassign
    text: str = ""
    rating: int = 0


@dataclass
class Plan:
    """A problem to file and what happens to it."""

    key: int
    enterprise: Enterprise
    category: str
    urgency: str
    template: Template | None
    context: dict[str, Any]
    filed_at: dt.datetime
    filer: str  # liaison, commissioner, official
    story: str
    report: DailyReport | None = None
    steps: list[Step] = field(default_factory=list)

    def fill(self, text: str) -> str:
        return text.format(**self.context)


@dataclass(frozen=True)
class ProblemState:
    """What a step needs of a problem as it stands: who handles it, at which version."""

    pk: int
    version: int
    handler_id: int | None
    department_id: int | None
    enterprise: Enterprise


@dataclass
class DemoProblems:
    """What the demo's problems and service network came to."""

    problems: int
    by_status: dict[str, int]
    escalated: int
    at_province: int
    coverage: int
    visits_done: int
    visits_planned: int
    working_groups: int
    letters: int
    linked_visits: int

    def summary(self) -> str:
        states = ", ".join(f"{n} {s}" for s, n in self.by_status.items())
        extra = f", {self.letters} coordination letter(s)" if self.letters else ""
        return (
            f"problems: {self.problems} ({states}); {self.escalated} escalated, "
            f"{self.at_province} at the province{extra}; coverage: {self.coverage} assignments; "
            f"visits: {self.visits_done} done, {self.visits_planned} planned; working groups: "
            f"{self.working_groups}"
        )


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), TZ)


def district_of(enterprise: Enterprise) -> str:
    return enterprise.region.code[:6]


class Base:
    """One build's state: the people, the network, the queue of steps in scenario time."""

    def __init__(
        self,
        actor: SystemActor,
        seed: int,
        password: str,
    ):
        self.actor = actor
        self.rng = random.Random(seed * 1000 + STREAM)
        self.password = password
        self.queue: list[tuple[dt.datetime, int, int, Callable[[dt.datetime], bool]]] = []
        self.seq = 0
        self.keys = 0
        self.ids: dict[int, int] = {}  # plan key -> problem id
        self.first_notification = Notification.objects.aggregate(top=Max("pk"))["top"] or 0
        self.visits_done = 0
        self.linked_visits = 0
        # enterprise id -> (since, until, commissioner), the handover included from the start
        self.cover: dict[int, list[tuple[dt.date, dt.date | None, User]]] = {}
        self.handover: tuple[int, Enterprise, User, User] | None = None
        self.province_plan: Plan | None = None
        self.users: dict[int, User] = {}
        self.states: dict[int, ProblemState] = {}  # problem id -> as it stands
        self.owed: dict[int, dict[str, dt.datetime]] = {}  # problem id -> deadlines owed
        self.last_sweep = at(FIRST_DAY, 0) - SWEEP_EVERY
