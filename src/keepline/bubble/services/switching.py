"""Switching whole areas (平战转换): when a control measure starts, the enterprises of its area go
closed-loop, semi-closed or halted with one confirmation; when it ends they return to normal,
except where another switched measure still governs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.bubble import selectors
from keepline.bubble.models import EnterpriseMode, MeasureSwitch, ModeRecord
from keepline.bubble.rules import can_switch
from keepline.bubble.services._common import _clock, _name, _start_of
from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.models import AuditEvent
from keepline.core.scopes import Actor, get_for, require_role, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import ControlMeasure

# A measure this strict (3 = full lockdown) halts every enterprise without qualification;
# below it they work semi-closed (home↔factory only, by factory bus).
HALT_AT_STRICTNESS = 3
SWITCH_AUDIT = ["effective_at", "switched", "return_at", "returned"]


@dataclass(frozen=True)
class Outcome:
    """What an enterprise's mode should be at a moment, and why."""

    mode: str
    reason: str
    measure: ControlMeasure


@dataclass
class PreviewRow:
    enterprise: Enterprise
    current: str
    proposed: str
    reason: str
    measure: ControlMeasure | None = None  # the measure the new mode is written under

    @property
    def changes(self) -> bool:
        return self.current != self.proposed


@dataclass
class SwitchPreview:
    """Who in the measure's area goes closed-loop, semi-closed or halted, before confirming."""

    measure: ControlMeasure
    effective_at: dt.datetime
    rows: list[PreviewRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {m: 0 for m in EnterpriseMode.values}
        for row in self.rows:
            counts[row.proposed] += 1
        return counts

    @property
    def change_count(self) -> int:
        return sum(1 for row in self.rows if row.changes)


class _Areas:
    """The enterprise ids of each measure's area, loaded once per operation."""

    def __init__(self) -> None:
        self._ids: dict[int, set[int]] = {}

    def ids(self, measure: ControlMeasure) -> set[int]:
        if measure.pk not in self._ids:
            self._ids[measure.pk] = set(
                selectors.area_enterprises(measure).values_list("pk", flat=True)
            )
        return self._ids[measure.pk]


def _governing(switches: Iterable[MeasureSwitch], at: dt.datetime) -> list[MeasureSwitch]:
    """The switched measures that govern modes at `at`: confirmed, in effect, not yet ended."""
    return [
        s for s in switches if s.effective_at <= at and (s.return_at is None or at < s.return_at)
    ]


def _outcomes(
    ids: Iterable[int],
    at: dt.datetime,
    switches: list[MeasureSwitch],
    areas: _Areas,
    qualified: set[int],
    trigger: ControlMeasure,
) -> dict[int, Outcome]:
    """Each enterprise's mode at `at` by the strictest measure governing it then (the trigger
    wins a tie, so the reason names the measure at hand); with none, normal again."""
    governing = _governing(switches, at)
    result: dict[int, Outcome] = {}
    for pk in ids:
        covering = [s.measure for s in governing if pk in areas.ids(s.measure)]
        if not covering:
            result[pk] = Outcome(
                EnterpriseMode.NORMAL,
                _("“%(measure)s” ended: back to normal.") % {"measure": trigger.title},
                trigger,
            )
            continue
        strictest = max(covering, key=lambda m: (m.strictness, m.pk == trigger.pk))
        values = {"measure": strictest.title, "strictness": strictest.strictness}
        if strictest.pk != trigger.pk and any(m.pk == trigger.pk for m in covering):
            cause = _("The stricter measure “%(measure)s” (strictness %(strictness)s) applies")
        else:
            cause = _("“%(measure)s” (strictness %(strictness)s) in force")
        cause %= values
        if pk in qualified:
            mode, why = EnterpriseMode.CLOSED_LOOP, _("qualified by an approved plan: closed loop.")
        elif strictest.strictness >= HALT_AT_STRICTNESS:
            mode, why = EnterpriseMode.HALTED, _("no closed-loop qualification: halted.")
        else:
            mode, why = EnterpriseMode.SEMI_CLOSED, _("no closed-loop qualification: semi-closed.")
        result[pk] = Outcome(mode, f"{cause}; {why}", strictest)
    return result


def _switches_after(start: dt.datetime) -> list[MeasureSwitch]:
    return list(
        MeasureSwitch.objects.select_related("measure")
        .prefetch_related("measure__regions", "measure__parks")
        .exclude(return_at__lte=start)
    )


def _effective_at(measure: ControlMeasure, now: dt.datetime) -> dt.datetime:
    return max(measure.starts_at, now)


def _plan_rows(
    enterprises: QuerySet[Enterprise],
    at: dt.datetime,
    switches: list[MeasureSwitch],
    areas: _Areas,
    trigger: ControlMeasure,
) -> list[PreviewRow]:
    """The mode each enterprise has at `at` and the one the measures give it then. A seasonal
    stop stays: it is counted apart and has its own end."""
    listed = list(selectors.with_mode(enterprises, at).select_related("region", "park"))
    outcomes = _outcomes(
        [e.pk for e in listed],
        at,
        switches,
        areas,
        selectors.qualified_ids(enterprises, at),
        trigger,
    )
    rows = []
    for e in listed:
        mode: str = e.mode  # type: ignore[attr-defined]
        if mode == EnterpriseMode.SEASONAL_STOP:
            rows.append(PreviewRow(e, mode, mode, _("Seasonal stop stays.")))
        else:
            outcome = outcomes[e.pk]
            rows.append(PreviewRow(e, mode, outcome.mode, outcome.reason, outcome.measure))
    return rows


def _switch_rights(actor: Actor, measure: ControlMeasure) -> None:
    require_role(actor, MeasureSwitch, "change")
    if not can_switch(actor, measure):
        raise Forbidden(
            _("The measure covers enterprises outside your area; its switch is confirmed above.")
        )


def _measure(actor: Actor, measure_id: int, *, lock: bool = False) -> ControlMeasure:
    require_role(actor, MeasureSwitch)
    qs = ControlMeasure.objects.prefetch_related("regions", "parks__region")
    measure = get_for(qs, actor, measure_id)
    if lock:
        # Locked apart: visibility over a measure's areas is a DISTINCT query, which cannot be
        # locked. The lock serialises two officials confirming or ending the same measure.
        list(ControlMeasure.objects.select_for_update().filter(pk=measure.pk).values_list("pk"))
    return measure


def preview_switch(
    *, actor: Actor, measure_id: int, at: dt.datetime | None = None
) -> SwitchPreview:
    """For the measure's area (the enterprises the actor sees): each enterprise's mode before
    the switch and the mode it would get, with the reason. Nothing is written.

    The switch takes effect at the measure's start, or at `at` (now) if it has started.
    """
    measure = _measure(actor, measure_id)
    effective = _effective_at(measure, _clock(at))
    switches = [s for s in _switches_after(effective) if s.measure_id != measure.pk]
    switches.append(MeasureSwitch(measure=measure, effective_at=effective))
    enterprises = selectors.area_enterprises(measure)
    rows = _plan_rows(visible(enterprises, actor), effective, switches, _Areas(), measure)
    return SwitchPreview(measure, effective, rows)


def _settle(
    *,
    actor: Actor,
    trigger: ControlMeasure,
    start: dt.datetime,
    action: audit.Action,
) -> int:
    """Write the mode records the switched measures call for, from `start` on, for the
    trigger's area; returns how many enterprises change at `start`.

    Later boundaries (a scheduled start, a stated return of another measure) were computed
    without this change, so each is computed again and corrected where it now differs: the
    correcting record has the same time and a higher id, and the history stays append-only.
    """
    switches = _switches_after(start)
    areas = _Areas()
    enterprises = selectors.area_enterprises(trigger)
    boundaries = sorted(
        {start}
        | {s.effective_at for s in switches if s.effective_at > start}
        | {s.return_at for s in switches if s.return_at is not None and s.return_at > start}
    )
    changed_at_start = 0
    for at in boundaries:
        cause = trigger
        if at == start:
            scope = enterprises
        else:
            at_boundary = [s.measure for s in switches if at in (s.effective_at, s.return_at)]
            ids = set().union(*(areas.ids(m) for m in at_boundary)) & areas.ids(trigger)
            if not ids:
                continue
            scope = enterprises.filter(pk__in=ids)
            # The measure that starts or ends then is the one the reasons name.
            cause = at_boundary[0]
        records = [
            ModeRecord(
                enterprise=r.enterprise,
                mode=r.proposed,
                effective_from=at,
                reason=r.reason[:300],
                measure=r.measure,
                recorded_by=_name(actor),
            )
            for r in _plan_rows(scope, at, switches, areas, cause)
            if r.changes
        ]
        ModeRecord.objects.bulk_create(records, batch_size=1000)
        AuditEvent.objects.bulk_create(
            (
                audit.build(
                    actor=actor,
                    action=action,
                    obj=record,
                    after={
                        "mode": record.mode,
                        "effective_from": at.isoformat(),
                        "reason": record.reason,
                        "measure": record.measure_id,
                    },
                )
                for record in records
            ),
            batch_size=1000,
        )
        if at == start:
            changed_at_start = len(records)
    return changed_at_start


@transaction.atomic
def confirm_switch(
    *,
    actor: Actor,
    measure_id: int,
    expected_count: int,
    now: dt.datetime | None = None,
) -> MeasureSwitch:
    """Switch the measure's area with one confirmation: every change of the preview is written
    at once, effective at the measure's start (scheduled switching) or now if it has started.

    `expected_count` is the number of changes the preview showed; if the area changed since,
    nothing is written and 409 says so. A measure is switched once: a second confirmation is 409.
    """
    now = _clock(now)
    measure = _measure(actor, measure_id, lock=True)
    _switch_rights(actor, measure)
    existing = MeasureSwitch.objects.filter(measure=measure).first()
    if existing is not None:
        raise Conflict(
            _("This measure was switched already by %(who)s.") % {"who": existing.confirmed_by},
            current=audit.snapshot(existing, [*SWITCH_AUDIT, "confirmed_by", "confirmed_at"]),
        )
    effective = _effective_at(measure, now)
    if measure.ends_at is not None and measure.ends_at <= effective:
        raise InvalidInput(_("The measure has ended: there is nothing to switch."))
    try:
        with transaction.atomic():
            switch = MeasureSwitch.objects.create(
                measure=measure,
                effective_at=effective,
                confirmed_by=_name(actor),
                confirmed_at=now,
                switched=0,
            )
    except IntegrityError:
        raise Conflict(_("This measure was switched already.")) from None
    switch.switched = _settle(
        actor=actor, trigger=measure, start=effective, action=audit.Action.SWITCH_MODE
    )
    if switch.switched != expected_count:
        raise Conflict(
            _(
                "The area changed since the preview: %(now)s enterprises would switch, not "
                "%(expected)s. Look at the preview again."
            )
            % {"now": switch.switched, "expected": expected_count},
            current={"change_count": switch.switched},
        )
    switch.save(update_fields=["switched"])
    audit.record(
        actor=actor,
        action=audit.Action.CONFIRM_SWITCH,
        obj=switch,
        after=audit.snapshot(switch, SWITCH_AUDIT),
    )
    return switch


@transaction.atomic
def end_measure_modes(
    *,
    actor: Actor,
    measure_id: int,
    return_on: dt.date,
    now: dt.datetime | None = None,
) -> MeasureSwitch:
    """From `return_on`, the enterprises of the measure's area return to normal — except those
    another switched measure still governs then, which take the strictest remaining outcome."""
    now = _clock(now)
    measure = _measure(actor, measure_id, lock=True)
    _switch_rights(actor, measure)
    switch = MeasureSwitch.objects.select_for_update(of=("self",)).filter(measure=measure).first()
    if switch is None:
        raise InvalidInput(_("This measure has not switched any enterprise: nothing to end."))
    if switch.return_at is not None:
        raise Conflict(
            _("The modes of this measure were ended already by %(who)s.")
            % {"who": switch.ended_by},
            current=audit.snapshot(switch, [*SWITCH_AUDIT, "ended_by", "ended_at"]),
        )
    if return_on < selectors.local_date(now):
        raise InvalidInput(
            _("The return date has errors."),
            errors={"return_on": [_("The return date cannot be in the past.")]},
        )
    return_at = _start_of(return_on, now)
    if return_at <= switch.effective_at:
        raise InvalidInput(
            _("The return date has errors."),
            errors={
                "return_on": [
                    _("The return must come after the switch (%(at)s).")
                    % {"at": timezone.localtime(switch.effective_at).strftime("%Y-%m-%d %H:%M")}
                ]
            },
        )
    before = audit.snapshot(switch, SWITCH_AUDIT)
    switch.return_at = return_at
    switch.ended_by = _name(actor)
    switch.ended_at = now
    switch.returned = 0
    switch.save()
    switch.returned = _settle(
        actor=actor, trigger=measure, start=return_at, action=audit.Action.RETURN_MODE
    )
    switch.save(update_fields=["returned"])
    old, new = audit.changes(before, audit.snapshot(switch, SWITCH_AUDIT))
    audit.record(
        actor=actor, action=audit.Action.END_MEASURE_MODES, obj=switch, before=old, after=new
    )
    return switch
