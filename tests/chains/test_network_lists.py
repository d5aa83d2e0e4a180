"""The industry chains' list: not walked by tests/core/test_lists.py, since its export has a row
per member. Its page and its API accept the same filters, refuse the same values and give the
same rows in the same order."""

from __future__ import annotations

from typing import Any

from keepline.chains.selectors.industry import CHAINS
from keepline.chains.services.network import add_member, save_chain
from tests.conftest import World


def _page_ids(response: Any) -> list[int]:
    return [c.pk for c in response.context["page"]]


def test_the_chains_agree_on_page_and_api(world: World) -> None:
    bureau = world.users["bureau"]
    big = save_chain(
        actor=bureau, name="白酒产业链", region_id=world.luzhou.pk, leader_id=world.enterprise.pk
    )
    save_chain(actor=bureau, name="玻璃产业链", region_id=world.luzhou.pk)
    add_member(actor=bureau, chain_id=big.pk, enterprise_id=world.enterprise.pk, segment="酿造")
    for role in ("bureau", "district"):
        client = world.client(role)
        queries: list[dict[str, str]] = [
            {},
            {"q": "白酒"},
            {"q": world.enterprise.name},
            {"region": world.luzhou.code},
            {"region": world.naxi.code},
        ]
        queries += [{"sort": s} for key in CHAINS.sorts for s in (key, f"-{key}")]
        for query in queries:
            page = client.get("/chains/chains/", query)
            api = client.get("/api/chains/chains", query)
            assert page.status_code == api.status_code == 200, (role, query)
            assert _page_ids(page) == [c["id"] for c in api.json()["items"]], (role, query)
        for value in ("no-such-code-\x01", "2022-13-45"):
            page = client.get("/chains/chains/", {"region": value})
            api = client.get("/api/chains/chains", {"region": value})
            assert page.status_code == api.status_code == 400
            assert "region" in api.json()["errors"] and "region" in page.context["filters"].errors
            export = client.get("/chains/chains/export.xlsx", {"region": value})
            assert export.status_code == 400
