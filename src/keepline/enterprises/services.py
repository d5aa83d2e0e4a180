"""Writes to the registry: create, update, contacts, and the all-or-nothing import."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, InvalidInput
from keepline.core.imports import ImportCheck
from keepline.core.models import AuditEvent
from keepline.core.scopes import Actor, get_for, require_place
from keepline.enterprises.models import Enterprise, EnterpriseContact, PowerAccount
from keepline.enterprises.validation import (
    CORE_FIELDS,
    Lookups,
    clean_enterprise,
    same_district,
)

AUDIT_FIELDS = [*CORE_FIELDS, "version"]


def _snapshot(enterprise: Enterprise) -> dict[str, Any]:
    data = audit.snapshot(enterprise, AUDIT_FIELDS)
    data["power_accounts"] = sorted(a.number for a in enterprise.power_accounts.all())
    return data


def _set_accounts(enterprise: Enterprise, numbers: list[str]) -> None:
    enterprise.power_accounts.exclude(number__in=numbers).delete()
    have = set(enterprise.power_accounts.values_list("number", flat=True))
    PowerAccount.objects.bulk_create(
        PowerAccount(enterprise=enterprise, number=n) for n in numbers if n not in have
    )


@transaction.atomic
def create_enterprise(*, actor: Actor, data: dict[str, Any]) -> Enterprise:
    values, errors = clean_enterprise(data, Lookups.load())
    if errors:
        raise InvalidInput(_("The enterprise has errors."), errors=errors)
    require_place(actor, "change", Enterprise, region=values["region"], park=values.get("park"))
    liaison = values.pop("liaison", None)
    accounts = values.pop("power_accounts", [])
    enterprise = Enterprise.objects.create(**values)
    if liaison:
        EnterpriseContact.objects.create(
            enterprise=enterprise, name=liaison[0], phone=liaison[1], is_liaison=True
        )
    _set_accounts(enterprise, accounts)
    audit.record(
        actor=actor, action=audit.Action.CREATE, obj=enterprise, after=_snapshot(enterprise)
    )
    return enterprise


@transaction.atomic
def update_enterprise(
    *, actor: Actor, enterprise_id: int, data: dict[str, Any], version: int | None
) -> Enterprise:
    """Change the fields given in `data`. `version` is what the editor saw: if someone saved
    in between, this edit is refused with 409 and the current state."""
    enterprise = get_for(Enterprise.objects.select_for_update(), actor, enterprise_id, "change")
    if version is not None and version != enterprise.version:
        raise Conflict(
            _("Someone else changed this enterprise while you were editing it."),
            current=_snapshot(enterprise),
        )
    data = {k: v for k, v in data.items() if k in CORE_FIELDS or k == "power_accounts"}
    values, errors = clean_enterprise(data, Lookups.load(), current_id=enterprise.pk, partial=True)
    if errors:
        raise InvalidInput(_("The enterprise has errors."), errors=errors)
    region = values.get("region", enterprise.region)
    park = values.get("park", enterprise.park)
    if region != enterprise.region or park != enterprise.park:
        require_place(actor, "change", Enterprise, region=region, park=park)
    if (
        "region" in values
        and "park" not in values
        and park
        and not same_district(park.region, region)
    ):
        raise InvalidInput(
            _("The enterprise has errors."),
            errors={"park": [_("The park is not in the new region.")]},
        )
    before = _snapshot(enterprise)
    accounts = values.pop("power_accounts", None)
    for name, value in values.items():
        setattr(enterprise, name, value)
    enterprise.version += 1
    enterprise.save()
    if accounts is not None:
        _set_accounts(enterprise, accounts)
    old, new = audit.changes(before, _snapshot(enterprise))
    audit.record(actor=actor, action=audit.Action.UPDATE, obj=enterprise, before=old, after=new)
    return enterprise


@transaction.atomic
def add_contact(
    *, actor: Actor, enterprise_id: int, name: str, phone: str, title: str = "", is_liaison: bool
) -> EnterpriseContact:
    enterprise = get_for(Enterprise.objects.all(), actor, enterprise_id, "change")
    values, errors = clean_enterprise(
        {"liaison_name": name, "liaison_phone": phone}, Lookups.load(with_taken=False), partial=True
    )
    if not name.strip():
        errors.setdefault("liaison_name", []).append(_("This field is required."))
    if not phone.strip():
        errors.setdefault("liaison_phone", []).append(_("This field is required."))
    if errors:
        raise InvalidInput(
            _("The contact has errors."),
            errors={"name" if k == "liaison_name" else "phone": v for k, v in errors.items()},
        )
    contact = EnterpriseContact.objects.create(
        enterprise=enterprise,
        name=values["liaison"][0],
        phone=values["liaison"][1],
        title=title.strip()[:50],
        is_liaison=is_liaison,
    )
    audit.record(
        actor=actor, action=audit.Action.ADD_CONTACT, obj=enterprise, after=audit.snapshot(contact)
    )
    return contact


@transaction.atomic
def remove_contact(*, actor: Actor, contact_id: int) -> None:
    contact = get_for(
        EnterpriseContact.objects.select_related("enterprise"), actor, contact_id, "change"
    )
    before = audit.snapshot(contact)
    contact.delete()
    audit.record(
        actor=actor, action=audit.Action.REMOVE_CONTACT, obj=contact.enterprise, before=before
    )


@transaction.atomic
def reveal_phone(*, actor: Actor, contact_id: int) -> str:
    """The whole phone number, for those with the right; the viewing itself is audited."""
    contact = get_for(
        EnterpriseContact.objects.select_related("enterprise__region"),
        actor,
        contact_id,
        "personal",
    )
    audit.record(
        actor=actor,
        action=audit.Action.VIEW_PERSONAL,
        obj=contact.enterprise,
        after={"contact": contact.pk, "field": "phone"},
    )
    return contact.phone


# ---- import ---------------------------------------------------------------------------------


@transaction.atomic
def import_enterprises(
    *, actor: Actor, check: ImportCheck[dict[str, Any]], batch_size: int = 2000
) -> list[Enterprise]:
    """Write the rows of a clean check in one transaction, with one audit event per enterprise."""
    if not check.ok:
        raise InvalidInput(_("The file has errors; nothing was imported."))
    if not check.rows:
        raise InvalidInput(_("The file has no rows."))
    enterprises = [
        Enterprise(**{k: v for k, v in row.items() if k not in {"liaison", "power_accounts"}})
        for row in check.rows
    ]
    Enterprise.objects.bulk_create(enterprises, batch_size=batch_size)
    if enterprises[0].pk is None:  # backends that do not return ids from bulk inserts
        ids = dict(
            Enterprise.objects.filter(uscc__in=[e.uscc for e in enterprises]).values_list(
                "uscc", "pk"
            )
        )
        for e in enterprises:
            e.pk = ids[e.uscc]
    contacts: list[EnterpriseContact] = []
    accounts: list[PowerAccount] = []
    events: list[AuditEvent] = []
    for enterprise, row in zip(enterprises, check.rows, strict=True):
        if row.get("liaison"):
            contacts.append(
                EnterpriseContact(
                    enterprise=enterprise, name=row["liaison"][0], phone=row["liaison"][1]
                )
            )
        accounts.extend(
            PowerAccount(enterprise=enterprise, number=n) for n in row.get("power_accounts", [])
        )
        after = audit.snapshot(enterprise, AUDIT_FIELDS)
        after["power_accounts"] = row.get("power_accounts", [])
        events.append(
            audit.build(actor=actor, action=audit.Action.IMPORT, obj=enterprise, after=after)
        )
    EnterpriseContact.objects.bulk_create(contacts, batch_size=batch_size)
    PowerAccount.objects.bulk_create(accounts, batch_size=batch_size)
    AuditEvent.objects.bulk_create(events, batch_size=batch_size)
    return enterprises
