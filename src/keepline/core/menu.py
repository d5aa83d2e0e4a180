"""The left menu: only capabilities that exist, and only those the user's roles may open."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise

from keepline.core.scopes import Actor, holds, holds_area


@dataclass(frozen=True)
class MenuItem:
    group: str | Promise
    label: str | Promise
    url_name: str
    model: str  # app_label.Model whose right opens the page
    creates: bool = False  # the page makes new objects: needs the right over an area
    action: str = ""  # the right it needs; default "change" for creating pages, else "view"
    args: tuple[str, ...] = ()  # the URL's arguments (the shared import page's kind)


def items() -> list[MenuItem]:
    """Every app's menu items; each app declares its own as `menu` on its AppConfig (and where
    its group stands as `menu_order`: daily work first, administration last), so core knows
    nothing of the apps above it."""
    configs = sorted(apps.get_app_configs(), key=lambda c: getattr(c, "menu_order", 100))
    return [item for config in configs for item in getattr(config, "menu", ())]


def opens(actor: Actor, item: MenuItem) -> bool:
    """Whether the item's page is open to the actor."""
    model = apps.get_model(item.model)
    if item.creates:
        return holds_area(actor, model, item.action or "change")
    return holds(actor, model, item.action or "view")


def menu_for(request: HttpRequest) -> list[tuple[str | Promise, list[dict[str, object]]]]:
    groups: dict[str | Promise, list[dict[str, object]]] = {}
    for item in items():
        if not opens(request.user, item):  # type: ignore[arg-type]
            continue
        url = reverse(item.url_name, args=item.args)
        groups.setdefault(item.group, []).append({"label": item.label, "url": url, "active": False})
    # The item with the longest URL the path starts with is the page's own (/enterprises/import/
    # is under /enterprises/, but only the import item is active there).
    entries = [entry for group in groups.values() for entry in group]
    matches = [e for e in entries if request.path.startswith(str(e["url"]))]
    if matches:
        max(matches, key=lambda e: len(str(e["url"])))["active"] = True
    return list(groups.items())
