"""API of the service network: the same selectors, services and scopes as the pages."""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.errors import InvalidInput, NotFound
from keepline.core.models import User
from keepline.core.scopes import get_for, require_role
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.problems import selectors as problem_selectors
from keepline.service import selectors, services
from keepline.service.models import Coverage, KeyProject, Visit, VisitStatus, WorkingGroup
from keepline.service.views import (
    has_coverage,
    user_named,
    users_named,
    visible_region,
    visit_enterprise,
)

router = Router(tags=["service"])


# ---- schemas ----------------------------------------------------------------------------------


class CoverageOut(Schema):
    id: int = Field(examples=[12])
    kind: str = Field(description="area, enterprise or project", examples=["enterprise"])
    user: str = Field(description="Username", examples=["zhang.wei"])
    target: str = Field(examples=["江阳测试酒业有限公司"])
    region: str | None = Field(None, description="Region code (area)", examples=[None])
    park: str | None = Field(None, description="Park code (area)", examples=[None])
    enterprise_id: int | None = Field(None, examples=[42])
    project_id: int | None = Field(None, examples=[None])
    since: dt.date = Field(examples=["2022-09-10"])
    until: dt.date | None = Field(None, description="Last day covered", examples=[None])
    note: str = Field(examples=[""])
    assigned_by: str = Field(examples=["bureau"])
    ended_by: str = Field(examples=[""])
    version: int = Field(description="Send it back when ending", examples=[1])

    @staticmethod
    def resolve_user(obj: Coverage) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_target(obj: Coverage) -> str:
        return str(obj.target)

    @staticmethod
    def resolve_region(obj: Coverage) -> str | None:
        return obj.region.code if obj.region else None

    @staticmethod
    def resolve_park(obj: Coverage) -> str | None:
        return obj.park.code if obj.park else None


class CoverageFilterIn(Schema):
    kind: str = Field("", examples=["enterprise"])
    person: str = Field("", description="Username", examples=["zhang.wei"])
    region: str = Field("", description="Region code: targets in its subtree", examples=["510502"])
    park: str = Field("", description="Park code", examples=["LZ-LIQUOR"])
    state: str = Field("open", description="open (in force today), ended or all", examples=["all"])
    at: dt.date | None = Field(None, description="Only those in force that day", examples=[None])


class CoverageIn(Schema):
    kind: str = Field(description="area, enterprise or project", examples=["enterprise"])
    user: str = Field(description="Username of the person who covers", examples=["zhang.wei"])
    region: str | None = Field(None, description="Region code (area)", examples=[None])
    park: str | None = Field(None, description="Park code (area)", examples=[None])
    enterprise_id: int | None = Field(None, examples=[42])
    project_id: int | None = Field(None, examples=[None])
    since: dt.date | None = Field(None, description="Today if left out", examples=["2022-09-10"])
    note: str = Field("", examples=["包联"])


class EndCoverageIn(Schema):
    version: int = Field(examples=[1])
    until: dt.date | None = Field(None, description="Today if left out", examples=[None])


class KeyProjectOut(Schema):
    id: int = Field(examples=[3])
    name: str = Field(examples=["年产10万吨白酒技改项目"])
    enterprise_id: int = Field(examples=[42])
    enterprise: str = Field(alias="enterprise.name", examples=["江阳测试酒业有限公司"])
    region: str = Field(alias="region.code", examples=["510502"])
    description: str = Field(examples=[""])


class KeyProjectIn(Schema):
    enterprise_id: int = Field(examples=[42])
    name: str = Field(examples=["年产10万吨白酒技改项目"])
    description: str = Field("", examples=[""])


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


class VisitFilterIn(Schema):
    list: str = Field("planned", description="planned or done", examples=["done"])
    q: str = Field("", description="Part of the enterprise's name or credit code", examples=[""])
    visitor: str = Field("", description="Username", examples=["commissioner"])
    date_from: dt.date | None = Field(None, examples=["2022-09-01"])
    date_to: dt.date | None = Field(None, examples=["2022-09-30"])


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


