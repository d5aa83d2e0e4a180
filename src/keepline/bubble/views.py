"""Pages of closed-loop production: plans and their review, an enterprise's closed-loop page,
modes as of any moment, change requests, and the switching of a control measure's area."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from keepline.bubble import rules, selectors
from keepline.bubble.forms import DecisionForm, EndForm, ModeSetForm, PlanForm, RequestForm
from keepline.bubble.models import (
    ClosedLoopPlan,
    EnterpriseMode,
    MeasureSwitch,
    ModeChangeRequest,
    ModeRecord,
    ModeRequestReview,
    PlanReview,
    PlanStatus,
    RequestStatus,
)
from keepline.bubble.readiness import readiness
from keepline.bubble.services import modes as mode_services
from keepline.bubble.services import plans as plan_services
from keepline.bubble.services import requests as request_services
from keepline.bubble.services import switching as switch_services
from keepline.core.errors import Forbidden, InvalidInput
from keepline.core.lists import export_response, list_page
from keepline.core.scopes import get_for, holds, require_role, visible
from keepline.core.web import AuthedRequest, form_page, paginate
from keepline.enterprises.models import Enterprise
from keepline.places.models import ControlMeasure, Park

# ---- plans -----------------------------------------------------------------------------------


@login_required
def plan_list(request: AuthedRequest) -> HttpResponse:
    """Plans the user sees; officials who decide land on those waiting for them."""
    require_role(request.user, ClosedLoopPlan)
    writable_parks = [
        p
        for p in visible(Park.objects.select_related("region"), request.user, "change")[:20]
        if rules.may_write_plan(request.user, enterprise=None, park=p)
    ]
    own_enterprises = (
        visible(Enterprise.objects.all(), request.user)[:5] if not holds(request.user, Park) else []
    )
    decider = holds(request.user, PlanReview)
    waiting = _waiting(request, decider)
    return list_page(
        request,
        selectors.PLANS,
        "bubble/plans.html",
        "bubble/_plans.html",
        {
            "export_url": reverse("bubble:plans_export"),
            "waiting": waiting,
            "decider": decider,
            "writable_parks": writable_parks,
            "own_enterprises": own_enterprises,
        },
    )


@login_required
def plan_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ClosedLoopPlan)
    return export_response(request, selectors.PLANS)


def _waiting(request: AuthedRequest, decider: bool) -> bool:
    """Whether the list shows only what waits for the user's decision (its tab is active). The
    page lands there for an official who decides; the API's default stays everything."""
    if "waiting" not in request.GET:
        landing = request.GET.copy()
        landing["waiting"] = "1" if decider else "0"
        request.GET = landing  # type: ignore[assignment]
    return request.GET["waiting"].lower() in ("1", "true")


def _plan(request: AuthedRequest, pk: int) -> ClosedLoopPlan:
    return get_for(
        ClosedLoopPlan.objects.select_related("enterprise__region", "park__region"),
        request.user,
        pk,
    )


@login_required
def plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    checks = readiness(plan)
    decides = plan.status == PlanStatus.SUBMITTED and rules.decides(request.user, plan)
    return render(
        request,
        "bubble/plan.html",
        {
            "plan": plan,
            "rules": checks,
            "failed": sum(1 for r in checks if not r.passed),
            "qualifies": selectors.gives_qualification(plan, timezone.now()),
            "decides": decides,
            "form": DecisionForm(initial={"version": plan.version}) if decides else None,
            "can_write": rules.may_write_plan(
                request.user, enterprise=plan.enterprise, park=plan.park
            ),
        },
    )


def _errors(exc: InvalidInput) -> str:
    """A service's errors as one message, for the forms posted from a detail page."""
    return "; ".join(m for ms in exc.errors.values() for m in ms) or exc.message


def _decide(
    request: AuthedRequest,
    decide: Callable[..., object],
    outcomes: tuple[str, str],
    back: str,
    pk: int,
) -> HttpResponse:
    """Approve, or return or refuse, a plan or a change request from its page; back there with
    the outcome (approved, not approved) or the service's errors."""
    form = DecisionForm(request.POST)
    form.is_valid()
    approve = request.POST.get("decision") == "approve"
    try:
        decide(
            approve=approve,
            note=form.cleaned_data.get("note") or "",
            version=form.cleaned_data.get("version"),
        )
    except InvalidInput as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, outcomes[0] if approve else outcomes[1])
    return redirect(back, pk)


@login_required
@require_POST
def plan_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    decide = partial(plan_services.decide_plan, actor=request.user, plan_id=pk)
    return _decide(request, decide, (_("Plan approved."), _("Plan returned.")), "bubble:plan", pk)


