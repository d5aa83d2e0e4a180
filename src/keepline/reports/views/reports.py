"""The report list and its export, and the liaison's report form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.bubble.selectors import modes_at
from keepline.core.errors import Forbidden, InvalidInput, KeeplineError
from keepline.core.lists import listing_views
from keepline.core.scopes import get_for, holds, holds_area
from keepline.core.web import AuthedRequest, apply_errors
from keepline.enterprises.models import Enterprise
from keepline.reports import rules, selectors, services
from keepline.reports.forms import ReportForm
from keepline.reports.models import DailyReport, ReportChase, ReportDeadline
from keepline.reports.validation import REPORT_FIELDS, parse_date


def requested_day(value: str | None) -> dt.date:
    """A date from a query parameter, today without one; a bad one is named, not replaced."""
    if not value:
        return timezone.localdate()
    day = parse_date(value)
    if day is None:
        raise InvalidInput(_("Not a date (write it as 2022-09-11): %(value)s.") % {"value": value})
    return day


def _list_extra(request: AuthedRequest) -> dict[str, Any]:
    """A liaison sees their own enterprise's reports, the dates they were asked to report for,
    and the way to today's form; officials the buttons they may press."""
    return {
        "own": [
            {"enterprise": e, "chases": selectors.pending_chases(request.user, e)}
            for e in selectors.own_enterprises(request.user)
        ],
        "can_chase": holds(request.user, ReportChase, "change"),
        "can_import": holds_area(request.user, DailyReport),
        "can_deadlines": holds(request.user, ReportDeadline),
    }


report_list, report_export = listing_views(
    selectors.REPORTS,
    "reports/list.html",
    "reports/_results.html",
    export="reports:export",
    extra=_list_extra,
)


def _initial(enterprise: Enterprise, day: dt.date) -> tuple[dict[str, Any], DailyReport | None]:
    """The form starts from the report already filed for the day, else from the last one
    before it, so a liaison changes only what changed since yesterday."""
    report = selectors.report_for(enterprise, day)
    source = report or selectors.last_report_before(enterprise, day)
    initial: dict[str, Any] = {"date": day.isoformat(), "version": report.version if report else 0}
    if source is not None:
        initial |= {name: getattr(source, name) for name in REPORT_FIELDS}
        if report is None:
            initial["problems"] = ""  # yesterday's problems are not today's report
    if report is None:
        # The mode the district decided is today's starting point, not yesterday's report.
        initial["mode"] = modes_at(
            Enterprise.objects.filter(pk=enterprise.pk), selectors.end_of(day)
        )[enterprise.pk]
    return initial, report


@login_required
def report_form(request: AuthedRequest, pk: int) -> HttpResponse:
    enterprise = get_for(Enterprise.objects.select_related("region", "park"), request.user, pk)
    if not rules.may_report(request.user, enterprise):
        raise Forbidden(_("You may see this enterprise but not report for it."))
    # The day the form opened on; a posted date is the service's to judge, field by field.
    day = requested_day(request.GET.get("date"))
    initial, report = _initial(enterprise, day)
    form = ReportForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                saved, created = services.submit_report(
                    actor=request.user,
                    enterprise_id=enterprise.pk,
                    data=data,
                    version=form.cleaned_data["version"],
                )
            except KeeplineError as exc:
                if exc.status not in (400, 409):
                    raise
                apply_errors(form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    (
                        _("Report for %(date)s filed.")
                        if created
                        else _("Report for %(date)s saved.")
                    )
                    % {"date": saved.date.isoformat()},
                )
                if saved.late and created:
                    messages.warning(request, _("The report came after the deadline."))
                return redirect(reverse("reports:report", args=[pk]) + f"?date={saved.date}")
    return render(
        request,
        "reports/report_form.html",
        {
            "enterprise": enterprise,
            "form": form,
            "day": day,
            "report": report,
            "due_at": selectors.due_at(enterprise.region, day),
            "chases": selectors.pending_chases(request.user, enterprise),
            "recent": selectors.recent_reports(request.user, enterprise),
        },
        status=status,
    )
