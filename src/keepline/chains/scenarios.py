"""Lockdown scenarios: building them (a what-if, or from the control measures in force), editing,
running them through the propagation engine, the time each enterprise needs to recover, and the
reads the pages and the API show (results, figures by district and industry, comparisons).

Services check the actor's right, validate, write and audit in one transaction. Selectors return
only what the reader may see: a scenario's totals are the whole network's, while its rows are
read by enterprise, so a district official sees its own enterprises' outcomes in a city scenario.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.chains import inputs as chain_inputs
from keepline.chains import propagation
from keepline.chains.models import (
    MAX_DAYS,
    KeepRunningPick,
    RecoveryTime,
    Scenario,
    ScenarioArea,
    ScenarioResult,
    ScenarioSource,
    ScenarioStatus,
)
from keepline.chains.selectors import district_code
from keepline.core import audit
from keepline.core.errors import Conflict, InvalidInput, NotFound
from keepline.core.scopes import Actor, SystemActor, get_for, require_place, require_role, visible
from keepline.enterprises.models import Enterprise, Industry
from keepline.places.models import ControlMeasure, Park, Region

SCENARIO_AUDIT = [
    "name",
    "region",
    "source",
    "starts_on",
    "days",
    "closed_loop_share",
    "semi_closed_share",
    "headroom",
    "note",
    "status",
    "version",
]
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
SHARES = ("closed_loop_share", "semi_closed_share", "headroom")
CENT = Decimal("0.01")
MILLI = Decimal("0.001")
MAX_RECOVERY_DAYS = 365
MAX_RECOVERY_ROWS = 20_000
COMPARE_MIN, COMPARE_MAX = 2, 4


def _name(actor: Actor) -> str:
    return actor.name if isinstance(actor, SystemActor) else actor.get_username()


def last_day(scenario: Scenario) -> dt.date:
    """The last day the scenario models."""
    return scenario.starts_on + dt.timedelta(days=scenario.days - 1)


def day_date(scenario: Scenario, day: int) -> dt.date:
    """The date of day `day` (1-based) of the scenario."""
    return scenario.starts_on + dt.timedelta(days=day - 1)


# ---- validation -------------------------------------------------------------------------------


def _days(days: Any, errors: dict[str, list[str]]) -> int | None:
    try:
        value = int(days)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= MAX_DAYS or str(days).strip() != str(value):
        errors["days"] = [_("Enter whole days from 1 to %(max)s.") % {"max": MAX_DAYS}]
        return None
    return value


def _share(name: str, value: Any, errors: dict[str, list[str]]) -> Decimal | None:
    """A share in [0, 1] with two decimals, or an error on the field."""
    try:
        share = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        share = Decimal(-1)
    if not share.is_finite() or not Decimal(0) <= share <= Decimal(1):
        errors[name] = [_("Enter a share from 0 to 1, e.g. 0.7.")]
        return None
    return share.quantize(CENT, ROUND_HALF_UP)


def _text(name: str, value: str, errors: dict[str, list[str]], *, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = [_("This field is required.")]
    elif len(value) > max_length:
        errors[name] = [_("At most %(n)s characters.") % {"n": max_length}]
    return value


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


@dataclass
class AreaSpec:
    """One area checked and ready to be written."""

    region: Region | None
    park: Park | None
    starts_on: dt.date
    ends_on: dt.date
    strictness: int
    measure: ControlMeasure | None = None


def _area(
    actor: Actor,
    i: int,
    raw: dict[str, Any],
    first: dt.date,
    last: dt.date,
    errors: dict[str, list[str]],
) -> AreaSpec | None:
    """Area number i+1 as the user gave it, checked against the window [first, last]; errors
    are keyed `areas.<i>.<field>` and say which area they are about."""
    key = f"areas.{i}"
    label = _("Area %(n)s") % {"n": i + 1}
    found = len(errors)

    def fail(name: str, message: str) -> None:
        errors[f"{key}.{name}"] = [f"{label}: {message}"]

    region_id, park_id = raw.get("region_id"), raw.get("park_id")
    region = park = None
    if (region_id in (None, "")) == (park_id in (None, "")):
        fail("place", _("choose a region or a park (one of them)."))
    elif region_id not in (None, ""):
        region = visible(Region.objects.all(), actor).filter(pk=_int(region_id)).first()
        if region is None:
            fail("place", _("no region you may choose has this id."))
    else:
        park = visible(Park.objects.all(), actor).filter(pk=_int(park_id)).first()
        if park is None:
            fail("place", _("no park you may choose has this id."))

    starts_on, ends_on = _date(raw.get("starts_on")), _date(raw.get("ends_on"))
    window = {"first": first.isoformat(), "last": last.isoformat()}
    if starts_on is None:
        fail("starts_on", _("enter the first day shut (YYYY-MM-DD)."))
    elif not first <= starts_on <= last:
        fail(
            "starts_on",
            _("the first day lies outside the days modelled, %(first)s to %(last)s.") % window,
        )
    if ends_on is None:
        fail("ends_on", _("enter the last day shut (YYYY-MM-DD)."))
    elif not first <= ends_on <= last:
        fail(
            "ends_on",
            _("the last day lies outside the days modelled, %(first)s to %(last)s.") % window,
        )
    elif starts_on is not None and ends_on < starts_on:
        fail("ends_on", _("the last day comes before the first."))

    strictness = _int(raw.get("strictness", 2))
    if strictness not in (1, 2, 3):
        fail(
            "strictness",
            _("strictness is 1 (restrictions), 2 (static management) or 3 (full lockdown)."),
        )
    if len(errors) > found or starts_on is None or ends_on is None:
        return None
    return AreaSpec(region, park, starts_on, ends_on, strictness)


def _int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return -1


def _areas(
    actor: Actor,
    areas: Sequence[dict[str, Any]],
    first: dt.date,
    last: dt.date,
    errors: dict[str, list[str]],
) -> list[AreaSpec]:
    if not areas:
        errors["areas"] = [_("Add at least one area that is shut.")]
        return []
    specs = [_area(actor, i, raw, first, last, errors) for i, raw in enumerate(areas)]
    return [s for s in specs if s is not None]


def _write_areas(scenario: Scenario, specs: Iterable[AreaSpec]) -> None:
    ScenarioArea.objects.bulk_create(
        ScenarioArea(
            scenario=scenario,
            region=s.region,
            park=s.park,
            starts_on=s.starts_on,
            ends_on=s.ends_on,
            strictness=s.strictness,
            measure=s.measure,
        )
        for s in specs
    )


def area_summary(scenario: Scenario) -> list[dict[str, Any]]:
    """The scenario's areas as JSON values, for the audit trail and the API."""
    return [
        {
            "id": a.pk,
            "region": a.region.code if a.region else None,
            "park": a.park.code if a.park else None,
            "starts_on": a.starts_on.isoformat(),
            "ends_on": a.ends_on.isoformat(),
            "strictness": a.strictness,
            "measure_id": a.measure_id,
        }
        for a in scenario.areas.select_related("region", "park")
    ]


