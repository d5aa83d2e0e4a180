"""Who is told what about a problem as it moves, in the step's transaction: the handler, or
with none the members of the department the problem is routed to; replies go to the
enterprise's liaisons."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from keepline.core.models import User
from keepline.core.notifications import notify
from keepline.problems.models import Problem
from keepline.problems.selectors import handlers_of, liaisons_of


def problem_url(problem: Problem) -> str:
    return reverse("problems:detail", args=[problem.pk])


def tell(users: list[User], kind: str, title: str, body: str, problem: Problem) -> None:
    for user in users:
        notify(user, kind, title, body, problem_url(problem))


def notify_assigned(problem: Problem) -> None:
    tell(
        handlers_of(problem),
        "problem_assigned",
        _("Problem assigned to you: %(title)s") % {"title": problem.title},
        str(problem.enterprise),
        problem,
    )


def notify_accepted(problem: Problem) -> None:
    tell(
        liaisons_of(problem),
        "problem_accepted",
        _("Your problem was accepted: %(title)s") % {"title": problem.title},
        "",
        problem,
    )


def notify_replied(problem: Problem) -> None:
    tell(
        liaisons_of(problem),
        "problem_replied",
        _("Reply to your problem: %(title)s") % {"title": problem.title},
        problem.reply if problem.replied_at else "",
        problem,
    )


def notify_escalated(problem: Problem, note: str) -> None:
    tell(
        handlers_of(problem),
        "problem_escalated",
        _("Deadline missed: %(title)s") % {"title": problem.title},
        note,
        problem,
    )
