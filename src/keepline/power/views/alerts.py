"""Power alert pages: the list (filters, export, detection for a period), one alert with its
evidence chart, assignment and closing, and an enterprise's power timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.bubble.models import EnterpriseMode
from keepline.core.errors import InvalidInput, KeeplineError
from keepline.core.lists import export_response, list_page
from keepline.core.models import User
from keepline.core.scopes import get_for, holds, may, require_role, visible
from keepline.core.web import AuthedRequest, apply_errors
from keepline.enterprises.models import Enterprise, PowerAccount
from keepline.power.forms import AssignForm, CloseForm, DetectForm, TimelineForm
from keepline.power.metrics.baselines import Baseline
from keepline.power.models import AlertStatus, DailyReading, LoadProfile, PowerAlert
from keepline.power.selectors import alerts as alert_selectors
from keepline.power.selectors import detection as day_selectors
from keepline.power.selectors.alerts import ALERTS
from keepline.power.services import alerts as alert_services
from keepline.power.services import detection

TIMELINE_DAYS = 90  # the timeline's default span: the last 90 days with data
AROUND = 14  # days shown either side of an alert
MODE_COLOURS = {
    EnterpriseMode.NORMAL: "#59a14f",
    EnterpriseMode.CLOSED_LOOP: "#4e79a7",
    EnterpriseMode.SEMI_CLOSED: "#76b7b2",
    EnterpriseMode.HALTED: "#e15759",
    EnterpriseMode.SEASONAL_STOP: "#bab0ac",
}


# ---- the list --------------------------------------------------------------------------------


def _detect_initial() -> dict[str, Any]:
    """The last week with meter data, as the detection form's period."""
    last = DailyReading.objects.aggregate(last=Max("day"))["last"] or (
        timezone.localdate() - dt.timedelta(days=1)
    )
    return {"start": last - dt.timedelta(days=6), "end": last}


def _list_page(request: AuthedRequest, detect_form: DetectForm | None = None) -> HttpResponse:
    may_detect = holds(request.user, PowerAlert, "change")
    if may_detect and detect_form is None:
        detect_form = DetectForm(initial=_detect_initial())
    return list_page(
        request,
        ALERTS,
        "power/alerts_list.html",
        "power/alerts_results.html",
        {
            "export_url": reverse("power:alerts_export"),
            "detect_form": detect_form if may_detect else None,
        },
    )


@login_required
def alert_list(request: AuthedRequest) -> HttpResponse:
    """The alerts of the user's area, filtered and sorted; handlers detect for a period here."""
    require_role(request.user, PowerAlert)
    return _list_page(request)


@login_required
def alert_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, PowerAlert)
    return export_response(request, ALERTS)


