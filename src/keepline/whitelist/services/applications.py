"""Applying for the city whitelist with the three documents, changing a returned application and
submitting it again, and opening its documents (audited: the staff list is personal data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import Attachment
from keepline.core.scopes import Actor, get_for, require_role
from keepline.core.services import store_attachment
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, RegionLevel, WhitelistLevel
from keepline.whitelist.models import (
    ApplicationStatus,
    Category,
    Decision,
    InvitationStatus,
    OwnApplication,
    Step,
    WhitelistApplication,
    WhitelistInvitation,
)
from keepline.whitelist.rules import may_apply
from keepline.whitelist.selectors.applications import DOCUMENTS, open_application
from keepline.whitelist.selectors.listings import active_listings, subject_filter
from keepline.whitelist.services._common import (
    APPLICATION_AUDIT,
    INVITATION_AUDIT,
    LISTING_AUDIT,
    MAX_TEXT,
    _ancestors,
    _clock,
    _current,
    _locked_application,
    _name,
    _require_version,
    _review,
    _subject,
)

MAX_CHAIN = 50
# (filename, content) of an uploaded document.
Upload = tuple[str, bytes]


def read_uploads(files: Mapping[str, UploadedFile | None]) -> dict[str, Upload | None]:
    """The uploaded documents of a page or an API call; a file beyond the size limit is read
    only far enough for `_store_documents` to refuse it."""
    return {
        name: (f.name or "", f.read(Attachment.MAX_BYTES + 1)) if f is not None else None
        for name, f in files.items()
    }


def _places(subject: Enterprise | Park) -> dict[str, Any]:
    """Who decides each step: the park committee inspects an enterprise in a park, the district
    (or town) official any other subject; then the subject's district, city and province."""
    above = _ancestors(subject.region)
    missing = [
        level
        for level in (RegionLevel.DISTRICT, RegionLevel.CITY, RegionLevel.PROVINCE)
        if level not in above
    ]
    if missing:
        raise InvalidInput(
            _("%(subject)s is registered in %(region)s, which has no district, city and province.")
            % {"subject": subject, "region": subject.region},
            errors={"region": [_("Register the subject in a district or town first.")]},
        )
    in_park = isinstance(subject, Enterprise) and subject.park_id is not None
    return {
        "inspect_park": subject.park if in_park else None,  # type: ignore[union-attr]
        "inspect_region": None if in_park else subject.region,
        "district": above[RegionLevel.DISTRICT],
        "city": above[RegionLevel.CITY],
        "province": above[RegionLevel.PROVINCE],
    }


