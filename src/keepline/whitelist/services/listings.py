"""Listings: the certificate number, the level kept on the enterprise or park, listing without an
application, and revocation by the government that listed."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.scopes import Actor, get_for
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region, RegionLevel, WhitelistLevel
from keepline.whitelist.models import (
    OPEN_STATUSES,
    ApplicationStatus,
    CertificateSequence,
    WhitelistApplication,
    WhitelistListing,
)
from keepline.whitelist.rules import may_decide_listing, may_list_at
from keepline.whitelist.selectors.listings import active_listings, highest_level, subject_filter
from keepline.whitelist.services._common import (
    APPLICATION_AUDIT,
    LISTING_AUDIT,
    MAX_TEXT,
    _ancestors,
    _clock,
    _lock,
    _name,
    _subject,
)
from keepline.whitelist.services.applications import clean_application

# Certificate numbers start with the deciding government's short name (LZ-WL-2022-0001);
# a government not named here uses its region code, and a national listing "CN".
CERTIFICATE_PREFIXES = {"510000": "SC", "510500": "LZ"}


def _authority(subject: Enterprise | Park, level: str) -> Region | None:
    """The government that lists at `level`: the subject's city or province; none nationally."""
    if level == WhitelistLevel.NATIONAL:
        return None
    wanted = RegionLevel.CITY if level == WhitelistLevel.CITY else RegionLevel.PROVINCE
    authority = _ancestors(subject.region).get(wanted)
    if authority is None:
        raise InvalidInput(
            _("%(region)s lies in no %(level)s.")
            % {"region": subject.region, "level": RegionLevel(wanted).label},
            errors={"level": [_("No government decides this level for this subject.")]},
        )
    return authority


def _next_number(authority: Region | None, at: dt.datetime) -> str:
    """The next certificate number of the deciding government in the listing's year. The
    sequence row is locked, so two listings at once never take the same number."""
    prefix = CERTIFICATE_PREFIXES.get(authority.code, authority.code) if authority else "CN"
    year = timezone.localtime(at).year
    CertificateSequence.objects.get_or_create(prefix=prefix, year=year)
    sequence = CertificateSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{prefix}-WL-{year}-{sequence.last:04d}"


def _set_level(actor: Actor, subject: Enterprise | Park) -> None:
    """Keep `whitelist_level` on the subject: the highest level of its listings in force. The
    registry's edit version is left alone: this is not an edit of the registry entry."""
    levels = set(active_listings(subject).values_list("level", flat=True))
    new = highest_level(levels)
    old = subject.whitelist_level
    if new == old:
        return
    type(subject)._default_manager.filter(pk=subject.pk).update(whitelist_level=new)
    subject.whitelist_level = new
    audit.record(
        actor=actor,
        action=audit.Action.SET_WHITELIST_LEVEL,
        obj=subject,
        before={"whitelist_level": old},
        after={"whitelist_level": new},
    )


def create_listing(
    *,
    actor: Actor,
    subject: Enterprise | Park,
    level: str,
    category: str,
    chain: str,
    authority: Region | None,
    at: dt.datetime,
    action: audit.Action,
    application: WhitelistApplication | None = None,
    basis: str = "",
) -> WhitelistListing:
    listing = WhitelistListing.objects.create(
        **subject_filter(subject),
        level=level,
        category=category,
        chain=chain,
        authority=authority,
        number=_next_number(authority, at),
        listed_at=at,
        listed_by=_name(actor),
        application=application,
        basis=basis,
        token=secrets.token_urlsafe(16),
    )
    audit.record(
        actor=actor, action=action, obj=listing, after=audit.snapshot(listing, LISTING_AUDIT)
    )
    _set_level(actor, subject)
    return listing


