"""API of a problem's life: the list (the page's filters), filing, one problem with its
timeline, each step, and taking up a daily report's problem field."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.models import Department, User
from keepline.core.scopes import get_for, require_role
from keepline.problems import listings, selectors
from keepline.problems.api.attachments import AttachmentOut, DocumentIn, decode
from keepline.problems.api.setup import found
from keepline.problems.models import Problem
from keepline.problems.services import lifecycle
from keepline.reports.models import DailyReport

router = Router(tags=["problems"])


class DeadlineOut(Schema):
    kind: str = Field(
        description='The deadline held to next: acknowledge, interim or close; "" if none',
        examples=["interim"],
    )
    due: dt.datetime | None = Field(examples=["2022-09-15T17:00:00+08:00"])
    near: bool = Field(description="Within the last 20% of its allowance", examples=[False])
    overdue: bool = Field(examples=[False])


class ProblemOut(Schema):
    id: int = Field(examples=[17])
    enterprise_id: int = Field(examples=[42])
    enterprise: str = Field(alias="enterprise.name", examples=["泸州示例酒业有限公司"])
    uscc: str = Field(alias="enterprise.uscc", examples=["91510500MA62X5QF23"])
    category: str = Field(examples=["logistics"])
    urgency: str = Field(examples=["normal"])
    title: str = Field(examples=["原料运输车辆无法进入园区"])
    description: str = Field(examples=["两辆原料车被拦在高速出口。"])
    source: str = Field(description="form, on_behalf, report or import", examples=["form"])
    whitelisted: bool = Field(examples=[True])
    tier: str = Field(description="local, city or province", examples=["local"])
    status: str = Field(
        description="submitted, accepted, in_progress, replied or closed", examples=["accepted"]
    )
    department: str | None = Field(None, examples=["江阳区交通运输局"])
    handler: str | None = Field(None, description="Username", examples=["commissioner"])
    filed_by_name: str = Field(examples=["liaison"])
    filed_at: dt.datetime = Field(examples=["2022-09-12T09:30:00+08:00"])
    accepted_at: dt.datetime | None = Field(None, examples=["2022-09-12T10:00:00+08:00"])
    interim_replied_at: dt.datetime | None = Field(None, examples=[None])
    replied_at: dt.datetime | None = Field(None, examples=[None])
    closed_at: dt.datetime | None = Field(None, examples=[None])
    reply: str = Field(examples=[""])
    rating: int | None = Field(None, examples=[None])
    rating_comment: str = Field(examples=[""])
    acknowledge_due: dt.datetime = Field(examples=["2022-09-12T10:30:00+08:00"])
    interim_due: dt.datetime = Field(examples=["2022-09-15T09:30:00+08:00"])
    close_due: dt.datetime = Field(examples=["2022-09-19T09:30:00+08:00"])
    version: int = Field(description="Send it back with each step", examples=[2])
    deadline: DeadlineOut

    @staticmethod
    def resolve_department(obj: Problem) -> str | None:
        return str(obj.department) if obj.department else None

    @staticmethod
    def resolve_handler(obj: Problem) -> str | None:
        return obj.handler.get_username() if obj.handler else None

    @staticmethod
    def resolve_deadline(obj: Problem) -> Any:
        return selectors.deadline_state(obj, timezone.now())


class EventOut(Schema):
    kind: str = Field(examples=["accepted"])
    at: dt.datetime = Field(examples=["2022-09-12T10:00:00+08:00"])
    actor_name: str = Field(examples=["commissioner"])
    from_status: str = Field(examples=["submitted"])
    to_status: str = Field(examples=["accepted"])
    note: str = Field(examples=[""])


class ProblemDetailOut(ProblemOut):
    timeline: list[EventOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj: Problem) -> Any:
        return obj.attachments.defer("content").order_by("created_at", "id")


class FileIn(Schema):
    enterprise_id: int = Field(examples=[42])
    category: str = Field(examples=["logistics"])
    urgency: str = Field("normal", description="normal, urgent or critical", examples=["urgent"])
    title: str = Field(examples=["原料运输车辆无法进入园区"])
    description: str = Field("", examples=["两辆原料车被拦在高速出口。"])
    attachments: list[DocumentIn] = Field([], description="Documents filed with it, base64")


class VersionIn(Schema):
    version: int = Field(description="The problem's version you read", examples=[1])


class StartIn(VersionIn):
    note: str = Field("", examples=["已联系交通局"])


class ReplyIn(VersionIn):
    text: str = Field(examples=["车辆已放行"])
    final: bool = Field(
        description="true: the final reply (the enterprise confirms or reopens); false: interim",
        examples=[True],
    )


class ConfirmIn(VersionIn):
    rating: int = Field(description="1 to 5", examples=[5])
    comment: str = Field("", examples=["处理及时"])


class ReopenIn(VersionIn):
    reason: str = Field(examples=["车辆仍被拦在高速出口"])


class ReassignIn(VersionIn):
    reason: str = Field(examples=["属交通问题"])
    department: int | None = Field(None, description="Department id", examples=[3])
    handler: int | None = Field(None, description="User id", examples=[None])


def _detail(request: Any, problem_id: int) -> Any:
    found = selectors.problem(request.auth, problem_id)
    found.timeline = selectors.timeline(request.auth, problem_id)  # type: ignore[attr-defined]
    return found


@router.get(
    "/problems",
    response=list[ProblemOut],
    summary="Problems the user may see",
    description="The list page's filters and sort, field for field; the figures' links use "
    "them. A bad value answers 400 naming its field; an enterprise out of sight, 404.",
    openapi_extra=listings.PROBLEMS.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def problem_list(request: Any) -> Any:
    require_role(request.auth, Problem)
    return listings.PROBLEMS.rows(request.auth, request.GET)


@router.post("/problems", response=ProblemDetailOut, summary="File a problem for an enterprise")
def problem_file(request: Any, payload: FileIn) -> Any:
    require_role(request.auth, Problem, "file")
    data = payload.dict(exclude={"attachments"})
    files = decode(payload.attachments)
    problem = lifecycle.file_problem(actor=request.auth, **data, files=files)
    return _detail(request, problem.pk)


# int: the other paths under /problems/ (route, calendar, figures…) are not problem ids.
@router.get(
    "/problems/{int:problem_id}",
    response=ProblemDetailOut,
    summary="One problem with its timeline",
)
def problem_detail(request: Any, problem_id: int) -> Any:
    return _detail(request, problem_id)


@router.post("/problems/{problem_id}/accept", response=ProblemDetailOut, summary="Accept")
def problem_accept(request: Any, problem_id: int, payload: VersionIn) -> Any:
    lifecycle.accept_problem(actor=request.auth, problem_id=problem_id, version=payload.version)
    return _detail(request, problem_id)


@router.post("/problems/{problem_id}/start", response=ProblemDetailOut, summary="Start work")
def problem_start(request: Any, problem_id: int, payload: StartIn) -> Any:
    lifecycle.start_problem(
        actor=request.auth, problem_id=problem_id, version=payload.version, note=payload.note
    )
    return _detail(request, problem_id)


@router.post(
    "/problems/{problem_id}/reply", response=ProblemDetailOut, summary="Interim or final reply"
)
def problem_reply(request: Any, problem_id: int, payload: ReplyIn) -> Any:
    lifecycle.reply_problem(
        actor=request.auth,
        problem_id=problem_id,
        version=payload.version,
        text=payload.text,
        final=payload.final,
    )
    return _detail(request, problem_id)


@router.post(
    "/problems/{problem_id}/confirm",
    response=ProblemDetailOut,
    summary="The enterprise confirms it solved and rates the handling (closes it)",
)
def problem_confirm(request: Any, problem_id: int, payload: ConfirmIn) -> Any:
    lifecycle.confirm_problem(
        actor=request.auth,
        problem_id=problem_id,
        version=payload.version,
        rating=payload.rating,
        comment=payload.comment,
    )
    return _detail(request, problem_id)


@router.post(
    "/problems/{problem_id}/reopen",
    response=ProblemDetailOut,
    summary="The enterprise says the reply did not solve it",
)
def problem_reopen(request: Any, problem_id: int, payload: ReopenIn) -> Any:
    lifecycle.reopen_problem(
        actor=request.auth, problem_id=problem_id, version=payload.version, reason=payload.reason
    )
    return _detail(request, problem_id)


@router.post(
    "/problems/{problem_id}/reassign",
    response=ProblemDetailOut,
    summary="Send to another department and/or handler",
)
def problem_reassign(request: Any, problem_id: int, payload: ReassignIn) -> Any:
    lifecycle.reassign_problem(
        actor=request.auth,
        problem_id=problem_id,
        version=payload.version,
        reason=payload.reason,
        department=found(Department, payload.department, "department", _("No such department.")),
        handler=found(User, payload.handler, "handler", _("No such user.")),
    )
    return _detail(request, problem_id)


class FromReportOut(Schema):
    problem_id: int = Field(examples=[17])
    created: bool = Field(description="false: the report had been taken up before", examples=[True])


@router.post(
    "/problems/from-report/{report_id}",
    response=FromReportOut,
    summary="Take up a daily report's problem field as a problem (idempotent)",
)
def problem_from_report(request: Any, report_id: int) -> Any:
    report = get_for(
        DailyReport.objects.select_related("enterprise__region", "enterprise__park"),
        request.auth,
        report_id,
    )
    existing = Problem.objects.filter(report=report).exists()
    problem = lifecycle.file_from_report(actor=request.auth, report=report)
    return {"problem_id": problem.pk, "created": not existing}
