"""What the whitelist services share: the audited fields, the actor's name and the clock, the
state a 409 shows, the subject and the application locked for a write, and a review entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import InvalidInput
from keepline.core.models import User
from keepline.core.scopes import Actor, SystemActor, get_for
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.whitelist.models import WhitelistApplication, WhitelistReview
from keepline.whitelist.rules import open_steps
from keepline.whitelist.selectors.applications import APPLICATION_RELATED

MAX_TEXT = 4000
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


def _name(actor: Actor) -> str:
    return str(actor) if isinstance(actor, SystemActor) else actor.get_username()


def _clock(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _current(application: WhitelistApplication) -> dict[str, Any]:
    """The application's state for a 409: what the loser of a race sees."""
    data = audit.snapshot(application, APPLICATION_AUDIT)
    data["open_steps"] = open_steps(application)
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


def _ancestors(region: Region) -> dict[str, Region]:
    """The region and those above it, by level."""
    parts = region.path.strip("/").split("/")
    paths = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return {r.level: r for r in Region.objects.filter(path__in=paths)}


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


def _locked_application(actor: Actor, application_id: int) -> WhitelistApplication:
    return get_for(
        WhitelistApplication.objects.select_for_update(of=("self",)).select_related(
            *APPLICATION_RELATED
        ),
        actor,
        application_id,
    )
