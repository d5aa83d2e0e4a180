"""Who has not reported for a date, and asking them to."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core.lists import export_response, list_page
from keepline.core.scopes import require_role
from keepline.core.web import AuthedRequest
from keepline.reports import selectors, services
from keepline.reports.models import ReportChase
from keepline.reports.views.reports import requested_day

# The missing list's filters, which its chase buttons post back to come back to the same list.
FILTERS = ("date", "region", "park", "industry")


def _filters(data: QueryDict) -> dict[str, str]:
    return {name: data.get(name, "") for name in FILTERS}


@login_required
def missing(request: AuthedRequest) -> HttpResponse:
    """Who has not reported for a date in the user's area, when each is due, how often asked."""
    require_role(request.user, ReportChase, "change")
    bound = selectors.MISSING.bind(request.user, request.GET)
    bound.is_valid()  # a bad date is the list's to name; the rest of the page shows today
    day = bound.day
    return list_page(
        request,
        selectors.MISSING,
        "reports/missing.html",
        "reports/_missing.html",
        {
            "export_url": reverse("reports:missing_export"),
            "day": day,
            "deadlines": selectors.Deadlines(day),
            "now": timezone.now(),
            "future": day > timezone.localdate(),
            "area": _filters(request.GET) | {"date": day.isoformat()},
        },
    )


@login_required
def missing_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ReportChase, "change")
    return export_response(request, selectors.MISSING)


def _chased(request: AuthedRequest, outcome: services.ChaseOutcome, day: dt.date) -> None:
    if outcome.chased:
        messages.success(
            request,
            _("%(count)s enterprises asked to report for %(date)s.")
            % {"count": len(outcome.chased), "date": day.isoformat()},
        )
    if outcome.already_reported:
        messages.info(
            request,
            _("Already reported: %(names)s.")
            % {"names": ", ".join(e.name for e in outcome.already_reported)},
        )
    if outcome.not_required:
        messages.info(
            request,
            _("Need not report: %(names)s.")
            % {"names": ", ".join(e.name for e in outcome.not_required)},
        )


def _back_to_missing(data: QueryDict, day: dt.date) -> HttpResponse:
    query = {k: v for k, v in _filters(data).items() if v} | {"date": day.isoformat()}
    return redirect(reverse("reports:missing") + "?" + urlencode(query))


@login_required
@require_POST
def chase(request: AuthedRequest, pk: int) -> HttpResponse:
    day = requested_day(request.POST.get("date"))
    outcome = services.chase_reports(actor=request.user, day=day, enterprise_ids=[pk])
    _chased(request, outcome, day)
    return _back_to_missing(request.POST, day)


@login_required
@require_POST
def chase_all(request: AuthedRequest) -> HttpResponse:
    """Ask every enterprise on the filtered missing list at once."""
    require_role(request.user, ReportChase, "change")
    day = requested_day(request.POST.get("date"))
    ids = list(selectors.MISSING.rows(request.user, request.POST).values_list("pk", flat=True))
    if ids:
        _chased(
            request,
            services.chase_reports(actor=request.user, day=day, enterprise_ids=ids),
            day,
        )
    else:
        messages.info(request, _("Nobody is missing."))
    return _back_to_missing(request.POST, day)
