"""Writes of the routing rule book: which department or handler a new problem goes to."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Forbidden, InvalidInput, NotFound
from keepline.core.models import Department, Role, User
from keepline.core.scopes import Actor, actor_roles, holds, may
from keepline.places.models import Region
from keepline.problems.models import ProblemCategory, RoutingRule
from keepline.problems.rules import may_route_in
from keepline.problems.selectors import rule_handlers
from keepline.problems.services._common import _choice, _name, _require


def _require_rule_place(actor: Actor, region: Region | None) -> None:
    if may_route_in(actor, region):
        return
    if region is None:
        raise Forbidden(_("Only the platform administrator sets rules for anywhere."))
    raise Forbidden(_("This is outside your area."))


def set_routing_rule(
    *,
    actor: Actor,
    category: str = "",
    region: Region | None = None,
    department: Department | None = None,
    handler: User | None = None,
    now: dt.datetime | None = None,
) -> RoutingRule:
    """Create or change the rule for a category (blank: any) and region (None: anywhere)."""
    _require(holds(actor, RoutingRule, "change"))
    category = _choice(category, ProblemCategory, "category", blank=True)
    if (department is None) == (handler is None):
        message = _("Choose a department or a handler, not both.")
        raise InvalidInput(message, errors={"department": [message]})
    if handler is not None and not handler.is_active:
        message = _("This user cannot sign in.")
        raise InvalidInput(message, errors={"handler": [message]})
    _require_rule_place(actor, region)
    # A bureau's rule names only departments and handlers within its reach (the API takes
    # ids); the platform administrator may name anyone.
    if department is not None and not may(actor, "view", department):
        message = _("No such department.")
        raise InvalidInput(message, errors={"department": [message]})
    if (
        handler is not None
        and Role.ADMIN not in actor_roles(actor)
        and not rule_handlers(actor).filter(pk=handler.pk).exists()
    ):
        message = _("This user is outside your area.")
        raise InvalidInput(message, errors={"handler": [message]})
    with transaction.atomic():
        rule = (
            RoutingRule.objects.select_for_update(of=("self",))
            .filter(category=category)
            .filter(Q(region=region) if region else Q(region__isnull=True))
            .first()
        )
        before = audit.snapshot(rule) if rule else None
        if rule is None:
            rule = RoutingRule(category=category, region=region)
        rule.department = department
        rule.handler = handler
        rule.set_by_name = _name(actor)
        rule.set_at = now or timezone.now()
        rule.save()
        audit.record(
            actor=actor,
            action=audit.Action.SET_ROUTING_RULE,
            obj=rule,
            before=before,
            after=audit.snapshot(rule),
        )
    return rule


def remove_routing_rule(*, actor: Actor, rule_id: int) -> None:
    _require(holds(actor, RoutingRule, "change"))
    with transaction.atomic():
        rule = RoutingRule.objects.select_for_update(of=("self",)).filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(_("Not found."))
        _require_rule_place(actor, rule.region)
        audit.record(
            actor=actor,
            action=audit.Action.REMOVE_ROUTING_RULE,
            obj=rule,
            before=audit.snapshot(rule),
        )
        rule.delete()
