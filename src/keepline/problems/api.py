"""API of problems: the same selectors, services and scopes as the pages."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.errors import InvalidInput
from keepline.core.models import Department, User
from keepline.core.scopes import require_role
from keepline.places.models import Region
from keepline.problems import selectors, setup_views
from keepline.problems.api_documents import AttachmentOut, DocumentIn, decode
from keepline.problems.api_documents import router as documents_router
from keepline.problems.models import CalendarDay, Problem, RoutingRule, TimeLimit
from keepline.problems.services import calendar, lifecycle, limits, routing
from keepline.problems.setup_forms import read_calendar
from keepline.problems.views import SORTS, checked_filters, filtered

router = Router(tags=["problems"])
router.add_router("", documents_router)


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
    uscc: str = Field(alias="enterprise.uscc", examples=["91510500MA62X5QF2B"])
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


def _day(what: str) -> Any:
    return Field(
        "",
        description=f"{what}, inclusive (YYYY-MM-DD, Asia/Shanghai)",
        examples=["2022-09-08"],
    )


class ProblemFilterIn(Schema):
    """The problem list's filters, as the page takes them (a bad value answers 400 naming it)."""

    status: str = Field(
        "",
        description="submitted, accepted, in_progress, replied, closed, or open (the first three)",
        examples=["in_progress"],
    )
    category: str = Field("", examples=["logistics"])
    tier: str = Field("", examples=["city"])
    region: str = Field("", description="Region code with its subtree", examples=["510502"])
    park: str = Field("", description="Park code", examples=["LZ-LIQUOR"])
    whitelisted: bool | None = Field(None, examples=[True])
    deadline: str = Field("", description="overdue | near | (any)", examples=["overdue"])
    department: str = Field(
        "",
        description="A department id; handler (a named handler, no department); unassigned",
        examples=["3"],
    )
    enterprise: str = Field("", description="One enterprise's id", examples=["12"])
    filed_from: str = _day("Filed on or after this day")
    filed_to: str = _day("Filed on or before this day")
    accepted_from: str = _day("Accepted on or after this day")
    accepted_to: str = _day("Accepted on or before this day")
    closed_from: str = _day("Closed on or after this day")
    closed_to: str = _day("Closed on or before this day")
    acknowledged: str = Field("", description="yes: accepted", examples=["yes"])
    acknowledged_on_time: str = Field(
        "", description="yes: accepted by the acknowledge deadline", examples=["yes"]
    )
    on_time: str = Field(
        "", description="yes: the final reply came by the close deadline", examples=["yes"]
    )
    rating: str = Field("", description="any: rated; 4-5: rated 4 or 5", examples=["4-5"])
    sort: str = Field(
        "-filed",
        description=", ".join(k for k in SORTS if not k.startswith("-")) + "; - descending",
        examples=["close_due"],
    )


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


@router.get("/problems", response=list[ProblemOut], summary="Problems the user may see")
@paginate(PageNumberPagination, page_size=100)
def problem_list(request: Any, filters: Query[ProblemFilterIn]) -> Any:
    require_role(request.auth, Problem)
    data: dict[str, Any] = filters.dict(exclude={"sort", "whitelisted"})
    data["whitelisted"] = (
        "" if filters.whitelisted is None else "yes" if filters.whitelisted else "no"
    )
    return filtered(request.auth, sort=filters.sort, **checked_filters(request.auth, data))


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
    department = handler = None
    if payload.department is not None:
        department = Department.objects.filter(pk=payload.department).first()
        if department is None:
            message = _("No such department.")
            raise InvalidInput(message, errors={"department": [message]})
    if payload.handler is not None:
        handler = User.objects.filter(pk=payload.handler).first()
        if handler is None:
            message = _("No such user.")
            raise InvalidInput(message, errors={"handler": [message]})
    lifecycle.reassign_problem(
        actor=request.auth,
        problem_id=problem_id,
        version=payload.version,
        reason=payload.reason,
        department=department,
        handler=handler,
    )
    return _detail(request, problem_id)


# ---- figures (keepline.problems.figures; docs/indicators.md, "Problems") ---------------------

from keepline.problems import figures as problem_figures  # noqa: E402
from keepline.reports.indicators.scope import FigureScope  # noqa: E402


