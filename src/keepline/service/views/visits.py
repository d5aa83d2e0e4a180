"""The two lists of visits, planning and recording one, and a visit's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core.errors import Conflict, InvalidInput, KeeplineError
from keepline.core.lists import export_response, list_page
from keepline.core.pickers import ENTERPRISES, PEOPLE, offer, source_url
from keepline.core.scopes import may
from keepline.core.web import AuthedRequest, apply_errors, form_page, query_without
from keepline.problems import selectors as problem_selectors
from keepline.problems.models import ProblemStatus
from keepline.service.forms import (
    NewProblemFields,
    VisitCancelForm,
    VisitCompleteForm,
    VisitPlanForm,
    VisitRecordForm,
)
from keepline.service.models import Visit, VisitStatus
from keepline.service.rules import (
    may_see_planned,
    may_visit,
    require_may_see_visits,
    require_may_visit,
)
from keepline.service.selectors.coverage import visit_enterprise
from keepline.service.selectors.people import user_named
from keepline.service.selectors.visits import (
    PLANNED_VISITS,
    get_visit,
    visit_enterprises,
    visit_listing,
)
from keepline.service.services.visits import (
    cancel_visit,
    complete_visit,
    plan_visit,
    raise_problem_at_visit,
    record_visit,
)
from keepline.service.views.choices import people_source

# ---- visits -----------------------------------------------------------------------------------


@login_required
def visit_list(request: AuthedRequest) -> HttpResponse:
    """The two lists: visits planned (soonest first) and visits done (latest first)."""
    require_may_see_visits(request.user)
    listing = visit_listing(request.GET.get("list"), sees_planned=may_see_planned(request.user))
    which = "planned" if listing is PLANNED_VISITS else "done"
    tabless = request.GET.copy()
    for name in ("list", "page", "sort"):
        tabless.pop(name, None)
    return list_page(
        request,
        listing,
        "service/visit_list.html",
        "service/_visit_results.html",
        {
            "export_url": reverse("service:visits_export"),
            "which": which,
            "tabless": tabless.urlencode(),
            "has_planned": may_see_planned(request.user),
            "may_visit": may_visit(request.user),
            "unfiltered": query_without(request, "enterprise"),
        },
    )


@login_required
def visit_export(request: AuthedRequest) -> HttpResponse:
    require_may_see_visits(request.user)
    listing = visit_listing(request.GET.get("list"), sees_planned=may_see_planned(request.user))
    return export_response(request, listing)


VisitForm = TypeVar("VisitForm", VisitPlanForm, VisitRecordForm)


def _visit_form(request: AuthedRequest, form: VisitForm) -> VisitForm:
    """The enterprise from those the user may visit; the visitor from those who may visit the
    chosen enterprise, reloaded when another is chosen."""
    user = request.user
    offer(
        form,
        "enterprise",
        visit_enterprises(user),
        ENTERPRISES,
        source_url("service:enterprise_choices", **{"for": "visit"}),
    )
    chosen = form["enterprise"].value()
    people = people_source(user, "visit", {"enterprise": chosen})
    offer(
        form,
        "visitor",
        people,
        PEOPLE,
        source_url("service:people_choices", **{"for": "visit", "field": "visitor"}),
        blank=_("— Yourself"),
        include="#id_enterprise",
        refresh_on="id_enterprise",
    )
    return form


def _visit_entry(
    request: AuthedRequest,
    form: VisitForm,
    title: str,
    done: str,
    save: Callable[[dict[str, Any]], Visit],
) -> HttpResponse:
    """The plan and record pages: a bad field answers 400 at the field, else the visit's page."""

    def saved(data: dict[str, Any]) -> HttpResponse:
        visit = save(data)
        messages.success(request, done)
        return redirect("service:visit", pk=visit.pk)

    return form_page(request, form, "service/visit_form.html", saved, {"title": title})


@login_required
def visit_plan(request: AuthedRequest) -> HttpResponse:
    """Put a visit on the planned list."""
    require_may_visit(request.user)

    def save(data: dict[str, Any]) -> Visit:
        return plan_visit(
            actor=request.user,
            enterprise=visit_enterprise(request.user, data["enterprise"]),
            planned_for=data["planned_for"],
            purpose=data["purpose"],
            visitor=user_named(data["visitor"], "visitor") if data["visitor"] else None,
        )

    form = _visit_form(request, VisitPlanForm(request.POST or None))
    return _visit_entry(request, form, _("Plan a visit"), _("Visit planned."), save)


