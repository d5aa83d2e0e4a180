"""The role matrix entries of the keep-running pages and API and of the substitutes.

The own scenario is the city's (Luzhou) and shuts Jiangyang; the foreign one is Yibin's and
shuts its district. Both are marked run (the ranking needs no stored results) and made inside
the savepoint the matrix rolls back; the invite case gives the side's enterprise a pick first.
Readers: admin, bureau, district, park and leader; ranking: the city's bureau (a district
official changes only its own district's scenarios); inviting: the bureau and the district over
the enterprise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from keepline.chains.models import KeepRunningPick, Scenario, ScenarioArea, ScenarioStatus
from tests.conftest import World
from tests.matrix import Case, foreign, object_statuses

VIEW = {"admin", "bureau", "district", "park", "leader"}
RANK = {"admin", "bureau"}
INVITE = {"admin", "bureau", "district"}
START = dt.date(2022, 9, 8)
NAMES = {"own": "江阳区封控（保链排序）", "foreign": "翠屏区封控（保链排序）"}


def _scenario(w: World, which: str) -> Scenario:
    found = Scenario.objects.filter(name=NAMES[which]).first()
    if found is not None:
        return found
    scenario = Scenario.objects.create(
        name=NAMES[which],
        region=w.luzhou if which == "own" else w.yibin,
        starts_on=START,
        days=10,
        status=ScenarioStatus.DONE,
        created_by="matrix",
    )
    ScenarioArea.objects.create(
        scenario=scenario,
        region=w.jiangyang if which == "own" else w.yibin_district,
        starts_on=START,
        ends_on=START + dt.timedelta(days=4),
        strictness=3,
    )
    return scenario


def _enterprise(w: World, which: str) -> Any:
    return w.enterprise if which == "own" else w.foreign_enterprise


def _picked(w: World, which: str) -> Scenario:
    scenario = _scenario(w, which)
    KeepRunningPick.objects.get_or_create(
        scenario=scenario,
        rank=1,
        defaults={
            "enterprise": _enterprise(w, which),
            "avoided": Decimal("120.00"),
            "cumulative": Decimal("120.00"),
        },
    )
    return scenario


def _url(template: str, make: Any = _scenario) -> Any:
    return lambda w, which: template.format(s=make(w, which).pk, e=_enterprise(w, which).pk)


READ = object_statuses(200, VIEW)
SUBSTITUTES = "/chains/scenarios/{s}/enterprises/{e}/substitutes/"

PAGES: dict[str, list[Case]] = {
    "chains:rank": [
        Case(
            "post",
            _url("/chains/scenarios/{s}/rank/"),
            object_statuses(302, VIEW, RANK),
            foreign(302),
        )
    ],
    "chains:picks_export": [
        Case("get", _url("/chains/scenarios/{s}/picks.xlsx", _picked), READ, foreign(200))
    ],
    "chains:invite": [
        Case(
            "post",
            _url("/chains/scenarios/{s}/enterprises/{e}/invite/", _picked),
            object_statuses(302, VIEW, INVITE),
            foreign(302),
        )
    ],
    "chains:substitutes": [Case("get", _url(SUBSTITUTES), READ, foreign(200))],
    "chains:substitutes_export": [
        Case(
            "get",
            _url("/chains/scenarios/{s}/enterprises/{e}/substitutes.xlsx"),
            READ,
            foreign(200),
        )
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/chains/scenarios/{scenario_id}/picks": [
        Case("get", _url("/api/chains/scenarios/{s}/picks", _picked), READ, foreign(200), json=True)
    ],
    "POST /api/chains/scenarios/{scenario_id}/rank": [
        Case(
            "post",
            _url("/api/chains/scenarios/{s}/rank"),
            object_statuses(200, VIEW, RANK),
            foreign(200),
            data=lambda w, which: {"limit": 5},
            json=True,
        )
    ],
    "GET /api/chains/scenarios/{scenario_id}/enterprises/{enterprise_id}/substitutes": [
        Case(
            "get",
            _url("/api/chains/scenarios/{s}/enterprises/{e}/substitutes"),
            READ,
            foreign(200),
            json=True,
        )
    ],
}