def clean_application(
    *, category: str, chain: str, note: str, requested_level: str
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    if category not in Category.values:
        errors["category"] = [_("Choose a category.")]
    chain = (chain or "").strip()
    if not chain:
        errors["chain"] = [_("Name the industry chain, e.g. 白酒 or 化工.")]
    elif len(chain) > MAX_CHAIN:
        errors["chain"] = [_("At most %(max)s characters.") % {"max": MAX_CHAIN}]
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        errors["note"] = [_("At most %(max)s characters.") % {"max": MAX_TEXT}]
    if requested_level != WhitelistLevel.CITY:
        errors["requested_level"] = [
            _("Applications are made for the city whitelist; the city nominates to the province.")
        ]
    values = {
        "category": category,
        "chain": chain,
        "note": note,
        "requested_level": requested_level,
    }
    return values, errors


def _store_documents(
    actor: Actor, files: dict[str, Upload | None], *, required: bool
) -> tuple[dict[str, Attachment], dict[str, list[str]]]:
    """Keep each uploaded document; every missing or bad one is named. The caller raises when
    there are errors, so the transaction drops whatever was stored."""
    stored: dict[str, Attachment] = {}
    errors: dict[str, list[str]] = {}
    for name in DOCUMENTS:
        upload = files.get(name)
        if upload is None:
            if required:
                errors[name] = [_("Attach this document.")]
            continue
        filename, data = upload
        try:
            stored[name] = store_attachment(actor=actor, filename=filename, data=data, field=name)
        except InvalidInput as exc:
            errors[name] = [exc.message]
    return stored, errors


@transaction.atomic
def submit_application(
    *,
    actor: Actor,
    category: str,
    chain: str,
    files: dict[str, Upload | None],
    enterprise_id: int | None = None,
    park_id: int | None = None,
    note: str = "",
    requested_level: str = WhitelistLevel.CITY,
    now: dt.datetime | None = None,
) -> WhitelistApplication:
    """The enterprise's liaison (or the park's committee) applies for the city whitelist with the
    signed commitment, the staff list and the epidemic prevention plan; the application goes to
    its park or town for inspection."""
    now = _clock(now)
    require_role(actor, OwnApplication, "apply")
    subject = _subject(actor, enterprise_id, park_id)
    if not may_apply(actor, subject):
        raise Forbidden(_("Only the enterprise's liaison or the park's committee applies."))
    pending = open_application(subject)
    if pending is not None:
        raise Conflict(
            _("%(subject)s already has an application under way.") % {"subject": subject},
            current=_current(pending),
        )
    listed = active_listings(subject).first()
    if listed is not None:
        raise Conflict(
            _("%(subject)s is on the whitelist already (certificate %(number)s).")
            % {"subject": subject, "number": listed.number},
            current=audit.snapshot(listed, LISTING_AUDIT),
        )
    values, errors = clean_application(
        category=category, chain=chain, note=note, requested_level=requested_level
    )
    documents, document_errors = _store_documents(actor, files, required=True)
    errors |= document_errors
    if errors:
        raise InvalidInput(_("The application has errors."), errors=errors)
    application = WhitelistApplication.objects.create(
        **subject_filter(subject),
        **values,
        **documents,
        **_places(subject),
        status=ApplicationStatus.INSPECTION,
        submitted_by=_name(actor),
        submitted_at=now,
    )
    _review(
        actor=actor,
        application=application,
        step=Step.APPLICATION,
        decision=Decision.SUBMIT,
        reasons="",
        at=now,
    )
    audit.record(
        actor=actor,
        action=audit.Action.SUBMIT_WHITELIST_APPLICATION,
        obj=application,
        after=audit.snapshot(application, APPLICATION_AUDIT),
    )
    if isinstance(subject, Enterprise):
        _take_up_invitation(actor, subject, application)
    return application


def _take_up_invitation(
    actor: Actor, enterprise: Enterprise, application: WhitelistApplication
) -> None:
    """The enterprise's open invitation, if any, is answered by this application."""
    invitation = (
        WhitelistInvitation.objects.select_for_update()
        .filter(enterprise=enterprise, status=InvitationStatus.OPEN)
        .first()
    )
    if invitation is None:
        return
    before = audit.snapshot(invitation, INVITATION_AUDIT)
    invitation.status = InvitationStatus.APPLIED
    invitation.application = application
    invitation.version += 1
    invitation.save(update_fields=["status", "application", "version"])
    old, new = audit.changes(before, audit.snapshot(invitation, INVITATION_AUDIT))
    audit.record(
        actor=actor,
        action=audit.Action.TAKE_UP_WHITELIST_INVITATION,
        obj=invitation,
        before=old,
        after=new,
    )


@transaction.atomic
def resubmit_application(
    *,
    actor: Actor,
    application_id: int,
    version: int | None,
    category: str,
    chain: str,
    note: str = "",
    files: dict[str, Upload | None] | None = None,
    now: dt.datetime | None = None,
) -> WhitelistApplication:
    """The applicant changes a returned application (any document may be replaced) and submits
    it again: the chain restarts at inspection."""
    now = _clock(now)
    application = _locked_application(actor, application_id)
    if not may_apply(actor, application.subject):
        raise Forbidden(_("Only the applicant changes the application."))
    version = _require_version(version)
    if application.status != ApplicationStatus.RETURNED or version != application.version:
        raise Conflict(
            _("The application is %(status)s now; reload it to see what changed.")
            % {"status": application.get_status_display()},
            current=_current(application),
        )
    values, errors = clean_application(
        category=category,
        chain=chain,
        note=note,
        requested_level=application.requested_level,
    )
    documents, document_errors = _store_documents(actor, files or {}, required=False)
    errors |= document_errors
    if errors:
        raise InvalidInput(_("The application has errors."), errors=errors)
    before = audit.snapshot(application, APPLICATION_AUDIT)
    for name, value in {**values, **documents, **_places(application.subject)}.items():
        setattr(application, name, value)
    application.status = ApplicationStatus.INSPECTION
    application.economy_approved = False
    application.health_approved = False
    application.round += 1
    application.submitted_by = _name(actor)
    application.submitted_at = now
    application.version += 1
    application.save()
    _review(
        actor=actor,
        application=application,
        step=Step.APPLICATION,
        decision=Decision.SUBMIT,
        reasons="",
        at=now,
    )
    old, new = audit.changes(before, audit.snapshot(application, APPLICATION_AUDIT))
    audit.record(
        actor=actor,
        action=audit.Action.RESUBMIT_WHITELIST_APPLICATION,
        obj=application,
        before=old,
        after=new,
    )
    return application


@transaction.atomic
def open_document(*, actor: Actor, application_id: int, kind: str) -> Attachment:
    """One of the application's documents, for those who may read them; the staff list is
    personal data, so every opening is audited."""
    application = get_for(WhitelistApplication.objects.all(), actor, application_id, "documents")
    if kind not in DOCUMENTS:
        raise NotFound(_("Not found."))
    attachment = Attachment.objects.get(pk=getattr(application, f"{kind}_id"))
    audit.record(
        actor=actor,
        action=audit.Action.OPEN_DOCUMENT,
        obj=application,
        after={"document": kind, "attachment": attachment.pk, "filename": attachment.filename},
    )
    return attachment
