"""The role matrix entries of the service network pages and API.

Own objects lie in Jiangyang (the world's enterprise and park), foreign ones in Yibin. The own
coverage is the world's commissioner covering the world's enterprise, so the commissioner sees
it as theirs but may not end it; the foreign one is another person covering Yibin's enterprise.
Every object is made by the administrator while its case runs, inside the savepoint the matrix
rolls back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from keepline.service.models import Coverage, KeyProject, Visit, VisitStatus, WorkingGroup
from keepline.service.selectors.coverage import local_today
from keepline.service.services.coverage import assign_coverage
from keepline.service.services.groups import create_working_group
from keepline.service.services.projects import create_key_project
from keepline.service.services.visits import plan_visit, record_visit
from tests.conftest import World
from tests.matrix import ALL, Case, foreign, object_statuses, static, statuses

VIEWERS = {"admin", "bureau", "district", "park", "leader", "commissioner"}
ARRANGERS = {"admin", "bureau", "district", "park"}
VISIT_VIEWERS = VIEWERS | {"liaison"}
VISITORS = ARRANGERS | {"commissioner"}
GROUP_MANAGERS = {"admin", "bureau"}
# Who sees the own group: its authority's region (bureau, leader), the supervised district and
# park, and the commissioner as a member.
GROUP_VIEWERS = VIEWERS


def _enterprise(w: World, which: str) -> Any:
    return w.enterprise if which == "own" else w.foreign_enterprise


def _coverage(w: World, which: str) -> Coverage:
    enterprise = _enterprise(w, which)
    found = Coverage.objects.filter(enterprise=enterprise, until__isnull=True).first()
    if found is not None:
        return found
    user = w.users["commissioner"] if which == "own" else w.other_user
    assert user is not None
    return assign_coverage(
        actor=w.users["admin"], kind="enterprise", user=user, enterprise=enterprise
    )


def _project(w: World, which: str) -> KeyProject:
    enterprise = _enterprise(w, which)
    name = "江阳技改项目" if which == "own" else "翠屏扩产项目"
    found = KeyProject.objects.filter(enterprise=enterprise, name=name).first()
    if found is not None:
        return found
    return create_key_project(actor=w.users["admin"], enterprise=enterprise, name=name)


def _visit(w: World, which: str, status: str = VisitStatus.PLANNED) -> Visit:
    enterprise = _enterprise(w, which)
    found = Visit.objects.filter(enterprise=enterprise, status=status).first()
    if found is not None:
        return found
    admin = w.users["admin"]
    if status == VisitStatus.DONE:
        return record_visit(
            actor=admin,
            enterprise=enterprise,
            visited_at=timezone.now() - dt.timedelta(hours=1),
            findings="生产正常",
        )
    return plan_visit(
        actor=admin,
        enterprise=enterprise,
        planned_for=local_today() + dt.timedelta(days=1),
        purpose="走访",
    )


def _group(w: World, which: str) -> WorkingGroup:
    name = "市督导组" if which == "own" else "宜宾督导组"
    found = WorkingGroup.objects.filter(name=name).first()
    if found is not None:
        return found
    own = which == "own"
    leader = w.users["leader"] if own else w.other_user
    assert leader is not None
    return create_working_group(
        actor=w.users["admin"],
        authority=w.luzhou if own else w.yibin,
        name=name,
        leader=leader,
        members=[w.users["commissioner"]] if own else [],
        regions=[w.jiangyang if own else w.yibin_district],
        parks=[w.park] if own else [],
        starts_on=local_today(),
    )


def _listing(path: str, make: Any) -> Any:
    def url(w: World, which: str) -> str:
        make(w, "own")
        make(w, "foreign")
        return path

    return url


def _at(template: str, make: Any) -> Any:
    return lambda w, which: template.format(make(w, which).pk)


def _shows_enterprise(w: World, which: str) -> str:
    return str(_enterprise(w, which).name)


def _shows_project(w: World, which: str) -> str:
    return "江阳技改项目" if which == "own" else "翠屏扩产项目"


def _shows_group(w: World, which: str) -> str:
    return "市督导组" if which == "own" else "宜宾督导组"


def _planned(w: World, which: str) -> Visit:
    return _visit(w, which)


def _done(w: World, which: str) -> Visit:
    return _visit(w, which, VisitStatus.DONE)


def _both_lists(w: World, which: str) -> None:
    _planned(w, which)
    _done(w, which)


def _denied_foreign(ok: int, allowed: set[str]) -> dict[str, int]:
    """A create naming a foreign object: the administrator may, those with the right elsewhere
    do not find it (404), the rest lack the right (403)."""
    return {r: ok if r == "admin" else 404 if r in allowed else 403 for r in statuses(0, set())}


# ---- request bodies ---------------------------------------------------------------------------


def _assign_page(w: World, which: str) -> dict[str, Any]:
    return {"kind": "enterprise", "user": "checkpoint", "enterprise": _enterprise(w, which).pk}


def _assign_api(w: World, which: str) -> dict[str, Any]:
    return {"kind": "enterprise", "user": "checkpoint", "enterprise_id": _enterprise(w, which).pk}


def _end_coverage(w: World, which: str) -> dict[str, Any]:
    return {"version": _coverage(w, which).version}


def _project_page(w: World, which: str) -> dict[str, Any]:
    return {"enterprise": _enterprise(w, which).pk, "name": "新建项目"}


def _project_api(w: World, which: str) -> dict[str, Any]:
    return {"enterprise_id": _enterprise(w, which).pk, "name": "新建项目"}


def _tomorrow() -> str:
    return (local_today() + dt.timedelta(days=1)).isoformat()


def _an_hour_ago() -> str:
    return timezone.localtime(timezone.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def _plan_page(w: World, which: str) -> dict[str, Any]:
    return {"enterprise": _enterprise(w, which).pk, "planned_for": _tomorrow(), "purpose": "走访"}


def _plan_api(w: World, which: str) -> dict[str, Any]:
    data = _plan_page(w, which)
    return {"enterprise_id": data.pop("enterprise"), **data}


def _record_page(w: World, which: str) -> dict[str, Any]:
    return {
        "enterprise": _enterprise(w, which).pk,
        "visited_at": _an_hour_ago(),
        "findings": "生产正常",
    }


def _record_api(w: World, which: str) -> dict[str, Any]:
    data = _record_page(w, which)
    return {"enterprise_id": data.pop("enterprise"), **data}


def _complete(page: bool) -> Any:
    def data(w: World, which: str) -> dict[str, Any]:
        out = {"version": _planned(w, which).version, "visited_at": _an_hour_ago()}
        out["findings"] = "原料紧张"
        return {"action": "complete", **out} if page else out

    return data


def _cancel(page: bool) -> Any:
    def data(w: World, which: str) -> dict[str, Any]:
        out = {"version": _planned(w, which).version, "reason": "改期"}
        return {"action": "cancel", **out} if page else out

    return data


def _raise(page: bool) -> Any:
    def data(w: World, which: str) -> dict[str, Any]:
        _done(w, which)
        out = {"category": "logistics", "urgency": "normal", "title": "物流受阻"}
        return {"action": "raise", **out} if page else out

    return data


def _group_page(w: World, which: str) -> dict[str, Any]:
    own = which == "own"
    return {
        "authority": (w.luzhou if own else w.yibin).code,
        "name": "新督导组",
        # Led by someone within the sending region (a Luzhou leader may not lead Yibin's group).
        "leader": "leader" if own else "other",
        "regions": [(w.jiangyang if own else w.yibin_district).code],
        "starts_on": local_today().isoformat(),
    }


def _group_api(w: World, which: str) -> dict[str, Any]:
    return _group_page(w, which)


def _group_edit_page(w: World, which: str) -> dict[str, Any]:
    group = _group(w, which)
    return {
        "version": group.version,
        "name": group.name,
        "leader": group.leader.username,
        "regions": [r.code for r in group.regions.all()],
        "starts_on": group.starts_on.isoformat(),
        "purpose": "督导复工复产",
    }


def _group_change_api(w: World, which: str) -> dict[str, Any]:
    return {"version": _group(w, which).version, "purpose": "督导复工复产"}


def _group_end(w: World, which: str) -> dict[str, Any]:
    return {"version": _group(w, which).version}


def _person(own: str) -> Any:
    """A person picker shows the own person as an option, never the foreign district's."""
    return lambda w, which: f'value="{own}"' if which == "own" else 'value="other"'


