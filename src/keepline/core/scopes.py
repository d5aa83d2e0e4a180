"""The one visibility function: every list, page, export and API call asks it what a user sees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, Union

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from keepline.core.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from keepline.core.models import Membership, User

M = TypeVar("M", bound=models.Model)
# The largest primary key (BigAutoField).
MAX_KEY = 2**63 - 1


def parse_key(code: str) -> int | None:
    """A primary key from a user's string of ASCII digits, or None if it cannot name a row."""
    # isdigit() alone also passes digits int() refuses ("²"), and int() refuses over 4300
    # digits; a key past MAX_KEY the database would refuse with an error of its own.
    if not (code.isascii() and code.isdigit()) or len(code) > len(str(MAX_KEY)):
        return None
    key = int(code)
    return key if 0 < key <= MAX_KEY else None


@dataclass(frozen=True)
class SystemActor:
    """A named command or task acting on its own authority (imports, the demo generator)."""

    name: str

    def __str__(self) -> str:
        return self.name


Actor = Union["User", SystemActor]


def memberships(actor: User) -> list[Membership]:
    """The actor's memberships, loaded once per user object."""
    cached: list[Membership] | None = getattr(actor, "_keepline_memberships", None)
    if cached is None:
        cached = list(
            actor.memberships.select_related("region", "park__region", "enterprise", "department")
        )
        actor._keepline_memberships = cached  # type: ignore[attr-defined]
    return cached


def _path(lookup: str, field: str) -> str:
    return f"{lookup}__{field}" if lookup else field


def ancestor_paths(path: str) -> list[str]:
    """Every path above this one ("510000/510500/510502/" → the province's and the city's)."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]


def _department_q(access: Any, m: Membership) -> Q:
    q = Q(pk__in=[])
    for lookup in access.department:
        q |= Q(**{_path(lookup, "pk"): m.department_id})
    return q


def _membership_q(access: Any, m: Membership, action: str) -> Q:
    if m.department_id is not None and access.department_only:
        return _department_q(access, m)
    q = Q(pk__in=[])
    if m.region is not None:
        for lookup in access.region:
            q |= Q(**{_path(lookup, "path__startswith"): m.region.path})
        if action == "view":
            for lookup in access.area_region:
                q |= Q(**{_path(lookup, "path__startswith"): m.region.path})
                q |= Q(**{_path(lookup, "path__in"): ancestor_paths(m.region.path)})
    if m.park is not None:
        for lookup in access.park + (access.area_park if action == "view" else ()):
            q |= Q(**{_path(lookup, "pk"): m.park_id})
        if action == "view":
            # An area measure over the park's region (or above it) reaches the park too.
            park_paths = [*ancestor_paths(m.park.region.path), m.park.region.path]
            for lookup in access.area_region:
                q |= Q(**{_path(lookup, "path__in"): park_paths})
    if m.enterprise_id is not None:
        for lookup in access.enterprise:
            q |= Q(**{_path(lookup, "pk"): m.enterprise_id})
    if m.department_id is not None:
        q |= _department_q(access, m)
    return q


def _crosses_many(access: Any, model: type[models.Model]) -> bool:
    """Whether any lookup passes a to-many relation, so that rows may repeat."""
    for lookup in (
        access.region
        + access.park
        + access.enterprise
        + access.department
        + access.user
        + access.area_region
        + access.area_park
    ):
        current = model
        for name in filter(None, lookup.split("__")):
            field = current._meta.get_field(name)
            if field.many_to_many or field.one_to_many:
                return True
            current = field.related_model  # type: ignore[assignment]
    return False


def visible(qs: models.QuerySet[M], actor: Actor, action: str = "view") -> models.QuerySet[M]:
    """The rows of `qs` that `actor` may `action` ("view", "change", "personal", …)."""
    if isinstance(actor, SystemActor):
        return qs
    if not actor.is_authenticated or not actor.is_active:
        return qs.none()
    access = qs.model.access  # type: ignore[attr-defined]
    allowed = access.roles_for(action)
    q = Q(pk__in=[])
    for m in memberships(actor):
        if m.role not in allowed:
            continue
        if m.role == "admin" or access.unscoped:
            return qs
        q |= _membership_q(access, m, action)
    if action in access.owner_actions:
        for lookup in access.user:
            q |= Q(**{_path(lookup, "pk"): actor.pk})
    if _crosses_many(access, qs.model):
        # Joins through to-many relations repeat rows; filtering by a subquery of ids keeps
        # the outer query free of DISTINCT, so callers may still lock, order and aggregate it.
        return qs.filter(pk__in=qs.model._default_manager.filter(q).values("pk"))
    return qs.filter(q)


def may(actor: Actor, action: str, obj: models.Model) -> bool:
    """Whether `actor` may `action` this one object."""
    return visible(type(obj)._default_manager.filter(pk=obj.pk), actor, action).exists()


def get_for(
    qs: models.QuerySet[M], actor: Actor, pk: Any, action: str = "view", **lookup: Any
) -> M:
    """The object, if the actor may see it (else 404) and may `action` it (else 403)."""
    # Every key is a positive 64-bit integer: anything else (a word, 10**20) names nothing,
    # and must not reach the database, which would refuse it with an error of its own.
    try:
        key = int(pk)
    except (ValueError, TypeError):
        raise NotFound(_("Not found.")) from None
    if not 0 < key <= MAX_KEY:
        raise NotFound(_("Not found."))
    try:
        obj = visible(qs, actor, "view").get(pk=key, **lookup)
    except ObjectDoesNotExist:
        raise NotFound(_("Not found.")) from None
    if action != "view" and not may(actor, action, obj):
        raise Forbidden(_("You may see this but not change it."))
    return obj


def may_place(
    actor: Actor,
    action: str,
    model: type[models.Model],
    *,
    region: Any = None,
    park: Any = None,
    enterprise: Any = None,
) -> bool:
    """Whether an object of `model` placed at this region/park/enterprise would be within the
    actor's `action` scope: the check for creating an object or moving one elsewhere."""
    if isinstance(actor, SystemActor):
        return True
    if not actor.is_authenticated or not actor.is_active:
        return False
    access = model.access  # type: ignore[attr-defined]
    allowed = access.roles_for(action)
    for m in memberships(actor):
        if m.role not in allowed or (m.department_id is not None and access.department_only):
            continue
        if m.role == "admin":
            return True
        if m.region is not None and region is not None and region.path.startswith(m.region.path):
            return True
        if m.park_id is not None and park is not None and m.park_id == park.pk:
            return True
        if (
            m.enterprise_id is not None
            and enterprise is not None
            and m.enterprise_id == enterprise.pk
        ):
            return True
    return False


