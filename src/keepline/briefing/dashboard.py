"""The command dashboard's data: every chart's series and the same numbers as tables, each
number with the query that lists the enterprises behind it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from keepline.bubble.models import EnterpriseMode
from keepline.core.scopes import Actor, holds
from keepline.problems import figures as problem_figures
from keepline.problems.models import Problem
from keepline.reports import selectors
from keepline.reports.indicators import computing
from keepline.reports.indicators.computing import compute
from keepline.reports.indicators.rates import Tally
from keepline.reports.indicators.scope import FigureScope, enterprises_in, resolve

TREND_DAYS = 14
# The numbers on the dashboard's first row; the rest are in the charts, the tables and the API.
HEADLINE = (
    "enterprises",
    "closed_loop",
    "closed_loop_share_count",
    "closed_loop_share_output",
    "closed_loop_share_count_change",
    "resumption_count",
    "resumption_output",
    "resumption_count_change",
)


def _units() -> dict[str, str]:
    return {
        "%": "%",
        "points": _("points"),
        "10k CNY": _("10k CNY"),
        "people": "",
        "enterprises": "",
    }


def drill(scope: FigureScope | None, group: str, as_of: dt.datetime) -> str | None:
    """The enterprise list behind one number, or None where no scope selects it exactly."""
    if scope is None:
        return None
    query = [*scope.params(), ("mode", group), ("as_of", as_of.isoformat(timespec="seconds"))]
    return reverse("reports:figure_enterprises") + "?" + urlencode(query)


def _number(value: Any) -> Any:
    return None if value is None else float(value)


def dashboard(actor: Actor, scope: FigureScope, as_of: dt.datetime) -> dict[str, Any]:
    figures = compute(actor, scope, as_of)
    units = _units()
    headline = [
        {
            "key": i.key,
            "label": i.label,
            "value": _number(i.value),
            "unit": units.get(i.unit, ""),
            "definition": i.definition,
            "url": drill(scope, i.group, as_of) if i.group else None,
        }
        for i in figures.indicators()
        if i.key in HEADLINE
    ]
    by_district = {
        "categories": [row.label for row in figures.by_region],
        "series": [
            {
                "mode": m.value,
                "name": str(m.label),
                "data": [
                    row.summary.by_mode.get(m.value, Tally()).enterprises
                    for row in figures.by_region
                ],
                "urls": [drill(row.scope, m.value, as_of) for row in figures.by_region],
            }
            for m in EnterpriseMode
        ],
    }
    by_industry = [
        {
            "label": row.label,
            "enterprises": row.summary.total.enterprises,
            "closed_loop": row.summary.closed_loop.enterprises,
            "share": _number(row.summary.closed_loop_share_count),
            "url": drill(row.scope, EnterpriseMode.CLOSED_LOOP, as_of),
        }
        for row in figures.by_industry
    ]
    trend = []
    for back in range(TREND_DAYS - 1, -1, -1):
        at = as_of - dt.timedelta(days=back)
        then = computing.headline(actor, scope, at) if back else figures.summary
        trend.append(
            {
                "date": at.date().isoformat(),
                "resumption": _number(then.resumption_count),
                "closed_loop_share": _number(then.closed_loop_share_count),
            }
        )
    # Targets dated before the trend's window belong to another campaign (last Spring's).
    window_start = (as_of - dt.timedelta(days=TREND_DAYS - 1)).date()
    targets = [
        {
            "area": t.area,
            "date": t.target.date.isoformat(),
            "rate": float(t.target.rate),
            "actual": _number(t.actual),
            "status": str(t.status.label),
        }
        for t in figures.targets
        if t.target.date >= window_start
    ]
    area = selectors.AreaFilter(region=scope.regions[0] if len(scope.regions) == 1 else "")
    day = as_of.date()
    missing = selectors.missing_reports(actor, day, area)
    whitelist = enterprises_in(actor, scope, resolve(scope, as_of)).exclude(whitelist_level="")
    return {
        "as_of": as_of.isoformat(timespec="minutes"),
        "area": str(figures.area) if figures.area else "",
        "headline": headline,
        "by_district": by_district,
        "by_industry": by_industry,
        "trend": trend,
        "targets": targets,
        "missing_reports": {
            "date": day.isoformat(),
            "count": missing.count(),
            "url": reverse("reports:missing") + "?" + urlencode([("date", day.isoformat())]),
        },
        "whitelist": {"enterprises": whitelist.count()},
        "problems": problems_panel(actor, scope, as_of),
        "labels": {
            "modes_by_district": _("Modes by district"),
            "trend": _("Resumption rate, last %(n)s days (%%)") % {"n": TREND_DAYS},
            "target": _("Target"),
            "closed_loop_by_industry": _("Closed-loop share by industry (%)"),
        },
    }


def _count(n: problem_figures.Number) -> dict[str, Any]:
    return {"value": n.value, "url": n.url}


def _row(row: problem_figures.Row) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "received": _count(row.received),
        "open": _count(row.open),
        "replied": _count(row.replied),
        "closed": _count(row.closed),
    }


def problems_panel(actor: Actor, scope: FigureScope, as_of: dt.datetime) -> dict[str, Any] | None:
    """The problems panel: headline cards, open/replied/closed by category, and the tables by
    department and tier, all problems received up to the as-of time; None for a user who sees
    no problems."""
    if not holds(actor, Problem):
        return None
    f = problem_figures.compute(actor, scope=scope, as_of=as_of)
    d = f.definitions
    s = f.satisfaction
    since = f.whitelisted_solved_since_emergency
    cards = [
        {
            "key": "open",
            "label": _("Open problems"),
            "value": f.open.value,
            "unit": "",
            "url": f.open.url,
            "note": "",
            "definition": d["open"],
        },
        {
            "key": "overdue",
            "label": _("Overdue"),
            "value": f.overdue.value,
            "unit": "",
            "url": f.overdue.url,
            "note": _("%(n)s near a deadline") % {"n": f.near.value},
            "definition": d["overdue"],
        },
        {
            "key": "on_time",
            "label": _("Closed on time"),
            "value": _number(f.on_time.value),
            "unit": "%",
            "url": f.on_time.part.url,
            "note": _("%(part)s of %(whole)s closed")
            % {"part": f.on_time.part.value, "whole": f.on_time.whole.value},
            "definition": d["on_time"],
        },
        {
            "key": "median_close_days",
            "label": _("Median time to close"),
            "value": _number(f.median_close_days),
            "unit": _("days"),
            "url": None,
            "note": "",
            "definition": d["median_close_days"],
        },
        {
            "key": "satisfaction",
            "label": _("Satisfaction"),
            "value": _number(s.mean),
            "unit": "/ 5",
            "url": s.rated.url,
            "note": _("%(n)s rated, %(share)s%% rated 4–5")
            % {"n": s.rated.value, "share": "—" if s.high_share is None else s.high_share},
            "definition": d["satisfaction"],
        },
        {
            "key": "whitelisted_solved",
            "label": _("Solved for whitelisted enterprises"),
            "value": f.whitelisted_solved.value,
            "unit": "",
            "url": f.whitelisted_solved.url,
            "note": (
                _("%(n)s since %(day)s")
                % {"n": since.value, "day": timezone.localdate(f.emergency_start).isoformat()}
                if since is not None and f.emergency_start is not None
                else ""
            ),
            "definition": d["whitelisted_solved"],
        },
    ]
    return {
        "as_of": f.as_of.isoformat(timespec="minutes"),
        "cards": cards,
        "received": _count(f.received),
        "closed": _count(f.closed),
        "replied": _count(f.replied),
        "near": _count(f.near),
        "acknowledged_on_time": _number(f.acknowledged_on_time.value),
        "emergency_start": f.emergency_start.isoformat() if f.emergency_start else None,
        "whitelisted_solved_since_emergency": _count(since) if since is not None else None,
        "by_status": [
            {"key": x.key, "label": x.label, "count": _count(x.count)} for x in f.by_status
        ],
        "by_category": [_row(r) for r in f.by_category],
        "by_department": [_row(r) for r in f.by_department],
        "by_tier": [_row(r) for r in f.by_tier],
        "labels": {
            "by_category": _("Problems by category"),
            "open": pgettext("problem status", "Open"),
            "replied": _("Awaiting confirmation"),
            "closed": pgettext("problem status", "Closed"),
        },
    }
