"""Who may do what with daily reports: the predicates the services, pages and API share."""

from __future__ import annotations

from keepline.core.scopes import Actor, may_place
from keepline.enterprises.models import Enterprise
from keepline.reports.models import DailyReport


def may_report(actor: Actor, enterprise: Enterprise) -> bool:
    """Whether the actor may file or correct the enterprise's daily reports."""
    return may_place(
        actor,
        "change",
        DailyReport,
        region=enterprise.region,
        park=enterprise.park,
        enterprise=enterprise,
    )
