"""Template tags: links to problems from other apps' pages, and the letters' flags."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from keepline.core.scopes import holds
from keepline.problems.models import CoordinationLetter, Problem

register = template.Library()


def _taken_up(context: template.Context) -> dict[int, int]:
    """Report id → problem id for the reports on the page, loaded once per render."""
    cache = context.render_context
    if "problems_by_report" not in cache:
        page = context.get("page")
        ids = [r.pk for r in page] if page is not None else []
        cache["problems_by_report"] = dict(
            Problem.objects.filter(report_id__in=ids).values_list("report_id", "pk")
        )
    found: dict[int, int] = cache["problems_by_report"]
    return found


@register.inclusion_tag("problems/_report_problem.html", takes_context=True)
def report_problem(context: template.Context, report: Any) -> dict[str, Any]:
    """For a daily report naming a problem: a link to the problem it was taken up as, or
    the button to take it up (for those who may file problems)."""
    user = context["request"].user
    if not (report.problems or "").strip():
        return {"show": False}
    problem_id = _taken_up(context).get(report.pk)
    return {
        "show": True,
        "report": report,
        "problem_id": problem_id,
        "may_view": problem_id is not None and holds(user, Problem),
        "may_file": problem_id is None and holds(user, Problem, "file"),
    }


@register.filter
def reply_overdue(letter: CoordinationLetter) -> bool:
    """A sent letter past its reply date, now."""
    return letter.overdue_at(timezone.now())
