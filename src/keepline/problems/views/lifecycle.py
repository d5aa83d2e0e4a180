"""Problem pages: the list (filters, sorting, deadline flags, the task-force ledger in Excel),
the liaison's filing form, one problem's steps, and taking up the problem field of a daily
report. The import is the shared import page (`problems/importers.py`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core.errors import InvalidInput, KeeplineError
from keepline.core.lists import PAGE_SIZE, export_response, headers
from keepline.core.models import Department, User
from keepline.core.scopes import get_for, holds, holds_area, require_role, visible
from keepline.core.web import AuthedRequest, apply_errors, query_without
from keepline.enterprises.models import Enterprise
from keepline.problems import listings, selectors
from keepline.problems.forms.lifecycle import FileForm
from keepline.problems.models import CoordinationLetter, Problem
from keepline.problems.services import lifecycle
from keepline.problems.views.detail import ACTIONS, detail_page, step_forms, uploads
from keepline.reports.models import DailyReport


@login_required
def problem_list(request: AuthedRequest) -> HttpResponse:
    """The problems of the user's reach, filtered and sorted, with their deadline flags. A bad
    filter is named at its field (400) and left out: the page lists what the others select
    (the ledger and the API refuse instead, rather than answer with more than was asked)."""
    require_role(request.user, Problem)
    listing = listings.PROBLEMS
    bound = listing.bind(request.user, request.GET)
    valid = bound.is_valid()
    sort = listing.sort_key(request.GET)
    if valid:
        qs = listing.order(bound.qs, sort)
    else:
        good = request.GET.copy()
        for name in bound.errors:
            good.pop(name, None)
        qs = listing.rows(request.user, good)
    now = timezone.now()
    page = Paginator(qs, PAGE_SIZE).get_page(_page_number(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    chosen = bound.form.cleaned_data.get("enterprise") if valid else None
    context = {
        "listing": listing,
        "filters": bound.form,
        "form": bound.form,
        "page": page,
        "rows": [(p, selectors.deadline_state(p, now)) for p in page],
        "query": query.urlencode(),
        "sort": sort,
        "headers": headers(listing, request.GET, sort),
        "chosen_enterprise": chosen,
        "unfiltered": query_without(request, "enterprise"),
        "may_file": holds(request.user, Problem, "file"),
        "may_import": holds_area(request.user, Problem, "file"),
        "may_see_letters": holds(request.user, CoordinationLetter),
        "now": now,
        # A filter changed in place: the export link follows it (an out-of-band swap).
        "oob": bool(request.headers.get("HX-Request")),
    }
    template = "problems/results.html" if context["oob"] else "problems/list.html"
    return render(request, template, context, status=200 if valid else 400)


def _page_number(raw: str | None) -> int | str:
    """A page number too long to be a page is the last page, as on every list page."""
    if raw is None or len(raw) > 9:
        return "last" if raw else 1
    return raw


@login_required
def problem_export(request: AuthedRequest) -> HttpResponse:
    """The task-force ledger (交办 / 反馈 / 销号) of the filtered problems."""
    require_role(request.user, Problem)
    return export_response(request, listings.PROBLEMS)


def fileable_enterprises(user: User) -> list[tuple[int, str]]:
    """The enterprises the user may file problems for, as choices."""
    if not holds(user, Problem, "file"):
        return []
    qs = visible(Enterprise.objects.order_by("name"), user).only("pk", "name", "uscc")
    return [(e.pk, f"{e.name} ({e.uscc})") for e in qs]


@login_required
def problem_file(request: AuthedRequest) -> HttpResponse:
    """File a problem: a liaison for its enterprise, an official for one they may see."""
    require_role(request.user, Problem, "file")
    enterprises = fileable_enterprises(request.user)
    form = FileForm(request.POST or None, request.FILES or None, enterprises=enterprises)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                problem = lifecycle.file_problem(
                    actor=request.user,
                    enterprise_id=data["enterprise"],
                    category=data["category"],
                    urgency=data["urgency"],
                    title=data["title"],
                    description=data["description"],
                    files=uploads(data["attachments"]),
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Problem filed as no. %(pk)s.") % {"pk": problem.pk})
                return redirect("problems:detail", pk=problem.pk)
        status = 400
    return render(request, "problems/file.html", {"form": form}, status=status)


def _act(user: User, problem_id: int, action: str, data: dict[str, Any]) -> str:
    """Call the action's service; the success message."""
    common = {"actor": user, "problem_id": problem_id, "version": data["version"]}
    if action == "accept":
        lifecycle.accept_problem(**common)
        return _("Accepted.")
    if action == "start":
        lifecycle.start_problem(**common, note=data["note"])
        return _("Work started.")
    if action == "reply":
        lifecycle.reply_problem(**common, text=data["text"], final=data["final"])
        return _("Final reply sent.") if data["final"] else _("Interim reply sent.")
    if action == "confirm":
        lifecycle.confirm_problem(**common, rating=data["rating"], comment=data["comment"])
        return _("Confirmed and closed.")
    if action == "reopen":
        lifecycle.reopen_problem(**common, reason=data["reason"])
        return _("Reopened.")
    department = Department.objects.filter(pk=data["department"]).first()
    handler = User.objects.filter(pk=data["handler"]).first()
    lifecycle.reassign_problem(
        **common, reason=data["reason"], department=department, handler=handler
    )
    return _("Reassigned.")


@login_required
def problem_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One problem: its deadlines, timeline and the steps the user may take (POST, field
    "action", with the version read)."""
    problem = selectors.problem(request.user, pk)
    action = ""
    status = 200
    data = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise InvalidInput(_("Choose a step to take."))
        data = request.POST
    action_forms = step_forms(problem, request.user, data, action)
    if data is not None:
        form = action_forms[action]
        if form.is_valid():
            try:
                done = _act(request.user, pk, action, form.cleaned_data)
            except KeeplineError as exc:
                if exc.status == 409:
                    problem = selectors.problem(request.user, pk)
                    messages.error(
                        request,
                        _("%(message)s Now: %(status)s (version %(version)s).")
                        % {
                            "message": exc.message,
                            "status": problem.get_status_display(),
                            "version": problem.version,
                        },
                    )
                    action_forms = step_forms(problem, request.user)
                elif exc.status == 400:
                    apply_errors(form, exc)
                else:
                    raise
                status = exc.status
            else:
                messages.success(request, done)
                return redirect("problems:detail", pk=pk)
        else:
            status = 400
    return detail_page(request, problem, action_forms=action_forms, status=status)


@login_required
@require_POST
def problem_from_report(request: AuthedRequest, report_id: int) -> HttpResponse:
    """Take up the problem field of a daily report as a problem (the same one again if it was
    taken up before)."""
    report = get_for(
        DailyReport.objects.select_related("enterprise__region", "enterprise__park"),
        request.user,
        report_id,
    )
    existing = Problem.objects.filter(report=report).values_list("pk", flat=True).first()
    problem = lifecycle.file_from_report(actor=request.user, report=report)
    if existing is None:
        messages.success(request, _("Problem filed as no. %(pk)s.") % {"pk": problem.pk})
    else:
        messages.info(request, _("This report was already taken up as this problem."))
    return redirect("problems:detail", pk=problem.pk)
