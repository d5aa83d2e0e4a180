"""Reads of core data, through the visibility function: the audit trail and the people lists,
and the object a membership's scope names."""

from __future__ import annotations

import json
from typing import Any

import django_filters
from django import forms
from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.audit import Action
from keepline.core.errors import InvalidInput
from keepline.core.lists import Column, FilterSet, Listing
from keepline.core.models import AuditEvent, Role, User
from keepline.core.scopes import parse_key, visible

# Which scope each role's membership must name.
ROLE_SCOPE = {
    Role.ADMIN: None,
    Role.BUREAU: "region",
    Role.DISTRICT: "region",
    Role.PARK: "park",
    Role.COMMISSIONER: "enterprise",
    Role.DEPARTMENT: "department",
    Role.LIAISON: "enterprise",
    Role.CHECKPOINT: "region",
    Role.HEALTH: "region",
    Role.LEADER: "region",
}
SCOPE_LABELS = {
    "region": gettext_lazy("region"),
    "park": gettext_lazy("park"),
    "enterprise": gettext_lazy("enterprise"),
    "department": gettext_lazy("department"),
}


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False)


class AuditFilterSet(FilterSet):
    """The audit trail's filters: its page, its export and `GET /api/audit`."""

    q = django_filters.CharFilter(
        label=gettext_lazy("Object"),
        method="search",
        widget=forms.TextInput({"type": "search", "placeholder": gettext_lazy("Object")}),
    )
    actor = django_filters.CharFilter(
        label=gettext_lazy("Actor"),
        field_name="actor_name",
        lookup_expr="icontains",
        widget=forms.TextInput({"placeholder": gettext_lazy("Actor")}),
    )
    action = django_filters.ChoiceFilter(
        label=gettext_lazy("Action"),
        choices=Action.choices,
        empty_label=gettext_lazy("All actions"),
    )
    object_type = django_filters.CharFilter(
        label=gettext_lazy("Object type"),
        widget=forms.TextInput({"placeholder": gettext_lazy("Object type")}),
    )
    since = django_filters.DateFilter(
        label=gettext_lazy("From"), field_name="at", lookup_expr="date__gte"
    )
    until = django_filters.DateFilter(
        label=gettext_lazy("To"), field_name="at", lookup_expr="date__lte"
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def search(self, qs: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        """An object's id, or part of its name."""
        value = value.strip()
        return qs.filter(Q(object_repr__icontains=value) | Q(object_id=value)) if value else qs


AUDIT: Listing[AuditEvent] = Listing(
    filterset=AuditFilterSet,
    title=gettext_lazy("Audit trail"),
    filename="audit",
    page="audit",
    api="/api/audit",
    default_sort="-at",
    related=("region",),
    columns=(
        Column("at", gettext_lazy("Time"), sort="at", css="text-nowrap"),
        Column("actor", gettext_lazy("Actor"), "actor_name", sort="actor_name"),
        # The export keeps the stored value, which is what the filter and the API take.
        Column("action", gettext_lazy("Action"), sort="action"),
        Column("object_type", gettext_lazy("Object type"), sort="object_type", table=False),
        Column("object_id", gettext_lazy("Object id"), table=False),
        Column("object", gettext_lazy("Object"), "object_repr"),
        Column("before", gettext_lazy("Before"), lambda e: _json(e.before), css="small"),
        Column("after", gettext_lazy("After"), lambda e: _json(e.after), css="small"),
        Column("request_id", gettext_lazy("Request id"), css="small text-secondary"),
    ),
)


class PersonFilterSet(FilterSet):
    """The people list's filters: its page, its export and `GET /api/people`."""

    q = django_filters.CharFilter(
        label=gettext_lazy("Username or name"),
        method="search",
        widget=forms.TextInput({"type": "search", "placeholder": gettext_lazy("Username or name")}),
    )

    class Meta:
        model = User
        fields: list[str] = []

    def search(self, qs: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(username__icontains=value) | Q(display_name__icontains=value))


def _roles(user: User) -> str:
    return "; ".join(str(m) for m in user.memberships.all())


PEOPLE: Listing[User] = Listing(
    filterset=PersonFilterSet,
    title=gettext_lazy("People"),
    filename="people",
    page="people",
    api="/api/people",
    default_sort="username",
    base=lambda actor: visible(User.objects.all(), actor).prefetch_related(
        "memberships__region",
        "memberships__park",
        "memberships__enterprise",
        "memberships__department",
    ),
    columns=(
        Column("username", gettext_lazy("Username"), sort="username"),
        Column("name", gettext_lazy("Name"), "display_name", sort="display_name"),
        Column("email", gettext_lazy("Email"), table=False),
        Column("roles", gettext_lazy("Roles"), _roles),
        Column("active", gettext_lazy("Active"), "is_active", sort="is_active"),
    ),
)


def scope_target(role: str, value: str) -> Any:
    """The object a membership of `role` is scoped to, named by its code (a region or park
    code, a credit code, a department id); None for a role without a scope or an empty value."""
    kind = ROLE_SCOPE.get(Role(role))
    if kind is None or not value.strip():
        return None
    value = value.strip()
    model, field = {
        "region": ("places.Region", "code"),
        "park": ("places.Park", "code"),
        "enterprise": ("enterprises.Enterprise", "uscc"),
        "department": ("core.Department", "pk"),
    }[kind]
    lookup: object = parse_key(value) if field == "pk" else value
    target = (
        apps.get_model(model)._default_manager.filter(**{field: lookup}).first()
        if lookup is not None
        else None
    )
    if target is None:
        raise InvalidInput(
            _("No %(kind)s %(value)s.") % {"kind": SCOPE_LABELS[kind], "value": value},
            errors={"scope": [_("Not found: %(value)s.") % {"value": value}]},
        )
    return target
