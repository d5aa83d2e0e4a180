"""Pages of the command dashboard and the daily briefing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_time
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from keepline.briefing import dashboard as dashboard_data
from keepline.briefing import documents
from keepline.core.errors import InvalidInput
from keepline.core.scopes import require_role, visible
from keepline.core.tabular import XLSX
from keepline.core.web import AuthedRequest
from keepline.places.models import MeasureKind, Region, RegionLevel
from keepline.reports.indicators.scope import FigureScope
from keepline.reports.models import ResumptionTarget

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _regions(request: AuthedRequest) -> list[Region]:
    """The areas the user may choose: their regions down to districts."""
    return list(
        visible(Region.objects.exclude(level=RegionLevel.TOWN), request.user).order_by("path")
    )


def _parsed(parse: Any, value: str, field: str) -> Any:
    """The parsed value, None when empty; a malformed or impossible one is named."""
    try:
        parsed = parse(value) if value else None
    except ValueError:
        parsed = False
    if parsed is False or (value and parsed is None):
        raise InvalidInput(
            _("Not a valid %(field)s: %(value)s.") % {"field": field, "value": value},
            errors={field: [_("Not valid.")]},
        )
    return parsed


def _request(request: AuthedRequest, *, with_time: bool) -> dict[str, Any]:
    """Area, measure kind and day (and time) from the query, defaulting to the user's widest
    region and now; bad values are named."""
    regions = _regions(request)
    get = request.GET
    # No region: everything the user sees (with `under`, the areas under such measures).
    region = get.get("region", "")
    if region and region not in {r.code for r in regions}:
        raise InvalidInput(_("Unknown region code: %(code)s.") % {"code": region})
    under = get.get("under", "")
    if under and under not in MeasureKind.values:
        raise InvalidInput(_("Unknown kind of measure."), errors={"under": [under]})
    day = _parsed(parse_date, get.get("date", ""), "date") or timezone.localdate()
    moment = _parsed(parse_time, get.get("time", ""), "time") if with_time else None
    if moment is not None:
        as_of = timezone.make_aware(dt.datetime.combine(day, moment))
    else:
        as_of = documents.as_of_for(day)
    scope = FigureScope.parse(regions=[region] if region else [], under=under)
    query = urlencode(
        [(k, v) for k, v in (("region", region), ("under", under), ("date", day.isoformat())) if v]
    )
    return {
        "scope": scope,
        "day": day,
        "as_of": as_of,
        "region": region,
        "under": under,
        "query": query,
        "region_choices": [("", _("All of my area"))]
        + [(r.code, f"{'　' * max(r.depth - 1, 0)}{r.name}") for r in regions],
        "measure_kinds": MeasureKind.choices,
    }


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ResumptionTarget)
    ctx = _request(request, with_time=True)
    data = dashboard_data.dashboard(request.user, ctx["scope"], ctx["as_of"])
    district_rows = [
        {
            "label": label,
            "cells": [
                {"value": s["data"][i], "url": s["urls"][i]} for s in data["by_district"]["series"]
            ],
        }
        for i, label in enumerate(data["by_district"]["categories"])
    ]
    return render(
        request,
        "briefing/dashboard.html",
        ctx | {"data": data, "district_rows": district_rows},
    )


@login_required
def daily(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ResumptionTarget)
    ctx = _request(request, with_time=False)
    briefing = documents.build(request.user, ctx["scope"], ctx["day"])
    return render(request, "briefing/daily.html", ctx | {"briefing": briefing})


def _download(request: AuthedRequest, suffix: str) -> HttpResponse:
    require_role(request.user, ResumptionTarget)
    ctx = _request(request, with_time=False)
    briefing = documents.build(request.user, ctx["scope"], ctx["day"])
    if suffix == "docx":
        response = HttpResponse(documents.to_docx(briefing), content_type=DOCX)
    else:
        response = HttpResponse(documents.to_xlsx(briefing), content_type=XLSX)
    name = f"briefing-{ctx['region'] or 'area'}-{ctx['day'].isoformat()}.{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def daily_docx(request: AuthedRequest) -> HttpResponse:
    return _download(request, "docx")


@login_required
def daily_xlsx(request: AuthedRequest) -> HttpResponse:
    return _download(request, "xlsx")
