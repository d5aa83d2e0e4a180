"""Background work on problems: the sweep and the reminders it sends.

`sweep_problem_deadlines` runs the escalation sweep as the task "task:problem-sweep", warns
the handlers of problems whose next deadline is near (once per problem and deadline) and the
authors of coordination letters whose reply is overdue (once per letter).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_tasks import task

from keepline.core.models import Notification
from keepline.core.notifications import notify
from keepline.core.scopes import SystemActor
from keepline.problems.models import OPEN_STATUSES, CoordinationLetter, LetterStatus, Problem
from keepline.problems.selectors import deadline_state, handlers_of
from keepline.problems.services import sweep
from keepline.problems.services.notifications import problem_url, tell

NEAR_DEADLINE = "problem_near_deadline"
LETTER_OVERDUE = "letter_reply_overdue"
DEADLINE_LABELS = {
    "acknowledge": gettext_lazy("Acknowledge"),
    "interim": gettext_lazy("Interim reply"),
    # The close deadline (办结), not closing an alert (关闭).
    "close": pgettext_lazy("deadline", "Close"),
}


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
            sent = Notification.objects.filter(
                kind=NEAR_DEADLINE, url=problem_url(problem), body=body
            )
            if sent.exists():
                continue
            tell(
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
        url = problem_url(letter.problem)
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
    now = timezone.now()
    result = sweep.sweep_deadlines(actor=SystemActor("task:problem-sweep"), now=now)
    warned = warn_near_deadlines(now)
    warn_overdue_letters(now)
    return {"escalated": len(result.escalated), "overdue": len(result.overdue), "warned": warned}
