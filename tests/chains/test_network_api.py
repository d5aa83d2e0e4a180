"""The supply-network API: links and chains through the same services as the pages."""

from __future__ import annotations

from typing import Any

from keepline.chains.models import SupplyLink
from tests.chains.support_network import firm
from tests.conftest import World


def _json(client: Any, method: str, url: str, data: Any = None) -> Any:
    return getattr(client, method)(url, data=data, content_type="application/json")


def test_links_are_created_listed_changed_and_removed(world: World) -> None:
    glass = firm(1, "江阳测试玻璃有限公司", world.jiangyang)
    client = world.client("district")
    body = {
        "supplier_id": glass.pk,
        "customer_id": world.enterprise.pk,
        "product": "玻璃酒瓶",
        "sector": "30",
        "share": "40%",
        "stock_days": "7",
    }
    created = _json(client, "post", "/api/chains/links", body)
    assert created.status_code == 200, created.content
    out = created.json()
    assert out["share"] == "0.400" and out["supplier"]["uscc"] == glass.uscc and out["version"] == 1
    refused = _json(client, "post", "/api/chains/links", body | {"product": "瓶", "share": "0.7"})
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["share"]
    listed = client.get("/api/chains/links?low_stock=7&sort=-share").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == out["id"]
    assert client.get("/api/chains/links?low_stock=6").json()["count"] == 0
    changed = _json(
        client, "put", f"/api/chains/links/{out['id']}", body | {"stock_days": "3", "version": 1}
    )
    assert changed.status_code == 200 and changed.json()["stock_days"] == "3.0"
    stale = _json(client, "put", f"/api/chains/links/{out['id']}", body | {"version": 1})
    assert stale.status_code == 409 and stale.json()["current"]["stock_days"] == "3.0"
    assert client.delete(f"/api/chains/links/{out['id']}?version=1").status_code == 409
    assert client.delete(f"/api/chains/links/{out['id']}?version=2").status_code == 204
    assert not SupplyLink.objects.exists()


def test_chains_and_members(world: World) -> None:
    client = world.client("bureau")
    created = _json(
        client,
        "post",
        "/api/chains/chains",
        {
            "name": "白酒产业链",
            "region": "510500",
            "industry": "15",
            "leader_id": world.enterprise.pk,
        },
    )
    assert created.status_code == 200, created.content
    chain = created.json()
    assert chain["leader"] == world.enterprise.name and chain["members"] == []
    member = _json(
        client,
        "post",
        f"/api/chains/chains/{chain['id']}/members",
        {"enterprise_id": world.enterprise.pk, "segment": "酿造"},
    )
    assert member.status_code == 200 and member.json()["segment"] == "酿造"
    detail = client.get(f"/api/chains/chains/{chain['id']}").json()
    assert [m["enterprise"]["id"] for m in detail["members"]] == [world.enterprise.pk]
    assert client.get("/api/chains/chains?q=%E7%99%BD%E9%85%92").json()["count"] == 1
    district = world.client("district")
    assert district.get(f"/api/chains/chains/{chain['id']}").status_code == 200
    changed = _json(
        district,
        "put",
        f"/api/chains/chains/{chain['id']}",
        {"name": "x", "region": "510500", "version": 1},
    )
    assert changed.status_code == 403
    renamed = _json(
        client,
        "put",
        f"/api/chains/chains/{chain['id']}",
        {"name": "酒业链", "region": "510500", "version": 1},
    )
    assert renamed.status_code == 200 and renamed.json()["version"] == 2
    assert client.delete(f"/api/chains/members/{member.json()['id']}").status_code == 204
    other = world.other_user
    assert other is not None
    outsider = world.client("admin")
    outsider.force_login(other)
    assert outsider.get(f"/api/chains/chains/{chain['id']}").status_code == 404
