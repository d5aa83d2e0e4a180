"""Reads of the invitations to apply: the API's list, and each enterprise's open invitation and
open application for the pages that show many enterprises at once."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from keepline.core.lists import Column, FilterSet, Listing
from keepline.core.scopes import Actor, visible
from keepline.enterprises.models import Enterprise
from keepline.whitelist.models import (
    OPEN_STATUSES,
    InvitationStatus,
    WhitelistApplication,
    WhitelistInvitation,
)


class InvitationFilterSet(FilterSet):
    """The filters of `GET /api/whitelist/invitations`."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=InvitationStatus.choices, empty_label=_("All statuses")
    )

    class Meta:
        model = WhitelistInvitation
        fields: list[str] = []


# Served by the API only: the pages show invitations on the applications and enterprise pages.
INVITATIONS: Listing[WhitelistInvitation] = Listing(
    filterset=InvitationFilterSet,
    title=_("Invitations to apply"),
    filename="whitelist-invitations",
    api="/api/whitelist/invitations",
    default_sort="-invited",
    related=("enterprise__region",),
    columns=(
        Column("enterprise", _("Enterprise"), lambda i: str(i.enterprise)),
        Column("chain", _("Industry chain"), sort="chain"),
        Column("status", _("Status"), lambda i: i.get_status_display(), sort="status"),
        Column("invited_by", _("Invited by")),
        Column("invited", _("Invited"), "invited_at", sort="invited_at"),
    ),
)


def invitations(actor: Actor, status: str = "") -> QuerySet[WhitelistInvitation]:
    """The invitations the actor may see, newest first; one status or every one."""
    qs = visible(WhitelistInvitation.objects.select_related("enterprise__region"), actor)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-invited_at", "-id")


def open_invitation(enterprise: Enterprise) -> WhitelistInvitation | None:
    return WhitelistInvitation.objects.filter(
        enterprise=enterprise, status=InvitationStatus.OPEN
    ).first()


def open_states(
    enterprises: list[Enterprise],
) -> tuple[dict[int, WhitelistInvitation], dict[int, WhitelistApplication]]:
    """The open invitation and the open application of each of these enterprises, by its id, in
    two queries for a whole list (each enterprise has at most one of each)."""
    invited = WhitelistInvitation.objects.filter(
        enterprise__in=enterprises, status=InvitationStatus.OPEN
    )
    applying = WhitelistApplication.objects.filter(
        enterprise__in=enterprises, status__in=OPEN_STATUSES
    )
    return (
        {i.enterprise_id: i for i in invited},
        {a.enterprise_id: a for a in applying if a.enterprise_id is not None},
    )