def _keeper(actor: Actor, region_id: Any) -> Region:
    """The region keeping a new scenario: one the actor sees (else 404) and may keep scenarios
    for (else 403)."""
    if region_id in (None, ""):
        raise InvalidInput(
            _("Choose the region that keeps the scenario."),
            errors={"region": [_("This field is required.")]},
        )
    region = visible(Region.objects.all(), actor).filter(pk=_int(region_id)).first()
    if region is None:
        raise NotFound(_("Not found."))
    require_place(actor, "change", Scenario, region=region)
    return region


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(
            _("The scenario was not saved: %(first)s") % {"first": first}, errors=errors
        )


# ---- services: create, edit, delete -----------------------------------------------------------


def _heading(
    actor: Actor, region_id: Any, name: str, starts_on: Any, days: Any
) -> tuple[Region, str, dt.date | None, int | None, dict[str, list[str]]]:
    """What every new scenario states — who keeps it, its name, first day and length — checked,
    with the errors found so far."""
    require_role(actor, Scenario, "change")
    region = _keeper(actor, region_id)
    errors: dict[str, list[str]] = {}
    name = _text("name", name, errors, max_length=100)
    first = _date(starts_on)
    if first is None:
        errors["starts_on"] = [_("Enter the first day modelled (YYYY-MM-DD).")]
    return region, name, first, _days(days, errors), errors


