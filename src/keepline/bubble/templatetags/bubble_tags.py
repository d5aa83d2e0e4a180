"""Template helpers for modes and plan states: one colour per mode on every page."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from keepline.bubble.models import EnterpriseMode, PlanStatus, RequestStatus

register = template.Library()

MODE_CLASSES = {
    EnterpriseMode.NORMAL: "text-bg-success",
    EnterpriseMode.CLOSED_LOOP: "text-bg-primary",
    EnterpriseMode.SEMI_CLOSED: "text-bg-warning",
    EnterpriseMode.HALTED: "text-bg-danger",
    EnterpriseMode.SEASONAL_STOP: "text-bg-secondary",
}
STATUS_CLASSES = {
    PlanStatus.DRAFT: "text-bg-light border",
    PlanStatus.SUBMITTED: "text-bg-info",
    PlanStatus.APPROVED: "text-bg-success",
    PlanStatus.RETURNED: "text-bg-warning",
    RequestStatus.PENDING: "text-bg-info",
    RequestStatus.REFUSED: "text-bg-warning",
}


@register.filter
def mode_badge(value: str) -> SafeString:
    """A coloured badge with the mode's name in the page's language."""
    mode = EnterpriseMode(value)
    return format_html(
        '<span class="badge {}" data-mode="{}">{}</span>', MODE_CLASSES[mode], mode, mode.label
    )


@register.filter
def status_badge(obj: object) -> SafeString:
    """The badge of a plan's or request's status."""
    status = obj.status  # type: ignore[attr-defined]
    label = obj.get_status_display()  # type: ignore[attr-defined]
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        STATUS_CLASSES.get(status, "text-bg-light"),
        status,
        label,
    )
