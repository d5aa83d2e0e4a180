"""Writes of the working-day calendar: holidays and make-up workdays, one at a time or a
checked file at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import NotFound
from keepline.core.scopes import Actor, holds
from keepline.problems.models import CalendarDay
from keepline.problems.services._common import _require


@dataclass(frozen=True)
class CalendarRow:
    """One good row of a calendar file."""

    row: int
    date: dt.date
    working: bool
    name: str


def set_calendar_day(*, actor: Actor, date: dt.date, working: bool, name: str = "") -> CalendarDay:
    """Mark a date a holiday (working=False) or a make-up workday (working=True)."""
    _require(holds(actor, CalendarDay, "change"))
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        before = audit.snapshot(day) if day else None
        if day is None:
            day = CalendarDay(date=date)
        day.working = working
        day.name = (name or "").strip()[:100]
        day.save()
        audit.record(
            actor=actor,
            action=audit.Action.SET_CALENDAR_DAY,
            obj=day,
            before=before,
            after=audit.snapshot(day),
        )
    return day


def remove_calendar_day(*, actor: Actor, date: dt.date) -> None:
    """Let a date follow the Monday–Friday rule again."""
    _require(holds(actor, CalendarDay, "change"))
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        if day is None:
            raise NotFound(_("Not found."))
        audit.record(
            actor=actor,
            action=audit.Action.REMOVE_CALENDAR_DAY,
            obj=day,
            before=audit.snapshot(day),
        )
        day.delete()


def import_calendar(*, actor: Actor, rows: Sequence[CalendarRow]) -> tuple[int, int]:
    """Write every row of a checked calendar file (importers.CalendarImporter), all or none:
    (days added, days changed). Each day is audited as set_calendar_day audits it."""
    _require(holds(actor, CalendarDay, "change"))
    with transaction.atomic():
        existing = set(
            CalendarDay.objects.filter(date__in=[r.date for r in rows]).values_list(
                "date", flat=True
            )
        )
        for row in rows:
            set_calendar_day(actor=actor, date=row.date, working=row.working, name=row.name)
    changed = sum(1 for r in rows if r.date in existing)
    return len(rows) - changed, changed