@transaction.atomic
def create_scenario(
    *,
    actor: Actor,
    name: str,
    region_id: int,
    starts_on: dt.date,
    days: int = 60,
    areas: list[dict[str, Any]],
    closed_loop_share: Decimal | None = None,
    semi_closed_share: Decimal | None = None,
    headroom: Decimal | None = None,
    note: str = "",
) -> Scenario:
    """A what-if: areas shut from one day to another at a strictness, over `days` from
    `starts_on`. Every area must lie within the days modelled."""
    region, name, first, length, errors = _heading(actor, region_id, name, starts_on, days)
    given = {"closed_loop_share": closed_loop_share, "semi_closed_share": semi_closed_share}
    given["headroom"] = headroom
    shares = {k: _share(k, v, errors) for k, v in given.items() if v is not None}
    specs: list[AreaSpec] = []
    if first is not None and length is not None:
        specs = _areas(actor, areas, first, first + dt.timedelta(days=length - 1), errors)
    _raise(errors)
    assert first is not None and length is not None
    scenario = Scenario.objects.create(
        name=name,
        region=region,
        source=ScenarioSource.WHAT_IF,
        starts_on=first,
        days=length,
        note=(note or "").strip(),
        created_by=_name(actor),
        **{k: v for k, v in shares.items() if v is not None},
    )
    _write_areas(scenario, specs)
    after = audit.snapshot(scenario, SCENARIO_AUDIT) | {"areas": area_summary(scenario)}
    audit.record(actor=actor, action="create", obj=scenario, after=after)
    return scenario


def _measure_days(measure: ControlMeasure) -> tuple[dt.date, dt.date | None]:
    """The local days a measure shuts: from its start to the day before its end instant (an end
    at midnight leaves that day open)."""
    first = timezone.localtime(measure.starts_at).date()
    if measure.ends_at is None:
        return first, None
    end = timezone.localtime(measure.ends_at - dt.timedelta(microseconds=1)).date()
    return first, max(end, first)


@transaction.atomic
def scenario_from_measures(
    *, actor: Actor, name: str, region_id: int, starts_on: dt.date, days: int = 60
) -> Scenario:
    """A scenario of the control measures the actor sees that are in force on some day of the
    window: one area per region and park each covers, its dates clipped to the window."""
    region, name, first, length, errors = _heading(actor, region_id, name, starts_on, days)
    _raise(errors)
    assert first is not None and length is not None
    last = first + dt.timedelta(days=length - 1)
    window_end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    window_start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    measures = (
        visible(ControlMeasure.objects.all(), actor)
        .filter(starts_at__lt=window_end)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=window_start))
        .prefetch_related("regions", "parks")
        .order_by("starts_at", "pk")
    )
    specs: list[AreaSpec] = []
    for measure in measures:
        begins, ends = _measure_days(measure)
        begins, ends = max(begins, first), min(ends or last, last)
        if ends < begins:
            continue
        places: list[tuple[Region | None, Park | None]] = [(r, None) for r in measure.regions.all()]
        places += [(None, p) for p in measure.parks.all()]
        specs += [AreaSpec(r, p, begins, ends, measure.strictness, measure) for r, p in places]
    if not specs:
        message = _(
            "No control measure you can see is in force between %(first)s and %(last)s."
        ) % {
            "first": first.isoformat(),
            "last": last.isoformat(),
        }
        raise InvalidInput(message, errors={"starts_on": [message]})
    scenario = Scenario.objects.create(
        name=name,
        region=region,
        source=ScenarioSource.MEASURES,
        starts_on=first,
        days=length,
        created_by=_name(actor),
    )
    _write_areas(scenario, specs)
    after = audit.snapshot(scenario, SCENARIO_AUDIT) | {"areas": area_summary(scenario)}
    audit.record(actor=actor, action="create", obj=scenario, after=after)
    return scenario