@login_required
def visit_record(request: AuthedRequest) -> HttpResponse:
    """Put a visit already made, not planned, on the done list."""
    require_may_visit(request.user)

    def save(data: dict[str, Any]) -> Visit:
        return record_visit(
            actor=request.user,
            enterprise=visit_enterprise(request.user, data["enterprise"]),
            visited_at=data["visited_at"],
            findings=data["findings"],
            purpose=data["purpose"],
            companions=data["companions"],
            visitor=user_named(data["visitor"], "visitor") if data["visitor"] else None,
            problem_ids=_numbers(data["problems"]),
        )

    form = _visit_form(request, VisitRecordForm(request.POST or None))
    return _visit_entry(request, form, _("Record a visit made"), _("Visit recorded."), save)


def _numbers(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        message = _("Give problem numbers.")
        raise InvalidInput(message, errors={"problems": [message]}) from None


def _problem_choices(request: AuthedRequest, visit: Visit) -> list[tuple[int, str]]:
    """Problems of the visited enterprise the user sees, not yet closed."""
    qs = (
        problem_selectors.problems(request.user)
        .filter(enterprise=visit.enterprise_id)
        .exclude(status=ProblemStatus.CLOSED)
        .order_by("-filed_at")
    )
    return [(p.pk, f"#{p.pk} {p.title} · {p.get_status_display()}") for p in qs[:100]]


VISIT_ACTIONS = ("complete", "cancel", "raise")


def _visit_forms(
    request: AuthedRequest, visit: Visit, data: Any = None, action: str = ""
) -> dict[str, forms.Form]:
    initial = {"version": visit.version}
    made: dict[str, forms.Form] = {}
    if visit.status == VisitStatus.PLANNED:
        made["complete"] = VisitCompleteForm(
            data if action == "complete" else None,
            initial={**initial, "visited_at": timezone.localtime().replace(second=0)},
            problems=_problem_choices(request, visit),
        )
        made["cancel"] = VisitCancelForm(data if action == "cancel" else None, initial=initial)
    if visit.status == VisitStatus.DONE:
        made["raise"] = NewProblemFields(data if action == "raise" else None)
    return made


def _complete(request: AuthedRequest, visit: Visit, data: dict[str, Any]) -> str:
    """Complete the visit and file the new problem heard there, all or nothing."""
    new = data["new_title"].strip()
    with transaction.atomic():
        complete_visit(
            actor=request.user,
            visit_id=visit.pk,
            visited_at=data["visited_at"],
            findings=data["findings"],
            companions=data["companions"],
            version=data["version"],
            problem_ids=data["problems"],
        )
        if new or data["new_category"]:
            try:
                raise_problem_at_visit(
                    actor=request.user,
                    visit_id=visit.pk,
                    category=data["new_category"],
                    urgency=data["new_urgency"] or "normal",
                    title=new,
                    description=data["new_description"],
                )
            except InvalidInput as exc:
                raise InvalidInput(
                    exc.message, errors={f"new_{k}": v for k, v in exc.errors.items()}
                ) from exc
            return _("Visit done; the new problem is filed.")
    return _("Visit done.")


@login_required
def visit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One visit with the problems linked to it; a planned one is completed or cancelled here,
    and a problem heard at a done one is raised here (POST, field "action")."""
    visit = get_visit(request.user, pk)
    may_change = may(request.user, "change", visit)
    action = ""
    data = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in VISIT_ACTIONS:
            raise InvalidInput(_("Choose a step to take."))
        # The right first: one who only sees the visit gets 403, whatever they sent.
        get_visit(request.user, pk, "change")
        data = request.POST
    action_forms = _visit_forms(request, visit, data, action)
    if data is not None:
        if action not in action_forms:
            raise Conflict(
                _("This visit is no longer planned: %(status)s.")
                % {"status": visit.get_status_display()}
            )
        form = action_forms[action]
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                if action == "complete":
                    done = _complete(request, visit, cleaned)
                elif action == "cancel":
                    cancel_visit(
                        actor=request.user,
                        visit_id=pk,
                        reason=cleaned["reason"],
                        version=cleaned["version"],
                    )
                    done = _("Visit cancelled.")
                else:
                    problem = raise_problem_at_visit(actor=request.user, visit_id=pk, **cleaned)
                    done = _("Problem filed as no. %(pk)s.") % {"pk": problem.pk}
            except KeeplineError as exc:
                if exc.status == 409:
                    messages.error(request, exc.message)
                    visit = get_visit(request.user, pk)
                    action_forms = _visit_forms(request, visit)
                elif exc.status == 400:
                    apply_errors(form, exc)
                else:
                    raise
                status = exc.status
            else:
                messages.success(request, done)
                return redirect("service:visit", pk=pk)
        else:
            status = 400
    now = timezone.now()
    linked = [
        (p, problem_selectors.deadline_state(p, now))
        for p in problem_selectors.problems(request.user)
        .filter(pk__in=visit.problems.values("pk"))
        .order_by("-filed_at")
    ]
    return render(
        request,
        "service/visit_detail.html",
        {
            "visit": visit,
            "linked": linked,
            "forms": action_forms if may_change else {},
        },
        status=status,
    )
