"""Reads of modes: the mode of many enterprises at any time, in one query."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from keepline.bubble.models import EnterpriseMode, ModeRecord
from keepline.enterprises.models import Enterprise


def with_mode(qs: QuerySet[Enterprise], at: dt.datetime) -> QuerySet[Enterprise]:
    """Annotate `mode`: each enterprise's mode at `at` (normal when it has no record by then)."""
    latest = ModeRecord.objects.filter(enterprise=OuterRef("pk"), effective_from__lte=at).order_by(
        "-effective_from", "-id"
    )
    return qs.annotate(
        mode=Coalesce(Subquery(latest.values("mode")[:1]), Value(EnterpriseMode.NORMAL.value))
    )