class FiguresQuery(Schema):
    region: list[str] = Field(
        default_factory=list,
        description="Region codes, each with its subtree",
        examples=[["510502"]],
    )
    park: list[str] = Field(
        default_factory=list, description="Park codes", examples=[["LZ-LIQUOR"]]
    )
    industry: list[str] = Field(default_factory=list, examples=[["15"]])
    under: str = Field(
        "", description="Only areas under measures of this kind", examples=["static"]
    )
    start: dt.date | None = Field(
        None, description="First day; none: from the first problem", examples=["2022-09-08"]
    )
    end: dt.date | None = Field(
        None, description="Last day; none: the as-of day", examples=["2022-09-20"]
    )
    as_of: dt.datetime | None = Field(
        None, description="Default now", examples=["2022-09-20T23:59:59+08:00"]
    )


class NumberOut(Schema):
    value: int = Field(examples=[84])
    url: str | None = Field(
        description="The problem list filtered to exactly these problems; null where it cannot be",
        examples=["/problems/?region=510502&status=closed"],
    )


class RateOut(Schema):
    value: float | None = Field(description="part ÷ whole × 100, one decimal", examples=[91.7])
    part: NumberOut
    whole: NumberOut


class RowOut(Schema):
    key: str = Field(examples=["logistics"])
    label: str = Field(examples=["Logistics"])
    received: NumberOut
    open: NumberOut
    replied: NumberOut
    closed: NumberOut


class StatusCountOut(Schema):
    key: str = Field(examples=["closed"])
    label: str = Field(examples=["Closed"])
    count: NumberOut


class SatisfactionOut(Schema):
    mean: float | None = Field(description="Mean rating 1–5, one decimal", examples=[4.6])
    high_share: float | None = Field(description="Share rated 4–5 (%)", examples=[88.1])
    rated: NumberOut
    high: NumberOut


class ProblemFiguresOut(Schema):
    as_of: dt.datetime = Field(examples=["2022-09-20T23:59:59+08:00"])
    start: dt.date | None = Field(examples=[None])
    end: dt.date = Field(examples=["2022-09-20"])
    emergency_start: dt.datetime | None = Field(examples=["2022-09-08T00:00:00+08:00"])
    received: NumberOut
    closed: NumberOut
    by_status: list[StatusCountOut]
    by_category: list[RowOut]
    by_department: list[RowOut]
    by_tier: list[RowOut]
    open: NumberOut
    replied: NumberOut
    overdue: NumberOut
    near: NumberOut
    on_time: RateOut
    acknowledged_on_time: RateOut
    median_close_days: float | None = Field(description="Clock days, two decimals", examples=[2.35])
    satisfaction: SatisfactionOut
    whitelisted_solved: NumberOut
    whitelisted_solved_since_emergency: NumberOut | None
    definitions: dict[str, str] = Field(examples=[{"received": "Problems filed in the period."}])


@router.get(
    "/problems/figures",
    response=ProblemFiguresOut,
    summary="Counts, on-time rates, time to close, satisfaction, solved for whitelisted",
)
def problem_figures_get(request: Any, filters: Query[FiguresQuery]) -> Any:
    require_role(request.auth, Problem)
    if filters.start and filters.end and filters.start > filters.end:
        message = _("The first day is after the last.")
        raise InvalidInput(message, errors={"start": [message]})
    scope = FigureScope.parse(
        regions=filters.region, parks=filters.park, industries=filters.industry, under=filters.under
    )
    return problem_figures.compute(
        request.auth, scope=scope, start=filters.start, end=filters.end, as_of=filters.as_of
    )


# ---- settings: routing rules, time limits, the working-day calendar ---------------------------


class RuleOut(Schema):
    id: int = Field(examples=[5])
    category: str = Field(description='A category, or "" for any', examples=["logistics"])
    region: str | None = Field(None, description="Region code; null: anywhere", examples=["510502"])
    region_name: str | None = Field(None, examples=["江阳区"])
    department_id: int | None = Field(None, examples=[3])
    department: str | None = Field(None, examples=["泸州市交通运输局"])
    handler_id: int | None = Field(None, examples=[None])
    handler: str | None = Field(None, description="Username", examples=[None])
    set_by_name: str = Field(examples=["bureau"])
    set_at: dt.datetime = Field(examples=["2022-09-10T09:00:00+08:00"])

    @staticmethod
    def resolve_region(obj: RoutingRule) -> str | None:
        return obj.region.code if obj.region else None

    @staticmethod
    def resolve_region_name(obj: RoutingRule) -> str | None:
        return str(obj.region) if obj.region else None

    @staticmethod
    def resolve_department(obj: RoutingRule) -> str | None:
        return str(obj.department) if obj.department else None

    @staticmethod
    def resolve_handler(obj: RoutingRule) -> str | None:
        return obj.handler.get_username() if obj.handler else None


