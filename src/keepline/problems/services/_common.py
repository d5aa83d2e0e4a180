"""What the problem services share: who acted, the checks on a value, a step on the timeline,
the locked problem and the version check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.models import User
from keepline.core.scopes import Actor, SystemActor, get_for
from keepline.problems.models import Problem, ProblemEvent, ProblemEventKind

# The audit action of each step on a problem's (or its letter's) timeline.
STEP_ACTIONS: dict[str, audit.Action] = {
    ProblemEventKind.ACCEPTED: audit.Action.ACCEPT_PROBLEM,
    ProblemEventKind.STARTED: audit.Action.START_PROBLEM,
    ProblemEventKind.INTERIM_REPLY: audit.Action.GIVE_INTERIM_REPLY,
    ProblemEventKind.REPLIED: audit.Action.REPLY_PROBLEM,
    ProblemEventKind.CONFIRMED: audit.Action.CONFIRM_PROBLEM,
    ProblemEventKind.REOPENED: audit.Action.REOPEN_PROBLEM,
    ProblemEventKind.REASSIGNED: audit.Action.REASSIGN_PROBLEM,
    ProblemEventKind.ESCALATED: audit.Action.ESCALATE_PROBLEM,
    ProblemEventKind.OVERDUE: audit.Action.MARK_PROBLEM_OVERDUE,
    ProblemEventKind.LETTER_SENT: audit.Action.SEND_LETTER,
    ProblemEventKind.LETTER_REPLIED: audit.Action.RECORD_LETTER_REPLY,
    ProblemEventKind.LETTER_WITHDRAWN: audit.Action.WITHDRAW_LETTER,
}

PROBLEM_AUDIT = [
    "enterprise",
    "category",
    "urgency",
    "title",
    "source",
    "tier",
    "department",
    "handler",
    "status",
    "rating",
    "acknowledge_due",
    "interim_due",
    "close_due",
    "version",
]


def _user(actor: Actor) -> User | None:
    return None if isinstance(actor, SystemActor) else actor


def _name(actor: Actor) -> str:
    return actor.name if isinstance(actor, SystemActor) else actor.get_username()


def _require(condition: bool) -> None:
    if not condition:
        raise Forbidden(_("Your role does not include this."))


def _text(value: str, name: str, *, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("Fill in this field."), errors={name: [_("This field is required.")]})
    if max_length is not None and len(value) > max_length:
        message = _("At most %(n)d characters.") % {"n": max_length}
        raise InvalidInput(message, errors={name: [message]})
    return value


def _choice(value: str, choices: Any, name: str, *, blank: bool = False) -> str:
    if (blank and value == "") or value in choices.values:
        return value
    message = _("Choose one of the listed values.")
    raise InvalidInput(message, errors={name: [message]})


def _event(
    problem: Problem,
    actor: Actor,
    kind: str,
    *,
    at: dt.datetime,
    from_status: str = "",
    note: str = "",
) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem,
        kind=kind,
        at=at,
        actor=_user(actor),
        actor_name=_name(actor),
        from_status=from_status,
        to_status=problem.status,
        note=note,
    )


def _lock(actor: Actor, problem_id: int, action: str) -> Problem:
    """The problem, locked for this transaction, if the actor may `action` it (404/403)."""
    qs = Problem.objects.select_for_update(of=("self",)).select_related(
        "enterprise__region", "enterprise__park"
    )
    return get_for(qs, actor, problem_id, action)


def _check(problem: Problem, version: int, allowed: list[str]) -> None:
    if version != problem.version or problem.status not in allowed:
        raise Conflict(
            _("Someone changed this problem in the meantime; reload it."),
            current={"status": problem.status, "version": problem.version},
        )


def _step(
    *,
    actor: Actor,
    problem: Problem,
    kind: str,
    status: str,
    before: dict[str, Any],
    now: dt.datetime,
    note: str = "",
) -> Problem:
    from_status = before["status"]
    problem.status = status
    problem.version += 1
    problem.save()
    _event(problem, actor, kind, at=now, from_status=from_status, note=note)
    old, new = audit.changes(before, audit.snapshot(problem, PROBLEM_AUDIT))
    audit.record(actor=actor, action=STEP_ACTIONS[kind], obj=problem, before=old, after=new)
    return problem
