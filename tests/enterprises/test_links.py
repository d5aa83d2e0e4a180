"""The enterprise's page links to what the apps above the registry know of it (declared on their
AppConfig, so the registry imports none of them), each link only for those whose roles open it,
and shows who covers the enterprise today."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from keepline.enterprises import links
from keepline.enterprises.links import EnterpriseLink
from keepline.service.services.coverage import assign_coverage
from tests.conftest import ROLES, World

SEES_ENTERPRISE = {r for r in ROLES if r != "checkpoint"}
UPPER = ("whitelist", "bubble", "reports", "power", "problems", "service", "briefing", "demo")


def _links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav[^>]*id="enterprise-links".*?</nav>', html, re.S)
    if nav is None:
        return {}
    found = re.findall(r'href="([^"]+)" data-link="([^"]+)"', nav.group(0))
    return {name: href.replace("&amp;", "&") for href, name in found}


@pytest.mark.parametrize("role", sorted(SEES_ENTERPRISE))
def test_every_link_shown_opens_and_none_is_shown_that_would_not(world: World, role: str) -> None:
    client = world.client(role)
    page = client.get(f"/enterprises/{world.enterprise.pk}/")
    assert page.status_code == 200
    shown = _links(page.content.decode())
    for name, href in shown.items():
        assert client.get(href).status_code == 200, (role, name, href)
    for link in links.declared_links():
        if link.url_name not in shown:
            href = links.url_of(link, world.enterprise)
            assert client.get(href).status_code == 403, (role, link.url_name)


def test_an_official_gets_every_page_about_the_enterprise(world: World) -> None:
    e = world.enterprise
    shown = _links(world.client("district").get(f"/enterprises/{e.pk}/").content.decode())
    assert (
        shown.items()
        >= {
            "reports:list": f"/reports/?q={e.uscc}",
            "power:enterprise": f"/power/enterprises/{e.pk}/",
            "service:visits": f"/service/visits/?enterprise={e.pk}",
            "service:coverage": f"/service/coverage/?enterprise={e.pk}&state=all",
        }.items()
    )


def test_the_liaison_gets_only_what_its_roles_open(world: World) -> None:
    html = world.client("liaison").get(f"/enterprises/{world.enterprise.pk}/").content.decode()
    shown = _links(html)
    assert "service:visits" in shown and "service:coverage" not in shown
    assert 'id="covered-by"' not in html


def test_the_page_shows_who_covers_the_enterprise_today(world: World) -> None:
    url = f"/enterprises/{world.enterprise.pk}/"
    empty = world.client("district").get(url).content.decode()
    assert 'id="covered-by-none"' in empty
    admin = world.users["admin"]
    mine = assign_coverage(
        actor=admin,
        kind="enterprise",
        user=world.users["commissioner"],
        enterprise=world.enterprise,
    )
    area = assign_coverage(actor=admin, kind="area", user=world.users["leader"], park=world.park)
    elsewhere = assign_coverage(
        actor=admin, kind="area", user=world.users["leader"], region=world.naxi
    )
    html = world.client("district").get(url).content.decode()
    panel = html[html.index('id="covered-by"') :].split("</div>")[0]
    assert f'data-coverage="{mine.pk}"' in panel and f'data-coverage="{area.pk}"' in panel
    # The leader covering the park covers it through the park; Naxi's coverage never reaches it.
    assert f'data-coverage="{elsewhere.pk}"' not in panel
    assert world.park.name in panel
    # Those who may not see coverage do not get the panel.
    assert 'id="covered-by"' not in world.client("liaison").get(url).content.decode()


def test_links_are_declared_by_the_apps_above_in_menu_order(world: World) -> None:
    declared = [link.url_name for link in links.declared_links()]
    ours = ["reports:list", "power:enterprise", "service:visits", "service:coverage"]
    assert [name for name in declared if name in ours] == ours
    link = EnterpriseLink("x", "power:enterprise", "power.DailyReading", with_pk=True)
    assert links.url_of(link, world.enterprise) == f"/power/enterprises/{world.enterprise.pk}/"


def test_the_registry_imports_no_app_above_it() -> None:
    root = Path(links.__file__).resolve().parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                assert not (parts[0] == "keepline" and len(parts) > 1 and parts[1] in UPPER), (
                    path,
                    name,
                )
