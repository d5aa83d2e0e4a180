"""Invitations to apply (邀请申报): the bureau or a district invites an enterprise of its area, and
withdraws an open invitation; the enterprise's application takes it up."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.models import Membership, Role, User
from keepline.core.notifications import notify
from keepline.core.scopes import Actor, get_for, require_role
from keepline.enterprises.models import Enterprise
from keepline.whitelist.models import InvitationStatus, WhitelistInvitation
from keepline.whitelist.rules import may_invite
from keepline.whitelist.selectors.applications import open_application
from keepline.whitelist.selectors.invitations import open_invitation
from keepline.whitelist.selectors.listings import active_listings
from keepline.whitelist.services._common import (
    INVITATION_AUDIT,
    LISTING_AUDIT,
    MAX_TEXT,
    _clock,
    _current,
    _name,
)
from keepline.whitelist.services.applications import MAX_CHAIN


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
    if not may_invite(actor, enterprise):
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
    invited = open_invitation(enterprise)
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
    listed = active_listings(enterprise).first()
    if listed is not None:
        raise Conflict(
            _("%(subject)s is on the whitelist already (certificate %(number)s).")
            % {"subject": enterprise, "number": listed.number},
            current=audit.snapshot(listed, LISTING_AUDIT),
        )
    pending = open_application(enterprise)
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
        action=audit.Action.INVITE_WHITELIST_APPLICATION,
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
        actor=actor,
        action=audit.Action.WITHDRAW_WHITELIST_INVITATION,
        obj=invitation,
        before=old,
        after=new,
    )
    return invitation
