"""The role matrix entries of the scenario pages and API.

The own scenario is kept by Jiangyang and shuts Jiangyang (the world's enterprise halts, so it
has a result row); the foreign one is kept by and shuts Yibin's district. Each is made (and run
where a case needs results) by the administrator while its case runs, inside the savepoint the
matrix rolls back. Readers: admin, bureau, district, park and leader; editors: admin, bureau and
the district within its own district."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keepline.chains.models import Scenario, ScenarioStatus
from keepline.chains.services.runs import run_scenario
from keepline.chains.services.scenarios import create_scenario
from tests.conftest import ROLES, World
from tests.matrix import Case, foreign, object_statuses, static, statuses

VIEW = {"admin", "bureau", "district", "park", "leader"}
EDIT = {"admin", "bureau", "district"}
START = dt.date(2022, 9, 8)
NAMES = {"own": "江阳区封控情景", "foreign": "翠屏区封控情景"}


def _area_region(w: World, which: str) -> Any:
    return w.jiangyang if which == "own" else w.yibin_district


def _areas(w: World, which: str) -> list[dict[str, Any]]:
    region = _area_region(w, which)
    return [
        {"region_id": region.pk, "starts_on": START, "ends_on": START + dt.timedelta(days=2)},
        {
            "region_id": region.pk,
            "starts_on": START + dt.timedelta(days=5),
            "ends_on": START + dt.timedelta(days=6),
            "strictness": 2,
        },
    ]


def _scenario(w: World, which: str, name: str = "") -> Scenario:
    name = name or NAMES[which]
    found = Scenario.objects.filter(name=name).first()
    if found is not None:
        return found
    return create_scenario(
        actor=w.users["admin"],
        name=name,
        region_id=_area_region(w, which).pk,
        starts_on=START,
        days=10,
        areas=_areas(w, which),
    )


def _ran(w: World, which: str) -> Scenario:
    scenario = _scenario(w, which)
    if scenario.status != ScenarioStatus.DONE:
        scenario = run_scenario(actor=w.users["admin"], scenario_id=scenario.pk)
    return scenario


def _at(template: str, make: Any = _scenario) -> Any:
    return lambda w, which: template.format(make(w, which).pk)


def _versioned(template: str) -> Any:
    def url(w: World, which: str) -> str:
        s = _scenario(w, which)
        return template.format(s.pk, s.version)

    return url


def _listing(path: str) -> Any:
    def url(w: World, which: str) -> str:
        _scenario(w, "own")
        _scenario(w, "foreign")
        return path

    return url


def _compare(prefix: str) -> Any:
    def url(w: World, which: str) -> str:
        a = _scenario(w, which)
        b = _scenario(w, which, NAMES[which] + "二")
        return f"{prefix}?ids={a.pk}&ids={b.pk}"

    return url


def _shows(w: World, which: str) -> str:
    return NAMES[which]


def _shows_enterprise(w: World, which: str) -> str:
    return str((w.enterprise if which == "own" else w.foreign_enterprise).name)


def _create_foreign(ok: int) -> dict[str, int]:
    """A create for a foreign region: the administrator may, editors elsewhere do not find
    it (404), the rest lack the right (403)."""
    return {r: ok if r == "admin" else 404 if r in EDIT else 403 for r in ROLES}


def _page_new(w: World, which: str) -> dict[str, Any]:
    region = _area_region(w, which)
    return {
        "name": "新情景",
        "region": region.pk,
        "starts_on": START.isoformat(),
        "days": 10,
        "closed_loop_share": "0.7",
        "semi_closed_share": "0.5",
        "headroom": "0.1",
        "areas-TOTAL_FORMS": 1,
        "areas-INITIAL_FORMS": 0,
        "areas-0-place": f"r{region.pk}",
        "areas-0-starts_on": START.isoformat(),
        "areas-0-ends_on": (START + dt.timedelta(days=3)).isoformat(),
        "areas-0-strictness": 3,
    }


def _page_measures(w: World, which: str) -> dict[str, Any]:
    region = _area_region(w, which)
    return {"name": "措施情景", "region": region.pk, "starts_on": START.isoformat(), "days": 10}


def _page_edit(w: World, which: str) -> dict[str, Any]:
    s = _scenario(w, which)
    data: dict[str, Any] = {
        "version": s.version,
        "name": s.name,
        "note": "改",
        "closed_loop_share": "0.60",
        "semi_closed_share": "0.50",
        "headroom": "0.10",
        "areas-TOTAL_FORMS": 2,
        "areas-INITIAL_FORMS": 2,
    }
    for i, a in enumerate(s.areas.all()):
        data |= {
            f"areas-{i}-place": f"r{a.region_id}",
            f"areas-{i}-starts_on": a.starts_on.isoformat(),
            f"areas-{i}-ends_on": a.ends_on.isoformat(),
            f"areas-{i}-strictness": a.strictness,
        }
    return data


def _version(w: World, which: str) -> dict[str, Any]:
    return {"version": _scenario(w, which).version}


def _recovery_page(w: World, which: str) -> dict[str, Any]:
    enterprise = w.enterprise if which == "own" else w.foreign_enterprise
    return {"action": "set", "enterprise": enterprise.pk, "days": 5}


def _api_new(w: World, which: str) -> dict[str, Any]:
    return {
        "name": "新情景",
        "region_id": _area_region(w, which).pk,
        "starts_on": START.isoformat(),
        "days": 10,
        "areas": [
            {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in a.items()}
            for a in _areas(w, which)
        ],
    }


def _api_measures(w: World, which: str) -> dict[str, Any]:
    return {"name": "措施情景", "region_id": _area_region(w, which).pk, "starts_on": "2022-09-08"}


def _api_area(w: World, which: str) -> dict[str, Any]:
    return {
        "version": _scenario(w, which).version,
        "region_id": _area_region(w, which).pk,
        "starts_on": "2022-09-10",
        "ends_on": "2022-09-11",
        "strictness": 1,
    }


def _api_recovery(w: World, which: str) -> dict[str, Any]:
    enterprise = w.enterprise if which == "own" else w.foreign_enterprise
    return {"enterprise_id": enterprise.pk, "days": 5}


def _area_url(w: World, which: str) -> str:
    s = _scenario(w, which)
    area = s.areas.order_by("pk").last()
    assert area is not None
    return f"/api/chains/scenarios/{s.pk}/areas/{area.pk}?version={s.version}"


ONE = object_statuses(200, VIEW)
CHANGE_PAGE = object_statuses(200, VIEW, EDIT)

PAGES: dict[str, list[Case]] = {
    "chains:scenarios": [
        Case(
            "get",
            _listing("/chains/scenarios/"),
            statuses(200, VIEW),
            shows=_shows,
            shows_own_for=VIEW,
        )
    ],
    "chains:scenarios_export": [
        Case("get", _listing("/chains/scenarios/export.xlsx"), statuses(200, VIEW))
    ],
    "chains:scenario_new": [
        Case("get", static("/chains/scenarios/new/"), statuses(200, EDIT)),
        Case(
            "post",
            static("/chains/scenarios/new/"),
            statuses(302, EDIT),
            _create_foreign(302),
            data=_page_new,
        ),
    ],
    "chains:scenario_from_measures": [
        Case("get", static("/chains/scenarios/from-measures/"), statuses(200, EDIT)),
        Case(
            "post",
            static("/chains/scenarios/from-measures/"),
            statuses(302, EDIT),
            _create_foreign(302),
            data=_page_measures,
        ),
    ],
    "chains:scenario_compare": [
        Case("get", static("/chains/scenarios/compare/"), statuses(200, VIEW)),
        Case(
            "get",
            _compare("/chains/scenarios/compare/"),
            statuses(200, VIEW),
            {r: 200 if r == "admin" else 404 if r in VIEW else 403 for r in ROLES},
        ),
    ],
    "chains:scenario": [
        Case("get", _at("/chains/scenarios/{}/"), ONE, foreign(200)),
        Case("get", _at("/chains/scenarios/{}/", _ran), ONE, foreign(200)),
    ],
    "chains:scenario_export": [
        Case("get", _at("/chains/scenarios/{}/results.xlsx", _ran), ONE, foreign(200))
    ],
    "chains:scenario_run": [
        Case(
            "post",
            _at("/chains/scenarios/{}/run/"),
            object_statuses(302, VIEW, EDIT),
            foreign(302),
        )
    ],
    "chains:scenario_edit": [
        Case("get", _at("/chains/scenarios/{}/edit/"), CHANGE_PAGE, foreign(200)),
        Case(
            "post",
            _at("/chains/scenarios/{}/edit/"),
            object_statuses(302, VIEW, EDIT),
            foreign(302),
            data=_page_edit,
        ),
    ],
    "chains:scenario_delete": [
        Case("get", _at("/chains/scenarios/{}/delete/"), CHANGE_PAGE, foreign(200)),
        Case(
            "post",
            _at("/chains/scenarios/{}/delete/"),
            object_statuses(302, VIEW, EDIT),
            foreign(302),
            data=_version,
        ),
    ],
    "chains:scenario_recovery": [
        Case("get", _at("/chains/scenarios/{}/recovery/", _ran), CHANGE_PAGE, foreign(200)),
        Case(
            "post",
            _at("/chains/scenarios/{}/recovery/"),
            object_statuses(302, VIEW, EDIT),
            foreign(302),
            data=_recovery_page,
        ),
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/chains/scenarios": [
        Case(
            "get",
            _listing("/api/chains/scenarios"),
            statuses(200, VIEW),
            shows=_shows,
            shows_own_for=VIEW,
            json=True,
        )
    ],
    "POST /api/chains/scenarios": [
        Case(
            "post",
            static("/api/chains/scenarios"),
            statuses(200, EDIT),
            _create_foreign(200),
            data=_api_new,
            json=True,
        )
    ],
    "POST /api/chains/scenarios/from-measures": [
        Case(
            "post",
            static("/api/chains/scenarios/from-measures"),
            statuses(200, EDIT),
            _create_foreign(200),
            data=_api_measures,
            json=True,
        )
    ],
    "GET /api/chains/scenarios/compare": [
        Case(
            "get",
            _compare("/api/chains/scenarios/compare"),
            statuses(200, VIEW),
            {r: 200 if r == "admin" else 404 if r in VIEW else 403 for r in ROLES},
            json=True,
        )
    ],
    "GET /api/chains/scenarios/{scenario_id}": [
        Case("get", _at("/api/chains/scenarios/{}"), ONE, foreign(200), json=True)
    ],
    "PATCH /api/chains/scenarios/{scenario_id}": [
        Case(
            "patch",
            _at("/api/chains/scenarios/{}"),
            object_statuses(200, VIEW, EDIT),
            foreign(200),
            data=lambda w, which: {"version": _scenario(w, which).version, "headroom": "0.2"},
            json=True,
        )
    ],
    "DELETE /api/chains/scenarios/{scenario_id}": [
        Case(
            "delete",
            _versioned("/api/chains/scenarios/{}?version={}"),
            object_statuses(204, VIEW, EDIT),
            foreign(204),
            json=True,
        )
    ],
    "POST /api/chains/scenarios/{scenario_id}/areas": [
        Case(
            "post",
            _at("/api/chains/scenarios/{}/areas"),
            object_statuses(200, VIEW, EDIT),
            foreign(200),
            data=_api_area,
            json=True,
        )
    ],
    "DELETE /api/chains/scenarios/{scenario_id}/areas/{area_id}": [
        Case(
            "delete",
            _area_url,
            object_statuses(200, VIEW, EDIT),
            foreign(200),
            json=True,
        )
    ],
    "POST /api/chains/scenarios/{scenario_id}/run": [
        Case(
            "post",
            _at("/api/chains/scenarios/{}/run"),
            object_statuses(200, VIEW, EDIT),
            foreign(200),
            json=True,
        )
    ],
    "GET /api/chains/scenarios/{scenario_id}/results": [
        Case(
            "get",
            _at("/api/chains/scenarios/{}/results", _ran),
            ONE,
            foreign(200),
            shows=_shows_enterprise,
            shows_own_for=VIEW,
            json=True,
        )
    ],
    "GET /api/chains/scenarios/{scenario_id}/figures": [
        Case("get", _at("/api/chains/scenarios/{}/figures", _ran), ONE, foreign(200), json=True)
    ],
    "POST /api/chains/scenarios/{scenario_id}/recovery": [
        Case(
            "post",
            _at("/api/chains/scenarios/{}/recovery"),
            object_statuses(200, VIEW, EDIT),
            foreign(200),
            data=_api_recovery,
            json=True,
        )
    ],
}
