"""Who may do what in the service network, decided here once for the pages, the API and the
services: who may plan or record a visit to an enterprise, who sees the visit lists, and whom a
form may name."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from keepline.core.errors import Forbidden, InvalidInput
from keepline.core.models import User
from keepline.core.scopes import Actor, holds, may_place, require_role
from keepline.enterprises.models import Enterprise
from keepline.service.models import Coverage, Visit
from keepline.service.selectors.coverage import COVERAGE_GRANTS, covering, local_today, open_at
from keepline.service.selectors.people import visit_people


def has_coverage(user: User) -> bool:
    """Whether the user covers anything today: such a person plans and records their own visits
    even without a membership."""
    return open_at(Coverage.objects.filter(user=user), local_today()).exists()


def may_visit(user: User) -> bool:
    """Whether the user may plan or record visits at all: an official whose role visits, or
    whoever covers something today (their own visits to what they cover)."""
    return holds(user, Visit, "change") or has_coverage(user)


def require_may_visit(user: User) -> None:
    if not may_visit(user):
        require_role(user, Visit, "change")


def may_see_planned(user: User) -> bool:
    """Whether the user sees the planned list: the enterprise's liaison has the done list only."""
    return holds(user, Visit, "plan") or has_coverage(user)


def may_see_visits(user: User) -> bool:
    return holds(user, Visit) or has_coverage(user)


def require_may_see_visits(user: User) -> None:
    if not may_see_visits(user):
        require_role(user, Visit)


def require_visitor_right(actor: Actor, enterprise: Enterprise, visitor: User) -> None:
    """Officials plan visits in their area, naming as visitor someone who may visit the
    enterprise; whoever covers an enterprise plans their own visits to it (a leader covering
    the district, a commissioner)."""
    place = {"region": enterprise.region, "park": enterprise.park, "enterprise": enterprise}
    own = isinstance(actor, User) and actor.pk == visitor.pk
    if may_place(actor, "change", Visit, **place):
        if not own:
            errors: dict[str, list[str]] = {}
            check_among(visit_people(actor, enterprise), [visitor], "visitor", errors)
            if errors:
                raise InvalidInput(_("Please correct the marked fields."), errors=errors)
        return
    if own and covering(COVERAGE_GRANTS, enterprise).filter(user=visitor).exists():
        return
    raise Forbidden(_("This is outside your area."))


def check_active(user: Any, field: str, errors: dict[str, list[str]]) -> None:
    if not isinstance(user, User) or not user.is_active:
        errors[field] = [_("Choose an active user.")]


def check_among(
    people: QuerySet[User], chosen: list[User], field: str, errors: dict[str, list[str]]
) -> None:
    """An error on `field` naming whoever of `chosen` is not among `people` (the list the form
    offered): a name typed or posted from elsewhere is refused, not trusted."""
    found = set(people.filter(pk__in=[u.pk for u in chosen]).values_list("pk", flat=True))
    outside = [u for u in chosen if u.pk not in found]
    if outside and field not in errors:
        errors[field] = [
            _("Not among the people you may choose here: %(names)s.")
            % {"names": ", ".join(u.get_username() for u in outside)}
        ]