def _locked(actor: Actor, scenario_id: int, version: int | None = None) -> Scenario:
    """The scenario locked for a change the actor may make; 409 if `version` is not current."""
    scenario = get_for(Scenario.objects.select_for_update(), actor, scenario_id, "change")
    if version is not None and int(version) != scenario.version:
        raise Conflict(
            _("Someone changed this scenario in the meantime; check it and try again."),
            current=audit.snapshot(scenario, SCENARIO_AUDIT) | {"areas": area_summary(scenario)},
        )
    return scenario


def _changed(scenario: Scenario) -> None:
    """A change of what the run depends on: the results no longer match."""
    scenario.version += 1
    if scenario.status == ScenarioStatus.DONE:
        scenario.status = ScenarioStatus.STALE


@transaction.atomic
def update_scenario(
    *,
    actor: Actor,
    scenario_id: int,
    version: int,
    name: str | None = None,
    note: str | None = None,
    closed_loop_share: Decimal | None = None,
    semi_closed_share: Decimal | None = None,
    headroom: Decimal | None = None,
    areas: list[dict[str, Any]] | None = None,
) -> Scenario:
    """Change a scenario's name, note, shares or (all of) its areas. A change of the shares or
    the areas marks the results as out of date until the next run."""
    scenario = _locked(actor, scenario_id, version)
    before = audit.snapshot(scenario, SCENARIO_AUDIT) | {"areas": area_summary(scenario)}
    errors: dict[str, list[str]] = {}
    if name is not None:
        scenario.name = _text("name", name, errors, max_length=100)
    if note is not None:
        scenario.note = note.strip()
    given = {"closed_loop_share": closed_loop_share, "semi_closed_share": semi_closed_share}
    given["headroom"] = headroom
    modelled = False
    for key, value in given.items():
        if value is None:
            continue
        share = _share(key, value, errors)
        if share is not None and share != getattr(scenario, key):
            setattr(scenario, key, share)
            modelled = True
    specs = None
    if areas is not None:
        specs = _areas(actor, areas, scenario.starts_on, last_day(scenario), errors)
    _raise(errors)
    if specs is not None:
        scenario.areas.all().delete()
        _write_areas(scenario, specs)
        modelled = True
    if modelled:
        _changed(scenario)
    else:
        scenario.version += 1
    scenario.save()
    after = audit.snapshot(scenario, SCENARIO_AUDIT) | {"areas": area_summary(scenario)}
    b, a = audit.changes(before, after)
    audit.record(actor=actor, action="update", obj=scenario, before=b, after=a)
    return scenario


@transaction.atomic
def add_area(*, actor: Actor, scenario_id: int, version: int, area: dict[str, Any]) -> ScenarioArea:
    """One more area shut in the scenario."""
    scenario = _locked(actor, scenario_id, version)
    errors: dict[str, list[str]] = {}
    spec = _area(
        actor, scenario.areas.count(), area, scenario.starts_on, last_day(scenario), errors
    )
    _raise(errors)
    assert spec is not None
    created = ScenarioArea.objects.create(
        scenario=scenario,
        region=spec.region,
        park=spec.park,
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        strictness=spec.strictness,
    )
    _changed(scenario)
    scenario.save()
    audit.record(
        actor=actor, action="add_area", obj=scenario, after={"areas": area_summary(scenario)}
    )
    return created


@transaction.atomic
def remove_area(*, actor: Actor, scenario_id: int, version: int, area_id: int) -> None:
    """Take an area out of the scenario (a scenario keeps at least one)."""
    scenario = _locked(actor, scenario_id, version)
    area = scenario.areas.filter(pk=area_id).first()
    if area is None:
        raise NotFound(_("Not found."))
    if scenario.areas.count() == 1:
        message = _("A scenario keeps at least one area; delete the scenario instead.")
        raise InvalidInput(message, errors={"areas": [message]})
    before = {"areas": area_summary(scenario)}
    area.delete()
    _changed(scenario)
    scenario.save()
    audit.record(
        actor=actor,
        action="remove_area",
        obj=scenario,
        before=before,
        after={"areas": area_summary(scenario)},
    )


