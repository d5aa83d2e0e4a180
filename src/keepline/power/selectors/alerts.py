"""Reads of power alerts: the list (its filters, columns and sort, shared by the page, the
export and the API), an enterprise's alerts, who an alert may go to, and an alert's history."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from keepline.core.lists import Column, FilterSet, Listing, ScopedChoiceFilter
from keepline.core.models import AuditEvent, User
from keepline.core.scopes import Actor, parse_key, visible
from keepline.enterprises.models import Enterprise
from keepline.places.selectors import park_filter, region_filter
from keepline.power.models import ALERT_VIEWERS, AlertKind, AlertStatus, PowerAlert
from keepline.reports.selectors import enterprise_search, region_chain


def _visible_enterprise(actor: Actor, code: str) -> Enterprise | None:
    key = parse_key(code)
    if key is None:
        return None
    return visible(Enterprise.objects.filter(pk=key), actor).first()


class AlertFilterSet(FilterSet):
    """The alert list's filters: the page, its export and `GET /api/power/alerts`."""

    q = enterprise_search()
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=AlertKind.choices, empty_label=_("All kinds")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=AlertStatus.choices, empty_label=_("Open or closed")
    )
    assignee = django_filters.ChoiceFilter(
        label=_("Assigned to"),
        choices=[("me", _("Me")), ("none", _("Nobody yet"))],
        empty_label=_("Anyone"),
        method="by_assignee",
    )
    region = region_filter(prefix="enterprise__")
    park = park_filter(prefix="enterprise__")
    date_from = django_filters.DateFilter(label=_("From"), field_name="last_day", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="first_day", lookup_expr="lte")
    # One enterprise's alerts (its id): linked to, not picked from a list of every enterprise.
    enterprise = ScopedChoiceFilter(
        label=_("Enterprise"),
        widget=forms.HiddenInput,
        choices=lambda actor: [],
        resolve=_visible_enterprise,
        apply=lambda qs, enterprise: qs.filter(enterprise=enterprise),
    )

    class Meta:
        model = PowerAlert
        fields: list[str] = []

    def by_assignee(self, qs: QuerySet[PowerAlert], name: str, value: str) -> QuerySet[PowerAlert]:
        if value == "me":
            return qs.filter(assignee_id=getattr(self.actor, "pk", None))
        return qs.filter(assignee__isnull=True)


def _alerts(actor: Actor) -> QuerySet[PowerAlert]:
    qs = PowerAlert.objects.select_related("enterprise__region", "enterprise__park", "assignee")
    return visible(qs, actor).annotate(span=F("last_day") - F("first_day"))


def _days(alert: PowerAlert) -> int:
    return (alert.last_day - alert.first_day).days + 1


ALERTS: Listing[PowerAlert] = Listing(
    filterset=AlertFilterSet,
    title=_("Power alerts"),
    filename="power-alerts",
    page="power:alerts",
    api="/api/power/alerts",
    base=_alerts,
    default_sort="-last_day",
    columns=(
        Column("enterprise", _("Enterprise"), "enterprise.name", sort="enterprise__name"),
        Column("uscc", _("Unified social credit code"), "enterprise.uscc", table=False),
        Column(
            "region",
            _("Region"),
            "enterprise.region.name",
            sort="enterprise__region__path",
            css="d-none d-md-table-cell",
        ),
        Column("park", _("Park"), "enterprise.park.name", table=False),
        Column("kind", _("Kind"), lambda a: a.get_kind_display(), sort="kind"),
        Column("first_day", _("First day"), sort="first_day", css="d-none d-sm-table-cell"),
        Column("last_day", _("Last day"), sort="last_day"),
        Column("days", _("Days"), _days, sort="span", css="num"),
        Column("status", _("Status"), lambda a: a.get_status_display(), sort="status"),
        Column(
            "assignee",
            _("Assigned to"),
            lambda a: a.assignee.get_username() if a.assignee else "",
            css="d-none d-lg-table-cell",
        ),
        Column("closed_reason", _("Reason for closing"), table=False),
        Column("detected_at", _("Detected at"), table=False),
    ),
)


def enterprise_alerts(actor: Actor, enterprise: Enterprise) -> QuerySet[PowerAlert]:
    """The alerts of one enterprise the actor may see, the latest first."""
    qs = PowerAlert.objects.filter(enterprise=enterprise).select_related("assignee")
    return visible(qs, actor).order_by("-last_day", "-id")


def assignable_users(enterprise: Enterprise) -> QuerySet[User]:
    """Active users whose roles reach the enterprise's alerts: those an alert may go to."""
    reach = Q(memberships__role="admin") | Q(
        memberships__region__path__in=region_chain(enterprise.region.path)
    )
    if enterprise.park_id:
        reach |= Q(memberships__park=enterprise.park_id)
    reach |= Q(memberships__enterprise=enterprise.pk)
    # One filter() call: the role and the scope must be those of the same membership.
    ids = User.objects.filter(reach, memberships__role__in=ALERT_VIEWERS, is_active=True).values(
        "pk"
    )
    return User.objects.filter(pk__in=ids).order_by("username")


def history(alert: PowerAlert) -> QuerySet[AuditEvent]:
    """The alert's audit events. Whoever may see the alert may see how it was handled: the
    events say no more than the alert itself (who detected, extended, assigned, closed it)."""
    return AuditEvent.objects.filter(
        object_type=PowerAlert._meta.label_lower, object_id=str(alert.pk)
    ).order_by("at", "id")