def _authority(field: str) -> Any:
    return lambda w, which: (
        f"/service/choices/people/?for=group&field={field}"
        f"&authority={(w.luzhou if which == 'own' else w.yibin).code}"
    )


def _visitors(w: World, which: str) -> str:
    return f"/service/choices/people/?for=visit&field=visitor&enterprise={_enterprise(w, which).pk}"


PAGES: dict[str, list[Case]] = {
    "service:enterprise_choices": [
        Case(
            "get",
            static("/service/choices/enterprises/?for=coverage"),
            statuses(200, ARRANGERS),
            shows=_shows_enterprise,
            shows_own_for=ARRANGERS,
        ),
        Case(
            "get",
            static("/service/choices/enterprises/?for=project&q=%E6%B5%8B%E8%AF%95"),
            statuses(200, ARRANGERS),
            shows=_shows_enterprise,
            shows_own_for=ARRANGERS,
        ),
        Case(
            "get",
            static("/service/choices/enterprises/?for=visit"),
            statuses(200, VISITORS),
            shows=_shows_enterprise,
            shows_own_for=VISITORS,
        ),
    ],
    "service:people_choices": [
        Case(
            "get",
            static("/service/choices/people/?for=coverage&field=user"),
            statuses(200, ARRANGERS),
            shows=_person("checkpoint"),
            shows_own_for=ARRANGERS,
        ),
        Case(
            "get",
            static("/service/choices/people/?for=group&field=members"),
            statuses(200, GROUP_MANAGERS),
            shows=_person("leader"),
            shows_own_for=GROUP_MANAGERS,
        ),
        Case(
            "get",
            _authority("leader"),
            statuses(200, GROUP_MANAGERS),
            _denied_foreign(200, GROUP_MANAGERS),
        ),
        Case(
            "get",
            _visitors,
            statuses(200, VISITORS),
            _denied_foreign(200, VISITORS),
            shows=_person("commissioner"),
            shows_own_for=VISITORS,
        ),
    ],
    "service:mine": [
        Case(
            "get",
            _listing("/service/mine/", _coverage),
            statuses(200, ALL),
            shows=_shows_enterprise,
            shows_own_for={"commissioner"},
        )
    ],
    "service:coverage": [
        Case(
            "get",
            _listing("/service/coverage/", _coverage),
            statuses(200, VIEWERS),
            shows=_shows_enterprise,
            shows_own_for=VIEWERS,
        ),
        Case(
            "get",
            _listing("/service/coverage/?state=all&kind=enterprise", _coverage),
            statuses(200, VIEWERS),
            shows=_shows_enterprise,
            shows_own_for=VIEWERS,
        ),
    ],
    "service:coverage_export": [
        Case("get", _listing("/service/coverage/export.xlsx", _coverage), statuses(200, VIEWERS))
    ],
    "service:coverage_assign": [
        Case("get", static("/service/coverage/assign/"), statuses(200, ARRANGERS)),
        Case(
            "post",
            static("/service/coverage/assign/"),
            statuses(302, ARRANGERS),
            _denied_foreign(302, ARRANGERS),
            data=_assign_page,
        ),
    ],
    "service:coverage_end": [
        Case(
            "get",
            _at("/service/coverage/{}/end/", _coverage),
            object_statuses(200, VIEWERS, ARRANGERS),
            foreign(200),
        ),
        Case(
            "post",
            _at("/service/coverage/{}/end/", _coverage),
            object_statuses(302, VIEWERS, ARRANGERS),
            foreign(302),
            data=_end_coverage,
        ),
    ],
    "service:projects": [
        Case(
            "get",
            _listing("/service/projects/", _project),
            statuses(200, VIEWERS),
            shows=_shows_project,
            shows_own_for=VIEWERS,
        )
    ],
    "service:projects_export": [
        Case("get", _listing("/service/projects/export.xlsx", _project), statuses(200, VIEWERS))
    ],
    "service:project_new": [
        Case("get", static("/service/projects/new/"), statuses(200, ARRANGERS)),
        Case(
            "post",
            static("/service/projects/new/"),
            statuses(302, ARRANGERS),
            _denied_foreign(302, ARRANGERS),
            data=_project_page,
        ),
    ],
    "service:visits": [
        Case(
            "get",
            _listing("/service/visits/?list=planned", _planned),
            statuses(200, VISIT_VIEWERS),
            shows=_shows_enterprise,
            shows_own_for=VIEWERS,
        ),
        Case(
            "get",
            _listing("/service/visits/?list=done", _both_lists),
            statuses(200, VISIT_VIEWERS),
            shows=_shows_enterprise,
            shows_own_for=VISIT_VIEWERS,
        ),
    ],
    "service:visits_export": [
        Case(
            "get",
            _listing("/service/visits/export.xlsx?list=done", _done),
            statuses(200, VISIT_VIEWERS),
        ),
        Case(
            "get",
            _listing("/service/visits/export.xlsx?list=planned", _planned),
            statuses(200, VISIT_VIEWERS),
        ),
    ],
    "service:visit_plan": [
        Case("get", static("/service/visits/plan/"), statuses(200, VISITORS)),
        Case(
            "post",
            static("/service/visits/plan/"),
            statuses(302, VISITORS),
            _denied_foreign(302, VISITORS),
            data=_plan_page,
        ),
    ],
    "service:visit_record": [
        Case("get", static("/service/visits/record/"), statuses(200, VISITORS)),
        Case(
            "post",
            static("/service/visits/record/"),
            statuses(302, VISITORS),
            _denied_foreign(302, VISITORS),
            data=_record_page,
        ),
    ],
    "service:visit": [
        Case(
            "get", _at("/service/visits/{}/", _planned), object_statuses(200, VIEWERS), foreign(200)
        ),
        Case(
            "get",
            _at("/service/visits/{}/", _done),
            object_statuses(200, VISIT_VIEWERS),
            foreign(200),
        ),
        Case(
            "post",
            _at("/service/visits/{}/", _planned),
            object_statuses(302, VIEWERS, VISITORS),
            foreign(302),
            data=_complete(page=True),
        ),
        Case(
            "post",
            _at("/service/visits/{}/", _planned),
            object_statuses(302, VIEWERS, VISITORS),
            foreign(302),
            data=_cancel(page=True),
        ),
        Case(
            "post",
            _at("/service/visits/{}/", _done),
            object_statuses(302, VISIT_VIEWERS, VISITORS),
            foreign(302),
            data=_raise(page=True),
        ),
    ],
    "service:groups": [
        Case(
            "get",
            _listing("/service/groups/", _group),
            statuses(200, VIEWERS),
            shows=_shows_group,
            shows_own_for=GROUP_VIEWERS,
        )
    ],
    "service:groups_export": [
        Case("get", _listing("/service/groups/export.xlsx", _group), statuses(200, VIEWERS))
    ],
    "service:group_new": [
        Case("get", static("/service/groups/new/"), statuses(200, GROUP_MANAGERS)),
        Case(
            "post",
            static("/service/groups/new/"),
            statuses(302, GROUP_MANAGERS),
            _denied_foreign(302, GROUP_MANAGERS),
            data=_group_page,
        ),
    ],
    "service:group": [
        Case(
            "get",
            _at("/service/groups/{}/", _group),
            object_statuses(200, GROUP_VIEWERS),
            foreign(200),
        )
    ],
    "service:group_edit": [
        Case(
            "get",
            _at("/service/groups/{}/edit/", _group),
            object_statuses(200, GROUP_VIEWERS, GROUP_MANAGERS),
            foreign(200),
        ),
        Case(
            "post",
            _at("/service/groups/{}/edit/", _group),
            object_statuses(302, GROUP_VIEWERS, GROUP_MANAGERS),
            foreign(302),
            data=_group_edit_page,
        ),
    ],
    "service:group_end": [
        Case(
            "post",
            _at("/service/groups/{}/end/", _group),
            object_statuses(302, GROUP_VIEWERS, GROUP_MANAGERS),
            foreign(302),
            data=_group_end,
        )
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/service/mine": [
        Case(
            "get",
            _listing("/api/service/mine", _coverage),
            statuses(200, ALL),
            json=True,
            shows=_shows_enterprise,
            shows_own_for={"commissioner"},
        )
    ],
    "GET /api/service/coverage": [
        Case(
            "get",
            _listing("/api/service/coverage?state=all", _coverage),
            statuses(200, VIEWERS),
            json=True,
            shows=_shows_enterprise,
            shows_own_for=VIEWERS,
        )
    ],
    "POST /api/service/coverage": [
        Case(
            "post",
            static("/api/service/coverage"),
            statuses(200, ARRANGERS),
            _denied_foreign(200, ARRANGERS),
            data=_assign_api,
            json=True,
        )
    ],
    "POST /api/service/coverage/{coverage_id}/end": [
        Case(
            "post",
            _at("/api/service/coverage/{}/end", _coverage),
            object_statuses(200, VIEWERS, ARRANGERS),
            foreign(200),
            data=_end_coverage,
            json=True,
        )
    ],
    "GET /api/service/projects": [
        Case(
            "get",
            _listing("/api/service/projects", _project),
            statuses(200, VIEWERS),
            json=True,
            shows=_shows_project,
            shows_own_for=VIEWERS,
        )
    ],
    "POST /api/service/projects": [
        Case(
            "post",
            static("/api/service/projects"),
            statuses(200, ARRANGERS),
            _denied_foreign(200, ARRANGERS),
            data=_project_api,
            json=True,
        )
    ],
    "GET /api/service/visits": [
        Case(
            "get",
            _listing("/api/service/visits?list=planned", _planned),
            statuses(200, VISIT_VIEWERS),
            json=True,
            shows=_shows_enterprise,
            shows_own_for=VIEWERS,
        ),
        Case(
            "get",
            _listing("/api/service/visits?list=done", _done),
            statuses(200, VISIT_VIEWERS),
            json=True,
            shows=_shows_enterprise,
            shows_own_for=VISIT_VIEWERS,
        ),
    ],
    "POST /api/service/visits": [
        Case(
            "post",
            static("/api/service/visits"),
            statuses(200, VISITORS),
            _denied_foreign(200, VISITORS),
            data=_plan_api,
            json=True,
        )
    ],
    "POST /api/service/visits/record": [
        Case(
            "post",
            static("/api/service/visits/record"),
            statuses(200, VISITORS),
            _denied_foreign(200, VISITORS),
            data=_record_api,
            json=True,
        )
    ],
    "GET /api/service/visits/{visit_id}": [
        Case(
            "get",
            _at("/api/service/visits/{}", _planned),
            object_statuses(200, VIEWERS),
            foreign(200),
            json=True,
        ),
        Case(
            "get",
            _at("/api/service/visits/{}", _done),
            object_statuses(200, VISIT_VIEWERS),
            foreign(200),
            json=True,
        ),
    ],
    "POST /api/service/visits/{visit_id}/complete": [
        Case(
            "post",
            _at("/api/service/visits/{}/complete", _planned),
            object_statuses(200, VIEWERS, VISITORS),
            foreign(200),
            data=_complete(page=False),
            json=True,
        )
    ],
    "POST /api/service/visits/{visit_id}/cancel": [
        Case(
            "post",
            _at("/api/service/visits/{}/cancel", _planned),
            object_statuses(200, VIEWERS, VISITORS),
            foreign(200),
            data=_cancel(page=False),
            json=True,
        )
    ],
    "POST /api/service/visits/{visit_id}/problems": [
        Case(
            "post",
            _at("/api/service/visits/{}/problems", _done),
            object_statuses(200, VISIT_VIEWERS, VISITORS),
            foreign(200),
            data=_raise(page=False),
            json=True,
        )
    ],
    "GET /api/service/groups": [
        Case(
            "get",
            _listing("/api/service/groups", _group),
            statuses(200, VIEWERS),
            json=True,
            shows=_shows_group,
            shows_own_for=GROUP_VIEWERS,
        )
    ],
    "POST /api/service/groups": [
        Case(
            "post",
            static("/api/service/groups"),
            statuses(200, GROUP_MANAGERS),
            _denied_foreign(200, GROUP_MANAGERS),
            data=_group_api,
            json=True,
        )
    ],
    "GET /api/service/groups/{group_id}": [
        Case(
            "get",
            _at("/api/service/groups/{}", _group),
            object_statuses(200, GROUP_VIEWERS),
            foreign(200),
            json=True,
        )
    ],
    "POST /api/service/groups/{group_id}/change": [
        Case(
            "post",
            _at("/api/service/groups/{}/change", _group),
            object_statuses(200, GROUP_VIEWERS, GROUP_MANAGERS),
            foreign(200),
            data=_group_change_api,
            json=True,
        )
    ],
    "POST /api/service/groups/{group_id}/end": [
        Case(
            "post",
            _at("/api/service/groups/{}/end", _group),
            object_statuses(200, GROUP_VIEWERS, GROUP_MANAGERS),
            foreign(200),
            data=_group_end,
            json=True,
        )
    ],
}
