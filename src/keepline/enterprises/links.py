"""What the apps above the registry offer on an enterprise's page: links to their pages about
the enterprise, and panels of their own. Each app declares its own as `enterprise_links` and
`enterprise_panels` on its AppConfig (as it declares its menu), so the registry links to power,
problems, reports and the service network without importing any of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.module_loading import import_string

from keepline.core.scopes import Actor, holds

if TYPE_CHECKING:
    # Upper apps import this module from their AppConfig, before models may be loaded.
    from keepline.enterprises.models import Enterprise


@dataclass(frozen=True)
class EnterpriseLink:
    """A page of an upper app about one enterprise, shown to whoever may open it."""

    label: str | Promise
    url_name: str
    model: str  # app_label.Model whose right opens the page (the check the menu makes)
    action: str = "view"
    with_pk: bool = False  # the URL takes the enterprise's id: /power/enterprises/<id>/
    # Filters that narrow a list to the enterprise; "{pk}" and "{uscc}" are filled in.
    query: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class EnterprisePanel:
    """A block an upper app puts on the enterprise's page. `render` is the dotted path of a
    function (request, enterprise) -> HTML, "" when the reader may see nothing of it; the
    function reads through the visibility function like any page."""

    render: str


def _configs() -> list[object]:
    return sorted(apps.get_app_configs(), key=lambda c: getattr(c, "menu_order", 100))


def declared_links() -> list[EnterpriseLink]:
    return [link for c in _configs() for link in getattr(c, "enterprise_links", ())]


def declared_panels() -> list[EnterprisePanel]:
    return [panel for c in _configs() for panel in getattr(c, "enterprise_panels", ())]


def opens(actor: Actor, link: EnterpriseLink) -> bool:
    return holds(actor, apps.get_model(link.model), link.action)


def url_of(link: EnterpriseLink, enterprise: Enterprise) -> str:
    url = reverse(link.url_name, args=[enterprise.pk] if link.with_pk else [])
    if link.query:
        fill = {"pk": enterprise.pk, "uscc": enterprise.uscc}
        url += "?" + urlencode([(k, v.format(**fill)) for k, v in link.query])
    return url


def links_for(actor: Actor, enterprise: Enterprise) -> list[dict[str, str]]:
    """The declared links the actor's roles open, in menu order."""
    return [
        {"label": str(link.label), "url": url_of(link, enterprise), "name": link.url_name}
        for link in declared_links()
        if opens(actor, link)
    ]


def panels_for(request: HttpRequest, enterprise: Enterprise) -> list[str]:
    """The declared panels, rendered for the reader; those with nothing to show are left out."""
    rendered = []
    for panel in declared_panels():
        render: Callable[[HttpRequest, Enterprise], str] = import_string(panel.render)
        html = render(request, enterprise)
        if html:
            rendered.append(html)
    return rendered
