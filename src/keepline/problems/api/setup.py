"""API of the bureau's problem settings: routing rules (and where a problem would go), time
limits, and the working-day calendar (its import is `POST /api/imports/calendar`)."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.errors import InvalidInput
from keepline.core.models import Department, User
from keepline.core.scopes import require_role
from keepline.places.models import Region
from keepline.problems import selectors
from keepline.problems.models import CalendarDay, RoutingRule, TimeLimit
from keepline.problems.services import calendar, limits, routing

router = Router(tags=["problems"])


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


def found(model: Any, pk: int | None, field: str, message: str) -> Any:
    """The row a payload's id names (None if none is given); an id naming no row is refused
    at its field."""
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
        department=found(Department, payload.department, "department", _("No such department.")),
        handler=found(User, payload.handler, "handler", _("No such user.")),
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
    enterprise, decision = selectors.decide(request.auth, query.enterprise, query.category)
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
    if not selectors.FIRST_YEAR <= year <= selectors.LAST_YEAR:
        message = _("Give a year from %(first)s to %(last)s.") % {
            "first": selectors.FIRST_YEAR,
            "last": selectors.LAST_YEAR,
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


@router.delete(
    "/problems/calendar/{day}",
    response={204: None},
    summary="Let a date follow Monday to Friday again",
)
def calendar_remove(request: Any, day: dt.date) -> Any:
    require_role(request.auth, CalendarDay, "change")
    calendar.remove_calendar_day(actor=request.auth, date=day)
    return Status(204, None)
