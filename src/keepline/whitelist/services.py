"""Writes of the whitelists: applying, each step of the review chain, nomination to the province,
listing (with its certificate number), revocation, and listing without an application.

Every step checks the actor's right, validates, writes, and audits in one transaction. These
services are the only writers of `whitelist_level` on enterprises and parks: it is recomputed
from the listings in force in the same transaction as every listing and revocation.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import Attachment, Membership, Role, User
from keepline.core.notifications import notify
from keepline.core.scopes import Actor, SystemActor, get_for, may_place, require_role
from keepline.core.services import store_attachment
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region, RegionLevel, WhitelistLevel
from keepline.whitelist import selectors
from keepline.whitelist.models import (
    OPEN_STATUSES,
    ApplicationStatus,
    Category,
    CertificateSequence,
    Decision,
    InvitationStatus,
    OwnApplication,
    Step,
    WhitelistApplication,
    WhitelistInvitation,
    WhitelistListing,
    WhitelistReview,
)

MAX_CHAIN = 50
MAX_TEXT = 4000
# The three documents an application carries, by field name.
DOCUMENTS = {
    "commitment": gettext_lazy("Signed commitment"),
    "staff_list": gettext_lazy("Staff list"),
    "epidemic_plan": gettext_lazy("Epidemic prevention plan"),
}
# Certificate numbers start with the deciding government's short name (LZ-WL-2022-0001);
# a government not named here uses its region code, and a national listing "CN".
CERTIFICATE_PREFIXES = {"510000": "SC", "510500": "LZ"}
APPLICATION_AUDIT = [
    "status",
    "requested_level",
    "category",
    "chain",
    "note",
    "commitment",
    "staff_list",
    "epidemic_plan",
    "economy_approved",
    "health_approved",
    "round",
    "version",
]
LISTING_AUDIT = [
    "level",
    "category",
    "chain",
    "authority",
    "number",
    "listed_at",
    "listed_by",
    "application",
    "basis",
    "revoked_at",
    "revoke_reason",
    "revoked_by",
]
INVITATION_AUDIT = [
    "enterprise",
    "chain",
    "reason",
    "source",
    "status",
    "invited_by",
    "invited_at",
    "application",
    "closed_by",
    "closed_at",
    "version",
]
# (filename, content) of an uploaded document.
Upload = tuple[str, bytes]


def _name(actor: Actor) -> str:
    return str(actor) if isinstance(actor, SystemActor) else actor.get_username()


def _clock(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _current(application: WhitelistApplication) -> dict[str, Any]:
    """The application's state for a 409: what the loser of a race sees."""
    data = audit.snapshot(application, APPLICATION_AUDIT)
    data["open_steps"] = selectors.open_steps(application)
    return data


def _require_version(version: int | None) -> int:
    if version is None:
        raise InvalidInput(
            _("Give the version of the application you read."),
            errors={"version": [_("Reload the page and try again.")]},
        )
    return version


def _lock(obj: Model) -> None:
    """Lock the row: two services changing the same subject's listings run one after the other."""
    list(type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))


# ---- where the subject is, and who decides ----------------------------------------------------


def _ancestors(region: Region) -> dict[str, Region]:
    """The region and those above it, by level."""
    parts = region.path.strip("/").split("/")
    paths = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return {r.level: r for r in Region.objects.filter(path__in=paths)}


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


def _subject(actor: Actor, enterprise_id: int | None, park_id: int | None) -> Enterprise | Park:
    """The enterprise or park, locked, if the actor may see it (else 404)."""
    if (enterprise_id is None) == (park_id is None):
        raise InvalidInput(
            _("Name either an enterprise or a park."), errors={"enterprise": [_("Required.")]}
        )
    if enterprise_id is not None:
        return get_for(
            Enterprise.objects.select_for_update(of=("self",)).select_related("region", "park"),
            actor,
            enterprise_id,
        )
    return get_for(
        Park.objects.select_for_update(of=("self",)).select_related("region"), actor, park_id
    )


# ---- applying ---------------------------------------------------------------------------------


