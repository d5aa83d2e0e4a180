"""API of closed-loop production: plans and readiness, switching, requests and modes — the same
services, selectors and scopes as the pages."""

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from keepline.bubble import selectors
from keepline.bubble.models import ClosedLoopPlan, ModeChangeRequest, ModeRecord
from keepline.bubble.readiness import readiness
from keepline.bubble.services import modes as mode_services
from keepline.bubble.services import plans as plan_services
from keepline.bubble.services import requests as request_services
from keepline.bubble.services import switching as switch_services
from keepline.core.scopes import get_for, require_role
from keepline.enterprises.models import Enterprise

router = Router(tags=["closed-loop production"])


# ---- plans -----------------------------------------------------------------------------------


class PlanFields(Schema):
    perimeter_sealable: bool = Field(False, examples=[True])
    gates: int = Field(0, description="Gates of the sealed perimeter", examples=[2])
    guard_posts: int = Field(0, examples=[2])
    staff_inside: int = Field(0, description="Staff who will live inside the loop", examples=[150])
    beds: int = Field(0, examples=[160])
    meals_per_day: int = Field(0, description="Meals the kitchen can make a day", examples=[450])
    raw_material_days: int = Field(0, examples=[10])
    finished_goods_days: int = Field(0, examples=[7])
    key_inputs: str = Field("", examples=["高粱、小麦：本地合作社直供"])
    isolation_rooms: int = Field(0, examples=[3])
    on_site_sampling: bool = Field(False, examples=[True])
    sampling_points: int = Field(0, examples=[2])
    reduced_staff_plan: str = Field("", examples=["减员至 60% 时保留两条灌装线"])
    alternative_logistics: str = Field("", examples=["铁路专线 + 备用车队"])
    review_date: dt.date | None = Field(None, examples=["2023-03-31"])


class PlanIn(PlanFields):
    enterprise_id: int | None = Field(None, description="一企一策: the enterprise", examples=[12])
    park_id: int | None = Field(None, description="一园一策: the park", examples=[None])
    submit: bool = Field(
        True, description="Submit for decision (else keep as a draft)", examples=[True]
    )
    version: int | None = Field(
        None, description="The open draft's version you read; a stale one answers 409", examples=[1]
    )


class PlanOut(PlanFields):
    id: int
    enterprise_id: int | None = Field(None, examples=[12])
    park_id: int | None = Field(None, examples=[None])
    subject: str = Field(examples=["泸州示例酒业有限公司"])
    number: int = Field(description="Version number of the plan", examples=[2])
    status: str = Field(examples=["submitted"])
    ready: bool = Field(description="Every readiness rule passes", examples=[True])
    submitted_by: str = Field(examples=["liaison01"])
    submitted_at: dt.datetime | None = Field(None, examples=["2022-09-01T10:00:00+08:00"])
    decided_by: str = Field(examples=["park01"])
    decided_at: dt.datetime | None = Field(None, examples=["2022-09-02T09:00:00+08:00"])
    decision_note: str = Field(examples=[""])
    version: int = Field(examples=[2])

    @staticmethod
    def resolve_subject(obj: ClosedLoopPlan) -> str:
        return str(obj.subject)


class RuleOut(Schema):
    code: str = Field(examples=["beds"])
    condition: str = Field(examples=["Lodging"])
    passed: bool = Field(examples=[False])
    explanation: str = Field(examples=["Beds 120 for 150 staff living inside: 30 short."])


class ReadinessOut(Schema):
    plan_id: int = Field(examples=[7])
    ready: bool = Field(examples=[False])
    qualified_now: bool = Field(
        description="This version is approved, ready and not past its review date",
        examples=[False],
    )
    rules: list[RuleOut]


class DecisionIn(Schema):
    approve: bool = Field(examples=[False])
    note: str = Field("", description="Required when returning or refusing", examples=["床位不足"])
    version: int | None = Field(
        None, description="The version you read; a stale one answers 409", examples=[2]
    )


def _plans() -> Any:
    return ClosedLoopPlan.objects.select_related("enterprise", "park")


@router.get(
    "/plans",
    response=list[PlanOut],
    summary="Closed-loop plan versions",
    description="The list page's filters and sort, field for field.",
    openapi_extra=selectors.PLANS.openapi(),
)
@paginate(PageNumberPagination, page_size=50)
def plan_list(request: Any) -> Any:
    require_role(request.auth, ClosedLoopPlan)
    return selectors.PLANS.rows(request.auth, request.GET)


@router.post("/plans", response={201: PlanOut}, summary="Write or submit a plan (a new version)")
def plan_save(request: Any, payload: PlanIn) -> Any:
    data = payload.dict(exclude={"enterprise_id", "park_id", "submit", "version"})
    plan = plan_services.save_plan(
        actor=request.auth,
        data=data,
        enterprise_id=payload.enterprise_id,
        park_id=payload.park_id,
        submit=payload.submit,
        version=payload.version,
    )
    return Status(201, get_for(_plans(), request.auth, plan.pk))


