"""The left menu: only capabilities that exist, and only those the user's roles may open."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from keepline.core.scopes import holds


@dataclass(frozen=True)
class MenuItem:
    group: str | Promise
    label: str | Promise
    url_name: str
    model: str  # app_label.Model whose "view" right opens the page


MENU: list[MenuItem] = [
    MenuItem(_("Registry"), _("Enterprises"), "enterprises:list", "enterprises.Enterprise"),
    MenuItem(
        _("Registry"), _("Import enterprises"), "enterprises:import", "enterprises.Enterprise"
    ),
    MenuItem(_("Places"), _("Regions"), "places:regions", "places.Region"),
    MenuItem(_("Places"), _("Parks"), "places:parks", "places.Park"),
    MenuItem(_("Places"), _("Control measures"), "places:measures", "places.ControlMeasure"),
    MenuItem(_("Administration"), _("People"), "people", "core.User"),
    MenuItem(_("Administration"), _("Audit trail"), "audit", "core.AuditEvent"),
]


def menu_for(request: HttpRequest) -> list[tuple[str | Promise, list[dict[str, object]]]]:
    groups: dict[str | Promise, list[dict[str, object]]] = {}
    for item in MENU:
        if not holds(request.user, apps.get_model(item.model)):  # type: ignore[arg-type]
            continue
        url = reverse(item.url_name)
        groups.setdefault(item.group, []).append(
            {"label": item.label, "url": url, "active": request.path.startswith(url)}
        )
    return list(groups.items())