@transaction.atomic
def delete_scenario(*, actor: Actor, scenario_id: int, version: int) -> None:
    """Delete a scenario with its areas, results, times to recover and picks."""
    scenario = _locked(actor, scenario_id, version)
    before = audit.snapshot(scenario, SCENARIO_AUDIT) | {"areas": area_summary(scenario)}
    audit.record(actor=actor, action="delete", obj=scenario, before=before)
    scenario.delete()


# ---- running ----------------------------------------------------------------------------------


def _money(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(CENT, ROUND_HALF_UP)


def _ratio(value: float) -> Decimal:
    return Decimal(repr(min(max(float(value), 0.0), 9.999))).quantize(MILLI, ROUND_HALF_UP)


@transaction.atomic
def run_scenario(*, actor: Actor, scenario_id: int) -> Scenario:
    """Run the scenario over the network as it stands: keeps one result row per enterprise that
    loses output or runs dry, the totals, and who ran it when; drops the earlier ranking."""
    scenario = _locked(actor, scenario_id)
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
    scenario.ran_by = _name(actor)
    scenario.ran_at = timezone.now()
    scenario.run_seconds = round(time.perf_counter() - clock, 3)
    scenario.save()
    after = audit.snapshot(scenario, RUN_AUDIT) | {"model_seconds": round(seconds, 3)}
    audit.record(actor=actor, action="run", obj=scenario, after=after)
    return scenario


# ---- time to recover --------------------------------------------------------------------------


def _recovery_days(value: Any) -> int | None:
    """Whole days 1–365, or None for a value that is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text.isdigit():
        return None
    days = int(text)
    return days if 1 <= days <= MAX_RECOVERY_DAYS else None


@transaction.atomic
def set_recovery(*, actor: Actor, scenario_id: int, enterprise_id: int, days: int | None) -> None:
    """Enter (or, with None, clear) the days an enterprise needs to recover its supply."""
    scenario = _locked(actor, scenario_id)
    enterprise = get_for(Enterprise.objects.all(), actor, enterprise_id)
    existing = RecoveryTime.objects.filter(scenario=scenario, enterprise=enterprise).first()
    before = {"enterprise": enterprise.pk, "days": existing.days if existing else None}
    if days is None:
        if existing is not None:
            existing.delete()
    else:
        checked = _recovery_days(days)
        if checked is None:
            message = _("Enter whole days from 1 to %(max)s.") % {"max": MAX_RECOVERY_DAYS}
            raise InvalidInput(message, errors={"days": [message]})
        RecoveryTime.objects.update_or_create(
            scenario=scenario, enterprise=enterprise, defaults={"days": checked}
        )
    after = {"enterprise": enterprise.pk, "days": days}
    if before != after:
        audit.record(actor=actor, action="set_recovery", obj=scenario, before=before, after=after)


@transaction.atomic
def import_recovery(
    *,
    actor: Actor,
    scenario_id: int,
    rows: Iterable[tuple[int, dict[str, Any]]],
    check_only: bool = False,
) -> int:
    """Times to recover from a file's rows ({"uscc", "days"}): all or nothing, every bad row
    named; an empty days cell clears the enterprise's time. Returns the rows taken."""
    scenario = _locked(actor, scenario_id)
    seen: dict[str, int] = {}
    parsed: list[tuple[int, str, int | None]] = []
    errors: dict[str, list[str]] = {}
    for number, row in rows:
        if len(parsed) + len(errors) >= MAX_RECOVERY_ROWS:
            raise InvalidInput(
                _("The file has more than %(max)s rows.") % {"max": MAX_RECOVERY_ROWS}
            )
        uscc = str(row.get("uscc") or "").strip().upper()
        raw = row.get("days")
        days = None if raw in (None, "") else _recovery_days(raw)
        problems = []
        if not uscc:
            problems.append(_("column uscc: the credit code is missing."))
        elif uscc in seen:
            problems.append(_("column uscc: the same code as row %(row)s.") % {"row": seen[uscc]})
        if raw not in (None, "") and days is None:
            problems.append(
                _("column days: enter whole days from 1 to %(max)s.") % {"max": MAX_RECOVERY_DAYS}
            )
        if problems:
            errors[_("row %(row)s") % {"row": number}] = problems
        else:
            seen[uscc] = number
            parsed.append((number, uscc, days))
    found = {
        e.uscc: e
        for e in visible(Enterprise.objects.all(), actor).filter(uscc__in=[p[1] for p in parsed])
    }
    for number, uscc, _days_value in parsed:
        if uscc not in found:
            errors[_("row %(row)s") % {"row": number}] = [
                _("column uscc: no enterprise you may see has the code %(uscc)s.") % {"uscc": uscc}
            ]
    if not parsed and not errors:
        raise InvalidInput(_("The file has no rows."))
    if errors:
        raise InvalidInput(
            _("Nothing was saved: %(n)s rows have errors.") % {"n": len(errors)}, errors=errors
        )
    if check_only:
        return len(parsed)
    existing = {
        r.enterprise_id: r
        for r in RecoveryTime.objects.filter(scenario=scenario, enterprise__in=found.values())
    }
    # Each enterprise's time before and after, by credit code, for the audit trail.
    was = {
        u: existing[found[u].pk].days if found[u].pk in existing else None for _n, u, _d in parsed
    }
    now = {u: d for _n, u, d in parsed}
    clear = [found[u].pk for _n, u, d in parsed if d is None]
    RecoveryTime.objects.filter(scenario=scenario, enterprise_id__in=clear).delete()
    updates, creates = [], []
    for _n, uscc, days in parsed:
        if days is None:
            continue
        pk = found[uscc].pk
        if pk in existing:
            existing[pk].days = days
            updates.append(existing[pk])
        else:
            creates.append(RecoveryTime(scenario=scenario, enterprise_id=pk, days=days))
    RecoveryTime.objects.bulk_update(updates, ["days"])
    RecoveryTime.objects.bulk_create(creates)
    audit.record(
        actor=actor,
        action="import_recovery",
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


# ---- selectors --------------------------------------------------------------------------------

SCENARIO_SORTS = {
    "created": ("-created_at", "-id"),
    "name": ("name", "id"),
    "starts_on": ("-starts_on", "-id"),
    "loss": ("-total_loss", "-id"),
    "at_risk": ("-at_risk", "-id"),
}


def scenarios(
    actor: Actor,
    *,
    q: str = "",
    status: str = "",
    source: str = "",
    region: str = "",
    sort: str = "created",
) -> QuerySet[Scenario]:
    """The scenarios the actor may read, filtered (region: a code, scenarios kept within it)."""
    require_role(actor, Scenario)
    qs = visible(Scenario.objects.select_related("region"), actor)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(note__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if region:
        found = Region.objects.filter(code=region).first()
        qs = qs.filter(region__path__startswith=found.path) if found else qs.none()
    return qs.order_by(*SCENARIO_SORTS.get(sort, SCENARIO_SORTS["created"]))


def get_scenario(actor: Actor, scenario_id: Any, action: str = "view") -> Scenario:
    """One scenario the actor may read (404) and, for other actions, change (403)."""
    return get_for(Scenario.objects.select_related("region"), actor, scenario_id, action)


RESULT_SORTS = {
    "dry_day": ("dry_day", "-lost", "enterprise__name"),
    "-dry_day": ("-dry_day", "-lost", "enterprise__name"),
    "loss": ("-lost", "dry_day", "enterprise__name"),
    "-loss": ("lost", "dry_day", "enterprise__name"),
    "name": ("enterprise__name", "id"),
}


def results(
    actor: Actor,
    scenario: Scenario,
    *,
    at_risk: bool | None = None,
    in_area: bool | None = None,
    region: str = "",
    industry: str = "",
    q: str = "",
    flagged: bool | None = None,
    sort: str = "loss",
) -> QuerySet[ScenarioResult]:
    """The scenario's result rows the actor may read, with each enterprise's time to recover."""
    qs = visible(
        ScenarioResult.objects.filter(scenario=scenario).select_related(
            "enterprise__region", "enterprise__industry", "scarce"
        ),
        actor,
    )
    recovery = RecoveryTime.objects.filter(scenario=scenario, enterprise=OuterRef("enterprise"))
    qs = qs.annotate(recover=Subquery(recovery.values("days")[:1]))
    if at_risk is not None:
        qs = qs.filter(dry_day__isnull=not at_risk)
    if in_area is not None:
        qs = qs.filter(in_area=in_area)
    if region:
        found = Region.objects.filter(code=region).first()
        qs = qs.filter(enterprise__region__path__startswith=found.path) if found else qs.none()
    if industry:
        qs = qs.filter(
            Q(enterprise__industry__code=industry) | Q(enterprise__industry__parent__code=industry)
        )
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__icontains=q))
    if flagged is not None:
        # Time to survive (dry_day - 1) below the time to recover.
        flag = Q(dry_day__isnull=False, recover__isnull=False, dry_day__lte=F("recover"))
        qs = qs.filter(flag) if flagged else qs.exclude(flag)
    return qs.order_by(*RESULT_SORTS.get(sort, RESULT_SORTS["loss"]))


def flagged(row: ScenarioResult) -> bool:
    """Whether the enterprise runs dry before it could recover (time to survive < to recover)."""
    recover = getattr(row, "recover", None)
    return row.survives_days is not None and recover is not None and row.survives_days < recover


@dataclass
class Split:
    """Lost output of a group of enterprises, direct (inside the shut area) and indirect."""

    key: str
    label: str
    direct: Decimal = Decimal("0.00")
    indirect: Decimal = Decimal("0.00")
    enterprises: int = 0
    at_risk: int = 0

    @property
    def total(self) -> Decimal:
        return self.direct + self.indirect

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "direct": str(self.direct),
            "indirect": str(self.indirect),
            "total": str(self.total),
            "enterprises": self.enterprises,
            "at_risk": self.at_risk,
        }