def _clean(
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


def _review(
    *,
    actor: Actor,
    application: WhitelistApplication,
    step: str,
    decision: str,
    reasons: str,
    at: dt.datetime,
) -> WhitelistReview:
    return WhitelistReview.objects.create(
        application=application,
        round=application.round,
        step=step,
        decision=decision,
        reasons=reasons,
        actor=actor if isinstance(actor, User) else None,
        actor_name=_name(actor),
        at=at,
    )


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
    if not selectors.may_apply(actor, subject):
        raise Forbidden(_("Only the enterprise's liaison or the park's committee applies."))
    pending = selectors.open_application(subject)
    if pending is not None:
        raise Conflict(
            _("%(subject)s already has an application under way.") % {"subject": subject},
            current=_current(pending),
        )
    listed = selectors.active_listings(subject).first()
    if listed is not None:
        raise Conflict(
            _("%(subject)s is on the whitelist already (certificate %(number)s).")
            % {"subject": subject, "number": listed.number},
            current=audit.snapshot(listed, LISTING_AUDIT),
        )
    values, errors = _clean(
        category=category, chain=chain, note=note, requested_level=requested_level
    )
    documents, document_errors = _store_documents(actor, files, required=True)
    errors |= document_errors
    if errors:
        raise InvalidInput(_("The application has errors."), errors=errors)
    application = WhitelistApplication.objects.create(
        **selectors.subject_filter(subject),
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
        action="submit_whitelist_application",
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
        actor=actor, action="take_up_whitelist_invitation", obj=invitation, before=old, after=new
    )


def _locked_application(actor: Actor, application_id: int) -> WhitelistApplication:
    return get_for(
        WhitelistApplication.objects.select_for_update(of=("self",)).select_related(
            "enterprise__region",
            "enterprise__park",
            "park__region",
            "inspect_park",
            "inspect_region",
            "district",
            "city",
            "province",
        ),
        actor,
        application_id,
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
    if not selectors.may_apply(actor, application.subject):
        raise Forbidden(_("Only the applicant changes the application."))
    version = _require_version(version)
    if application.status != ApplicationStatus.RETURNED or version != application.version:
        raise Conflict(
            _("The application is %(status)s now; reload it to see what changed.")
            % {"status": application.get_status_display()},
            current=_current(application),
        )
    values, errors = _clean(
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
        action="resubmit_whitelist_application",
        obj=application,
        before=old,
        after=new,
    )
    return application


# ---- invitations to apply -----------------------------------------------------------------------


def _liaisons(enterprise: Enterprise) -> list[User]:
    members = Membership.objects.filter(
        role=Role.LIAISON, enterprise=enterprise, user__is_active=True
    ).select_related("user")
    return list({m.user for m in members})


@transaction.atomic
def invite_application(
    *,
    actor: Actor,
    enterprise_id: int,
    chain: str,
    reason: str,
    source: str = "",
    now: dt.datetime | None = None,
) -> WhitelistInvitation:
    """The industry bureau or a district invites an enterprise of its area to apply for the
    whitelist (邀请申报); the enterprise's liaisons are told and see an "Apply" link. One open
    invitation per enterprise, and none for an enterprise listed or already applying."""
    now = _clock(now)
    require_role(actor, WhitelistInvitation, "invite")
    enterprise = get_for(
        Enterprise.objects.select_for_update(of=("self",)).select_related("region", "park"),
        actor,
        enterprise_id,
    )
    if not may_place(
        actor, "invite", WhitelistInvitation, region=enterprise.region, park=enterprise.park
    ):
        raise Forbidden(_("The industry bureau or the district invites enterprises to apply."))
    errors: dict[str, list[str]] = {}
    chain = (chain or "").strip()
    if not chain:
        errors["chain"] = [_("Name the industry chain, e.g. 白酒 or 化工.")]
    elif len(chain) > MAX_CHAIN:
        errors["chain"] = [_("At most %(max)s characters.") % {"max": MAX_CHAIN}]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why the enterprise should apply.")]
    elif len(reason) > MAX_TEXT:
        errors["reason"] = [_("At most %(max)s characters.") % {"max": MAX_TEXT}]
    source = (source or "").strip()[:200]
    if errors:
        raise InvalidInput(_("The invitation has errors."), errors=errors)
    invited = selectors.open_invitation(enterprise)
    if invited is not None:
        raise Conflict(
            _("%(subject)s was invited already by %(who)s on %(day)s.")
            % {
                "subject": enterprise,
                "who": invited.invited_by,
                "day": timezone.localdate(invited.invited_at).isoformat(),
            },
            current=audit.snapshot(invited, INVITATION_AUDIT),
        )
    listed = selectors.active_listings(enterprise).first()
    if listed is not None:
        raise Conflict(
            _("%(subject)s is on the whitelist already (certificate %(number)s).")
            % {"subject": enterprise, "number": listed.number},
            current=audit.snapshot(listed, LISTING_AUDIT),
        )
    pending = selectors.open_application(enterprise)
    if pending is not None:
        raise Conflict(
            _("%(subject)s already has an application under way.") % {"subject": enterprise},
            current=_current(pending),
        )
    invitation = WhitelistInvitation.objects.create(
        enterprise=enterprise,
        chain=chain,
        reason=reason,
        source=source,
        invited_by=_name(actor),
        invited_at=now,
    )
    audit.record(
        actor=actor,
        action="invite_whitelist_application",
        obj=invitation,
        after=audit.snapshot(invitation, INVITATION_AUDIT),
    )
    title = _("Invitation to apply for the whitelist: %(subject)s") % {"subject": enterprise}
    url = reverse("whitelist:enterprise", args=[enterprise.pk])
    for user in _liaisons(enterprise):
        notify(user, "whitelist_invited", title, reason, url)
    return invitation


@transaction.atomic
def withdraw_invitation(
    *, actor: Actor, invitation_id: int, now: dt.datetime | None = None
) -> WhitelistInvitation:
    """An official of the area withdraws an open invitation."""
    now = _clock(now)
    require_role(actor, WhitelistInvitation, "invite")
    invitation = get_for(
        WhitelistInvitation.objects.select_for_update(of=("self",)),
        actor,
        invitation_id,
        "invite",
    )
    if invitation.status != InvitationStatus.OPEN:
        raise Conflict(
            _("The invitation is %(status)s already.")
            % {"status": invitation.get_status_display()},
            current=audit.snapshot(invitation, INVITATION_AUDIT),
        )
    before = audit.snapshot(invitation, INVITATION_AUDIT)
    invitation.status = InvitationStatus.WITHDRAWN
    invitation.closed_by = _name(actor)
    invitation.closed_at = now
    invitation.version += 1
    invitation.save(update_fields=["status", "closed_by", "closed_at", "version"])
    old, new = audit.changes(before, audit.snapshot(invitation, INVITATION_AUDIT))
    audit.record(
        actor=actor, action="withdraw_whitelist_invitation", obj=invitation, before=old, after=new
    )
    return invitation


# ---- the review chain -------------------------------------------------------------------------


def _choose_step(
    actor: Actor, application: WhitelistApplication, version: int | None, step: str | None
) -> str:
    """The step this decision is on. 403 when the actor decides no step of the application, or
    not the one waiting; 409 when the application moved on since the actor read it."""
    mine = selectors.deciding_steps(actor, application)
    if not mine:
        raise Forbidden(_("You do not decide any step of this application."))
    if _require_version(version) != application.version:
        raise Conflict(
            _("Someone else acted on this application meanwhile: it is now %(status)s.")
            % {"status": application.get_status_display()},
            current=_current(application),
        )
    waiting = selectors.open_steps(application)
    if not waiting:
        raise Conflict(
            _("This application is not waiting for a decision: it is %(status)s.")
            % {"status": application.get_status_display()},
            current=_current(application),
        )
    if step:
        if step not in selectors.DECIDED_STEPS:
            raise InvalidInput(_("Unknown step."), errors={"step": [_("Unknown step.")]})
        if step in mine and step not in waiting:
            raise Conflict(
                _("%(step)s has been decided already.") % {"step": Step(step).label},
                current=_current(application),
            )
        candidates = [step] if step in mine else []
    else:
        candidates = [s for s in waiting if s in mine]
        # In the district review, one of the two may have decided its half already.
        done = [s for s in (Step.ECONOMY, Step.HEALTH) if s in mine and s not in waiting]
        if not candidates and done and application.status == ApplicationStatus.DISTRICT_REVIEW:
            raise Conflict(
                _("%(step)s has been decided already.") % {"step": Step(done[0]).label},
                current=_current(application),
            )
    if not candidates:
        raise Forbidden(
            _("This step is decided by %(who)s, not by you.")
            % {"who": ", ".join(selectors.place_of(application, s) for s in waiting)}
        )
    if len(candidates) > 1:
        raise InvalidInput(
            _("You decide more than one waiting step: say which."),
            errors={"step": [", ".join(str(Step(s).label) for s in candidates)]},
        )
    return candidates[0]


@transaction.atomic
def decide_application(
    *,
    actor: Actor,
    application_id: int,
    decision: str,
    version: int | None,
    reasons: str = "",
    step: str | None = None,
    now: dt.datetime | None = None,
) -> WhitelistApplication:
    """An official approves the step waiting for them, returns the application to the applicant
    with reasons, or rejects it (final). The district review needs both the economy bureau and
    the health commission, in either order; the city's approval lists at city level and the
    province's at provincial level. `version` is what the official read: two officials deciding
    the same step at once — the first wins, the second gets 409 with the state that stands."""
    now = _clock(now)
    application = _locked_application(actor, application_id)
    step = _choose_step(actor, application, version, step)
    errors: dict[str, list[str]] = {}
    if decision not in (Decision.APPROVE, Decision.RETURN, Decision.REJECT):
        errors["decision"] = [_("Approve, return or reject.")]
    reasons = (reasons or "").strip()
    if decision in (Decision.RETURN, Decision.REJECT) and not reasons:
        errors["reasons"] = [_("Give the reasons, so the applicant knows what to change.")]
    elif len(reasons) > MAX_TEXT:
        errors["reasons"] = [_("At most %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise InvalidInput(_("The decision has errors."), errors=errors)
    before = audit.snapshot(application, APPLICATION_AUDIT)
    level = ""
    if decision == Decision.APPROVE:
        if step == Step.INSPECTION:
            application.status = ApplicationStatus.DISTRICT_REVIEW
        elif step in (Step.ECONOMY, Step.HEALTH):
            if step == Step.ECONOMY:
                application.economy_approved = True
            else:
                application.health_approved = True
            if application.economy_approved and application.health_approved:
                application.status = ApplicationStatus.CITY_DECISION
        elif step == Step.CITY:
            application.status = ApplicationStatus.LISTED_CITY
            level = WhitelistLevel.CITY
        else:
            application.status = ApplicationStatus.LISTED_PROVINCE
            level = WhitelistLevel.PROVINCE
    elif decision == Decision.RETURN:
        application.status = ApplicationStatus.RETURNED
    else:
        # A province's refusal leaves the city's listing in force.
        application.status = (
            ApplicationStatus.PROVINCE_REJECTED
            if step == Step.PROVINCE
            else ApplicationStatus.REJECTED
        )
    application.version += 1
    application.save()
    _review(
        actor=actor,
        application=application,
        step=step,
        decision=decision,
        reasons=reasons,
        at=now,
    )
    old, new = audit.changes(before, audit.snapshot(application, APPLICATION_AUDIT))
    audit.record(
        actor=actor,
        action=f"{decision}_whitelist_{step}",
        obj=application,
        before=old,
        after={**new, "reasons": reasons},
    )
    if level:
        _list_application(actor, application, level, now)
    return application


def _list_application(
    actor: Actor, application: WhitelistApplication, level: str, now: dt.datetime
) -> WhitelistListing:
    """The listing an approval gives. An application returned by the province and approved by
    the city again keeps the city listing it already has."""
    subject = application.subject
    _lock(subject)
    kept = selectors.active_listings(subject).filter(level=level).first()
    if kept is not None:
        return kept
    authority = application.city if level == WhitelistLevel.CITY else application.province
    return _create_listing(
        actor=actor,
        subject=subject,
        level=level,
        category=application.category,
        chain=application.chain,
        authority=authority,
        at=now,
        application=application,
        action="list",
    )


@transaction.atomic
def nominate_application(
    *,
    actor: Actor,
    application_id: int,
    version: int | None,
    reasons: str = "",
    now: dt.datetime | None = None,
) -> WhitelistApplication:
    """The city's industry bureau nominates a city-listed applicant for the provincial list."""
    now = _clock(now)
    application = _locked_application(actor, application_id)
    if not selectors.reaches(actor, application, Step.NOMINATION):
        raise Forbidden(_("The city's industry bureau nominates to the province."))
    version = _require_version(version)
    if application.status != ApplicationStatus.LISTED_CITY or version != application.version:
        raise Conflict(
            _("Only an application listed at city level is nominated; it is %(status)s.")
            % {"status": application.get_status_display()},
            current=_current(application),
        )
    reasons = (reasons or "").strip()
    if len(reasons) > MAX_TEXT:
        raise InvalidInput(
            _("The nomination has errors."),
            errors={"reasons": [_("At most %(max)s characters.") % {"max": MAX_TEXT}]},
        )
    before = audit.snapshot(application, APPLICATION_AUDIT)
    application.status = ApplicationStatus.PROVINCE_DECISION
    application.version += 1
    application.save()
    _review(
        actor=actor,
        application=application,
        step=Step.NOMINATION,
        decision=Decision.APPROVE,
        reasons=reasons,
        at=now,
    )
    old, new = audit.changes(before, audit.snapshot(application, APPLICATION_AUDIT))
    audit.record(
        actor=actor,
        action="nominate_whitelist_application",
        obj=application,
        before=old,
        after={**new, "reasons": reasons},
    )
    return application


# ---- listings ---------------------------------------------------------------------------------


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
    levels = set(selectors.active_listings(subject).values_list("level", flat=True))
    new = selectors.highest_level(levels)
    old = subject.whitelist_level
    if new == old:
        return
    type(subject)._default_manager.filter(pk=subject.pk).update(whitelist_level=new)
    subject.whitelist_level = new
    audit.record(
        actor=actor,
        action="set_whitelist_level",
        obj=subject,
        before={"whitelist_level": old},
        after={"whitelist_level": new},
    )


def _create_listing(
    *,
    actor: Actor,
    subject: Enterprise | Park,
    level: str,
    category: str,
    chain: str,
    authority: Region | None,
    at: dt.datetime,
    action: str,
    application: WhitelistApplication | None = None,
    basis: str = "",
) -> WhitelistListing:
    listing = WhitelistListing.objects.create(
        **selectors.subject_filter(subject),
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
    values, clean_errors = _clean(
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
    if not may_place(actor, "decide", WhitelistListing, region=authority):
        raise Forbidden(_("Only the government of that level lists at that level."))
    listed = selectors.active_listings(subject).filter(level=level).first()
    if listed is not None:
        raise Conflict(
            _("%(subject)s is listed at this level already (certificate %(number)s).")
            % {"subject": subject, "number": listed.number},
            current=audit.snapshot(listed, LISTING_AUDIT),
        )
    return _create_listing(
        actor=actor,
        subject=subject,
        level=level,
        category=values["category"],
        chain=values["chain"],
        authority=authority,
        at=at,
        basis=reason,
        action="list_directly",
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
    if not selectors.may_decide_listing(actor, listing):
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
    audit.record(actor=actor, action="revoke", obj=listing, before=old, after=new)
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
            action="close_whitelist_application",
            obj=application,
            before=old,
            after={**new, "listing": listing.number},
        )
    _set_level(actor, subject)
    return listing


# ---- documents --------------------------------------------------------------------------------


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
        action="open_document",
        obj=application,
        after={"document": kind, "attachment": attachment.pk, "filename": attachment.filename},
    )
    return attachment