class GroupOut(Schema):
    id: int = Field(examples=[2])
    name: str = Field(examples=["省督导组第三组"])
    purpose: str = Field(examples=["督导复工复产"])
    authority: str = Field(alias="authority.code", description="Region code", examples=["510000"])
    leader: str = Field(description="Username", examples=["leader"])
    members: list[str] = Field(description="Usernames", examples=[["zhang.wei"]])
    regions: list[str] = Field(description="Region codes", examples=[["510500"]])
    parks: list[str] = Field(description="Park codes", examples=[[]])
    starts_on: dt.date = Field(examples=["2022-09-10"])
    ends_on: dt.date | None = Field(None, examples=[None])
    version: int = Field(examples=[1])

    @staticmethod
    def resolve_leader(obj: WorkingGroup) -> str:
        return obj.leader.get_username()

    @staticmethod
    def resolve_members(obj: WorkingGroup) -> list[str]:
        return [u.get_username() for u in obj.members.order_by("username")]

    @staticmethod
    def resolve_regions(obj: WorkingGroup) -> list[str]:
        return [r.code for r in obj.regions.all()]

    @staticmethod
    def resolve_parks(obj: WorkingGroup) -> list[str]:
        return [p.code for p in obj.parks.all()]


class GroupIn(Schema):
    authority: str = Field(description="Region code of the sending task force", examples=["510500"])
    name: str = Field(examples=["市督导组第一组"])
    leader: str = Field(description="Username", examples=["leader"])
    starts_on: dt.date = Field(examples=["2022-09-10"])
    purpose: str = Field("", examples=["督导复工复产"])
    members: list[str] = Field([], description="Usernames", examples=[["zhang.wei"]])
    regions: list[str] = Field([], description="Region codes", examples=[["510502"]])
    parks: list[str] = Field([], description="Park codes", examples=[[]])
    ends_on: dt.date | None = Field(None, examples=[None])


class GroupChangeIn(Schema):
    version: int = Field(examples=[1])
    name: str | None = Field(None, examples=[None])
    purpose: str | None = Field(None, examples=[None])
    leader: str | None = Field(None, description="Username", examples=[None])
    members: list[str] | None = Field(None, description="Usernames", examples=[["zhang.wei"]])
    regions: list[str] | None = Field(None, description="Region codes", examples=[None])
    parks: list[str] | None = Field(None, description="Park codes", examples=[None])
    starts_on: dt.date | None = Field(None, examples=[None])


class GroupEndIn(Schema):
    version: int = Field(examples=[1])
    ends_on: dt.date | None = Field(None, description="Today if left out", examples=[None])


class MineProblemOut(Schema):
    id: int = Field(examples=[17])
    title: str = Field(examples=["原料运输车辆无法进入园区"])
    status: str = Field(examples=["accepted"])
    due: dt.datetime | None = Field(None, examples=["2022-09-15T17:00:00+08:00"])
    near: bool = Field(examples=[False])
    overdue: bool = Field(examples=[False])


class MineVisitOut(Schema):
    id: int = Field(examples=[5])
    visitor: str = Field(examples=["commissioner"])
    planned_for: dt.date | None = Field(None, examples=["2022-09-20"])
    visited_at: dt.datetime | None = Field(None, examples=[None])


class MineEnterpriseOut(Schema):
    id: int = Field(examples=[42])
    name: str = Field(examples=["江阳测试酒业有限公司"])
    uscc: str = Field(examples=["91510502000000001X"])
    mode: str = Field(description="Mode today", examples=["closed_loop"])
    report_in: bool = Field(description="Today's daily report is in", examples=[True])
    problems: list[MineProblemOut]
    next_visit: MineVisitOut | None = None
    last_visit: MineVisitOut | None = None


class MineAreaOut(Schema):
    coverage_id: int = Field(examples=[7])
    area: str = Field(examples=["江阳区"])
    enterprises: int = Field(examples=[120])
    reports_in: int = Field(examples=[98])
    open_problems: int = Field(examples=[6])
    overdue: int = Field(examples=[1])


class MineOut(Schema):
    at: dt.datetime = Field(examples=["2022-09-20T09:00:00+08:00"])
    counts: dict[str, int] = Field(examples=[{"enterprises": 3, "overdue": 1}])
    coverage: list[CoverageOut]
    enterprises: list[MineEnterpriseOut]
    areas: list[MineAreaOut]
    projects: list[KeyProjectOut]


# ---- helpers ----------------------------------------------------------------------------------


def _required(model: Any, field: str, **lookup: Any) -> Any:
    found = model.objects.filter(**lookup).first()
    if found is None:
        message = _("Not found.")
        raise InvalidInput(message, errors={field: [message]})
    return found