@dataclass
class Figures:
    """What the scenario page charts: loss by district and by industry over the rows the reader
    sees, and the whole network's production index by day."""

    scenario: Scenario
    whole: bool  # the reader sees every row: its sums are the scenario's totals
    by_region: list[Split] = field(default_factory=list)
    by_industry: list[Split] = field(default_factory=list)
    days: list[dt.date] = field(default_factory=list)
    index: list[float] = field(default_factory=list)
    seen_loss: Decimal = Decimal("0.00")
    seen_at_risk: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario_id": self.scenario.pk,
            "status": self.scenario.status,
            "ran_at": self.scenario.ran_at.isoformat() if self.scenario.ran_at else None,
            "whole_network": self.whole,
            "visible_loss": str(self.seen_loss),
            "visible_at_risk": self.seen_at_risk,
            "by_region": [s.as_dict() for s in self.by_region],
            "by_industry": [s.as_dict() for s in self.by_industry],
            "index": [
                {"day": i + 1, "date": d.isoformat(), "index": v}
                for i, (d, v) in enumerate(zip(self.days, self.index, strict=True))
            ],
        }


def _split(groups: dict[str, Split], key: str, label: str, row: ScenarioResult) -> None:
    split = groups.setdefault(key, Split(key, label))
    if row.in_area:
        split.direct += row.lost
    else:
        split.indirect += row.lost
    split.enterprises += 1
    split.at_risk += row.dry_day is not None


