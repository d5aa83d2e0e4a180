"""Writes of lockdown scenarios: building them (a what-if, or from the control measures in
force) and editing them. Each checks the actor's right, validates, writes and audits in one
transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.chains.models import MAX_DAYS, Scenario, ScenarioArea, ScenarioSource, ScenarioStatus
from keepline.chains.selectors.scenarios import area_summary, as_key, last_day
from keepline.chains.services import actor_name
from keepline.core import audit
from keepline.core.errors import Conflict, InvalidInput, NotFound
from keepline.core.scopes import Actor, get_for, require_place, require_role, visible
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


SHARES = ("closed_loop_share", "semi_closed_share", "headroom")
CENT = Decimal("0.01")


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
        region = visible(Region.objects.all(), actor).filter(pk=as_key(region_id)).first()
        if region is None:
            fail("place", _("no region you may choose has this id."))
    else:
        park = visible(Park.objects.all(), actor).filter(pk=as_key(park_id)).first()
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

    strictness = as_key(raw.get("strictness", 2))
    if strictness not in (1, 2, 3):
        fail(
            "strictness",
            _("strictness is 1 (restrictions), 2 (static management) or 3 (full lockdown)."),
        )
    if len(errors) > found or starts_on is None or ends_on is None:
        return None
    return AreaSpec(region, park, starts_on, ends_on, strictness)


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


def _keeper(actor: Actor, region_id: Any) -> Region:
    """The region keeping a new scenario: one the actor sees (else 404) and may keep scenarios
    for (else 403)."""
    if region_id in (None, ""):
        raise InvalidInput(
            _("Choose the region that keeps the scenario."),
            errors={"region": [_("This field is required.")]},
        )
    region = visible(Region.objects.all(), actor).filter(pk=as_key(region_id)).first()
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
        created_by=actor_name(actor),
        **{k: v for k, v in shares.items() if v is not None},
    )
    _write_areas(scenario, specs)
    after = audit.snapshot(scenario, SCENARIO_AUDIT) | {"areas": area_summary(scenario)}
    audit.record(actor=actor, action=audit.Action.CREATE, obj=scenario, after=after)
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
        created_by=actor_name(actor),
    )
    _write_areas(scenario, specs)
    after = audit.snapshot(scenario, SCENARIO_AUDIT) | {"areas": area_summary(scenario)}
    audit.record(actor=actor, action=audit.Action.CREATE, obj=scenario, after=after)
    return scenario


def locked_scenario(actor: Actor, scenario_id: int, version: int | None = None) -> Scenario:
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
    scenario = locked_scenario(actor, scenario_id, version)
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
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=scenario, before=b, after=a)
    return scenario


@transaction.atomic
def add_area(*, actor: Actor, scenario_id: int, version: int, area: dict[str, Any]) -> ScenarioArea:
    """One more area shut in the scenario."""
    scenario = locked_scenario(actor, scenario_id, version)
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
        actor=actor,
        action=audit.Action.ADD_AREA,
        obj=scenario,
        after={"areas": area_summary(scenario)},
    )
    return created


@transaction.atomic
def remove_area(*, actor: Actor, scenario_id: int, version: int, area_id: int) -> None:
    """Take an area out of the scenario (a scenario keeps at least one)."""
    scenario = locked_scenario(actor, scenario_id, version)
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
        action=audit.Action.REMOVE_AREA,
        obj=scenario,
        before=before,
        after={"areas": area_summary(scenario)},
    )


@transaction.atomic
def delete_scenario(*, actor: Actor, scenario_id: int, version: int) -> None:
    """Delete a scenario with its areas, results, times to recover and picks."""
    scenario = locked_scenario(actor, scenario_id, version)
    before = audit.snapshot(scenario, SCENARIO_AUDIT) | {"areas": area_summary(scenario)}
    audit.record(actor=actor, action=audit.Action.DELETE, obj=scenario, before=before)
    scenario.delete()
