"""Writes to places: parks and control measures, each checked and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import router, transaction
from django.db.models.deletion import Collector, ProtectedError
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, InvalidInput
from keepline.core.scopes import Actor, get_for, require_place
from keepline.places.models import ControlMeasure, MeasureKind, Park, ParkLevel, Region

PARK_FIELDS = ["code", "name", "region", "level", "committee_contact", "committee_phone"]
MEASURE_FIELDS = ["kind", "title", "authority", "starts_at", "ends_at", "strictness", "notes"]


def _required(data: dict[str, Any], names: list[str], errors: dict[str, list[str]]) -> None:
    for name in names:
        if data.get(name) in (None, ""):
            errors.setdefault(name, []).append(_("This field is required."))


def _clean_park(data: dict[str, Any], current: Park | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    _required(data, ["code", "name", "region", "level", "committee_contact"], errors)
    if data.get("level") and data["level"] not in ParkLevel.values:
        errors.setdefault("level", []).append(_("Unknown level."))
    code = str(data.get("code") or "").strip().upper()
    others = Park.objects.exclude(pk=current.pk) if current else Park.objects.all()
    if code and others.filter(code=code).exists():
        errors.setdefault("code", []).append(_("Another park has this code."))
    if errors:
        raise InvalidInput(_("The park has errors."), errors=errors)
    return {
        "code": code,
        "name": str(data["name"]).strip(),
        "region": data["region"],
        "level": data["level"],
        "committee_contact": str(data["committee_contact"]).strip(),
        "committee_phone": str(data.get("committee_phone") or "").strip(),
    }


@transaction.atomic
def create_park(*, actor: Actor, data: dict[str, Any]) -> Park:
    values = _clean_park(data, None)
    require_place(actor, "change", Park, region=values["region"])
    park = Park.objects.create(**values)
    audit.record(
        actor=actor, action=audit.Action.CREATE, obj=park, after=audit.snapshot(park, PARK_FIELDS)
    )
    return park


@transaction.atomic
def update_park(*, actor: Actor, park_id: int, data: dict[str, Any], version: int) -> Park:
    park = get_for(Park.objects.select_for_update(), actor, park_id, "change")
    if version != park.version:
        raise Conflict(_("Someone else changed this park meanwhile."), current=audit.snapshot(park))
    values = _clean_park(data, park)
    if values["region"] != park.region:
        require_place(actor, "change", Park, region=values["region"])
    before = audit.snapshot(park, PARK_FIELDS)
    for name, value in values.items():
        setattr(park, name, value)
    park.version += 1
    park.save()
    old, new = audit.changes(before, audit.snapshot(park, PARK_FIELDS))
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=park, before=old, after=new)
    return park


def _measure_snapshot(measure: ControlMeasure) -> dict[str, Any]:
    data = audit.snapshot(measure, MEASURE_FIELDS)
    data["regions"] = sorted(r.code for r in measure.regions.all())
    data["parks"] = sorted(p.code for p in measure.parks.all())
    return data


def _clean_measure(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    _required(data, ["kind", "title", "authority", "starts_at"], errors)
    if data.get("kind") and data["kind"] not in MeasureKind.values:
        errors.setdefault("kind", []).append(_("Unknown kind."))
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if isinstance(starts, dt.datetime) and isinstance(ends, dt.datetime) and ends <= starts:
        errors.setdefault("ends_at", []).append(_("The end must come after the start."))
    strictness = data.get("strictness", 2)
    if strictness not in (1, 2, 3):
        errors.setdefault("strictness", []).append(_("Choose 1, 2 or 3."))
    regions: list[Region] = list(data.get("regions") or [])
    parks: list[Park] = list(data.get("parks") or [])
    if not regions and not parks:
        errors.setdefault("regions", []).append(_("Name at least one region or park covered."))
    authority = data.get("authority")
    if authority is not None:
        outside = [r for r in regions if not r.path.startswith(authority.path)]
        outside += [p.region for p in parks if not p.region.path.startswith(authority.path)]
        if outside:
            errors.setdefault("regions", []).append(
                _("Outside the issuing authority's region: %(names)s.")
                % {"names": ", ".join(str(r) for r in outside)}
            )
    if errors:
        raise InvalidInput(_("The control measure has errors."), errors=errors)
    return {
        "kind": data["kind"],
        "title": str(data["title"]).strip(),
        "authority": authority,
        "starts_at": starts,
        "ends_at": ends,
        "strictness": strictness,
        "notes": str(data.get("notes") or "").strip(),
        "regions": regions,
        "parks": parks,
    }


@transaction.atomic
def create_measure(*, actor: Actor, data: dict[str, Any]) -> ControlMeasure:
    values = _clean_measure(data)
    require_place(actor, "change", ControlMeasure, region=values["authority"])
    regions, parks = values.pop("regions"), values.pop("parks")
    measure = ControlMeasure.objects.create(**values)
    measure.regions.set(regions)
    measure.parks.set(parks)
    audit.record(
        actor=actor, action=audit.Action.CREATE, obj=measure, after=_measure_snapshot(measure)
    )
    return measure


@transaction.atomic
def update_measure(
    *, actor: Actor, measure_id: int, data: dict[str, Any], version: int
) -> ControlMeasure:
    measure = get_for(ControlMeasure.objects.select_for_update(), actor, measure_id, "change")
    if version != measure.version:
        raise Conflict(
            _("Someone else changed this measure meanwhile."), current=_measure_snapshot(measure)
        )
    values = _clean_measure(data)
    require_place(actor, "change", ControlMeasure, region=values["authority"])
    before = _measure_snapshot(measure)
    area_changed = (
        values["starts_at"] != measure.starts_at
        or {r.pk for r in values["regions"]} != {r.pk for r in measure.regions.all()}
        or {p.pk for p in values["parks"]} != {p.pk for p in measure.parks.all()}
    )
    if area_changed and _depended_on(measure):
        raise Conflict(
            _(
                "Enterprises have been switched under this measure: its area and start can no "
                "longer change. End it and start a new measure instead."
            ),
            current=before,
        )
    regions, parks = values.pop("regions"), values.pop("parks")
    for name, value in values.items():
        setattr(measure, name, value)
    measure.version += 1
    measure.save()
    measure.regions.set(regions)
    measure.parks.set(parks)
    old, new = audit.changes(before, _measure_snapshot(measure))
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=measure, before=old, after=new)
    return measure


@transaction.atomic
def delete_measure(*, actor: Actor, measure_id: int) -> None:
    measure = get_for(ControlMeasure.objects.select_for_update(), actor, measure_id, "change")
    before = _measure_snapshot(measure)
    if _depended_on(measure):
        raise Conflict(
            _("Enterprises have been switched under this measure: it cannot be deleted."),
            current=before,
        )
    audit.record(actor=actor, action=audit.Action.DELETE, obj=measure, before=before)
    measure.delete()


def _depended_on(measure: ControlMeasure) -> bool:
    """Whether records of later modules (mode switches) point at the measure and protect it."""
    try:
        Collector(using=router.db_for_write(ControlMeasure)).collect([measure])
    except ProtectedError:
        return True
    return False
