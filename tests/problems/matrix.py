"""The role matrix entries of problem pages and the problem API.

Own objects are problems of the world's enterprise (Jiangyang), foreign ones of Yibin's. Each
problem is filed (and taken to the status the step needs) by the administrator while its case
runs, inside the savepoint the matrix rolls back."""

from __future__ import annotations

from typing import Any

from keepline.core.models import Department
from keepline.problems.models import Problem, ProblemStatus, RoutingRule
from keepline.problems.services import lifecycle, routing
from tests.conftest import World
from tests.matrix import Case, foreign, obj, object_statuses, static, statuses

# The department sees and handles own problems because a routing rule sends them to it; the
# foreign one (Yibin's) is routed nowhere near it.
VIEWERS = {
    "admin",
    "bureau",
    "district",
    "park",
    "commissioner",
    "department",
    "liaison",
    "health",
    "leader",
}
FILERS = {"admin", "bureau", "district", "park", "commissioner", "liaison"}
HANDLERS = {"admin", "bureau", "district", "park", "commissioner", "department"}
# The department is where the rule routed the problem; the commissioner covers the enterprise
# but passes on only problems routed to them (tests/problems/test_routing.py).
REASSIGNERS = {"admin", "bureau", "district", "park", "department"}
CONFIRMERS = {"liaison"}

# The steps that take a fresh problem to each status.
STEPS = {
    ProblemStatus.SUBMITTED: [],
    ProblemStatus.ACCEPTED: ["accept"],
    ProblemStatus.REPLIED: ["accept", "reply"],
}


def _problem(w: World, which: str, status: str = ProblemStatus.SUBMITTED) -> Problem:
    enterprise = w.enterprise if which == "own" else w.foreign_enterprise
    found = Problem.objects.filter(enterprise=enterprise, status=status).first()
    if found is not None:
        return found
    admin = w.users["admin"]
    if not RoutingRule.objects.exists():
        routing.set_routing_rule(
            actor=admin, category="logistics", region=w.luzhou, department=w.department
        )
    p = lifecycle.file_problem(
        actor=admin, enterprise_id=enterprise.pk, category="logistics", title="原料车被拦"
    )
    for step in STEPS[status]:  # type: ignore[index]
        if step == "accept":
            p = lifecycle.accept_problem(actor=admin, problem_id=p.pk, version=p.version)
        else:
            p = lifecycle.reply_problem(
                actor=admin, problem_id=p.pk, version=p.version, text="已放行", final=True
            )
    return p


def _listing(path: str) -> Any:
    def url(w: World, which: str) -> str:
        _problem(w, "own")
        _problem(w, "foreign")
        return path

    return url


def _at(template: str, status: str = ProblemStatus.SUBMITTED) -> Any:
    return lambda w, which: template.format(_problem(w, which, status).pk)


def _with_version(status: str, **fields: Any) -> Any:
    return lambda w, which: {"version": _problem(w, which, status).version, **fields}


def _filing(w: World, which: str) -> dict[str, Any]:
    enterprise = w.enterprise if which == "own" else w.foreign_enterprise
    return {"enterprise": enterprise.pk, "category": "energy", "urgency": "normal", "title": "停电"}


def _api_filing(w: World, which: str) -> dict[str, Any]:
    data = _filing(w, which)
    return {"enterprise_id": data.pop("enterprise"), **data}


SUBMITTED, ACCEPTED, REPLIED = (
    ProblemStatus.SUBMITTED,
    ProblemStatus.ACCEPTED,
    ProblemStatus.REPLIED,
)
# (action, status the problem needs, roles that may, extra fields)
ACTIONS: list[tuple[str, str, set[str], dict[str, Any]]] = [
    ("accept", SUBMITTED, HANDLERS, {}),
    ("start", ACCEPTED, HANDLERS, {"note": "开始"}),
    ("reply", ACCEPTED, HANDLERS, {"text": "已协调", "final": False}),
    ("confirm", REPLIED, CONFIRMERS, {"rating": 5, "comment": "好"}),
    ("reopen", REPLIED, CONFIRMERS, {"reason": "仍未解决"}),
    ("reassign", SUBMITTED, REASSIGNERS, {"reason": "转办", "department": None}),
]


def _reassign_fields(fields: dict[str, Any]) -> Any:
    def data(w: World, which: str) -> dict[str, Any]:
        out = {"version": _problem(w, which, SUBMITTED).version, **fields}
        department = w.department
        if which == "foreign":
            department, _new = Department.objects.get_or_create(
                region=w.yibin, name="宜宾市交通运输局", defaults={"kind": "transport"}
            )
        out["department"] = department.pk
        return out

    return data


def _data(action: str, status: str, fields: dict[str, Any], *, page: bool) -> Any:
    reassign = action == "reassign"
    inner = _reassign_fields(fields) if reassign else _with_version(status, **fields)
    if not page:
        return inner

    def data(w: World, which: str) -> dict[str, Any]:
        out = {"action": action, **inner(w, which)}
        if out.get("final") is False:
            out.pop("final")  # an unticked checkbox is not sent
        return out

    return data


PAGES: dict[str, list[Case]] = {
    "problems:list": [
        Case(
            "get",
            _listing("/problems/"),
            statuses(200, VIEWERS),
            shows=obj("enterprise", "name"),
            shows_own_for=VIEWERS,
        )
    ],
    "problems:export": [Case("get", static("/problems/export.xlsx"), statuses(200, VIEWERS))],
    "problems:file": [
        Case("get", static("/problems/file/"), statuses(200, FILERS)),
        Case(
            "post",
            static("/problems/file/"),
            statuses(302, FILERS),
            {r: 302 if r == "admin" else 404 if r in FILERS else 403 for r in statuses(0, set())},
            data=_filing,
        ),
    ],
    "problems:detail": [
        Case("get", _at("/problems/{}/"), object_statuses(200, VIEWERS), foreign(200)),
        *(
            Case(
                "post",
                _at("/problems/{}/", status),
                object_statuses(302, VIEWERS, roles),
                foreign(302 if "admin" in roles else 403),
                data=_data(action, status, fields, page=True),
            )
            for action, status, roles, fields in ACTIONS
        ),
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/problems": [
        Case(
            "get",
            _listing("/api/problems"),
            statuses(200, VIEWERS),
            json=True,
            shows=obj("enterprise", "uscc"),
            shows_own_for=VIEWERS,
        )
    ],
    "POST /api/problems": [
        Case(
            "post",
            static("/api/problems"),
            statuses(200, FILERS),
            {r: 200 if r == "admin" else 404 if r in FILERS else 403 for r in statuses(0, set())},
            data=_api_filing,
            json=True,
        )
    ],
    "GET /api/problems/{problem_id}": [
        Case("get", _at("/api/problems/{}"), object_statuses(200, VIEWERS), foreign(200), json=True)
    ],
    **{
        f"POST /api/problems/{{problem_id}}/{action}": [
            Case(
                "post",
                _at(f"/api/problems/{{}}/{action}", status),
                object_statuses(200, VIEWERS, roles),
                foreign(200 if "admin" in roles else 403),
                data=_data(action, status, fields, page=False),
                json=True,
            )
        ]
        for action, status, roles, fields in ACTIONS
    },
}
