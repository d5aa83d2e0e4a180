"""Helpers for the tests of problem documents, coordination letters, imports and reports."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from keepline.core.models import Role, User
from keepline.problems.models import CoordinationLetter, Problem, ProblemEvent, ProblemStatus
from keepline.problems.services import letters
from keepline.reports.models import DailyReport, ReportChannel
from tests.conftest import World
from tests.factories import UserFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def user(username: str, role: str, target: Any) -> User:
    """A further user holding one membership."""
    return UserFactory(username=username, role=role, scope=target)


def foreign_liaison(world: World) -> User:
    return user("foreign-liaison", Role.LIAISON, world.foreign_enterprise)


def report(world: World, problems: str, *, foreign: bool = False) -> DailyReport:
    enterprise = world.foreign_enterprise if foreign else world.enterprise
    now = timezone.now()
    made, _created = DailyReport.objects.get_or_create(
        enterprise=enterprise,
        date=timezone.localdate() - dt.timedelta(days=1),
        defaults={
            "mode": "normal",
            "staff_on_site": 100,
            "staff_inside": 0,
            "output_value": Decimal(10),
            "capacity_use": Decimal(80),
            "raw_material_days": Decimal(5),
            "finished_goods_days": Decimal(3),
            "problems": problems,
            "via": ReportChannel.FORM,
            "submitted_by_name": "t",
            "submitted_at": now,
            "first_submitted_at": now,
        },
    )
    return made


LETTER = {
    "addressee": "宜宾市新冠肺炎疫情防控指挥部",
    "addressee_level": "other_city",
    "subject": "关于协调解决原料运输车辆通行问题的函",
    "body": "请协调翠屏区放行两辆原料运输车辆。",
    "contact": "张三 0830-1234567",
}


def draft(world: World, problem_id: int, role: str = "bureau", **fields: Any) -> CoordinationLetter:
    return letters.draft_letter(actor=world.users[role], problem_id=problem_id, **(LETTER | fields))


def sent(world: World, problem_id: int, role: str = "bureau") -> CoordinationLetter:
    letter = draft(world, problem_id, role)
    return letters.send_letter(actor=world.users[role], letter_id=letter.pk, version=letter.version)


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# The timestamps `make` reads and the timeline steps they stand for.
STEPS = [
    ("accepted_at", "accepted", ProblemStatus.ACCEPTED),
    ("started_at", "started", ProblemStatus.IN_PROGRESS),
    ("replied_at", "replied", ProblemStatus.REPLIED),
    ("closed_at", "confirmed", ProblemStatus.CLOSED),
]


def make(enterprise: Any, category: str, filed: dt.datetime, **fields: Any) -> Problem:
    """A problem with its timestamps and the timeline events they imply, written as the
    services would have left them (figures only read)."""
    values: dict[str, Any] = {
        "acknowledge_due": filed + dt.timedelta(hours=1),
        "interim_due": filed + dt.timedelta(days=3),
        "close_due": filed + dt.timedelta(days=7),
    }
    values.update(fields)
    status = ProblemStatus.SUBMITTED
    events = [("filed", filed, ProblemStatus.SUBMITTED)]
    for name, kind, to in STEPS:
        when = values.get(name)
        if name == "started_at" and when is None and values.get("interim_replied_at"):
            when = values["started_at"] = values["interim_replied_at"]
        if when is not None:
            events.append((kind, when, to))
            status = to
    p = Problem.objects.create(
        enterprise=enterprise,
        category=category,
        title=f"{category} problem",
        source="form",
        filed_by_name="liaison",
        filed_at=filed,
        status=status,
        **values,
    )
    ProblemEvent.objects.bulk_create(
        ProblemEvent(problem=p, kind=k, at=t, actor_name="t", to_status=s) for k, t, s in events
    )
    return p