class RuleFilterIn(Schema):
    category: str = Field("", examples=["logistics"])
    region: str = Field("", description="Rules for exactly this region code", examples=["510502"])


class RuleIn(Schema):
    category: str = Field("", description='A category, or "" for any', examples=["logistics"])
    region: str = Field(
        "", description='Region code; "" for anywhere (administrator only)', examples=["510502"]
    )
    department: int | None = Field(None, description="Department id", examples=[3])
    handler: int | None = Field(
        None, description="User id; give a department or a handler", examples=[None]
    )


class RouteOut(Schema):
    enterprise_id: int = Field(examples=[42])
    category: str = Field(examples=["logistics"])
    decided_by: str = Field(
        description="rule; commissioner (no rule); unassigned (no rule, no commissioner: it "
        "waits at the district)",
        examples=["rule"],
    )
    department_id: int | None = Field(None, examples=[3])
    department: str | None = Field(None, examples=["泸州市交通运输局"])
    handler_id: int | None = Field(None, examples=[None])
    handler: str | None = Field(None, description="Username", examples=[None])
    rule: RuleOut | None = None


class RouteIn(Schema):
    enterprise: int = Field(description="Enterprise id", examples=[42])
    category: str = Field(examples=["logistics"])


class TimeLimitOut(Schema):
    id: int = Field(examples=[2])
    category: str = Field(description='"" for any', examples=["energy"])
    urgency: str = Field(description='normal, urgent, critical or "" for any', examples=["urgent"])
    acknowledge_hours: int = Field(examples=[1])
    interim_days: int = Field(description="Working days", examples=[2])
    close_days: int = Field(description="Working days", examples=[3])


class TimeLimitIn(Schema):
    category: str = Field("", description='"" for any', examples=["energy"])
    urgency: str = Field("", description='"" for any', examples=["urgent"])
    acknowledge_hours: int = Field(examples=[1])
    interim_days: int = Field(examples=[2])
    close_days: int = Field(examples=[3])


class CalendarDayOut(Schema):
    date: dt.date = Field(examples=["2022-10-03"])
    working: bool = Field(
        description="false: a holiday; true: a make-up workday (调休)", examples=[False]
    )
    name: str = Field(examples=["国庆节"])


class CalendarDayIn(CalendarDayOut):
    name: str = Field("", examples=["国庆节"])


class CalendarYearIn(Schema):
    year: int | None = Field(None, description="This year when not given", examples=[2022])


class CalendarImportOut(Schema):
    added: int = Field(examples=[25])
    changed: int = Field(examples=[0])
    days: list[CalendarDayOut]


