"""Background work on problems and who is told what about them.

`sweep_problem_deadlines` runs the escalation sweep as the task "task:problem-sweep", warns
the handlers of problems whose next deadline is near (once per problem and deadline) and the
authors of coordination letters whose reply is overdue (once per letter). The
`notify_*` functions pick the addressees: the handler, or with none the members of the
department the problem is routed to; replies go to the enterprise's liaisons.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_tasks import task

from keepline.core.models import Membership, Notification, Role, User
from keepline.core.notifications import notify
from keepline.core.scopes import SystemActor
from keepline.problems.models import OPEN_STATUSES, CoordinationLetter, LetterStatus, Problem
from keepline.problems.selectors import deadline_state

NEAR_DEADLINE = "problem_near_deadline"
LETTER_OVERDUE = "letter_reply_overdue"
DEADLINE_LABELS = {
    "acknowledge": gettext_lazy("Acknowledge"),
    "interim": gettext_lazy("Interim reply"),
    # The close deadline (办结), not closing an alert (关闭).
    "close": pgettext_lazy("deadline", "Close"),
}


def _url(problem: Problem) -> str:
    return reverse("problems:detail", args=[problem.pk])


def handlers_of(problem: Problem) -> list[User]:
    """Who works the problem: its handler, or else every active member of its department."""
    handler = problem.handler
    if handler is not None:
        return [handler] if handler.is_active else []
    if problem.department_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.DEPARTMENT,
            memberships__department_id=problem.department_id,
        ).distinct()
    )


def liaisons_of(problem: Problem) -> list[User]:
    members = Membership.objects.filter(
        role=Role.LIAISON, enterprise_id=problem.enterprise_id, user__is_active=True
    ).select_related("user")
    return list({m.user for m in members})


def _tell(users: list[User], kind: str, title: str, body: str, problem: Problem) -> None:
    for user in users:
        notify(user, kind, title, body, _url(problem))


def notify_assigned(problem: Problem) -> None:
    _tell(
        handlers_of(problem),
        "problem_assigned",
        _("Problem assigned to you: %(title)s") % {"title": problem.title},
        str(problem.enterprise),
        problem,
    )


def notify_accepted(problem: Problem) -> None:
    _tell(
        liaisons_of(problem),
        "problem_accepted",
        _("Your problem was accepted: %(title)s") % {"title": problem.title},
        "",
        problem,
    )


def notify_replied(problem: Problem) -> None:
    _tell(
        liaisons_of(problem),
        "problem_replied",
        _("Reply to your problem: %(title)s") % {"title": problem.title},
        problem.reply if problem.replied_at else "",
        problem,
    )


def notify_escalated(problem: Problem, note: str) -> None:
    _tell(
        handlers_of(problem),
        "problem_escalated",
        _("Deadline missed: %(title)s") % {"title": problem.title},
        note,
        problem,
    )


def warn_near_deadlines(now: dt.datetime) -> int:
    """Warn the handlers of every open problem whose next deadline is near, once per problem and
    deadline; how many problems were warned."""
    warned = 0
    open_problems = Problem.objects.filter(status__in=OPEN_STATUSES).select_related(
        "handler", "enterprise"
    )
    for problem in open_problems.iterator(chunk_size=500):
        state = deadline_state(problem, now)
        if not state.near or state.due is None:
            continue
        label = DEADLINE_LABELS[state.kind]
        body = _("%(deadline)s by %(due)s") % {
            "deadline": label,
            "due": timezone.localtime(state.due).strftime("%Y-%m-%d %H:%M"),
        }
        with transaction.atomic():
            sent = Notification.objects.filter(kind=NEAR_DEADLINE, url=_url(problem), body=body)
            if sent.exists():
                continue
            _tell(
                handlers_of(problem),
                NEAR_DEADLINE,
                _("Deadline near: %(title)s") % {"title": problem.title},
                body,
                problem,
            )
        warned += 1
    return warned


def warn_overdue_letters(now: dt.datetime) -> int:
    """Tell the author of every sent letter whose reply date has passed, once per letter (and
    reply date); how many letters were reported."""
    warned = 0
    overdue = (
        CoordinationLetter.objects.filter(status=LetterStatus.SENT, reply_due__lte=now)
        .select_related("author", "problem")
        .order_by("reply_due", "id")
    )
    for letter in overdue.iterator(chunk_size=500):
        author = letter.author
        if author is None or not author.is_active or letter.reply_due is None:
            continue
        url = _url(letter.problem)
        body = _("%(number)s to %(addressee)s: a reply was due by %(due)s.") % {
            "number": letter.number,
            "addressee": letter.addressee,
            "due": timezone.localtime(letter.reply_due).strftime("%Y-%m-%d %H:%M"),
        }
        with transaction.atomic():
            if Notification.objects.filter(
                kind=LETTER_OVERDUE, user=author, url=url, body=body
            ).exists():
                continue
            notify(
                author,
                LETTER_OVERDUE,
                _("Reply overdue: %(subject)s") % {"subject": letter.subject},
                body,
                url,
            )
        warned += 1
    return warned


@task()
def sweep_problem_deadlines() -> dict[str, int]:
    """Escalate the problems that missed a deadline and warn about those near one."""
    # Imported here: the services import this module to send their notifications.
    from keepline.problems import services

    now = timezone.now()
    result = services.sweep_deadlines(actor=SystemActor("task:problem-sweep"), now=now)
    warned = warn_near_deadlines(now)
    warn_overdue_letters(now)
    return {"escalated": len(result.escalated), "overdue": len(result.overdue), "warned": warned}
