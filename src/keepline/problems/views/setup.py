"""The bureau's problem settings as pages: the routing rule book with a "try it" box, the time
limits, and the working-day calendar (a year view, its exceptions and a working-day
calculator; its import is the shared import page, `problems/importers.py`). Everyone who may
view a setting sees it; only the bureau changes it."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from keepline.core.errors import Forbidden, InvalidInput
from keepline.core.models import Department, User
from keepline.core.scopes import Actor, holds, require_role
from keepline.core.web import AuthedRequest, apply_errors
from keepline.problems import selectors
from keepline.problems.calendar import TZ, add_working_days, working_days_between
from keepline.problems.forms.setup import (
    CalculatorForm,
    CalendarDayForm,
    CalendarRemoveForm,
    RoutingRuleForm,
    TimeLimitForm,
    TryRouteForm,
    enterprise_choices,
)
from keepline.problems.models import (
    CalendarDay,
    RoutingRule,
    TimeLimit,
    Urgency,
)
from keepline.problems.rules import may_route_in
from keepline.problems.services import calendar as calendar_services
from keepline.problems.services import limits as limits_services
from keepline.problems.services import routing as routing_services

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _tabs(user: User, active: str) -> dict[str, Any]:
    """The settings' tabs the user may open."""
    tabs = []
    if holds(user, RoutingRule):
        tabs.append(("routing", _("Routing rules"), reverse("problems:setup")))
    if holds(user, TimeLimit):
        tabs.append(("limits", _("Time limits"), reverse("problems:setup_limits")))
    tabs.append(("calendar", _("Working-day calendar"), reverse("problems:setup_calendar")))
    return {"tabs": tabs, "active_tab": active}


# ---- routing rules ---------------------------------------------------------------------------


def may_change_rule(actor: Actor, rule: RoutingRule) -> bool:
    """Whether the actor may change or remove this rule, as the routing service decides."""
    return holds(actor, RoutingRule, "change") and may_route_in(actor, rule.region)


def _rule_initial(rule: RoutingRule) -> dict[str, Any]:
    return {
        "category": rule.category,
        "region": rule.region.code if rule.region else "",
        "department": rule.department_id,
        "handler": rule.handler_id,
    }


@login_required
def routing(request: AuthedRequest) -> HttpResponse:
    """The rule book, the form that adds or changes a rule, and the "try it" box."""
    user = request.user
    rules = list(selectors.routing_rules(user))
    may_change = holds(user, RoutingRule, "change")
    status = 200
    form: RoutingRuleForm | None = None
    if request.method == "POST":
        if not may_change:
            raise Forbidden(_("Your role does not include this."))
        form = RoutingRuleForm(request.POST, actor=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                routing_services.set_routing_rule(
                    actor=user,
                    category=data["category"],
                    region=data["region"],
                    department=Department.objects.filter(pk=data["department"]).first(),
                    handler=User.objects.filter(pk=data["handler"]).first(),
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Routing rule saved."))
                return redirect("problems:setup")
        status = 400
    elif may_change:
        editing = next((r for r in rules if str(r.pk) == request.GET.get("edit")), None)
        initial = _rule_initial(editing) if editing else None
        form = RoutingRuleForm(initial=initial, actor=user)

    try_form = TryRouteForm(
        request.GET if "enterprise" in request.GET else None,
        enterprises=enterprise_choices(user),
    )
    tried: dict[str, Any] | None = None
    if try_form.is_bound and try_form.is_valid():
        enterprise, decision = selectors.decide(
            user, try_form.cleaned_data["enterprise"], try_form.cleaned_data["category"]
        )
        tried = {"enterprise": enterprise, "decision": decision}
    elif try_form.is_bound and status == 200:
        status = 400
    context = {
        "rules": [(r, may_change_rule(user, r)) for r in rules],
        "form": form,
        "may_change": may_change,
        "try_form": try_form,
        "tried": tried,
        **_tabs(user, "routing"),
    }
    return render(request, "problems/setup/routing.html", context, status=status)


@login_required
@require_POST
def rule_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, RoutingRule)
    routing_services.remove_routing_rule(actor=request.user, rule_id=pk)
    messages.success(request, _("Routing rule removed."))
    return redirect("problems:setup")


# ---- time limits -----------------------------------------------------------------------------


@login_required
def limits(request: AuthedRequest) -> HttpResponse:
    """The time-limit rules, the built-in default, what each category and urgency gets, and
    the form that adds or changes a rule."""
    user = request.user
    rules = list(selectors.time_limits(user))
    may_change = holds(user, TimeLimit, "change")
    status = 200
    form: TimeLimitForm | None = None
    if request.method == "POST":
        if not may_change:
            raise Forbidden(_("Your role does not include this."))
        form = TimeLimitForm(request.POST)
        if form.is_valid():
            try:
                limits_services.set_time_limit(actor=user, **form.cleaned_data)
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Time limits saved."))
                return redirect("problems:setup_limits")
        status = 400
    elif may_change:
        editing = next((r for r in rules if str(r.pk) == request.GET.get("edit")), None)
        initial: dict[str, Any] = {
            "acknowledge_hours": selectors.DEFAULT_ACKNOWLEDGE_HOURS,
            "interim_days": selectors.DEFAULT_INTERIM_DAYS,
            "close_days": selectors.DEFAULT_CLOSE_DAYS,
        }
        if editing is not None:
            initial = {
                "category": editing.category,
                "urgency": editing.urgency,
                "acknowledge_hours": editing.acknowledge_hours,
                "interim_days": editing.interim_days,
                "close_days": editing.close_days,
            }
        form = TimeLimitForm(initial=initial)
    context = {
        "rules": rules,
        "has_any_rule": any(r.category == "" and r.urgency == "" for r in rules),
        "default": selectors.Limits(
            selectors.DEFAULT_ACKNOWLEDGE_HOURS,
            selectors.DEFAULT_INTERIM_DAYS,
            selectors.DEFAULT_CLOSE_DAYS,
        ),
        "urgencies": Urgency.choices,
        "effective": selectors.effective_limits(),
        "form": form,
        "may_change": may_change,
        **_tabs(user, "limits"),
    }
    return render(request, "problems/setup/limits.html", context, status=status)


@login_required
@require_POST
def limit_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, TimeLimit)
    limits_services.remove_time_limit(actor=request.user, limit_id=pk)
    messages.success(request, _("Time limits removed."))
    return redirect("problems:setup_limits")


