"""The power resumption index page: filters, headline figures, the trend against a year earlier,
breakdowns by district, park and industry, the enterprises behind each count, Excel exports."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.errors import InvalidInput
from keepline.core.forms import DATE
from keepline.core.scopes import require_role
from keepline.core.tabular import workbook_response
from keepline.core.web import AuthedRequest, apply_errors
from keepline.power.api.metrics import enterprises_url
from keepline.power.forms import BaselineForm
from keepline.power.metrics.behind import Group, enterprises_behind
from keepline.power.metrics.index import PowerFilter, PowerIndex, compute
from keepline.power.metrics.tallies import PowerTally
from keepline.power.models import DailyReading
from keepline.reports.forms import FiguresForm
from keepline.reports.indicators.scope import FigureScope

ISO = "%Y-%m-%d"  # what a date input takes, whatever the language
TABLES = ("series", "region", "park", "industry")


class IndexForm(FiguresForm, BaselineForm):
    """The index's filters: the figures' area, a period, a baseline, large industry only."""

    as_of = None  # type: ignore[assignment]  # the period's last day is the as-of day
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(DATE, format=ISO)
    )
    until = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(DATE, format=ISO)
    )
    large = forms.BooleanField(
        label=gettext_lazy("Large industrial users only"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )

    field_order = [
        "region",
        "park",
        "industry",
        "under",
        "since",
        "until",
        "baseline",
        "baseline_start",
        "baseline_end",
        "baseline_event",
        "baseline_days",
    ]

    def power_filter(self) -> PowerFilter:
        """The filter of the valid form; the baseline's and the scope's errors name fields."""
        data = self.cleaned_data
        return PowerFilter(
            scope=FigureScope.parse(
                regions=data["region"],
                parks=data["park"],
                industries=data["industry"],
                under=data["under"],
                all_sizes=data["all_sizes"],
            ),
            since=data["since"],
            until=data["until"],
            baseline=self.chosen_baseline(),
            large_only=data["large"],
        )


def _form_filter(request: AuthedRequest) -> tuple[IndexForm, PowerFilter | None]:
    """The bound form and its filter; None with the form's errors set when the input is bad."""
    form = IndexForm(request.GET, user=request.user)
    if not form.is_valid():
        return form, None
    try:
        return form, form.power_filter()
    except InvalidInput as exc:
        apply_errors(form, exc)
        return form, None


def _filter(request: AuthedRequest) -> PowerFilter:
    """The filter of a request that has no form to show errors on: they make the 400 page."""
    form, f = _form_filter(request)
    if f is None:
        raise InvalidInput(
            _("The figures' filters have errors."),
            errors={k: [str(m) for m in v] for k, v in form.errors.items()},
        )
    return f


COUNTS = (
    ("enterprises", Group.ALL),
    ("counted", Group.COUNTED),
    ("resumed", Group.RESUMED),
    ("no_reading", Group.NO_READING),
    ("no_baseline", Group.NO_BASELINE),
)


def _counts(
    f: PowerFilter, scope: FigureScope | None, tally: PowerTally, day: Any
) -> list[dict[str, Any]]:
    return [
        {"key": key, "value": getattr(tally, key), "url": enterprises_url(f, scope, day, group)}
        for key, group in COUNTS
    ]


def _chart(index: PowerIndex) -> dict[str, Any]:
    """The trend as the chart draws it (the table under it shows the same numbers)."""
    return {
        "days": [p.day.isoformat() for p in index.series],
        "index": [p.tally.index for p in index.series],
        "year_before": [p.year_before.index for p in index.series],
        "labels": {
            "index": _("Power resumption index"),
            "year_before": _("Same days a year earlier"),
        },
    }


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    """The power resumption index of an area over a period, against a year earlier."""
    require_role(request.user, DailyReading)
    form, f = (
        _form_filter(request) if request.GET else (IndexForm(user=request.user), PowerFilter())
    )
    context: dict[str, Any] = {"form": form}
    status = 200
    if f is not None:
        try:
            result = compute(request.user, f)
        except InvalidInput as exc:
            apply_errors(form, exc)
            f = None
        else:
            filled = result.filter
            day = result.as_of
            if not form.is_bound:
                # Show the period the figures are of, not empty dates.
                context["form"] = IndexForm(
                    initial={"since": result.since, "until": day}, user=request.user
                )
            context |= {
                "index": result,
                "counts": _counts(filled, filled.scope, result.headline, day),
                "tables": [
                    (
                        _("By district"),
                        "region",
                        [(r, _counts(filled, r.scope, r.tally, day)) for r in result.by_region],
                    ),
                    (
                        _("By park"),
                        "park",
                        [(r, _counts(filled, r.scope, r.tally, day)) for r in result.by_park],
                    ),
                    (
                        _("By industry"),
                        "industry",
                        [(r, _counts(filled, r.scope, r.tally, day)) for r in result.by_industry],
                    ),
                ],
                "chart": _chart(result),
                "query": urlencode(filled.params()),
                "api_url": reverse("api:power_index") + "?" + urlencode(filled.params()),
            }
    if f is None:
        status = 400
    return render(request, "power/metrics_index.html", context, status=status)


