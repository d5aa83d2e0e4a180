"""Helpers for whitelist tests: documents to attach, applications moved along the chain, and a
provincial industry department (a bureau membership over Sichuan itself)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keepline.core.models import Role, User
from keepline.whitelist import rules
from keepline.whitelist.models import ApplicationStatus, WhitelistApplication
from keepline.whitelist.services import applications as application_services
from keepline.whitelist.services import reviews
from tests.conftest import SYSTEM, TZ, World
from tests.factories import RegionFactory, UserFactory

DAY = dt.datetime(2022, 9, 1, 9, 0, tzinfo=TZ)


def documents(**changes: Any) -> dict[str, Any]:
    files: dict[str, Any] = {
        "commitment": ("承诺书.pdf", b"%PDF-1.4 signed commitment"),
        "staff_list": ("员工名单.xlsx", b"PK\x03\x04 staff list"),
        "epidemic_plan": ("防疫方案.docx", b"PK\x03\x04 epidemic plan"),
    }
    return files | changes


def submit(
    world: World, *, park: bool = False, actor: Any = SYSTEM, **changes: Any
) -> WhitelistApplication:
    """The own enterprise's (or the own park's) application, as the system or a given user."""
    subject = {"park_id": world.park.pk} if park else {"enterprise_id": world.enterprise.pk}
    data: dict[str, Any] = {
        "category": "key_industries",
        "chain": "白酒",
        "note": "保障白酒产业链原料供应",
        "files": documents(),
        "now": DAY,
    }
    return application_services.submit_application(actor=actor, **subject, **(data | changes))


def approve(application: WhitelistApplication, step: str, actor: Any = SYSTEM) -> Any:
    application.refresh_from_db()
    return reviews.decide_application(
        actor=actor,
        application_id=application.pk,
        decision="approve",
        version=application.version,
        step=step,
    )


def advance(application: WhitelistApplication, to: str) -> WhitelistApplication:
    """Approve as the system until the application reaches status `to` (nominating on the way
    to the province)."""
    application.refresh_from_db()
    while application.status != to:
        if application.status == ApplicationStatus.LISTED_CITY:
            reviews.nominate_application(
                actor=SYSTEM, application_id=application.pk, version=application.version
            )
        else:
            for step in rules.open_steps(application):
                approve(application, step)
        application.refresh_from_db()
    return application


def province_bureau() -> User:
    """A user of the provincial industry department: a bureau membership over Sichuan."""
    return UserFactory(username="province", role=Role.BUREAU, scope=RegionFactory(code="510000"))
