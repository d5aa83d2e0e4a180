"""Writes of key projects."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import InvalidInput
from keepline.core.scopes import Actor, require_place
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region
from keepline.service.models import KeyProject

# Key projects ---------------------------------------------------------------------------------


@transaction.atomic
def create_key_project(
    *,
    actor: Actor,
    enterprise: Enterprise,
    name: str,
    description: str = "",
    region: Region | None = None,
) -> KeyProject:
    """A key project of an enterprise, placed in the enterprise's region unless told otherwise."""
    region = region or enterprise.region
    # Both the enterprise and the place of the project must lie in the actor's area.
    require_place(actor, "change", KeyProject, region=enterprise.region, park=enterprise.park)
    require_place(actor, "change", KeyProject, region=region, park=enterprise.park)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Name the project."), errors={"name": [_("This field is required.")]})
    if KeyProject.objects.filter(enterprise=enterprise, name=name).exists():
        raise InvalidInput(
            _("This enterprise already has a project of that name."),
            errors={"name": [_("This enterprise already has a project of that name.")]},
        )
    project = KeyProject.objects.create(
        enterprise=enterprise, region=region, name=name, description=description.strip()
    )
    audit.record(
        actor=actor, action=audit.Action.CREATE, obj=project, after=audit.snapshot(project)
    )
    return project