def _plan_form(
    request: AuthedRequest, *, enterprise: Enterprise | None, park: Park | None
) -> HttpResponse:
    """Write the open draft, or start the next version from the latest one."""
    if not rules.may_write_plan(request.user, enterprise=enterprise, park=park):
        raise Forbidden(_("You may see this but not change it."))
    versions = selectors.plan_versions(request.user, enterprise=enterprise, park=park)
    latest = versions.first()
    initial: dict[str, Any] = {}
    if latest is not None:
        initial = {name: getattr(latest, name) for name in plan_services.PLAN_FIELDS}
        if latest.status == PlanStatus.DRAFT:
            initial["version"] = latest.version
    pending = latest is not None and latest.status == PlanStatus.SUBMITTED
    form = PlanForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> HttpResponse:
        submit = "submit" in request.POST
        plan = plan_services.save_plan(
            actor=request.user,
            data={k: v for k, v in data.items() if k != "version"},
            enterprise_id=enterprise.pk if enterprise else None,
            park_id=park.pk if park else None,
            submit=submit,
            version=data.get("version"),
        )
        messages.success(
            request, _("Plan submitted for decision.") if submit else _("Draft saved.")
        )
        return redirect("bubble:plan", plan.pk)

    return form_page(
        request,
        form,
        "bubble/plan_form.html",
        save,
        {
            "subject": enterprise or park,
            "enterprise": enterprise,
            "park": park,
            "latest": latest,
            "pending": pending,
        },
    )


@login_required
def plan_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    enterprise = get_for(Enterprise.objects.select_related("region", "park"), request.user, pk)
    return _plan_form(request, enterprise=enterprise, park=None)


@login_required
def park_plan_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, ClosedLoopPlan)
    park = get_for(Park.objects.select_related("region"), request.user, pk)
    return _plan_form(request, enterprise=None, park=park)


@login_required
def park_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """A park's own plan (一园一策): its versions and whether it qualifies now."""
    require_role(request.user, ClosedLoopPlan)
    park = get_for(Park.objects.select_related("region"), request.user, pk)
    versions = list(selectors.plan_versions(request.user, park=park))
    now = timezone.now()
    current = selectors.qualifying_plan(park=park, at=now)
    return render(
        request,
        "bubble/park.html",
        {
            "park": park,
            "versions": versions,
            "rules": readiness(versions[0]) if versions else [],
            "current": current,
            "qualified": selectors.qualifies(current, now),
            "can_write": rules.may_write_plan(request.user, enterprise=None, park=park),
        },
    )


# ---- an enterprise's closed-loop page --------------------------------------------------------