def figures(actor: Actor, scenario: Scenario) -> Figures:
    """Loss by district and industry (rows the reader sees) and the network's production index."""
    rows = list(
        visible(
            ScenarioResult.objects.filter(scenario=scenario).select_related(
                "enterprise__region", "enterprise__industry"
            ),
            actor,
        )
    )
    count = ScenarioResult.objects.filter(scenario=scenario).count()
    by_region: dict[str, Split] = {}
    by_industry: dict[str, Split] = {}
    districts = {district_code(r.enterprise.region.path) for r in rows}
    names = {r.code: r.name for r in Region.objects.filter(code__in=districts)}
    for row in rows:
        code = district_code(row.enterprise.region.path)
        _split(by_region, code, names.get(code, code), row)
        industry = row.enterprise.industry
        key = industry.code if industry else ""
        _split(by_industry, key, str(industry) if industry else _("Unknown"), row)
    order = lambda s: (-s.total, s.key)  # noqa: E731
    return Figures(
        scenario=scenario,
        whole=len(rows) == count,
        by_region=sorted(by_region.values(), key=order),
        by_industry=sorted(by_industry.values(), key=order),
        days=[day_date(scenario, d) for d in range(1, scenario.days + 1)],
        index=list(scenario.index),
        seen_loss=sum((r.lost for r in rows), Decimal("0.00")),
        seen_at_risk=sum(1 for r in rows if r.dry_day is not None),
    )