# ---- calendar --------------------------------------------------------------------------------


def _year(request: AuthedRequest) -> int:
    """The year asked for, or this year when none (or no sensible one) is given."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return (
        year if selectors.FIRST_YEAR <= year <= selectors.LAST_YEAR else timezone.localdate().year
    )


def year_grid(year: int, days: list[CalendarDay]) -> list[dict[str, Any]]:
    """Twelve month grids (weeks from Monday) of cells saying whether each day is worked."""
    exceptions = {d.date: d for d in days}
    grid = pycalendar.Calendar(firstweekday=0)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in grid.monthdatescalendar(year, month):
            cells: list[dict[str, Any] | None] = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                exception = exceptions.get(day)
                weekend = day.weekday() >= 5
                working = exception.working if exception else not weekend
                if exception and not working:
                    kind = "holiday"
                elif exception and working:
                    kind = "makeup" if weekend else "working"
                else:
                    kind = "weekend" if weekend else "working"
                cells.append({"date": day, "kind": kind, "exception": exception})
            weeks.append(cells)
        months.append({"month": month, "weeks": weeks})
    return months


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=TZ)


def calculate(start: dt.date, end: dt.date | None, days: int | None) -> dict[str, Any]:
    """The calculator's answers: working days after `start` up to `end`, `start` + `days`."""
    out: dict[str, Any] = {"start": start, "end": end, "days": days}
    if end is not None:
        out["between"] = working_days_between(_noon(start), _noon(end))
    if days is not None:
        out["plus"] = add_working_days(_noon(start), days).date()
    return out


@login_required
def calendar_page(request: AuthedRequest) -> HttpResponse:
    """A year of working days: month grids, the list of exceptions, the form that adds one,
    and the calculator (GET start, end and/or days)."""
    user = request.user
    require_role(user, CalendarDay)
    may_change = holds(user, CalendarDay, "change")
    year = _year(request)
    status = 200
    form: CalendarDayForm | None = None
    if request.method == "POST":
        if not may_change:
            raise Forbidden(_("Your role does not include this."))
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            day = calendar_services.set_calendar_day(
                actor=user, date=data["date"], working=data["working"], name=data["name"]
            )
            messages.success(
                request, _("%(date)s saved.") % {"date": day.date.strftime("%Y-%m-%d")}
            )
            return redirect(f"{reverse('problems:setup_calendar')}?year={day.date.year}")
        status = 400
    elif may_change:
        form = CalendarDayForm()
    days = list(selectors.calendar_days(user, year))
    calc_form = CalculatorForm(request.GET if "start" in request.GET else None)
    result = None
    if calc_form.is_bound:
        if calc_form.is_valid():
            data = calc_form.cleaned_data
            result = calculate(data["start"], data.get("end"), data.get("days"))
        elif status == 200:
            status = 400
    context = {
        "year": year,
        "previous": year - 1 if year > selectors.FIRST_YEAR else None,
        "next": year + 1 if year < selectors.LAST_YEAR else None,
        "months": year_grid(year, days),
        "days": days,
        "form": form,
        "remove_form": CalendarRemoveForm(),
        "calc_form": calc_form,
        "result": result,
        "may_change": may_change,
        # Two letters: a month grid is seven narrow columns (Chinese: 一 二 三 … 日).
        "weekdays": [
            pgettext("calendar column", "Mo"),
            pgettext("calendar column", "Tu"),
            pgettext("calendar column", "We"),
            pgettext("calendar column", "Th"),
            pgettext("calendar column", "Fr"),
            pgettext("calendar column", "Sa"),
            pgettext("calendar column", "Su"),
        ],
        **_tabs(user, "calendar"),
    }
    return render(request, "problems/setup/calendar.html", context, status=status)


@login_required
@require_POST
def calendar_remove(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, CalendarDay, "change")
    form = CalendarRemoveForm(request.POST)
    if not form.is_valid():
        message = _("Give a date like 2023-01-02.")
        raise InvalidInput(message, errors={"date": [message]})
    day = form.cleaned_data["date"]
    calendar_services.remove_calendar_day(actor=request.user, date=day)
    messages.success(
        request, _("%(date)s follows Monday to Friday again.") % {"date": f"{day:%Y-%m-%d}"}
    )
    return redirect(f"{reverse('problems:setup_calendar')}?year={day.year}")
