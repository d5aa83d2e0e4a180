"""Detection: the alerting days of a period (`selectors.detection`) merged into alerts.

Runs: consecutive days of one kind for one enterprise make one alert. Detecting again extends an
open alert that the new days overlap or adjoin (version + 1); days an alert closed already
covers are not alerted again, and a run after a gap or after closing makes a new alert.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict
from keepline.core.models import AuditEvent
from keepline.core.scopes import Actor, require_role
from keepline.enterprises.models import Enterprise
from keepline.power.metrics.baselines import Baseline
from keepline.power.models import AlertStatus, PowerAlert
from keepline.power.selectors.detection import (
    alerting_days,
    check_period,
    enterprise_day_table,
    handled_enterprises,
    last_reading_day,
)
from keepline.power.services.alerts import alert_state


@dataclass(frozen=True)
class Detection:
    """What one detection did: the days it judged, and how many alerts it made or extended."""

    start: dt.date
    end: dt.date | None  # the last day judged: None when no meter data had come in yet
    enterprises: int
    created: int
    extended: int
    unchanged: int


def _runs(days: Iterable[dt.date]) -> list[list[dt.date]]:
    """Consecutive days grouped, in order."""
    runs: list[list[dt.date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _covers(alert: PowerAlert, day: dt.date) -> bool:
    return alert.first_day <= day <= alert.last_day


def _touches(alert: PowerAlert, run: list[dt.date]) -> bool:
    return alert.last_day >= run[0] - dt.timedelta(days=1) and alert.first_day <= run[
        -1
    ] + dt.timedelta(days=1)


@transaction.atomic
def detect_alerts(
    *,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    baseline: Baseline | None = None,
    enterprises: QuerySet[Enterprise] | None = None,
) -> Detection:
    """Judge every day from `start` to `end` of the enterprises the actor handles alerts for
    (of `enterprises`, if given); make, extend or leave alone the alerts the days call for."""
    require_role(actor, PowerAlert, "change")
    check_period(start, end)
    baseline = baseline or Baseline()
    scope = handled_enterprises(actor, enterprises)
    last = last_reading_day(scope, end)
    if last is None or last < start:
        return Detection(start, None, 0, 0, 0, 0)
    end = last
    days = enterprise_day_table(scope, start, end, baseline)
    flags = alerting_days(days, scope, start, end, baseline)
    examined = len({d.enterprise_id for d in days})
    named = {
        e.pk: e
        for e in Enterprise.objects.select_related("region", "park").filter(
            pk__in={e for e, _kind in flags}
        )
    }
    existing: dict[tuple[int, str], list[PowerAlert]] = defaultdict(list)
    for alert in (
        PowerAlert.objects.select_for_update()
        .filter(
            enterprise__in=list(named),
            last_day__gte=start - dt.timedelta(days=1),
            first_day__lte=end + dt.timedelta(days=1),
        )
        .order_by("first_day")
    ):
        alert.enterprise = named[alert.enterprise_id]
        existing[(alert.enterprise_id, alert.kind)].append(alert)

    now = timezone.now()
    created: list[PowerAlert] = []
    touched: dict[int, tuple[PowerAlert, dict[str, Any]]] = {}
    for (enterprise_id, kind), evidence in flags.items():
        alerts = existing[(enterprise_id, kind)]
        closed = [a for a in alerts if a.status == AlertStatus.CLOSED]
        open_ = [a for a in alerts if a.status == AlertStatus.OPEN]
        fresh = [d for d in evidence if not any(_covers(a, d) for a in closed)]
        for run in _runs(fresh):
            near = [a for a in open_ if _touches(a, run)]
            if not near:
                created.append(
                    PowerAlert(
                        enterprise=named[enterprise_id],
                        kind=kind,
                        first_day=run[0],
                        last_day=run[-1],
                        evidence=[evidence[d] for d in run],
                        detected_at=now,
                    )
                )
                continue
            # Each day goes to the last open alert starting on or before it (the first one for
            # days before them all), so alerts stay apart even when a run bridges two.
            for day in run:
                owner = near[0]
                for alert in near[1:]:
                    if alert.first_day <= day:
                        owner = alert
                if owner.pk not in touched:
                    touched[owner.pk] = (owner, alert_state(owner) | {"evidence": owner.evidence})
                by_day = {e["day"]: e for e in owner.evidence} | {day.isoformat(): evidence[day]}
                owner.evidence = [by_day[k] for k in sorted(by_day)]
                owner.first_day = min(owner.first_day, day)
                owner.last_day = max(owner.last_day, day)

    extended: list[PowerAlert] = []
    events: list[AuditEvent] = []
    for alert, before in touched.values():
        if (alert.first_day.isoformat(), alert.last_day.isoformat(), alert.evidence) == (
            before["first_day"],
            before["last_day"],
            before["evidence"],
        ):
            continue
        alert.version += 1
        extended.append(alert)
        old, new = audit.changes(
            {k: v for k, v in before.items() if k != "evidence"}, alert_state(alert)
        )
        events.append(
            audit.build(actor=actor, action=audit.Action.EXTEND, obj=alert, before=old, after=new)
        )
    try:
        with transaction.atomic():
            PowerAlert.objects.bulk_create(created)
    except IntegrityError:
        raise Conflict(
            _("Another detection is writing the same alerts; try again in a moment.")
        ) from None
    PowerAlert.objects.bulk_update(
        extended, ["first_day", "last_day", "evidence", "version"], batch_size=500
    )
    events += [
        audit.build(
            actor=actor,
            action=audit.Action.CREATE,
            obj=a,
            after=alert_state(a) | {"days": len(a.evidence)},
        )
        for a in created
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return Detection(
        start=start,
        end=end,
        enterprises=examined,
        created=len(created),
        extended=len(extended),
        unchanged=len(touched) - len(extended),
    )
