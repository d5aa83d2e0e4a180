"""Role matrix entries of the problem settings: routing rules, time limits and the calendar.

Rules, limits and calendar days are reference data every official sees whole; what is own or
foreign is the region a routing rule is for (Luzhou, the bureau's city, or Yibin) and, for the
"try it" box, the enterprise asked about. Only the administrator and the bureau change settings,
and the bureau only for its own city."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from keepline.problems.models import CalendarDay, RoutingRule, TimeLimit
from tests.conftest import ROLES, World
from tests.matrix import OFFICIALS, Case, static, statuses

ALL = set(ROLES)
RULE_VIEW = OFFICIALS
LIMIT_VIEW = OFFICIALS | {"commissioner"}
CHANGE = {"admin", "bureau"}
DAY = dt.date(2022, 10, 3)


def _region(w: World, which: str) -> Any:
    return w.luzhou if which == "own" else w.yibin


def _rule(w: World, which: str) -> RoutingRule:
    rule, _created = RoutingRule.objects.get_or_create(
        category="logistics",
        region=_region(w, which),
        defaults={"department": w.department, "set_by_name": "admin", "set_at": timezone.now()},
    )
    return rule


def _limit(w: World, which: str) -> TimeLimit:
    limit, _created = TimeLimit.objects.get_or_create(
        category="energy",
        urgency="urgent",
        defaults={"acknowledge_hours": 1, "interim_days": 2, "close_days": 3},
    )
    return limit


def _day(w: World, which: str) -> CalendarDay:
    day, _created = CalendarDay.objects.get_or_create(
        date=DAY, defaults={"working": False, "name": "国庆节"}
    )
    return day


def _rule_data(w: World, which: str) -> dict[str, Any]:
    return {"category": "energy", "region": _region(w, which).code, "department": w.department.pk}


def _try(template: str) -> Any:
    def url(w: World, which: str) -> str:
        enterprise = w.enterprise if which == "own" else w.foreign_enterprise
        return template.format(enterprise.pk)

    return url


def _limit_data(w: World, which: str) -> dict[str, Any]:
    return {
        "category": "labour",
        "urgency": "",
        "acknowledge_hours": 2,
        "interim_days": 2,
        "close_days": 4,
    }


def _day_data(w: World, which: str) -> dict[str, Any]:
    return {"date": "2022-10-08", "working": "1", "name": "调休"}


def _remove_day(w: World, which: str) -> dict[str, Any]:
    return {"date": _day(w, which).date.isoformat()}


def _file(w: World, which: str) -> dict[str, Any]:
    body = "date,working,name\n2023-01-02,否,元旦\n2023-01-28,是,春节调休\n".encode()
    return {"file": SimpleUploadedFile("calendar.csv", body, "text/csv")}


def _api_rule(w: World, which: str) -> dict[str, Any]:
    return {"category": "energy", "region": _region(w, which).code, "department": w.department.pk}


def _foreign_rule(ok: int) -> dict[str, int]:
    """Another city's rule: the administrator acts, this city's bureau is refused (403)."""
    return {r: ok if r == "admin" else 403 for r in ROLES}


# The page's region choice holds only the bureau's own city: another city's code is a bad
# choice on the form (400), and refused by the service through the API (403).
PAGE_RULE_FOREIGN = {r: 302 if r == "admin" else 400 if r == "bureau" else 403 for r in ROLES}
TRY_FOREIGN_PAGE = {r: 200 if r == "admin" else 404 if r in RULE_VIEW else 403 for r in ROLES}

PAGES: dict[str, list[Case]] = {
    "problems:setup": [
        Case("get", static("/problems/setup/"), statuses(200, RULE_VIEW)),
        Case(
            "get",
            _try("/problems/setup/?enterprise={}&category=logistics"),
            statuses(200, RULE_VIEW),
            TRY_FOREIGN_PAGE,
        ),
        Case(
            "post",
            static("/problems/setup/"),
            statuses(302, CHANGE),
            PAGE_RULE_FOREIGN,
            data=_rule_data,
        ),
    ],
    "problems:setup_rule_remove": [
        Case(
            "post",
            lambda w, which: f"/problems/setup/rules/{_rule(w, which).pk}/remove/",
            statuses(302, CHANGE),
            _foreign_rule(302),
        )
    ],
    "problems:setup_limits": [
        Case("get", static("/problems/setup/limits/"), statuses(200, LIMIT_VIEW)),
        Case("post", static("/problems/setup/limits/"), statuses(302, CHANGE), data=_limit_data),
    ],
    "problems:setup_limit_remove": [
        Case(
            "post",
            lambda w, which: f"/problems/setup/limits/{_limit(w, which).pk}/remove/",
            statuses(302, CHANGE),
        )
    ],
    "problems:setup_calendar": [
        Case("get", static("/problems/setup/calendar/?year=2022"), statuses(200, ALL)),
        Case(
            "get",
            static("/problems/setup/calendar/?start=2022-09-30&end=2022-10-10&days=3"),
            statuses(200, ALL),
        ),
        Case("post", static("/problems/setup/calendar/"), statuses(302, CHANGE), data=_day_data),
    ],
    "problems:setup_calendar_remove": [
        Case(
            "post",
            static("/problems/setup/calendar/remove/"),
            statuses(302, CHANGE),
            data=_remove_day,
        )
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/problems/routing-rules": [
        Case("get", static("/api/problems/routing-rules"), statuses(200, RULE_VIEW), json=True)
    ],
    "POST /api/problems/routing-rules": [
        Case(
            "post",
            static("/api/problems/routing-rules"),
            statuses(200, CHANGE),
            _foreign_rule(200),
            data=_api_rule,
            json=True,
        )
    ],
    "DELETE /api/problems/routing-rules/{rule_id}": [
        Case(
            "delete",
            lambda w, which: f"/api/problems/routing-rules/{_rule(w, which).pk}",
            statuses(204, CHANGE),
            _foreign_rule(204),
            json=True,
        )
    ],
    "GET /api/problems/route": [
        Case(
            "get",
            _try("/api/problems/route?enterprise={}&category=logistics"),
            statuses(200, RULE_VIEW),
            TRY_FOREIGN_PAGE,
            json=True,
        )
    ],
    "GET /api/problems/time-limits": [
        Case("get", static("/api/problems/time-limits"), statuses(200, LIMIT_VIEW), json=True)
    ],
    "POST /api/problems/time-limits": [
        Case(
            "post",
            static("/api/problems/time-limits"),
            statuses(200, CHANGE),
            data=_limit_data,
            json=True,
        )
    ],
    "DELETE /api/problems/time-limits/{limit_id}": [
        Case(
            "delete",
            lambda w, which: f"/api/problems/time-limits/{_limit(w, which).pk}",
            statuses(204, CHANGE),
            json=True,
        )
    ],
    "GET /api/problems/calendar": [
        Case("get", static("/api/problems/calendar?year=2022"), statuses(200, ALL), json=True)
    ],
    "POST /api/problems/calendar": [
        Case(
            "post",
            static("/api/problems/calendar"),
            statuses(200, CHANGE),
            data=lambda w, which: {"date": "2022-10-08", "working": True, "name": "调休"},
            json=True,
        )
    ],
    "DELETE /api/problems/calendar/{day}": [
        Case(
            "delete",
            lambda w, which: f"/api/problems/calendar/{_day(w, which).date.isoformat()}",
            statuses(204, CHANGE),
            json=True,
        )
    ],
}
