"""GET /api/problems/figures: the worked example's numbers as JSON, and bad input refused."""

from __future__ import annotations

from typing import Any

import pytest

from keepline.problems.models import Problem
from tests.conftest import World
from tests.problems.test_figures import ledger  # noqa: F401  (the fixture)

URL = "/api/problems/figures?region=510500&as_of=2022-09-20T23:59:59%2B08:00"


def test_figures_as_json(world: World, ledger: dict[int, Problem]) -> None:  # noqa: F811
    data = world.client("bureau").get(URL).json()
    assert (data["received"]["value"], data["closed"]["value"]) == (8, 3)
    assert data["on_time"] == {
        "value": 66.7,
        "part": {"value": 2, "url": None},
        "whole": {"value": 3, "url": None},
    }
    assert data["median_close_days"] == 5.0
    assert data["satisfaction"]["mean"] == 4.0 and data["satisfaction"]["high_share"] == 66.7
    assert data["whitelisted_solved"]["value"] == 2
    assert data["whitelisted_solved_since_emergency"]["value"] == 2
    assert data["emergency_start"].startswith("2022-09-08T00:00:00")
    assert {r["key"]: r["received"]["value"] for r in data["by_category"]}["logistics"] == 3
    assert "on_time" in data["definitions"]


def test_the_liaison_gets_its_enterprise_and_yibin_its_own(
    world: World,
    ledger: dict[int, Problem],  # noqa: F811
) -> None:
    assert world.client("liaison").get(URL).json()["received"]["value"] == 8
    # Yibin's district official, asking for Luzhou's region: nothing of Luzhou's is visible.
    client = world.client("bureau")
    client.force_login(world.other_user)
    data = client.get("/api/problems/figures?as_of=2022-09-20T23:59:59%2B08:00").json()
    assert data["received"]["value"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2022-09-20&end=2022-09-10", "start"),
        ("region=999999", "region"),
        ("park=NOPE", "park"),
        ("under=nonsense", "under"),
    ],
)
def test_bad_input_is_named(world: World, query: str, field: str) -> None:
    response = world.client("bureau").get(f"/api/problems/figures?{query}")
    assert response.status_code == 400
    body: dict[str, Any] = response.json()
    assert field in body["errors"]


def test_a_malformed_date_is_refused(world: World) -> None:
    assert world.client("bureau").get("/api/problems/figures?start=20-09").status_code in (400, 422)
