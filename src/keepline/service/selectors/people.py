"""Whom a form may name: the people an arranger may pick, and a name looked up."""

from __future__ import annotations

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from keepline.core.errors import InvalidInput
from keepline.core.models import Membership, Role, User
from keepline.core.scopes import Actor, SystemActor, ancestor_paths, memberships, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region
from keepline.service.models import Coverage, Visit, WorkingGroup
from keepline.service.selectors.coverage import local_today, open_at, reaching

# Whom a form may name -------------------------------------------------------------------------
#
# People are visible to the platform administrator alone (core's User and Membership), so the
# lists of people an arranger may pick are drawn from where people hold their roles: the same
# regions, parks and enterprises the arranger's own memberships reach (the rule `may_place`
# applies to objects). The services check every name they are given against the same lists.


def _within(path: str) -> Q:
    """Memberships over a region subtree, or over a park, enterprise or department in it."""
    return (
        Q(region__path__startswith=path)
        | Q(park__region__path__startswith=path)
        | Q(enterprise__region__path__startswith=path)
        | Q(department__region__path__startswith=path)
    )


def _over(paths: list[str]) -> Q:
    """Memberships over a region at one of these paths: a role over a wider area."""
    return Q(region__path__in=paths)


def _area(actor: User, model: type[models.Model], action: str, *, over: bool) -> Q | None:
    """The memberships lying in the area where `actor` may `action` `model`: within one of its
    regions or parks, or (with `over`) over a region containing it. None when the actor's area
    is everywhere."""
    allowed = model.access.roles_for(action)  # type: ignore[attr-defined]
    q = Q(pk__in=[])
    for m in memberships(actor):
        if m.role not in allowed:
            continue
        if m.role == Role.ADMIN:
            return None
        if m.region is not None:
            q |= _within(m.region.path)
            if over:
                q |= _over(ancestor_paths(m.region.path))
        if m.park is not None:
            q |= Q(park_id=m.park_id) | Q(enterprise__park_id=m.park_id)
            if over:
                q |= _over([*ancestor_paths(m.park.region.path), m.park.region.path])
    return q


def _people(actor: Actor, q: Q | None) -> QuerySet[User]:
    """Active people holding a membership that `q` picks, and people who hold no role anywhere
    yet (a cadre awaiting a first assignment is foreign to no area); everyone the actor may see
    when `q` is None."""
    active = User.objects.filter(is_active=True).order_by("display_name", "username")
    if q is None:
        return visible(active, actor)
    holders = Membership.objects.filter(q).values("user_id")
    unassigned = ~Q(pk__in=Membership.objects.values("user_id"))
    return active.filter(Q(pk__in=holders) | unassigned)


def coverage_people(actor: Actor) -> QuerySet[User]:
    """Whom `actor` may give coverage: people holding a role over part of the actor's area
    (within it, or over a region containing it), and people who hold no role yet."""
    if isinstance(actor, SystemActor):
        return _people(actor, None)
    if not actor.is_authenticated or not actor.is_active:
        return User.objects.none()
    return _people(actor, _area(actor, Coverage, "change", over=True))


def group_people(actor: Actor, authority: Region | None = None) -> QuerySet[User]:
    """Who may lead or join a working group sent by `authority`: people holding a role within
    its region, and people who hold no role yet. Without an authority: within any region the
    actor may send a group from."""
    if isinstance(actor, SystemActor):
        return _people(actor, None)
    if not actor.is_authenticated or not actor.is_active:
        return User.objects.none()
    if authority is not None:
        return _people(actor, _within(authority.path))
    return _people(actor, _area(actor, WorkingGroup, "change", over=False))


def visit_people(actor: Actor, enterprise: Enterprise) -> QuerySet[User]:
    """Who may be named as the visitor of `enterprise`: people whose own role lets them visit
    it (an official over its region or park, its commissioner) and whoever covers it today."""
    active = User.objects.filter(is_active=True).order_by("display_name", "username")
    if isinstance(actor, SystemActor):
        return active
    if not actor.is_authenticated or not actor.is_active:
        return User.objects.none()
    paths = [*ancestor_paths(enterprise.region.path), enterprise.region.path]
    reach = Q(role=Role.ADMIN) | Q(region__path__in=paths) | Q(enterprise=enterprise)
    if enterprise.park_id is not None:
        reach |= Q(park_id=enterprise.park_id)
    visitors = Membership.objects.filter(reach, role__in=Visit.access.roles_for("change"))
    covering_now = open_at(Coverage.objects.filter(reaching(enterprise)), local_today())
    return active.filter(
        Q(pk__in=visitors.values("user_id")) | Q(pk__in=covering_now.values("user_id"))
    )


def user_named(username: str, field: str) -> User:
    """The active user of that username, or an error on `field`."""
    found = User.objects.filter(username=username.strip(), is_active=True).first()
    if found is None:
        message = _("No active user named %(name)s.") % {"name": username}
        raise InvalidInput(message, errors={field: [message]})
    return found


def users_named(usernames: list[str], field: str) -> list[User]:
    found = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    missing = [n for n in usernames if n not in found]
    if missing:
        message = _("No active user named %(name)s.") % {"name": ", ".join(missing)}
        raise InvalidInput(message, errors={field: [message]})
    return [found[n] for n in usernames]
