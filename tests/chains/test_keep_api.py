"""The keep-running ranking through the API: rank, read, and what is named for whom."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.chains.support_keep import Net, net_fixture  # noqa: F401


def test_rank_and_read_the_picks(net: Net) -> None:
    client = net.world.client("bureau")
    url = f"/api/chains/scenarios/{net.scenario.pk}"
    assert client.get(f"{url}/picks").json() == []
    response = client.post(f"{url}/rank", {"limit": 2}, content_type="application/json")
    assert response.status_code == 200
    picks = response.json()
    assert [(p["rank"], p["name"]) for p in picks] == [(1, "江阳玻璃一厂"), (2, "江阳包装")]
    first = picks[0]
    assert first["kind"] == "enterprise" and first["enterprise_id"] == net.firms["glass1"].pk
    assert first["cumulative"] == first["avoided"]
    assert first["gains"][0]["name"] == "纳溪酒厂" and first["gains"][0]["dry_day_before"] == 3
    assert "纳溪酒厂 (would run dry on day 3)" in first["reason"]
    assert client.get(f"{url}/picks").json() == picks


def test_enterprises_outside_the_readers_area_are_not_named(net: Net) -> None:
    net.world.client("bureau").post(
        f"/api/chains/scenarios/{net.scenario.pk}/rank", {}, content_type="application/json"
    )
    picks = net.world.client("park").get(f"/api/chains/scenarios/{net.scenario.pk}/picks").json()
    assert len(picks) == 3
    assert all(p["name"] is None and p["enterprise_id"] is None for p in picks)
    assert all(p["gains"] == [] for p in picks)
    assert "纳溪" not in str(picks) and "江阳玻璃" not in str(picks)


def test_rank_errors(net: Net) -> None:
    url = f"/api/chains/scenarios/{net.scenario.pk}/rank"
    client = net.world.client("bureau")
    response = client.post(url, {"limit": 99}, content_type="application/json")
    assert response.status_code == 400
    net.scenario.status = "stale"
    net.scenario.save()
    assert client.post(url, {}, content_type="application/json").status_code == 409
    assert (
        net.world.client("leader").post(url, {}, content_type="application/json").status_code == 403
    )
    foreign = f"/api/chains/scenarios/{net.foreign_scenario.pk}/rank"
    assert client.post(foreign, {}, content_type="application/json").status_code == 404


def test_the_picks_are_read_in_a_fixed_number_of_queries(net: Net) -> None:
    client = net.world.client("bureau")
    url = f"/api/chains/scenarios/{net.scenario.pk}"

    def queries(limit: int) -> int:
        client.post(f"{url}/rank", {"limit": limit}, content_type="application/json")
        with CaptureQueriesContext(connection) as captured:
            assert len(client.get(f"{url}/picks").json()) == limit
        return len(captured.captured_queries)

    assert queries(3) == queries(1)