@transaction.atomic
def list_directly(
    *,
    actor: Actor,
    subject: Enterprise | Park,
    level: str,
    category: str,
    chain: str,
    reason: str,
    at: dt.datetime | None = None,
) -> WhitelistListing:
    """List without an application — a list decided on paper, or the demo city's lists — by the
    government of that level (the platform administrator for the national list)."""
    at = _clock(at)
    if isinstance(subject, Enterprise):
        subject = _subject(actor, subject.pk, None)
    else:
        subject = _subject(actor, None, subject.pk)
    errors: dict[str, list[str]] = {}
    if level not in WhitelistLevel.values:
        errors["level"] = [_("Choose a level.")]
    values, clean_errors = clean_application(
        category=category, chain=chain, note="", requested_level=WhitelistLevel.CITY
    )
    errors |= clean_errors
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [
            _("Give the basis of the listing, e.g. the decision's document number.")
        ]
    elif len(reason) > MAX_TEXT:
        errors["reason"] = [_("At most %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise InvalidInput(_("The listing has errors."), errors=errors)
    authority = _authority(subject, level)
    if not may_list_at(actor, authority):
        raise Forbidden(_("Only the government of that level lists at that level."))
    listed = active_listings(subject).filter(level=level).first()
    if listed is not None:
        raise Conflict(
            _("%(subject)s is listed at this level already (certificate %(number)s).")
            % {"subject": subject, "number": listed.number},
            current=audit.snapshot(listed, LISTING_AUDIT),
        )
    return create_listing(
        actor=actor,
        subject=subject,
        level=level,
        category=values["category"],
        chain=values["chain"],
        authority=authority,
        at=at,
        basis=reason,
        action=audit.Action.LIST_DIRECTLY,
    )


@transaction.atomic
def revoke_listing(
    *, actor: Actor, listing_id: int, reason: str, now: dt.datetime | None = None
) -> WhitelistListing:
    """The level that listed cancels the listing, with the reason ("resolutely cancel the
    qualification of enterprises that do not meet the conditions"). The subject's level falls
    to its highest listing still in force; an application still moving on this listing closes."""
    now = _clock(now)
    listing = get_for(
        WhitelistListing.objects.select_related("authority", "enterprise", "park"),
        actor,
        listing_id,
    )
    if not may_decide_listing(actor, listing):
        raise Forbidden(_("A listing is revoked by the government that listed it."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            _("Give the reason for the revocation."),
            errors={"reason": [_("This field is required.")]},
        )
    if len(reason) > MAX_TEXT:
        raise InvalidInput(
            _("The reason is too long."),
            errors={"reason": [_("At most %(max)s characters.") % {"max": MAX_TEXT}]},
        )
    # Lock in the order the decisions do (application, then listing, then subject).
    application = (
        WhitelistApplication.objects.select_for_update().get(pk=listing.application_id)
        if listing.application_id
        else None
    )
    listing = WhitelistListing.objects.select_for_update().get(pk=listing.pk)
    if listing.revoked_at is not None:
        raise Conflict(
            _("This listing was revoked already by %(who)s.") % {"who": listing.revoked_by},
            current=audit.snapshot(listing, LISTING_AUDIT),
        )
    subject = listing.subject
    _lock(subject)
    before = audit.snapshot(listing, LISTING_AUDIT)
    listing.revoked_at = now
    listing.revoke_reason = reason
    listing.revoked_by = _name(actor)
    listing.save(update_fields=["revoked_at", "revoke_reason", "revoked_by"])
    old, new = audit.changes(before, audit.snapshot(listing, LISTING_AUDIT))
    audit.record(actor=actor, action=audit.Action.REVOKE, obj=listing, before=old, after=new)
    if (
        application is not None
        and listing.level == WhitelistLevel.CITY
        and application.status in [ApplicationStatus.LISTED_CITY, *OPEN_STATUSES]
    ):
        before = audit.snapshot(application, APPLICATION_AUDIT)
        application.status = ApplicationStatus.CLOSED
        application.version += 1
        application.save(update_fields=["status", "version", "updated_at"])
        old, new = audit.changes(before, audit.snapshot(application, APPLICATION_AUDIT))
        audit.record(
            actor=actor,
            action=audit.Action.CLOSE_WHITELIST_APPLICATION,
            obj=application,
            before=old,
            after={**new, "listing": listing.number},
        )
    _set_level(actor, subject)
    return listing