@router.get("/plans/{plan_id}", response=PlanOut, summary="One plan version")
def plan_detail(request: Any, plan_id: int) -> Any:
    return get_for(_plans(), request.auth, plan_id)


@router.get(
    "/plans/{plan_id}/readiness",
    response=ReadinessOut,
    summary="Readiness rule by rule, each explained",
)
def plan_readiness(request: Any, plan_id: int) -> Any:
    plan = get_for(_plans(), request.auth, plan_id)
    rules = readiness(plan)
    now = timezone.now()
    return {
        "plan_id": plan.pk,
        "ready": all(r.passed for r in rules),
        "qualified_now": selectors.gives_qualification(plan, now),
        "rules": rules,
    }


@router.post("/plans/{plan_id}/decision", response=PlanOut, summary="Approve or return a plan")
def plan_decide(request: Any, plan_id: int, payload: DecisionIn) -> Any:
    plan_services.decide_plan(
        actor=request.auth,
        plan_id=plan_id,
        approve=payload.approve,
        note=payload.note,
        version=payload.version,
    )
    return get_for(_plans(), request.auth, plan_id)


# ---- switching -------------------------------------------------------------------------------


class PreviewRowOut(Schema):
    enterprise_id: int = Field(examples=[12])
    uscc: str = Field(examples=["91510500MA62X5QF23"])
    name: str = Field(examples=["泸州示例酒业有限公司"])
    current: str = Field(description="Mode before the switch", examples=["normal"])
    proposed: str = Field(examples=["closed_loop"])
    reason: str = Field(examples=["“江阳区临时性静态管理” (strictness 2) in force; ..."])


class PreviewOut(Schema):
    measure_id: int = Field(examples=[3])
    effective_at: dt.datetime = Field(examples=["2022-09-08T00:00:00+08:00"])
    counts: dict[str, int] = Field(
        description="Enterprises by proposed mode",
        examples=[{"closed_loop": 216, "semi_closed": 80, "halted": 0}],
    )
    change_count: int = Field(
        description="How many change mode: pass it back to confirm", examples=[296]
    )
    switched: bool = Field(description="The measure has been switched already", examples=[False])
    rows: list[PreviewRowOut]


class SwitchIn(Schema):
    expected_count: int = Field(description="change_count of the preview", examples=[296])


class EndIn(Schema):
    return_on: dt.date = Field(
        description="Date from which the area returns to normal", examples=["2022-09-26"]
    )


class SwitchOut(Schema):
    measure_id: int = Field(examples=[3])
    effective_at: dt.datetime = Field(examples=["2022-09-08T00:00:00+08:00"])
    confirmed_by: str = Field(examples=["bureau01"])
    confirmed_at: dt.datetime = Field(examples=["2022-09-07T22:10:00+08:00"])
    switched: int = Field(examples=[296])
    return_at: dt.datetime | None = Field(None, examples=[None])
    ended_by: str = Field(examples=[""])
    returned: int | None = Field(None, examples=[None])


@router.get(
    "/measures/{measure_id}/switch-preview",
    response=PreviewOut,
    summary="Who in the measure's area would go closed-loop, semi-closed or halted",
)
def switch_preview(request: Any, measure_id: int) -> Any:
    preview = switch_services.preview_switch(actor=request.auth, measure_id=measure_id)
    return {
        "measure_id": measure_id,
        "effective_at": preview.effective_at,
        "counts": preview.counts,
        "change_count": preview.change_count,
        "switched": selectors.switch_of(preview.measure) is not None,
        "rows": [
            {
                "enterprise_id": r.enterprise.pk,
                "uscc": r.enterprise.uscc,
                "name": r.enterprise.name,
                "current": r.current,
                "proposed": r.proposed,
                "reason": r.reason,
            }
            for r in preview.rows
        ],
    }


@router.post(
    "/measures/{measure_id}/switch",
    response={201: SwitchOut},
    summary="Confirm the switch of the measure's whole area",
)
def switch_confirm(request: Any, measure_id: int, payload: SwitchIn) -> Any:
    switch = switch_services.confirm_switch(
        actor=request.auth, measure_id=measure_id, expected_count=payload.expected_count
    )
    return Status(201, switch)


@router.post(
    "/measures/{measure_id}/switch/end",
    response=SwitchOut,
    summary="End the measure's modes: back to normal from a date",
)
def switch_end(request: Any, measure_id: int, payload: EndIn) -> Any:
    return switch_services.end_measure_modes(
        actor=request.auth, measure_id=measure_id, return_on=payload.return_on
    )


# ---- change requests -------------------------------------------------------------------------


class RequestIn(Schema):
    enterprise_id: int = Field(examples=[12])
    requested_mode: str = Field(examples=["closed_loop"])
    reason: str = Field(examples=["闭环方案已获批，员工已入住宿舍"])


