"""Running a scenario through the propagation engine, and the time each enterprise needs to
recover."""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.chains import inputs as chain_inputs
from keepline.chains import propagation
from keepline.chains.models import (
    KeepRunningPick,
    RecoveryTime,
    Scenario,
    ScenarioResult,
    ScenarioStatus,
)
from keepline.chains.services import actor_name
from keepline.chains.services.scenarios import CENT, locked_scenario
from keepline.core import audit
from keepline.core.errors import InvalidInput
from keepline.core.imports import ImportCheck
from keepline.core.scopes import Actor, get_for
from keepline.enterprises.models import Enterprise, Industry

RUN_AUDIT = [
    "status",
    "ran_at",
    "run_seconds",
    "enterprises",
    "links",
    "total_loss",
    "direct_loss",
    "indirect_loss",
    "at_risk",
]


MILLI = Decimal("0.001")
MAX_RECOVERY_DAYS = 365
MAX_RECOVERY_ROWS = 20_000


# ---- running ----------------------------------------------------------------------------------


def _money(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(CENT, ROUND_HALF_UP)


def _ratio(value: float) -> Decimal:
    return Decimal(repr(min(max(float(value), 0.0), 9.999))).quantize(MILLI, ROUND_HALF_UP)


@transaction.atomic
def run_scenario(*, actor: Actor, scenario_id: int) -> Scenario:
    """Run the scenario over the network as it stands: keeps one result row per enterprise that
    loses output or runs dry, the totals, and who ran it when; drops the earlier ranking."""
    scenario = locked_scenario(actor, scenario_id)
    clock = time.perf_counter()
    built = chain_inputs.build(scenario)
    result = propagation.simulate(built.network, built.capacity)
    seconds = time.perf_counter() - clock

    in_area = built.in_area
    industries = set(Industry.objects.values_list("pk", flat=True))
    rows: list[ScenarioResult] = []
    # Output gained by suppliers standing in for others is not netted off: the loss is the sum
    # of what the enterprises that lose output lose.
    for i in np.flatnonzero((result.lost > 0) | (result.dry_day > 0)):
        lost = _money(max(float(result.lost[i]), 0.0))
        dry = int(result.dry_day[i])
        if lost <= 0 and dry == 0:
            continue
        scarce = int(result.scarce[i])
        ratios = result.ratio[:, i]
        rows.append(
            ScenarioResult(
                scenario=scenario,
                enterprise_id=int(built.ids[i]),
                in_area=bool(in_area[i]),
                lost=lost,
                dry_day=dry or None,
                scarce_id=scarce if scarce in industries else None,
                lowest=_ratio(ratios.min()),
                ratios=[round(float(r), 3) for r in ratios],
            )
        )
    ScenarioResult.objects.filter(scenario=scenario).delete()
    KeepRunningPick.objects.filter(scenario=scenario).delete()
    ScenarioResult.objects.bulk_create(rows, batch_size=2000)

    scenario.direct_loss = sum((r.lost for r in rows if r.in_area), Decimal("0.00"))
    scenario.indirect_loss = sum((r.lost for r in rows if not r.in_area), Decimal("0.00"))
    scenario.total_loss = scenario.direct_loss + scenario.indirect_loss
    scenario.at_risk = sum(1 for r in rows if r.dry_day is not None)
    output = built.network.output
    scenario.index = [round(float(v), 4) for v in result.ratio @ output / output.sum()]
    scenario.enterprises = len(built.ids)
    scenario.links = len(built.link_ids)
    scenario.status = ScenarioStatus.DONE
    scenario.ran_by = actor_name(actor)
    scenario.ran_at = timezone.now()
    scenario.run_seconds = round(time.perf_counter() - clock, 3)
    scenario.save()
    after = audit.snapshot(scenario, RUN_AUDIT) | {"model_seconds": round(seconds, 3)}
    audit.record(actor=actor, action=audit.Action.RUN, obj=scenario, after=after)
    return scenario


# ---- time to recover --------------------------------------------------------------------------


def recovery_days(value: Any) -> int | None:
    """Whole days 1–365, or None for a value that is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # isascii() too: isdigit() passes "²", which int() refuses; past 4300 digits int() refuses.
    if not (text.isascii() and text.isdigit()) or len(text) > 4300:
        return None
    days = int(text)
    return days if 1 <= days <= MAX_RECOVERY_DAYS else None


@transaction.atomic
def set_recovery(*, actor: Actor, scenario_id: int, enterprise_id: int, days: int | None) -> None:
    """Enter (or, with None, clear) the days an enterprise needs to recover its supply."""
    scenario = locked_scenario(actor, scenario_id)
    enterprise = get_for(Enterprise.objects.all(), actor, enterprise_id)
    existing = RecoveryTime.objects.filter(scenario=scenario, enterprise=enterprise).first()
    before = {"enterprise": enterprise.pk, "days": existing.days if existing else None}
    if days is None:
        if existing is not None:
            existing.delete()
    else:
        checked = recovery_days(days)
        if checked is None:
            message = _("Enter whole days from 1 to %(max)s.") % {"max": MAX_RECOVERY_DAYS}
            raise InvalidInput(message, errors={"days": [message]})
        RecoveryTime.objects.update_or_create(
            scenario=scenario, enterprise=enterprise, defaults={"days": checked}
        )
    after = {"enterprise": enterprise.pk, "days": days}
    if before != after:
        audit.record(
            actor=actor, action=audit.Action.SET_RECOVERY, obj=scenario, before=before, after=after
        )


@dataclass
class RecoveryRow:
    """A checked row of a times-to-recover file (`chains.importers`); no days clears it."""

    number: int
    uscc: str
    enterprise_id: int
    days: int | None


@transaction.atomic
def import_recovery(*, actor: Actor, scenario_id: int, check: ImportCheck[RecoveryRow]) -> int:
    """Times to recover from a checked file, all or nothing; an empty days cell clears the
    enterprise's time. Returns the rows taken."""
    scenario = locked_scenario(actor, scenario_id)
    if not check.ok:
        raise check.as_error()
    parsed = [(r.uscc, r.enterprise_id, r.days) for r in check.rows]
    existing = {
        r.enterprise_id: r
        for r in RecoveryTime.objects.filter(
            scenario=scenario, enterprise_id__in=[pk for _u, pk, _d in parsed]
        )
    }
    # Each enterprise's time before and after, by credit code, for the audit trail.
    was = {u: existing[pk].days if pk in existing else None for u, pk, _d in parsed}
    now = {u: d for u, _pk, d in parsed}
    clear = [pk for _u, pk, d in parsed if d is None]
    RecoveryTime.objects.filter(scenario=scenario, enterprise_id__in=clear).delete()
    updates, creates = [], []
    for _u, pk, days in parsed:
        if days is None:
            continue
        if pk in existing:
            existing[pk].days = days
            updates.append(existing[pk])
        else:
            creates.append(RecoveryTime(scenario=scenario, enterprise_id=pk, days=days))
    RecoveryTime.objects.bulk_update(updates, ["days"])
    RecoveryTime.objects.bulk_create(creates)
    audit.record(
        actor=actor,
        action=audit.Action.IMPORT_RECOVERY,
        obj=scenario,
        before={"days": was},
        after={
            "rows": len(parsed),
            "set": len(updates) + len(creates),
            "cleared": len(clear),
            "days": now,
        },
    )
    return len(parsed)
