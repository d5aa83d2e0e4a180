"""Template helpers for whitelist levels and application states: one colour each on every page."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from keepline.places.models import WhitelistLevel
from keepline.whitelist.models import ApplicationStatus

register = template.Library()

LEVEL_CLASSES = {
    WhitelistLevel.CITY: "text-bg-success",
    WhitelistLevel.PROVINCE: "text-bg-primary",
    WhitelistLevel.NATIONAL: "text-bg-danger",
}
STATUS_CLASSES = {
    ApplicationStatus.INSPECTION: "text-bg-info",
    ApplicationStatus.DISTRICT_REVIEW: "text-bg-info",
    ApplicationStatus.CITY_DECISION: "text-bg-info",
    ApplicationStatus.PROVINCE_DECISION: "text-bg-info",
    ApplicationStatus.LISTED_CITY: "text-bg-success",
    ApplicationStatus.LISTED_PROVINCE: "text-bg-primary",
    ApplicationStatus.PROVINCE_REJECTED: "text-bg-success",
    ApplicationStatus.RETURNED: "text-bg-warning",
    ApplicationStatus.REJECTED: "text-bg-danger",
    ApplicationStatus.CLOSED: "text-bg-secondary",
}


@register.filter
def level_badge(value: str) -> SafeString:
    """A coloured badge with the whitelist level's name in the page's language."""
    if not value:
        return SafeString("")
    level = WhitelistLevel(value)
    return format_html(
        '<span class="badge {}" data-level="{}">{}</span>', LEVEL_CLASSES[level], level, level.label
    )


@register.filter
def application_badge(value: str) -> SafeString:
    status = ApplicationStatus(value)
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>',
        STATUS_CLASSES[status],
        status,
        status.label,
    )
