"""The enterprises behind a power figure, each with its energy against its baseline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.errors import InvalidInput
from keepline.core.scopes import Actor
from keepline.enterprises.models import Enterprise
from keepline.power.metrics.baselines import EnterpriseDay, enterprise_days
from keepline.power.metrics.index import PowerFilter, period, scoped
from keepline.power.metrics.tallies import large_industry

# ---- the enterprises behind a figure -------------------------------------------------------


class Group(models.TextChoices):
    ALL = "all", gettext_lazy("All enterprises")
    WITH_BASELINE = "with_baseline", gettext_lazy("With a baseline")
    COUNTED = "counted", gettext_lazy("With a baseline and a reading")
    RESUMED = "resumed", gettext_lazy("Resumed")
    NOT_RESUMED = "not_resumed", gettext_lazy("Not resumed")
    NO_READING = "no_reading", gettext_lazy("No reading on the day")
    NO_BASELINE = "no_baseline", gettext_lazy("No baseline")


def _in_group(d: EnterpriseDay, group: str) -> bool:
    has_baseline = bool(d.baseline)
    return {
        Group.ALL: True,
        Group.WITH_BASELINE: has_baseline,
        Group.COUNTED: d.ratio is not None,
        Group.RESUMED: d.resumed is True,
        Group.NOT_RESUMED: d.resumed is False,
        Group.NO_READING: has_baseline and d.kwh is None,
        Group.NO_BASELINE: not has_baseline,
    }[Group(group)]


@dataclass(frozen=True)
class EnterpriseFigure:
    """One enterprise behind a figure, with its energy against its baseline on the day."""

    enterprise: Enterprise
    figures: EnterpriseDay
    large_industry: bool


SORTS = ("name", "kwh", "baseline", "ratio")


def enterprises_behind(
    actor: Actor, f: PowerFilter, group: str, sort: str = "name"
) -> tuple[dt.date, list[EnterpriseFigure]]:
    """The day (the filter's last, else the latest with readings) and the enterprises of the
    filter's area in a group on it, each with its figures; sorted by a key of SORTS ("-" for
    descending), the enterprises a number is missing for last."""
    if group not in Group.values:
        raise InvalidInput(
            _("Unknown group of enterprises."),
            errors={"group": [_("Use one of: %(groups)s.") % {"groups": ", ".join(Group.values)}]},
        )
    enterprises, _resolved = scoped(actor, f)
    day = f.until or period(enterprises, f)[1]
    figures = {
        d.enterprise_id: d
        for d in enterprise_days(enterprises, day, day, f.baseline)
        if _in_group(d, group)
    }
    large = set(large_industry(enterprises).values_list("pk", flat=True))
    rows = [
        EnterpriseFigure(e, figures[e.pk], e.pk in large)
        for e in Enterprise.objects.filter(pk__in=list(figures))
        .select_related("region", "park", "industry")
        .order_by("name", "pk")
    ]
    key = sort.lstrip("-")
    if key in SORTS and key != "name":
        known = [r for r in rows if getattr(r.figures, key) is not None]
        known.sort(key=lambda r: getattr(r.figures, key), reverse=sort.startswith("-"))
        rows = known + [r for r in rows if getattr(r.figures, key) is None]
    elif sort == "-name":
        rows.reverse()
    return day, rows