def require_place(actor: Actor, action: str, model: type[models.Model], **place: Any) -> None:
    if not may_place(actor, action, model, **place):
        raise Forbidden(_("This is outside your area."))


def actor_roles(actor: Actor) -> set[str]:
    if isinstance(actor, SystemActor):
        return {"admin"}
    if not actor.is_authenticated:
        return set()
    return {m.role for m in memberships(actor)}


def holds(actor: Actor, model: type[models.Model], action: str = "view") -> bool:
    """Whether the actor holds any role with this right on the model, anywhere."""
    return bool(actor_roles(actor) & model.access.roles_for(action))  # type: ignore[attr-defined]


def holds_area(actor: Actor, model: type[models.Model], action: str = "change") -> bool:
    """Whether the actor holds this right over an area (a region or park), not just over single
    enterprises: the condition for creating new objects of the model, e.g. registering one."""
    if isinstance(actor, SystemActor):
        return True
    access = model.access  # type: ignore[attr-defined]
    allowed = access.roles_for(action)
    return (
        any(
            m.role in allowed
            and (m.role == "admin" or m.region_id or m.park_id)
            and not (m.department_id is not None and access.department_only)
            for m in memberships(actor)
        )
        if actor.is_authenticated
        else False
    )


def require_area(actor: Actor, model: type[models.Model], action: str = "change") -> None:
    if not holds_area(actor, model, action):
        raise Forbidden(_("Your role does not include this."))


def require_role(actor: Actor, model: type[models.Model], action: str = "view") -> None:
    """403 unless the actor holds some role with this right on the model (for list pages)."""
    if not holds(actor, model, action):
        raise Forbidden(_("Your role does not include this."))
