"""Writes of problems, their routing, time limits and the working-day calendar: each checked,
changed, put on the problem's timeline and audited in one transaction.

Escalation (`sweep_deadlines`): a problem has three deadlines set at filing — acknowledge,
interim reply, close. A deadline counts while unmet (not accepted / no reply of any kind / not
replied). A sweep at `now` escalates an open problem ONE tier (park/district → city task force →
province) when some unmet deadline has passed that no earlier escalation answered; it answers all
the deadlines passed so far (`escalated_through`), so the problem escalates again only when its
next deadline passes while it sits at the new tier. At the province, a passed deadline is put on
the timeline as overdue instead. Running the sweep twice at the same `now` changes nothing the
second time. Reopening gives a fresh close deadline, so a reopened problem left alone escalates
again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.scopes import Actor, holds, visible
from keepline.problems.models import OPEN_STATUSES, TIER_ORDER, Problem, ProblemEventKind
from keepline.problems.selectors import unmet_deadlines
from keepline.problems.services._common import PROBLEM_AUDIT, STEP_ACTIONS, _event, _require
from keepline.problems.services.notifications import notify_escalated

SWEEP_AUDIT = [*PROBLEM_AUDIT, "escalated_through", "overdue_since"]


@dataclass
class SweepResult:
    """What one sweep did: the problems it escalated and those it marked overdue at the top."""

    escalated: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)


def sweep_deadlines(*, actor: Actor, now: dt.datetime) -> SweepResult:
    """Escalate every open problem the actor may sweep that has missed a deadline no earlier
    escalation answered (see the module docstring for the rule)."""
    _require(holds(actor, Problem, "sweep"))
    result = SweepResult()
    passed = (
        Q(accepted_at__isnull=True, acknowledge_due__lte=now)
        | Q(interim_replied_at__isnull=True, interim_due__lte=now)
        | Q(close_due__lte=now)
    )
    answered = Q(escalated_through__isnull=True) | Q(
        Q(accepted_at__isnull=True, acknowledge_due__gt=F("escalated_through"))
        | Q(interim_replied_at__isnull=True, interim_due__gt=F("escalated_through"))
        | Q(close_due__gt=F("escalated_through"))
    )
    with transaction.atomic():
        candidates = (
            visible(Problem.objects.all(), actor, "sweep")
            .filter(status__in=OPEN_STATUSES)
            .filter(passed)
            .filter(answered)
            .select_for_update(of=("self",))
            .select_related("enterprise__region")
            .order_by("id")
        )
        for problem in candidates:
            missed = [
                due
                for _kind, due in unmet_deadlines(problem)
                if due <= now
                and (problem.escalated_through is None or due > problem.escalated_through)
            ]
            if not missed:
                continue
            before = audit.snapshot(problem, SWEEP_AUDIT)
            problem.escalated_through = max(missed)
            problem.overdue_since = problem.overdue_since or now
            problem.version += 1
            position = TIER_ORDER.index(problem.tier)  # type: ignore[arg-type]
            from_tier = problem.get_tier_display()
            if position + 1 < len(TIER_ORDER):
                problem.tier = TIER_ORDER[position + 1]
                kind = ProblemEventKind.ESCALATED
                note = _("Deadline missed: moved from %(a)s to %(b)s.") % {
                    "a": from_tier,
                    "b": problem.get_tier_display(),
                }
                result.escalated.append(problem.pk)
            else:
                kind = ProblemEventKind.OVERDUE
                note = _("Deadline missed at the top tier.")
                result.overdue.append(problem.pk)
            problem.save()
            _event(problem, actor, kind, at=now, from_status=problem.status, note=note)
            old, new = audit.changes(before, audit.snapshot(problem, SWEEP_AUDIT))
            audit.record(actor=actor, action=STEP_ACTIONS[kind], obj=problem, before=old, after=new)
            notify_escalated(problem, note)
    return result