@login_required
def enterprise_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The enterprise's mode now and its history, its plan versions and readiness, and its
    change requests; the forms its liaison and officials use."""
    enterprise = get_for(Enterprise.objects.select_related("region", "park"), request.user, pk)
    now = timezone.now()
    annotated = selectors.with_mode_since(Enterprise.objects.filter(pk=pk), now).get()
    versions = list(selectors.plan_versions(request.user, enterprise=enterprise))
    current = selectors.qualifying_plan(enterprise=enterprise, at=now)
    can_set = rules.may_set_mode(request.user, enterprise)
    can_request = rules.may_request_mode(request.user, enterprise)
    return render(
        request,
        "bubble/enterprise.html",
        {
            "enterprise": enterprise,
            "mode": annotated.mode,  # type: ignore[attr-defined]
            "since": annotated.mode_since,  # type: ignore[attr-defined]
            "reason": annotated.mode_reason,  # type: ignore[attr-defined]
            "history": selectors.history(request.user, enterprise)[:50],
            "versions": versions,
            "rules": readiness(versions[0]) if versions else [],
            "current": current,
            "qualified": selectors.qualifies(current, now),
            "requests": selectors.enterprise_requests(request.user, enterprise)[:20],
            "can_write": rules.may_write_plan(request.user, enterprise=enterprise, park=None),
            "can_set": can_set,
            "can_request": can_request,
            "set_form": ModeSetForm() if can_set else None,
            "now": now,
        },
    )


@login_required
@require_POST
def mode_set(request: AuthedRequest, pk: int) -> HttpResponse:
    form = ModeSetForm(request.POST)
    if not form.is_valid():
        get_for(Enterprise.objects.all(), request.user, pk)
        messages.error(request, _("Choose a mode and give the reason."))
        return redirect("bubble:enterprise", pk)
    try:
        mode_services.set_mode(actor=request.user, enterprise_id=pk, **form.cleaned_data)
    except InvalidInput as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Mode recorded."))
    return redirect("bubble:enterprise", pk)


# ---- change requests -------------------------------------------------------------------------


@login_required
def request_new(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, ModeChangeRequest, "create")
    enterprise = get_for(Enterprise.objects.select_related("region", "park"), request.user, pk)
    if not rules.may_request_mode(request.user, enterprise):
        raise Forbidden(_("Only the enterprise's liaison asks for its mode to change."))
    mode = selectors.modes_at(Enterprise.objects.filter(pk=pk), timezone.now())[pk]

    def save(data: dict[str, Any]) -> HttpResponse:
        change = request_services.request_mode_change(actor=request.user, enterprise_id=pk, **data)
        messages.success(request, _("Request sent."))
        return redirect("bubble:request", change.pk)

    form = RequestForm(request.POST or None)
    context = {"enterprise": enterprise, "mode": EnterpriseMode(mode)}
    return form_page(request, form, "bubble/request_form.html", save, context)


@login_required
def request_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ModeChangeRequest)
    decider = holds(request.user, ModeRequestReview)
    waiting = _waiting(request, decider)
    return list_page(
        request,
        selectors.REQUESTS,
        "bubble/requests.html",
        "bubble/_requests.html",
        {
            "export_url": reverse("bubble:requests_export"),
            "waiting": waiting,
            "decider": decider,
        },
    )


@login_required
def request_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ModeChangeRequest)
    return export_response(request, selectors.REQUESTS)


@login_required
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    change = get_for(
        ModeChangeRequest.objects.select_related("enterprise__region", "mode_record"),
        request.user,
        pk,
    )
    decides = change.status == RequestStatus.PENDING and rules.decides(request.user, change)
    return render(
        request,
        "bubble/request.html",
        {
            "change": change,
            "decides": decides,
            "form": DecisionForm(initial={"version": change.version}) if decides else None,
        },
    )


@login_required
@require_POST
def request_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    decide = partial(request_services.decide_mode_request, actor=request.user, request_id=pk)
    outcomes = (_("Request approved."), _("Request refused."))
    return _decide(request, decide, outcomes, "bubble:request", pk)


# ---- modes -----------------------------------------------------------------------------------


@login_required
def mode_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ModeRecord)
    counts, as_of = selectors.mode_summary(request.user, request.GET)
    return list_page(
        request,
        selectors.MODES,
        "bubble/modes.html",
        "bubble/_modes.html",
        {
            "export_url": reverse("bubble:modes_export"),
            "as_of": as_of,
            "counts": [(EnterpriseMode(m), n) for m, n in counts.items()],
            "total": sum(counts.values()),
        },
    )


@login_required
def mode_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ModeRecord)
    return export_response(request, selectors.MODES)


# ---- switching -------------------------------------------------------------------------------


@login_required
def switching(request: AuthedRequest) -> HttpResponse:
    """Control measures and where each stands in switching modes."""
    require_role(request.user, MeasureSwitch)
    state = request.GET.get("state", "")
    page, query = paginate(request, selectors.measures_for_switching(request.user, state))
    return render(
        request,
        "bubble/switching.html",
        {"page": page, "query": query, "state": state, "now": timezone.now()},
    )


@login_required
def switch_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The preview table with counts by proposed mode and one confirm button; once switched,
    the form that ends the measure's modes on a date."""
    preview = switch_services.preview_switch(actor=request.user, measure_id=pk)
    measure: ControlMeasure = preview.measure
    done = selectors.switch_of(measure)
    shown = request.GET.get("mode", "")
    rows = [r for r in preview.rows if not shown or r.proposed == shown]
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_switch = holds(request.user, MeasureSwitch, "change") and rules.can_switch(
        request.user, measure
    )
    end_initial = {}
    if measure.ends_at:
        end_initial["return_on"] = timezone.localtime(measure.ends_at).date()
    return render(
        request,
        "bubble/switch.html",
        {
            "measure": measure,
            "preview": preview,
            "counts": [(EnterpriseMode(m), n) for m, n in preview.counts.items()],
            "page": page,
            "query": query.urlencode(),
            "shown": shown,
            "modes": EnterpriseMode.choices,
            "done": done,
            "can_switch": can_switch,
            "end_form": EndForm(initial=end_initial),
        },
    )


@login_required
@require_POST
def switch_confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        expected = int(request.POST.get("expected_count", ""))
    except ValueError:
        expected = -1
    done = switch_services.confirm_switch(
        actor=request.user, measure_id=pk, expected_count=expected
    )
    messages.success(
        request,
        ngettext(
            "%(count)s enterprise switched from %(at)s.",
            "%(count)s enterprises switched from %(at)s.",
            done.switched,
        )
        % {
            "count": done.switched,
            "at": timezone.localtime(done.effective_at).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return redirect("bubble:switch", pk)


@login_required
@require_POST
def switch_end(request: AuthedRequest, pk: int) -> HttpResponse:
    form = EndForm(request.POST)
    if not form.is_valid():
        require_role(request.user, MeasureSwitch, "change")
        get_for(ControlMeasure.objects.all(), request.user, pk)
        messages.error(request, _("Give the date from which the area is back to normal."))
        return redirect("bubble:switch", pk)
    try:
        done = switch_services.end_measure_modes(
            actor=request.user, measure_id=pk, return_on=form.cleaned_data["return_on"]
        )
    except InvalidInput as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s enterprise returns to normal from %(day)s.",
                "%(count)s enterprises return to normal from %(day)s.",
                done.returned or 0,
            )
            % {"count": done.returned, "day": form.cleaned_data["return_on"].isoformat()},
        )
    return redirect("bubble:switch", pk)
