"""The demo city's problems (诉求) and service network, played through the services on the
2022 clock: the holiday calendar, routing rules, who covers whom (包片, 包联, 首席服务官),
about a hundred problems across the September emergency in every state, visits on both lists
and the working groups.

The clock. Each step is run through its service in the order it happened in 2022, with the
scenario's time as its `now`, so its timestamps, the deadlines counted from them, its timeline
events and a letter's number in the 2022 register are written as they would have been then. Two
things the services do not stamp are set after the step: the notifications it sent (the inbox
stamps the real time) and a visit's recording time. The audit trail keeps the real time of the
build, as for the rest of the demo. The escalation sweep runs every four hours of the scenario,
so what is escalated is what missed a deadline in 2022.

The demo's "now". Pages judge deadlines at the real time, so an open 2022 problem shows overdue.
The scenario ends at `END` (30 September 2022, 18:00, the eve of National Day) and is built so
that the list tells the truth then and now: every problem still open at the end had missed a
deadline and been escalated by that evening's sweep (the build checks this), the replied ones wait
on the enterprise and carry no deadline, and the rest are closed. A planned visit, by contrast,
lies ahead: `plan_visit` accepts no past date, so the planned list holds visits a few days after
the day the demo is built (the only dates here not fixed to 2022).

Deterministic for a seed: the draws come from a stream of their own, so the city's other draws
stay as they were, and every query that feeds a choice is ordered.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.db.models import F
from django.utils import translation

from keepline.core.models import Notification
from keepline.core.scopes import SystemActor
from keepline.demo.problems.state import DemoProblems
from keepline.demo.problems.stories import END, READ_BEFORE, TOTAL_PROBLEMS
from keepline.demo.problems.visits import Visits
from keepline.problems.models import (
    OPEN_STATUSES,
    CoordinationLetter,
    Problem,
    ProblemStatus,
    Tier,
)
from keepline.service.models import Coverage


class Run(Visits):
    """One build, from the people to the check at the end."""

    # -- the end -----------------------------------------------------------------------------

    def check(self) -> None:
        """The list page flags deadlines at the real time: a problem still open at the end must
        already have been overdue (and escalated) in 2022, or it would look late only today."""
        stray = Problem.objects.filter(status__in=OPEN_STATUSES, overdue_since__isnull=True)
        if stray.exists():
            raise RuntimeError(f"Open demo problems that were on time at the end: {list(stray)}")
        # Demo-only: what arrived before the last day has been read by now.
        Notification.objects.filter(
            pk__gt=self.first_notification, created__lt=END - READ_BEFORE
        ).update(read_at=F("created") + dt.timedelta(hours=1))


def build_problems(actor: SystemActor, *, seed: int, password: str) -> DemoProblems:
    """The calendar, routing, service network, problems and visits of the demo city; the new
    people sign in with `password` like the demo logins."""
    with translation.override(settings.LANGUAGE_CODE):
        run = Run(actor, seed, password)
        run.load()
        run.calendar()
        run.people()
        run.routing()
        run.network()
        groups = run.working_groups()
        plans = run.showcase()
        plans += run.from_reports()
        plans += run.random_plans(TOTAL_PROBLEMS - len(plans))
        for plan in sorted(plans, key=lambda p: (p.filed_at, p.key)):
            run.file(plan)
        run.handover_step()
        run.letter()
        run.visits()
        run.sweeps()
        run.play()
        planned = run.planned_visits()
        run.check()
    problems = Problem.objects.all()
    by_status = Counter(problems.values_list("status", flat=True))
    return DemoProblems(
        problems=problems.count(),
        by_status={s.value: by_status.get(s.value, 0) for s in ProblemStatus},
        escalated=problems.exclude(tier=Tier.LOCAL).count(),
        at_province=problems.filter(tier=Tier.PROVINCE).count(),
        coverage=Coverage.objects.count(),
        visits_done=run.visits_done,
        visits_planned=planned,
        working_groups=groups,
        letters=CoordinationLetter.objects.count(),
        linked_visits=run.linked_visits,
    )