@login_required
@require_POST
def alert_detect(request: AuthedRequest) -> HttpResponse:
    """Judge the days of a period for the enterprises the user handles."""
    require_role(request.user, PowerAlert, "change")
    form = DetectForm(request.POST)
    if form.is_valid():
        try:
            done = detection.detect_alerts(
                actor=request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                baseline=form.chosen_baseline(),
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            if done.end is None:
                messages.info(request, _("No meter data for this period yet: nothing judged."))
            else:
                messages.success(
                    request,
                    _(
                        "%(enterprises)s enterprises judged from %(start)s to %(end)s: "
                        "%(created)s alerts raised, %(extended)s extended, %(unchanged)s "
                        "unchanged."
                    )
                    % {
                        "enterprises": done.enterprises,
                        "start": done.start.isoformat(),
                        "end": done.end.isoformat(),
                        "created": done.created,
                        "extended": done.extended,
                        "unchanged": done.unchanged,
                    },
                )
            query = {"date_from": form.cleaned_data["start"], "date_to": form.cleaned_data["end"]}
            return redirect(reverse("power:alerts") + "?" + urlencode(query))
    response = _list_page(request, form)
    response.status_code = 400
    return response


# ---- charts ----------------------------------------------------------------------------------


def _mode_label(value: str | None) -> str:
    return str(EnterpriseMode(value).label) if value in EnterpriseMode.values else ""


def power_chart(
    enterprise: Enterprise,
    start: dt.date,
    end: dt.date,
    baseline: Baseline,
    window: tuple[dt.date, dt.date] | None = None,
) -> tuple[dict[str, Any], list[day_selectors.Day]]:
    """The chart data of daily energy against the baseline with both modes, and its days."""
    days = day_selectors.enterprise_day_table(
        Enterprise.objects.filter(pk=enterprise.pk), start, end, baseline
    )
    data = {
        "days": [d.day.isoformat() for d in days],
        "kwh": [d.kwh for d in days],
        "baseline": [d.baseline for d in days],
        "official": [d.official_mode for d in days],
        "reported": [d.reported_mode for d in days],
        "modes": [
            {"value": m.value, "label": str(m.label), "colour": MODE_COLOURS[m]}
            for m in EnterpriseMode
        ],
        "window": [window[0].isoformat(), window[1].isoformat()] if window else None,
        "labels": {
            "kwh": _("Energy (kWh)"),
            "baseline": _("Baseline (kWh)"),
            "official": _("Official mode"),
            "reported": _("Reported mode"),
            "window": _("Alert"),
        },
    }
    return data, days


def _day_rows(days: list[day_selectors.Day]) -> list[dict[str, Any]]:
    return [
        {
            "day": d.day,
            "kwh": d.kwh,
            "baseline": d.baseline,
            "ratio": d.ratio,
            "official": _mode_label(d.official_mode),
            "reported": _mode_label(d.reported_mode),
            "missing": d.accounts - d.accounts_read,
        }
        for d in days
    ]


# ---- one alert -------------------------------------------------------------------------------


def _evidence_rows(alert: PowerAlert) -> list[dict[str, Any]]:
    sources = dict(day_selectors.ModeSource.choices)
    return [
        e
        | {
            "mode_label": _mode_label(e.get("mode")),
            "source_label": sources.get(e.get("source", ""), ""),
        }
        for e in alert.evidence
    ]


@login_required
def alert_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The evidence of one alert (chart and table), who has it, closing it, and its history."""
    qs = PowerAlert.objects.select_related(
        "enterprise__region", "enterprise__park", "assignee", "closed_by"
    )
    alert = get_for(qs, request.user, pk)
    users = list(alert_selectors.assignable_users(alert.enterprise))
    assign_form = AssignForm(
        initial={"assignee": alert.assignee_id, "version": alert.version}, users=users
    )
    close_form = CloseForm(initial={"version": alert.version})
    status = 200
    if request.method == "POST":
        alert = get_for(qs, request.user, pk, "change")
        action = request.POST.get("action")
        if action not in {"assign", "close"}:
            raise InvalidInput(_("Say whether to assign or to close the alert."))
        form: forms.Form = (
            AssignForm(request.POST, users=users) if action == "assign" else CloseForm(request.POST)
        )
        if action == "assign":
            assign_form = form  # type: ignore[assignment]
        else:
            close_form = form  # type: ignore[assignment]
        if form.is_valid():
            try:
                if action == "assign":
                    assignee = User.objects.get(pk=form.cleaned_data["assignee"])
                    alert_services.assign_alert(
                        actor=request.user,
                        alert=alert,
                        assignee=assignee,
                        version=form.cleaned_data["version"],
                    )
                    messages.success(
                        request, _("Assigned to %(user)s.") % {"user": assignee.get_username()}
                    )
                else:
                    alert_services.close_alert(
                        actor=request.user,
                        alert=alert,
                        reason=form.cleaned_data["reason"],
                        version=form.cleaned_data["version"],
                    )
                    messages.success(request, _("Alert closed."))
            except KeeplineError as exc:
                if exc.status not in (400, 409):
                    raise
                apply_errors(form, exc)
                status = exc.status
            else:
                return redirect("power:alert", pk=pk)
        else:
            status = 400
        alert = get_for(qs, request.user, pk)
    basis = alert.evidence[-1].get("basis", {}) if alert.evidence else {}
    baseline = day_selectors.basis_baseline(basis)
    start = alert.first_day - dt.timedelta(days=AROUND)
    end = min(alert.last_day + dt.timedelta(days=AROUND), timezone.localdate())
    chart, days = power_chart(
        alert.enterprise,
        start,
        max(end, alert.last_day),
        baseline,
        (alert.first_day, alert.last_day),
    )
    return render(
        request,
        "power/alerts_detail.html",
        {
            "alert": alert,
            "chart": chart,
            "rows": _day_rows(days),
            "around": AROUND,
            "evidence": _evidence_rows(alert),
            "baseline": baseline.describe(),
            "may_change": alert.status == AlertStatus.OPEN and may(request.user, "change", alert),
            "assign_form": assign_form,
            "close_form": close_form,
            "history": alert_selectors.history(alert),
            "may_see_timeline": holds(request.user, DailyReading),
        },
        status=status,
    )


# ---- an enterprise's power timeline ----------------------------------------------------------


@login_required
def enterprise_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    """Daily energy against the baseline with the official and reported modes; gaps stay gaps.
    Below: the accounts, a day's load shape against the usual one, and the alerts."""
    require_role(request.user, DailyReading)
    enterprise = get_for(Enterprise.objects.select_related("region", "park"), request.user, pk)
    one = Enterprise.objects.filter(pk=pk)
    form = TimelineForm(request.GET or None)
    status = 200
    today = timezone.localdate()
    last = day_selectors.last_reading_day(one, today) or today
    start, end = last - dt.timedelta(days=TIMELINE_DAYS - 1), last
    baseline = Baseline()
    shape_day: dt.date | None = None
    if request.GET and not form.is_valid():
        status = 400
    elif request.GET:
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
        shape_day = form.cleaned_data["day"]
        try:
            day_selectors.check_period(start, end)
            baseline = form.chosen_baseline()
        except InvalidInput as exc:
            apply_errors(form, exc)
            status = 400
            start, end = last - dt.timedelta(days=TIMELINE_DAYS - 1), last
            baseline = Baseline()
    chart, days = power_chart(enterprise, start, end, baseline)
    profiles = visible(LoadProfile.objects.filter(account__enterprise=enterprise), request.user)
    if shape_day is None:
        shape_day = profiles.filter(day__lte=end).aggregate(last=Max("day"))["last"]
    shape: dict[str, Any] | None = None
    shape_rows: list[tuple[str, float | None, float | None]] = []
    if shape_day is not None:
        today_shape = day_selectors.hourly_shapes(one, shape_day, shape_day).get((pk, shape_day))
        usual = day_selectors.usual_shape(
            day_selectors.hourly_shapes(one, *day_selectors.reference_days(shape_day)).values()
        )
        hours = [f"{h:02d}:00" for h in range(day_selectors.HOURS)]
        nothing: list[float | None] = [None] * day_selectors.HOURS
        shape_rows = list(
            zip(hours, today_shape or nothing, usual.hourly if usual else nothing, strict=True)
        )
        shape = {
            "day": shape_day.isoformat(),
            "hours": hours,
            "today": today_shape,
            "usual": usual.hourly if usual else None,
            "today_cv": day_selectors.variation(today_shape) if today_shape else None,
            "usual_cv": usual.variation if usual else None,
            "usual_days": usual.days if usual else 0,
            "labels": {
                "today": shape_day.isoformat(),
                "usual": _("Usual (mean of the %(days)s days before)")
                % {"days": settings.KEEPLINE_POWER_IDLE_REFERENCE_DAYS},
            },
        }
    alerts = (
        alert_selectors.enterprise_alerts(request.user, enterprise)[:50]
        if holds(request.user, PowerAlert)
        else None
    )
    return render(
        request,
        "power/timeline.html",
        {
            "enterprise": enterprise,
            "form": form,
            "start": start,
            "end": end,
            "baseline": baseline.describe(),
            "chart": chart,
            "rows": _day_rows(days),
            "accounts": visible(PowerAccount.objects.filter(enterprise=enterprise), request.user),
            "shape": shape,
            "shape_rows": shape_rows,
            "alerts": alerts,
        },
        status=status,
    )
