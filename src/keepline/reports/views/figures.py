"""The figures of an area at a time, and the enterprises behind each number."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from keepline.bubble.models import EnterpriseMode
from keepline.core.errors import InvalidInput
from keepline.core.scopes import require_role
from keepline.core.web import AuthedRequest, paginate
from keepline.reports import sentences
from keepline.reports.forms import FiguresForm
from keepline.reports.indicators.computing import compute
from keepline.reports.indicators.rates import Tally
from keepline.reports.indicators.results import BreakdownRow
from keepline.reports.indicators.scope import FigureScope, enterprises_behind
from keepline.reports.models import ResumptionTarget


def _figure_request(request: AuthedRequest) -> tuple[FigureScope, dt.datetime]:
    get = request.GET
    figure_scope = FigureScope.parse(
        regions=get.getlist("region"),
        parks=get.getlist("park"),
        industries=get.getlist("industry"),
        under=get.get("under", ""),
        all_sizes=get.get("all_sizes", "") in {"true", "on", "1", "yes"},
    )
    as_of = timezone.now()
    if get.get("as_of"):
        try:
            parsed = parse_datetime(get["as_of"])
        except ValueError:  # well formed but impossible: 2022-02-30T10:00
            parsed = None
        if parsed is None:
            raise InvalidInput(
                _("Not a time (write it as 2022-09-11T15:00): %(value)s.")
                % {"value": get["as_of"]},
                errors={"as_of": [_("Not a time.")]},
            )
        as_of = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    return figure_scope, as_of


@login_required
def figures(request: AuthedRequest) -> HttpResponse:
    """The figures of an area at a time: every number links to the enterprises behind it."""
    require_role(request.user, ResumptionTarget)
    form_initial: dict[str, Any] = {
        "region": request.GET.getlist("region"),
        "park": request.GET.getlist("park"),
        "industry": request.GET.getlist("industry"),
        "under": request.GET.get("under", ""),
        "as_of": request.GET.get("as_of", ""),
        "all_sizes": request.GET.get("all_sizes", "") in {"true", "on", "1", "yes"},
    }
    context: dict[str, Any] = {"form": FiguresForm(initial=form_initial, user=request.user)}
    status = 200
    try:
        figure_scope, as_of = _figure_request(request)
        result = compute(request.user, figure_scope, as_of)
    except InvalidInput as exc:
        context["errors"] = [m for ms in exc.errors.values() for m in ms] or [exc.message]
        status = 400
    else:
        page = reverse("reports:figure_enterprises")

        def link(row_scope: FigureScope | None, group: str) -> str | None:
            return row_scope.enterprises_url(group, as_of, page) if row_scope else None

        context |= {
            "figures": result,
            "indicators": [
                {"indicator": i, "url": link(figure_scope, i.group) if i.group else None}
                for i in result.indicators()
            ],
            "modes": EnterpriseMode,
            "tables": [
                (_("By region"), "by-region", _rows(result.by_region, link)),
                (_("By park"), "by-park", _rows(result.by_park, link)),
                (_("By industry"), "by-industry", _rows(result.by_industry, link)),
            ],
            "sentences": [
                sentences.closed_loop_sentence(result, _language()),
                sentences.resumption_sentence(result, _language()),
            ],
            "api_url": reverse("api:figures") + "?" + request.GET.urlencode(),
        }
    return render(request, "reports/figures.html", context, status=status)


def _language() -> str:
    return sentences.EN if (get_language() or "").startswith("en") else sentences.ZH


def _rows(rows: list[BreakdownRow], link: Any) -> list[dict[str, Any]]:
    return [
        {
            "row": row,
            "modes": [
                (row.summary.by_mode.get(m, Tally()).enterprises, link(row.scope, m))
                for m in EnterpriseMode.values
            ],
            "total_url": link(row.scope, "all"),
        }
        for row in rows
    ]


@login_required
def figure_enterprises(request: AuthedRequest) -> HttpResponse:
    """The enterprises behind a figure, with each one's official mode at the as-of time."""
    require_role(request.user, ResumptionTarget)
    figure_scope, as_of = _figure_request(request)
    group = request.GET.get("mode", "all")
    qs = enterprises_behind(request.user, figure_scope, group, as_of)
    page, query = paginate(request, qs)
    label = (
        EnterpriseMode(group).label
        if group in EnterpriseMode.values
        else {
            "all": _("All enterprises"),
            "counted": _("All but seasonal stops"),
            "producing": _("Producing"),
        }[group]
    )
    back = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in {"mode", "page"}
        for value in values
    ]
    return render(
        request,
        "reports/figure_enterprises.html",
        {
            "page": page,
            "query": query,
            "group": label,
            "as_of": as_of,
            "modes": dict(EnterpriseMode.choices),
            "figures_url": reverse("reports:figures") + "?" + urlencode(back),
        },
    )
