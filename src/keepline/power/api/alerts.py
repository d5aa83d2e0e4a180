"""API of power alerts and enterprise timelines: the same detection, services and scopes as the
pages and `keepline detect-power-alerts`."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.errors import InvalidInput
from keepline.core.models import User
from keepline.core.scopes import get_for, require_role
from keepline.enterprises.models import Enterprise
from keepline.power.api.metrics import BaselineIn
from keepline.power.models import DailyReading, PowerAlert
from keepline.power.selectors import detection as day_selectors
from keepline.power.selectors.alerts import ALERTS
from keepline.power.services import alerts as alert_services
from keepline.power.services import detection

router = Router()


class EvidenceOut(Schema):
    day: dt.date = Field(examples=["2022-09-12"])
    kwh: float | None = Field(None, description="Energy that day, kWh", examples=[18250.0])
    baseline: float | None = Field(None, description="Baseline daily energy", examples=[20000.0])
    ratio: float | None = Field(None, description="kwh ÷ baseline", examples=[0.9125])
    mode: str = Field(description="The mode the day was judged in", examples=["halted"])
    source: str = Field(
        description="report: the daily report's mode; official: the mode record's",
        examples=["official"],
    )


class AlertOut(Schema):
    id: int
    enterprise_id: int = Field(examples=[42])
    enterprise: str = Field(alias="enterprise.name", examples=["泸州示例酒业有限公司"])
    uscc: str = Field(alias="enterprise.uscc", examples=["91510500MA62X5QF23"])
    kind: str = Field(
        description="halted_with_power, producing_without_power, idling or missing_data",
        examples=["halted_with_power"],
    )
    first_day: dt.date = Field(examples=["2022-09-10"])
    last_day: dt.date = Field(examples=["2022-09-14"])
    status: str = Field(description="open or closed", examples=["open"])
    assignee: str | None = Field(None, description="Username", examples=["district"])
    closed_reason: str = Field(examples=[""])
    closed_at: dt.datetime | None = Field(None, examples=[None])
    detected_at: dt.datetime = Field(examples=["2022-09-15T08:00:00+08:00"])
    version: int = Field(description="Send it back to assign or close", examples=[1])
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_assignee(obj: PowerAlert) -> str | None:
        return obj.assignee.get_username() if obj.assignee else None


class AssignIn(Schema):
    assignee: int = Field(description="The user's id", examples=[7])
    version: int = Field(description="The alert's version you read", examples=[1])


class CloseIn(Schema):
    reason: str = Field(examples=["锅炉保温用电，现场核实无生产"])
    version: int = Field(examples=[2])


class DetectIn(BaselineIn):
    start: dt.date = Field(examples=["2022-09-08"])
    end: dt.date = Field(examples=["2022-09-14"])


class DetectOut(Schema):
    start: dt.date = Field(examples=["2022-09-08"])
    end: dt.date | None = Field(
        description="The last day judged (the last with meter data); null: none yet",
        examples=["2022-09-14"],
    )
    enterprises: int = Field(description="Enterprises judged", examples=[183])
    created: int = Field(examples=[4])
    extended: int = Field(examples=[2])
    unchanged: int = Field(examples=[11])


class DayOut(Schema):
    day: dt.date = Field(examples=["2022-09-12"])
    kwh: float | None = Field(description="Sum over the accounts; null: no reading", examples=[1])
    accounts_missing: int = Field(description="Accounts without a reading", examples=[0])
    baseline: float | None = Field(examples=[20000.0])
    ratio: float | None = Field(examples=[0.91])
    official_mode: str = Field(description="Mode record at the end of the day", examples=["halted"])
    reported_mode: str | None = Field(
        description="Mode of the day's report; null: no report", examples=["closed_loop"]
    )


class DailyIn(BaselineIn):
    start: dt.date | None = Field(None, description="Default: 89 days before end", examples=[None])
    end: dt.date | None = Field(
        None, description="Default: the last day with a reading", examples=[None]
    )


def _alert(request: Any, alert_id: int, action: str = "view") -> PowerAlert:
    return get_for(
        PowerAlert.objects.select_related("enterprise", "assignee"), request.auth, alert_id, action
    )


@router.get(
    "/power/alerts",
    response=list[AlertOut],
    summary="Power alerts the user may see",
    description="The alert page's filters and sort, field for field.",
    openapi_extra=ALERTS.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def alert_list(request: Any) -> Any:
    require_role(request.auth, PowerAlert)
    return ALERTS.rows(request.auth, request.GET)


@router.post(
    "/power/alerts/detect",
    response=DetectOut,
    summary="Judge a period's days and raise or extend alerts",
    description="For the enterprises whose alerts the user handles. Running it again changes "
    "nothing; open alerts a new day continues are extended, closed ones are left closed.",
)
def alert_detect(request: Any, payload: DetectIn) -> Any:
    return detection.detect_alerts(
        actor=request.auth, start=payload.start, end=payload.end, baseline=payload.chosen()
    )


@router.get("/power/alerts/{alert_id}", response=AlertOut, summary="One power alert")
def alert_detail(request: Any, alert_id: int) -> Any:
    return _alert(request, alert_id)


@router.post(
    "/power/alerts/{alert_id}/assign",
    response=AlertOut,
    summary="Give an alert to a person who can see its enterprise",
)
def alert_assign(request: Any, alert_id: int, payload: AssignIn) -> Any:
    alert = _alert(request, alert_id, "change")
    assignee = User.objects.filter(pk=payload.assignee).first()
    if assignee is None:
        raise InvalidInput(
            _("The alert cannot go to this person."),
            errors={"assignee": [_("No such user.")]},
        )
    alert_services.assign_alert(
        actor=request.auth, alert=alert, assignee=assignee, version=payload.version
    )
    return _alert(request, alert_id)


@router.post("/power/alerts/{alert_id}/close", response=AlertOut, summary="Close with a reason")
def alert_close(request: Any, alert_id: int, payload: CloseIn) -> Any:
    alert = _alert(request, alert_id, "change")
    alert_services.close_alert(
        actor=request.auth, alert=alert, reason=payload.reason, version=payload.version
    )
    return _alert(request, alert_id)


@router.get(
    "/power/enterprises/{enterprise_id}/daily",
    response=list[DayOut],
    summary="An enterprise's daily energy, baseline, ratio and modes",
    description="One row per day from start to end; a day without readings has kwh null "
    "(never zero).",
)
def enterprise_daily(request: Any, enterprise_id: int, filters: Query[DailyIn]) -> Any:
    require_role(request.auth, DailyReading)
    enterprise = get_for(Enterprise.objects.all(), request.auth, enterprise_id)
    one = Enterprise.objects.filter(pk=enterprise.pk)
    end = (
        filters.end
        or day_selectors.last_reading_day(one, timezone.localdate())
        or timezone.localdate()
    )
    start = filters.start or end - dt.timedelta(days=89)
    day_selectors.check_period(start, end)
    return [
        {
            "day": d.day,
            "kwh": d.kwh,
            "accounts_missing": d.accounts - d.accounts_read,
            "baseline": d.baseline,
            "ratio": d.ratio,
            "official_mode": d.official_mode,
            "reported_mode": d.reported_mode,
        }
        for d in day_selectors.enterprise_day_table(one, start, end, filters.chosen())
    ]
