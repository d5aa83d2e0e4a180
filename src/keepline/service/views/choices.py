"""The options of the service forms' pickers, narrowed by what was typed (htmx fragments).
Every list comes from the selectors, through the visibility function, after the right that
opens the form it serves."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from keepline.core.errors import InvalidInput
from keepline.core.models import User
from keepline.core.pickers import ENTERPRISES, PEOPLE, options_response
from keepline.core.scopes import parse_key, require_area
from keepline.core.web import AuthedRequest
from keepline.enterprises.models import Enterprise
from keepline.service.models import Coverage, KeyProject, WorkingGroup
from keepline.service.rules import require_may_visit
from keepline.service.selectors.coverage import visible_enterprises, visit_enterprise
from keepline.service.selectors.groups import visible_region
from keepline.service.selectors.people import coverage_people, group_people, visit_people
from keepline.service.selectors.visits import visit_enterprises

PEOPLE_FIELDS = ("user", "visitor", "leader", "members")


def enterprise_source(user: User, purpose: str) -> QuerySet[Enterprise]:
    """The enterprises a form of `purpose` offers, after the right that opens that form."""
    if purpose in ("coverage", "project"):
        require_area(user, Coverage if purpose == "coverage" else KeyProject)
        return visible_enterprises(user)
    if purpose == "visit":
        require_may_visit(user)
        return visit_enterprises(user)
    raise InvalidInput(_("Unknown list."), errors={"for": [_("Unknown list.")]})


def people_source(user: User, purpose: str, get: Any) -> QuerySet[User]:
    """The people a form of `purpose` offers, after the right that opens that form: for a
    visit, who may visit the enterprise chosen; for a group, who lies within its authority."""
    if purpose == "coverage":
        require_area(user, Coverage)
        return coverage_people(user)
    if purpose == "group":
        require_area(user, WorkingGroup)
        code = (get.get("authority") or "").strip()
        authority = visible_region(user, code) if code else None
        return group_people(user, authority)
    if purpose == "visit":
        require_may_visit(user)
        key = parse_key(str(get.get("enterprise") or ""))
        if key is None:
            return User.objects.none()
        return visit_people(user, visit_enterprise(user, key))
    raise InvalidInput(_("Unknown list."), errors={"for": [_("Unknown list.")]})


@login_required
def enterprise_choices(request: AuthedRequest) -> HttpResponse:
    """The options of an enterprise picker matching what was typed (an htmx fragment)."""
    qs = enterprise_source(request.user, request.GET.get("for", ""))
    return options_response(request, qs, ENTERPRISES, "enterprise", blank="—")


@login_required
def people_choices(request: AuthedRequest) -> HttpResponse:
    """The options of a person picker matching what was typed (an htmx fragment)."""
    field = request.GET.get("field", "user")
    if field not in PEOPLE_FIELDS:
        raise InvalidInput(_("Unknown list."), errors={"field": [_("Unknown list.")]})
    qs = people_source(request.user, request.GET.get("for", ""), request.GET)
    blank = _("— Yourself") if field == "visitor" else "—"
    return options_response(request, qs, PEOPLE, field, multiple=field == "members", blank=blank)