@dataclass
class Difference:
    """One enterprise's outcome in each compared scenario."""

    enterprise: Enterprise
    lost: list[Decimal | None]
    dry_day: list[int | None]
    spread: Decimal

    @property
    def pairs(self) -> list[tuple[Decimal | None, int | None]]:
        """(lost, dry day) in each scenario, for a table row."""
        return list(zip(self.lost, self.dry_day, strict=True))


@dataclass
class Comparison:
    """Two to four scenarios side by side."""

    scenarios: list[Scenario]
    regions: list[tuple[str, str, list[Decimal]]]  # district code, name, loss in each scenario
    differences: list[Difference]


def compare(actor: Actor, ids: Sequence[Any], *, limit: int = 20) -> Comparison:
    """The scenarios (each one the actor may read), their loss by district over the rows the
    reader sees, and the enterprises whose outcome differs most between them."""
    unique = list(dict.fromkeys(_int(i) for i in ids))
    if not COMPARE_MIN <= len(unique) <= COMPARE_MAX:
        message = _("Choose from %(min)s to %(max)s different scenarios to compare.") % {
            "min": COMPARE_MIN,
            "max": COMPARE_MAX,
        }
        raise InvalidInput(message, errors={"ids": [message]})
    chosen = [get_scenario(actor, pk) for pk in unique]
    position = {s.pk: k for k, s in enumerate(chosen)}
    rows = visible(
        ScenarioResult.objects.filter(scenario__in=chosen).select_related("enterprise__region"),
        actor,
    )
    regions: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal("0.00")] * len(chosen))
    lost: dict[int, list[Decimal | None]] = {}
    dry: dict[int, list[int | None]] = {}
    enterprises: dict[int, Enterprise] = {}
    for row in rows:
        k = position[row.scenario_id]
        regions[district_code(row.enterprise.region.path)][k] += row.lost
        lost.setdefault(row.enterprise_id, [None] * len(chosen))[k] = row.lost
        dry.setdefault(row.enterprise_id, [None] * len(chosen))[k] = row.dry_day
        enterprises[row.enterprise_id] = row.enterprise
    names = {r.code: r.name for r in Region.objects.filter(code__in=list(regions))}
    region_rows = sorted(
        ((code, names.get(code, code), values) for code, values in regions.items()),
        key=lambda r: (-max(r[2]), r[0]),
    )
    differences = []
    for pk, values in lost.items():
        amounts = [v or Decimal("0.00") for v in values]
        dries = dry[pk]
        spread = max(amounts) - min(amounts)
        if spread > 0 or len(set(dries)) > 1:
            differences.append(Difference(enterprises[pk], values, dries, spread))
    differences.sort(key=lambda d: (-d.spread, d.enterprise.name))
    return Comparison(chosen, region_rows, differences[:limit])