def _blank(value: Any) -> Any:
    """An empty cell for a figure that does not exist (never a zero)."""
    return "" if value is None else value


@login_required
def index_export(request: AuthedRequest) -> HttpResponse:
    """One table of the index page as Excel: the trend (`table=series`) or a breakdown."""
    require_role(request.user, DailyReading)
    table = request.GET.get("table", "series")
    if table not in TABLES:
        raise InvalidInput(
            _("Unknown table."),
            errors={"table": [_("Use one of: %(tables)s.") % {"tables": ", ".join(TABLES)}]},
        )
    f = _filter(request)
    result = compute(request.user, f, breakdowns=table != "series")
    counts = [
        _("Enterprises"),
        _("Counted"),
        _("Resumed"),
        _("No reading"),
        _("No baseline"),
        _("Energy (kWh)"),
        _("Baseline energy (kWh)"),
        _("Share resumed (%)"),
        _("Recovery rate (%)"),
        _("Power resumption index"),
    ]

    def cells(t: PowerTally) -> list[Any]:
        return [
            t.enterprises,
            t.counted,
            t.resumed,
            t.no_reading,
            t.no_baseline,
            t.kwh,
            t.baseline_kwh,
            _blank(t.share),
            _blank(t.rate),
            _blank(t.index),
        ]

    if table == "series":
        return workbook_response(
            "power-index",
            [_("Date"), *counts, _("Index a year earlier")],
            ([p.day, *cells(p.tally), _blank(p.year_before.index)] for p in result.series),
            title=_("Power resumption index"),
        )
    rows = {"region": result.by_region, "park": result.by_park, "industry": result.by_industry}
    return workbook_response(
        f"power-index-by-{table}",
        [_("Code"), _("Name"), *counts, _("Year-on-year change (%)")],
        ([r.key, r.label, *cells(r.tally), _blank(r.year_on_year.change)] for r in rows[table]),
        title=str(result.as_of),
    )


def _behind(request: AuthedRequest) -> tuple[PowerFilter, dt.date, list[Any], str]:
    f = _filter(request)
    group = request.GET.get("group", Group.ALL)
    day, rows = enterprises_behind(request.user, f, group, request.GET.get("sort", "name"))
    return f, day, rows, group


@login_required
def index_enterprises(request: AuthedRequest) -> HttpResponse:
    """The enterprises behind a count of the index page, with each one's energy on the day."""
    require_role(request.user, DailyReading)
    f, day, rows, group = _behind(request)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sortless = query.copy()
    sortless.pop("sort", None)
    back = f.params()
    return render(
        request,
        "power/metrics_enterprises.html",
        {
            "page": page,
            "query": query.urlencode(),
            "sortless": sortless.urlencode(),
            "sort": request.GET.get("sort", "name"),
            "group": Group(group).label,
            "day": day,
            "baseline": f.baseline.describe(),
            "index_url": reverse("power:index") + "?" + urlencode(back),
            "export_url": reverse("power:index_enterprises_export") + "?" + query.urlencode(),
        },
    )


@login_required
def index_enterprises_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, DailyReading)
    _f, day, rows, _group = _behind(request)
    return workbook_response(
        "power-enterprises",
        [
            _("Date"),
            _("Unified social credit code"),
            _("Name"),
            _("Region"),
            _("Park"),
            _("Industry"),
            _("Large industrial user"),
            _("Energy (kWh)"),
            _("Baseline (kWh per day)"),
            _("Recovery ratio"),
            _("Resumed"),
        ],
        (
            [
                day,
                r.enterprise.uscc,
                r.enterprise.name,
                r.enterprise.region.name,
                r.enterprise.park.name if r.enterprise.park else "",
                r.enterprise.industry.code,
                r.large_industry,
                _blank(r.figures.kwh),
                _blank(r.figures.baseline),
                _blank(r.figures.ratio),
                _blank(r.figures.resumed),
            ]
            for r in rows
        ),
        title=_("Power"),
    )