class RequestOut(Schema):
    id: int
    enterprise_id: int = Field(examples=[12])
    enterprise: str = Field(alias="enterprise.name", examples=["泸州示例酒业有限公司"])
    current_mode: str = Field(examples=["semi_closed"])
    requested_mode: str = Field(examples=["closed_loop"])
    reason: str = Field(examples=["闭环方案已获批，员工已入住宿舍"])
    status: str = Field(examples=["pending"])
    requested_by: str = Field(examples=["liaison01"])
    requested_at: dt.datetime = Field(examples=["2022-09-09T08:00:00+08:00"])
    decided_by: str = Field(examples=[""])
    decided_at: dt.datetime | None = Field(None, examples=[None])
    decision_note: str = Field(examples=[""])
    version: int = Field(examples=[1])


def _requests() -> Any:
    return ModeChangeRequest.objects.select_related("enterprise")


@router.get(
    "/mode-requests",
    response=list[RequestOut],
    summary="Mode change requests",
    description="The list page's filters and sort, field for field.",
    openapi_extra=selectors.REQUESTS.openapi(),
)
@paginate(PageNumberPagination, page_size=50)
def request_list(request: Any) -> Any:
    require_role(request.auth, ModeChangeRequest)
    return selectors.REQUESTS.rows(request.auth, request.GET)


@router.post("/mode-requests", response={201: RequestOut}, summary="Ask for another mode")
def request_create(request: Any, payload: RequestIn) -> Any:
    change = request_services.request_mode_change(
        actor=request.auth,
        enterprise_id=payload.enterprise_id,
        requested_mode=payload.requested_mode,
        reason=payload.reason,
    )
    return Status(201, get_for(_requests(), request.auth, change.pk))


@router.get("/mode-requests/{request_id}", response=RequestOut, summary="One change request")
def request_detail(request: Any, request_id: int) -> Any:
    return get_for(_requests(), request.auth, request_id)


@router.post(
    "/mode-requests/{request_id}/decision",
    response=RequestOut,
    summary="Approve or refuse a change request",
)
def request_decide(request: Any, request_id: int, payload: DecisionIn) -> Any:
    request_services.decide_mode_request(
        actor=request.auth,
        request_id=request_id,
        approve=payload.approve,
        note=payload.note,
        version=payload.version,
    )
    return get_for(_requests(), request.auth, request_id)


# ---- modes -----------------------------------------------------------------------------------


class ModeRowOut(Schema):
    enterprise_id: int = Field(alias="pk", examples=[12])
    uscc: str = Field(examples=["91510500MA62X5QF23"])
    name: str = Field(examples=["泸州示例酒业有限公司"])
    region: str = Field(alias="region.code", examples=["510502"])
    park: str | None = Field(None, examples=["LZ-LIQUOR"])
    mode: str = Field(examples=["closed_loop"])
    since: dt.datetime | None = Field(
        None, alias="mode_since", description="When this mode took effect", examples=[None]
    )
    reason: str | None = Field(None, alias="mode_reason", examples=["…"])
    as_of: dt.datetime = Field(examples=["2022-09-11T15:00:00+08:00"])

    @staticmethod
    def resolve_park(obj: Enterprise) -> str | None:
        return obj.park.code if obj.park else None


class ModeRecordOut(Schema):
    id: int
    mode: str = Field(examples=["closed_loop"])
    effective_from: dt.datetime = Field(examples=["2022-09-08T00:00:00+08:00"])
    reason: str = Field(examples=["…"])
    measure_id: int | None = Field(None, examples=[3])
    recorded_by: str = Field(examples=["bureau01"])
    created_at: dt.datetime = Field(examples=["2022-09-07T22:10:00+08:00"])


class ModeSetIn(Schema):
    mode: str = Field(examples=["seasonal_stop"])
    reason: str = Field(examples=["榨季结束，季节性停产"])
    effective_on: dt.date | None = Field(
        None, description="From the start of this day; now when left out", examples=[None]
    )


@router.get(
    "/modes",
    response=list[ModeRowOut],
    summary="Enterprises' modes as of a moment",
    description="The list page's filters and sort, field for field; `as_of` is now when left out.",
    openapi_extra=selectors.MODES.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def mode_list(request: Any) -> Any:
    require_role(request.auth, ModeRecord)
    return selectors.MODES.rows(request.auth, request.GET)


@router.get(
    "/enterprises/{enterprise_id}/modes",
    response=list[ModeRecordOut],
    summary="An enterprise's mode history, newest first",
)
def mode_history(request: Any, enterprise_id: int) -> Any:
    enterprise = get_for(Enterprise.objects.all(), request.auth, enterprise_id)
    return selectors.history(request.auth, enterprise)


@router.post(
    "/enterprises/{enterprise_id}/modes",
    response={201: ModeRecordOut},
    summary="Set an enterprise's mode by hand, with the reason",
)
def mode_set(request: Any, enterprise_id: int, payload: ModeSetIn) -> Any:
    record = mode_services.set_mode(
        actor=request.auth,
        enterprise_id=enterprise_id,
        mode=payload.mode,
        reason=payload.reason,
        effective_on=payload.effective_on,
    )
    return Status(201, record)
