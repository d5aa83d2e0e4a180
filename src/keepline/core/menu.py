"""The left menu: only capabilities that exist, and only those the user's roles may open."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from keepline.core.scopes import Actor, holds, holds_area


@dataclass(frozen=True)
class MenuItem:
    group: str | Promise
    label: str | Promise
    url_name: str
    model: str  # app_label.Model whose right opens the page
    creates: bool = False  # the page makes new objects: needs the right over an area


MENU: list[MenuItem] = [
    MenuItem(_("Registry"), _("Enterprises"), "enterprises:list", "enterprises.Enterprise"),
    MenuItem(
        _("Registry"), _("Import enterprises"), "enterprises:import", "enterprises.Enterprise", True
    ),
    MenuItem(_("Places"), _("Regions"), "places:regions", "places.Region"),
    MenuItem(_("Places"), _("Parks"), "places:parks", "places.Park"),
    MenuItem(_("Places"), _("Control measures"), "places:measures", "places.ControlMeasure"),
    MenuItem(_("Administration"), _("People"), "people", "core.User"),
    MenuItem(_("Administration"), _("Audit trail"), "audit", "core.AuditEvent"),
]


def opens(actor: Actor, item: MenuItem) -> bool:
    """Whether the item's page is open to the actor."""
    model = apps.get_model(item.model)
    return holds_area(actor, model) if item.creates else holds(actor, model)


def menu_for(request: HttpRequest) -> list[tuple[str | Promise, list[dict[str, object]]]]:
    groups: dict[str | Promise, list[dict[str, object]]] = {}
    for item in MENU:
        if not opens(request.user, item):  # type: ignore[arg-type]
            continue
        url = reverse(item.url_name)
        groups.setdefault(item.group, []).append(
            {"label": item.label, "url": url, "active": request.path.startswith(url)}
        )
    return list(groups.items())
