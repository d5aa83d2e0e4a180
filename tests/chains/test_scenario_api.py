"""The scenario API: the same services and scopes as the pages, with errors by field."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keepline.chains.models import Scenario, ScenarioStatus
from keepline.chains.services.runs import run_scenario
from tests.chains.support_scenarios import Chain, chain_fixture  # noqa: F401


def _api(chain: Chain, role: str = "bureau") -> Client:
    return chain.world.client(role)


def _body(chain: Chain, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "API情景",
        "region_id": chain.world.luzhou.pk,
        "starts_on": "2022-09-01",
        "days": 30,
        "areas": [
            {
                "region_id": chain.world.jiangyang.pk,
                "starts_on": "2022-09-05",
                "ends_on": "2022-09-14",
                "strictness": 3,
            }
        ],
    }
    return body | changes


def test_create_run_and_read_results_and_figures(chain: Chain) -> None:
    client = _api(chain)
    created = client.post("/api/chains/scenarios", _body(chain), content_type="application/json")
    assert created.status_code == 200
    data = created.json()
    assert data["status"] == "draft" and data["areas"][0]["region"] == "510502"
    sid = data["id"]

    ran = client.post(f"/api/chains/scenarios/{sid}/run", content_type="application/json").json()
    assert ran["status"] == "done" and ran["at_risk"] == 2

    at_risk = client.get(f"/api/chains/scenarios/{sid}/results?at_risk=true&sort=dry_day").json()
    assert at_risk["count"] == 2
    first = at_risk["items"][0]
    assert first["enterprise"] == chain.firms["distillery"].name
    assert (first["dry_day"], first["dry_on"], first["survives_days"], first["scarce"]) == (
        7,
        "2022-09-07",
        6,
        "30",
    )
    assert len(first["ratios"]) == 30 and first["flagged"] is False

    figures = client.get(f"/api/chains/scenarios/{sid}/figures").json()
    assert figures["whole_network"] is True
    total = sum(float(s["total"]) for s in figures["by_region"])
    assert total == pytest.approx(float(ran["total_loss"]))
    industry = {s["key"]: s for s in figures["by_industry"]}
    assert float(industry["15"]["indirect"]) > 0 and len(figures["index"]) == 30


def test_bad_input_is_named_and_nothing_is_written(chain: Chain) -> None:
    body = _body(chain, days=10)
    body["areas"][0]["ends_on"] = "2022-09-20"
    response = _api(chain).post("/api/chains/scenarios", body, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["areas.0.ends_on"]
    assert "2022-09-01 to 2022-09-10" in errors["areas.0.ends_on"][0]
    assert not Scenario.objects.exists()
    bad_sort = _api(chain).get("/api/chains/scenarios/1/results?sort=price")
    assert bad_sort.status_code == 404  # no such scenario yet: not found before the sort


def test_change_conflicts_on_an_old_version_and_marks_stale(chain: Chain) -> None:
    scenario = run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    client = _api(chain)
    url = f"/api/chains/scenarios/{scenario.pk}"
    changed = client.patch(
        url, {"version": scenario.version, "headroom": "0.3"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["status"] == ScenarioStatus.STALE
    again = client.patch(
        url, {"version": scenario.version, "headroom": "0.4"}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["current"]["headroom"] == "0.30"


def test_recovery_and_flag_through_the_api(chain: Chain) -> None:
    scenario = run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    client = _api(chain)
    distillery = chain.firms["distillery"]
    response = client.post(
        f"/api/chains/scenarios/{scenario.pk}/recovery",
        {"enterprise_id": distillery.pk, "days": 8},
        content_type="application/json",
    )
    assert response.json() == {"enterprise_id": distillery.pk, "days": 8}
    flagged = client.get(f"/api/chains/scenarios/{scenario.pk}/results?flagged=true").json()
    assert [r["enterprise_id"] for r in flagged["items"]] == [distillery.pk]
    assert flagged["items"][0]["recover_days"] == 8


def test_compare_two(chain: Chain) -> None:
    a = run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    b = run_scenario(actor=chain.admin, scenario_id=chain.what_if(name="半月", headroom="0.00").pk)
    data = _api(chain).get(f"/api/chains/scenarios/compare?ids={a.pk}&ids={b.pk}").json()
    assert [s["id"] for s in data["scenarios"]] == [a.pk, b.pk]
    assert {r["region"] for r in data["by_region"]} == {"510502", "510503"}
    wrong = _api(chain).get(f"/api/chains/scenarios/compare?ids={a.pk}")
    assert wrong.status_code == 400 and "ids" in wrong.json()["errors"]


def test_a_district_reads_only_its_own_results_through_the_api(chain: Chain) -> None:
    scenario = run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    data = _api(chain, "district").get(f"/api/chains/scenarios/{scenario.pk}/results").json()
    assert {r["region"] for r in data["items"]} == {"510502"}
    detail = _api(chain, "district").get(f"/api/chains/scenarios/{scenario.pk}").json()
    assert detail["total_loss"] == str(scenario.total_loss)  # the totals stay the whole network's


def test_the_list_reads_the_areas_in_a_fixed_number_of_queries(chain: Chain) -> None:
    client = _api(chain)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            items = client.get("/api/chains/scenarios").json()["items"]
        assert all(s["areas"][0]["name"] for s in items)
        return len(captured.captured_queries)

    client.post("/api/chains/scenarios", _body(chain), content_type="application/json")
    one = queries()
    for n in range(3):
        client.post(
            "/api/chains/scenarios", _body(chain, name=f"情景{n}"), content_type="application/json"
        )
    assert queries() == one