def _regions(codes: list[str]) -> list[Region]:
    found = list(Region.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        message = _("Unknown region code.")
        raise InvalidInput(message, errors={"regions": [message]})
    return found


def _parks(codes: list[str]) -> list[Park]:
    found = list(Park.objects.filter(code__in=codes).select_related("region"))
    if len(found) != len(set(codes)):
        message = _("Unknown park code.")
        raise InvalidInput(message, errors={"parks": [message]})
    return found


def _aware(at: dt.datetime) -> dt.datetime:
    """A time sent without an offset is read as local (Asia/Shanghai) time."""
    return timezone.make_aware(at) if timezone.is_naive(at) else at


def _may_visit(user: User) -> None:
    if not has_coverage(user):
        require_role(user, Visit, "change")


def _visit(request: Any, visit_id: int) -> Visit:
    return selectors.get_visit(request.auth, visit_id)


def _may_see_visits(user: User) -> None:
    if not has_coverage(user):
        require_role(user, Visit)


# ---- coverage ---------------------------------------------------------------------------------


@router.get("/service/coverage", response=list[CoverageOut], summary="Coverage and its history")
@paginate(PageNumberPagination, page_size=100)
def coverage_list(request: Any, filters: Query[CoverageFilterIn]) -> Any:
    require_role(request.auth, Coverage)
    return selectors.coverage_list(request.auth, **filters.dict())


@router.post("/service/coverage", response=CoverageOut, summary="Assign coverage")
def coverage_assign(request: Any, payload: CoverageIn) -> Any:
    actor = request.auth
    require_role(actor, Coverage, "change")
    project = None
    if payload.project_id is not None:
        project = selectors.key_projects(actor).filter(pk=payload.project_id).first()
        if project is None:
            raise NotFound(_("Not found."))
    coverage = services.assign_coverage(
        actor=actor,
        kind=payload.kind,
        user=user_named(payload.user, "user"),
        region=_required(Region, "region", code=payload.region) if payload.region else None,
        park=_required(Park, "park", code=payload.park) if payload.park else None,
        enterprise=(
            get_for(Enterprise.objects.all(), actor, payload.enterprise_id)
            if payload.enterprise_id is not None
            else None
        ),
        project=project,
        since=payload.since,
        note=payload.note,
    )
    return selectors.get_coverage(actor, coverage.pk)


@router.post("/service/coverage/{coverage_id}/end", response=CoverageOut, summary="End a coverage")
def coverage_end(request: Any, coverage_id: int, payload: EndCoverageIn) -> Any:
    services.end_coverage(
        actor=request.auth, coverage_id=coverage_id, until=payload.until, version=payload.version
    )
    return selectors.get_coverage(request.auth, coverage_id)


@router.get("/service/projects", response=list[KeyProjectOut], summary="Key projects")
@paginate(PageNumberPagination, page_size=100)
def project_list(request: Any) -> Any:
    require_role(request.auth, KeyProject)
    return selectors.key_projects(request.auth)


@router.post("/service/projects", response=KeyProjectOut, summary="Create a key project")
def project_create(request: Any, payload: KeyProjectIn) -> Any:
    require_role(request.auth, KeyProject, "change")
    enterprise = get_for(
        Enterprise.objects.select_related("region", "park"), request.auth, payload.enterprise_id
    )
    return services.create_key_project(
        actor=request.auth,
        enterprise=enterprise,
        name=payload.name,
        description=payload.description,
    )


# ---- visits -----------------------------------------------------------------------------------


@router.get("/service/visits", response=list[VisitOut], summary="The planned or the done list")
@paginate(PageNumberPagination, page_size=100)
def visit_list(request: Any, filters: Query[VisitFilterIn]) -> Any:
    actor = request.auth
    _may_see_visits(actor)
    if filters.list not in ("planned", "done"):
        raise InvalidInput(
            _("Choose the planned or the done list."),
            errors={"list": [_("planned or done")]},
        )
    qs: QuerySet[Visit]
    if filters.list == "planned":
        qs, day = selectors.planned_visits(actor), "planned_for"
    else:
        qs, day = selectors.done_visits(actor), "visited_at__date"
    if filters.visitor:
        qs = qs.filter(visitor__username=filters.visitor)
    if filters.q:
        qs = qs.filter(Q(enterprise__name__icontains=filters.q) | Q(enterprise__uscc=filters.q))
    if filters.date_from:
        qs = qs.filter(**{f"{day}__gte": filters.date_from})
    if filters.date_to:
        qs = qs.filter(**{f"{day}__lte": filters.date_to})
    return qs.prefetch_related("problems")


@router.post("/service/visits", response=VisitOut, summary="Plan a visit")
def visit_plan(request: Any, payload: PlanIn) -> Any:
    actor = request.auth
    _may_visit(actor)
    visit = services.plan_visit(
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
    _may_visit(actor)
    visit = services.record_visit(
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
    services.complete_visit(
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
    services.cancel_visit(actor=request.auth, visit_id=visit_id, **payload.dict())
    return _visit(request, visit_id)


@router.post(
    "/service/visits/{visit_id}/problems",
    response=RaisedOut,
    summary="File a problem heard at the visit and link it",
)
def visit_raise(request: Any, visit_id: int, payload: RaiseIn) -> Any:
    problem = services.raise_problem_at_visit(
        actor=request.auth, visit_id=visit_id, **payload.dict()
    )
    return {"problem_id": problem.pk, "visit": _visit(request, visit_id)}


# ---- working groups ---------------------------------------------------------------------------


def _groups(qs: QuerySet[WorkingGroup]) -> QuerySet[WorkingGroup]:
    return qs.select_related("authority", "leader").prefetch_related("regions", "parks")


@router.get("/service/groups", response=list[GroupOut], summary="Working groups")
@paginate(PageNumberPagination, page_size=100)
def group_list(request: Any, active_on: dt.date | None = None) -> Any:
    require_role(request.auth, WorkingGroup)
    return _groups(selectors.working_groups(request.auth, active_on))


@router.post("/service/groups", response=GroupOut, summary="Send a working group")
def group_create(request: Any, payload: GroupIn) -> Any:
    actor = request.auth
    require_role(actor, WorkingGroup, "change")
    group = services.create_working_group(
        actor=actor,
        authority=visible_region(actor, payload.authority),
        name=payload.name,
        leader=user_named(payload.leader, "leader"),
        starts_on=payload.starts_on,
        purpose=payload.purpose,
        members=users_named(payload.members, "members"),
        regions=_regions(payload.regions),
        parks=_parks(payload.parks),
        ends_on=payload.ends_on,
    )
    return selectors.get_working_group(actor, group.pk)


@router.get("/service/groups/{group_id}", response=GroupOut, summary="One working group")
def group_detail(request: Any, group_id: int) -> Any:
    return selectors.get_working_group(request.auth, group_id)


@router.post(
    "/service/groups/{group_id}/change",
    response=GroupOut,
    summary="Change a working group (what is left out stays)",
)
def group_change(request: Any, group_id: int, payload: GroupChangeIn) -> Any:
    actor = request.auth
    # The right first: a stranger gets 404 and a viewer 403 before any field is looked up.
    selectors.get_working_group(actor, group_id, "change")
    changes: dict[str, Any] = {
        "name": payload.name,
        "purpose": payload.purpose,
        "starts_on": payload.starts_on,
    }
    if payload.leader is not None:
        changes["leader"] = user_named(payload.leader, "leader")
    if payload.members is not None:
        changes["members"] = users_named(payload.members, "members")
    if payload.regions is not None:
        changes["regions"] = _regions(payload.regions)
    if payload.parks is not None:
        changes["parks"] = _parks(payload.parks)
    services.change_working_group(
        actor=actor, group_id=group_id, version=payload.version, **changes
    )
    return selectors.get_working_group(actor, group_id)


@router.post("/service/groups/{group_id}/end", response=GroupOut, summary="Stand a group down")
def group_end(request: Any, group_id: int, payload: GroupEndIn) -> Any:
    services.end_working_group(
        actor=request.auth, group_id=group_id, ends_on=payload.ends_on, version=payload.version
    )
    return selectors.get_working_group(request.auth, group_id)


# ---- my work ----------------------------------------------------------------------------------


def _mine_visit(visit: Visit | None) -> dict[str, Any] | None:
    if visit is None:
        return None
    return {
        "id": visit.pk,
        "visitor": visit.visitor.get_username(),
        "planned_for": visit.planned_for,
        "visited_at": visit.visited_at if visit.status == VisitStatus.DONE else None,
    }


@router.get("/service/mine", response=MineOut, summary="What I cover today and how it stands")
def mine(request: Any) -> Any:
    work = selectors.my_work(request.auth)
    return {
        "at": work.at,
        "counts": work.counts,
        "coverage": work.coverages,
        "enterprises": [
            {
                "id": w.enterprise.pk,
                "name": w.enterprise.name,
                "uscc": w.enterprise.uscc,
                "mode": w.mode,
                "report_in": w.report_in,
                "problems": [
                    {
                        "id": p.pk,
                        "title": p.title,
                        "status": p.status,
                        "due": state.due,
                        "near": state.near,
                        "overdue": state.overdue,
                    }
                    for p, state in w.problems
                ],
                "next_visit": _mine_visit(w.next_visit),
                "last_visit": _mine_visit(w.last_visit),
            }
            for w in work.enterprises
        ],
        "areas": [
            {
                "coverage_id": a.coverage.pk,
                "area": str(a.coverage.target),
                "enterprises": a.enterprises,
                "reports_in": a.reports_in,
                "open_problems": a.open_problems,
                "overdue": a.overdue,
            }
            for a in work.areas
        ],
        "projects": work.projects,
    }