def _found(model: Any, pk: int | None, field: str, message: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise InvalidInput(message, errors={field: [message]})
    return found


@router.get(
    "/problems/routing-rules",
    response=list[RuleOut],
    summary="The routing rule book",
    description="Every official sees every rule. A problem goes by the rule for the deepest "
    "region containing its enterprise, a category's rule before the rule for any; with no rule "
    "to the enterprise's commissioner.",
)
@paginate(PageNumberPagination, page_size=100)
def routing_rule_list(request: Any, filters: Query[RuleFilterIn]) -> Any:
    qs = selectors.routing_rules(request.auth)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.region:
        qs = qs.filter(region__code=filters.region)
    return qs


@router.post(
    "/problems/routing-rules",
    response=RuleOut,
    summary="Add a routing rule, or change the one for the same category and region",
)
def routing_rule_set(request: Any, payload: RuleIn) -> Any:
    require_role(request.auth, RoutingRule, "change")
    region = None
    if payload.region:
        region = Region.objects.filter(code=payload.region).first()
        if region is None:
            message = _("No such region.")
            raise InvalidInput(message, errors={"region": [message]})
    rule = routing.set_routing_rule(
        actor=request.auth,
        category=payload.category,
        region=region,
        department=_found(Department, payload.department, "department", _("No such department.")),
        handler=_found(User, payload.handler, "handler", _("No such user.")),
    )
    return selectors.routing_rules(request.auth).get(pk=rule.pk)


@router.delete(
    "/problems/routing-rules/{rule_id}", response={204: None}, summary="Remove a routing rule"
)
def routing_rule_remove(request: Any, rule_id: int) -> Any:
    require_role(request.auth, RoutingRule)
    routing.remove_routing_rule(actor=request.auth, rule_id=rule_id)
    return Status(204, None)


@router.get(
    "/problems/route",
    response=RouteOut,
    summary="Where a problem of this enterprise and category would go, and which rule decides",
)
def route_try(request: Any, query: Query[RouteIn]) -> Any:
    require_role(request.auth, RoutingRule)
    enterprise, decision = setup_views.decide(request.auth, query.enterprise, query.category)
    return {
        "enterprise_id": enterprise.pk,
        "category": query.category,
        "decided_by": decision.reason,
        "department_id": decision.department.pk if decision.department else None,
        "department": str(decision.department) if decision.department else None,
        "handler_id": decision.handler.pk if decision.handler else None,
        "handler": decision.handler.get_username() if decision.handler else None,
        "rule": decision.rule,
    }


@router.get(
    "/problems/time-limits",
    response=list[TimeLimitOut],
    summary="Time-limit rules by category and urgency",
    description="The most specific rule applies: category and urgency, then category, then "
    "urgency, then the rule for any. With no rule at all: acknowledge within 1 hour, interim "
    "reply within 3 working days, close within 5 working days.",
)
@paginate(PageNumberPagination, page_size=100)
def time_limit_list(request: Any) -> Any:
    return selectors.time_limits(request.auth)


@router.post(
    "/problems/time-limits",
    response=TimeLimitOut,
    summary="Set the time limits of a category and urgency (blank: any)",
)
def time_limit_set(request: Any, payload: TimeLimitIn) -> Any:
    require_role(request.auth, TimeLimit, "change")
    return limits.set_time_limit(actor=request.auth, **payload.dict())


@router.delete(
    "/problems/time-limits/{limit_id}", response={204: None}, summary="Remove a time-limit rule"
)
def time_limit_remove(request: Any, limit_id: int) -> Any:
    require_role(request.auth, TimeLimit)
    limits.remove_time_limit(actor=request.auth, limit_id=limit_id)
    return Status(204, None)


@router.get(
    "/problems/calendar",
    response=list[CalendarDayOut],
    summary="A year's holidays and make-up workdays",
    description="Monday to Friday are working days except the days listed here.",
)
@paginate(PageNumberPagination, page_size=100)
def calendar_list(request: Any, filters: Query[CalendarYearIn]) -> Any:
    require_role(request.auth, CalendarDay)
    year = filters.year or timezone.localdate().year
    if not setup_views.FIRST_YEAR <= year <= setup_views.LAST_YEAR:
        message = _("Give a year from %(first)s to %(last)s.") % {
            "first": setup_views.FIRST_YEAR,
            "last": setup_views.LAST_YEAR,
        }
        raise InvalidInput(message, errors={"year": [message]})
    return selectors.calendar_days(request.auth, year)


@router.post(
    "/problems/calendar",
    response=CalendarDayOut,
    summary="Mark a date a holiday (working false) or a make-up workday (working true)",
)
def calendar_set(request: Any, payload: CalendarDayIn) -> Any:
    require_role(request.auth, CalendarDay, "change")
    return calendar.set_calendar_day(
        actor=request.auth, date=payload.date, working=payload.working, name=payload.name
    )


@router.post(
    "/problems/calendar/import",
    response=CalendarImportOut,
    summary="Import holidays and make-up workdays from a file (multipart: file); all or none",
    description="Columns date, working (是/否, yes/no or 1/0) and name; .xlsx or CSV. A bad "
    "file answers 400 with `errors` naming each bad row (`row 3, Date`), and nothing is "
    "written. Days already listed are changed; days not in the file are left as they are.",
)
def calendar_import(request: Any, file: File[UploadedFile]) -> Any:
    require_role(request.auth, CalendarDay, "change")
    rows = read_calendar(file.name or "upload.csv", file.read())
    added, changed = calendar.import_calendar(actor=request.auth, rows=rows)
    days = CalendarDay.objects.filter(date__in=[r.date for r in rows]).order_by("date")
    return {"added": added, "changed": changed, "days": list(days)}


# After the import: "import" would otherwise be read as a {day}.
@router.delete(
    "/problems/calendar/{day}",
    response={204: None},
    summary="Let a date follow Monday to Friday again",
)
def calendar_remove(request: Any, day: dt.date) -> Any:
    require_role(request.auth, CalendarDay, "change")
    calendar.remove_calendar_day(actor=request.auth, date=day)
    return Status(204, None)
