"""API of visits: the two lists, planning, recording, completing, cancelling, and a problem
heard at a visit."""

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from keepline.problems import selectors as problem_selectors
from keepline.service.models import Visit
from keepline.service.rules import may_see_planned, require_may_see_visits, require_may_visit
from keepline.service.selectors.coverage import visit_enterprise
from keepline.service.selectors.people import user_named
from keepline.service.selectors.visits import PLANNED_VISITS, get_visit, visit_listing
from keepline.service.services.visits import (
    cancel_visit,
    complete_visit,
    plan_visit,
    raise_problem_at_visit,
    record_visit,
)

router = Router(tags=["service"])


class LinkedProblemOut(Schema):
    id: int = Field(examples=[17])
    title: str = Field(examples=["原料运输车辆无法进入园区"])
    status: str = Field(examples=["accepted"])


class VisitOut(Schema):
    id: int = Field(examples=[5])
    enterprise_id: int = Field(examples=[42])
    enterprise: str = Field(alias="enterprise.name", examples=["江阳测试酒业有限公司"])
    visitor: str = Field(description="Username", examples=["commissioner"])
    status: str = Field(description="planned, done or cancelled", examples=["done"])
    purpose: str = Field(examples=["了解复工复产情况"])
    planned_for: dt.date | None = Field(None, examples=["2022-09-20"])
    visited_at: dt.datetime | None = Field(None, examples=["2022-09-20T10:00:00+08:00"])
    companions: str = Field(examples=["李科长"])
    findings: str = Field(examples=["原料库存仅够3天"])
    cancel_reason: str = Field(examples=[""])
    created_by: str = Field(examples=["commissioner"])
    version: int = Field(description="Send it back with each step", examples=[2])
    problems: list[LinkedProblemOut] = Field(
        description="Problems raised or followed up at the visit that the reader sees"
    )

    @staticmethod
    def resolve_visitor(obj: Visit) -> str:
        return obj.visitor.get_username()

    @staticmethod
    def resolve_problems(obj: Visit, context: Any) -> Any:
        reader = context["request"].auth
        return problem_selectors.problems(reader).filter(pk__in=obj.problems.values("pk"))


class PlanIn(Schema):
    enterprise_id: int = Field(examples=[42])
    planned_for: dt.date = Field(examples=["2022-09-20"])
    purpose: str = Field(examples=["了解复工复产情况"])
    visitor: str | None = Field(None, description="Username; yourself if left out", examples=[None])


class RecordIn(Schema):
    enterprise_id: int = Field(examples=[42])
    visited_at: dt.datetime = Field(examples=["2022-09-20T10:00:00+08:00"])
    findings: str = Field(examples=["原料库存仅够3天"])
    purpose: str = Field("", examples=[""])
    companions: str = Field("", examples=["李科长"])
    visitor: str | None = Field(None, description="Username; yourself if left out", examples=[None])
    problem_ids: list[int] = Field([], description="Problems of the enterprise followed up")


class CompleteIn(Schema):
    version: int = Field(examples=[1])
    visited_at: dt.datetime = Field(examples=["2022-09-20T10:00:00+08:00"])
    findings: str = Field(examples=["原料库存仅够3天"])
    companions: str = Field("", examples=["李科长"])
    problem_ids: list[int] = Field([], description="Problems of the enterprise followed up")


class CancelIn(Schema):
    version: int = Field(examples=[1])
    reason: str = Field(examples=["企业封控"])


class RaiseIn(Schema):
    category: str = Field(examples=["raw_materials"])
    title: str = Field(examples=["原料库存仅够3天"])
    description: str = Field("", examples=[""])
    urgency: str = Field("normal", description="normal, urgent or critical", examples=["urgent"])


class RaisedOut(Schema):
    problem_id: int = Field(examples=[18])
    visit: VisitOut


def _aware(at: dt.datetime) -> dt.datetime:
    """A time sent without an offset is read as local (Asia/Shanghai) time."""
    return timezone.make_aware(at) if timezone.is_naive(at) else at


def _visit(request: Any, visit_id: int) -> Visit:
    return get_visit(request.auth, visit_id)


# ---- visits -----------------------------------------------------------------------------------


# The planned list's declaration documents the filters; `list` picks the list.
_LIST_PARAMETER = {
    "in": "query",
    "name": "list",
    "required": False,
    "description": "planned (the default) or done; the enterprise's liaison has the done list only",
    "schema": {"type": "string", "enum": ["planned", "done"]},
}
_OPENAPI = PLANNED_VISITS.openapi()
_OPENAPI["parameters"] = [_LIST_PARAMETER, *_OPENAPI["parameters"]]


@router.get(
    "/service/visits",
    response=list[VisitOut],
    summary="The planned or the done list",
    openapi_extra=_OPENAPI,
)
@paginate(PageNumberPagination, page_size=100)
def visit_list(request: Any) -> Any:
    actor = request.auth
    require_may_see_visits(actor)
    listing = visit_listing(request.GET.get("list"), sees_planned=may_see_planned(actor))
    return listing.rows(actor, request.GET)


@router.post("/service/visits", response=VisitOut, summary="Plan a visit")
def visit_plan(request: Any, payload: PlanIn) -> Any:
    actor = request.auth
    require_may_visit(actor)
    visit = plan_visit(
        actor=actor,
        enterprise=visit_enterprise(actor, payload.enterprise_id),
        planned_for=payload.planned_for,
        purpose=payload.purpose,
        visitor=user_named(payload.visitor, "visitor") if payload.visitor else None,
    )
    return _visit(request, visit.pk)


@router.post("/service/visits/record", response=VisitOut, summary="Record a visit already made")
def visit_record(request: Any, payload: RecordIn) -> Any:
    actor = request.auth
    require_may_visit(actor)
    visit = record_visit(
        actor=actor,
        enterprise=visit_enterprise(actor, payload.enterprise_id),
        visited_at=_aware(payload.visited_at),
        findings=payload.findings,
        purpose=payload.purpose,
        companions=payload.companions,
        visitor=user_named(payload.visitor, "visitor") if payload.visitor else None,
        problem_ids=payload.problem_ids,
    )
    return _visit(request, visit.pk)


@router.get("/service/visits/{visit_id}", response=VisitOut, summary="One visit")
def visit_detail(request: Any, visit_id: int) -> Any:
    return _visit(request, visit_id)


@router.post(
    "/service/visits/{visit_id}/complete", response=VisitOut, summary="Move to the done list"
)
def visit_complete(request: Any, visit_id: int, payload: CompleteIn) -> Any:
    complete_visit(
        actor=request.auth,
        visit_id=visit_id,
        version=payload.version,
        visited_at=_aware(payload.visited_at),
        findings=payload.findings,
        companions=payload.companions,
        problem_ids=payload.problem_ids,
    )
    return _visit(request, visit_id)


@router.post("/service/visits/{visit_id}/cancel", response=VisitOut, summary="Cancel a visit")
def visit_cancel(request: Any, visit_id: int, payload: CancelIn) -> Any:
    cancel_visit(actor=request.auth, visit_id=visit_id, **payload.dict())
    return _visit(request, visit_id)


@router.post(
    "/service/visits/{visit_id}/problems",
    response=RaisedOut,
    summary="File a problem heard at the visit and link it",
)
def visit_raise(request: Any, visit_id: int, payload: RaiseIn) -> Any:
    problem = raise_problem_at_visit(actor=request.auth, visit_id=visit_id, **payload.dict())
    return {"problem_id": problem.pk, "visit": _visit(request, visit_id)}
