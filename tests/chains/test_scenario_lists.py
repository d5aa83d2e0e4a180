"""A scenario's results: their URL names the scenario, so tests/core/test_lists.py does not walk
them. The page's list and `GET /api/chains/scenarios/{id}/results` accept the same filters,
refuse the same values and give the same rows in the same order; the page opens on those that
run dry, soonest first."""

from __future__ import annotations

from typing import Any

import pytest

from keepline.chains.models import Scenario
from keepline.chains.selectors.results import result_listing
from keepline.chains.services.runs import run_scenario
from tests.chains.support_scenarios import Chain, chain_fixture  # noqa: F401


@pytest.fixture
def ran(chain: Chain) -> Chain:
    run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    return chain


def _page_ids(response: Any) -> list[int]:
    return [r.enterprise_id for r in response.context["page"]]


def _api_ids(response: Any) -> list[int]:
    return [r["enterprise_id"] for r in response.json()["items"]]


@pytest.mark.parametrize("role", ["bureau", "district"])
def test_the_results_agree_on_page_and_api(ran: Chain, role: str) -> None:
    scenario = Scenario.objects.get()
    client = ran.world.client(role)
    page_url = f"/chains/scenarios/{scenario.pk}/"
    api_url = f"/api/chains/scenarios/{scenario.pk}/results"
    distillery = ran.firms["distillery"]
    listing = result_listing(scenario)
    queries: list[dict[str, str]] = [
        {"q": distillery.name[:3]},
        {"region": ran.world.luzhou.code},
        {"industry": "C"},
        {"in_area": "1"},
        {"in_area": "false"},
        {"flagged": "0"},
        {"at_risk": "0"},
        {"at_risk": ""},
    ]
    queries += [{"sort": s} for key in listing.sorts for s in (key, f"-{key}")]
    for query in queries:
        page = client.get(page_url, query)
        # The page's defaults, said aloud to the API.
        api = client.get(api_url, {"at_risk": "1", "sort": "dry_day", **query})
        assert page.status_code == api.status_code == 200, query
        assert _page_ids(page) == _api_ids(api), query
    opened = client.get(page_url)
    assert _page_ids(opened) == _api_ids(client.get(api_url, {"at_risk": "1", "sort": "dry_day"}))
    assert distillery.pk in _page_ids(opened) or role == "district"
    refused = set()
    for name in listing.filterset.base_filters:
        for value in ("no-such-code-\x01", "2022-13-45"):
            page, api = client.get(page_url, {name: value}), client.get(api_url, {name: value})
            assert page.status_code == api.status_code, (name, value)
            if api.status_code == 400:
                assert name in api.json()["errors"] and name in page.context["filters"].errors
                refused.add(name)
    assert refused == set(listing.filterset.base_filters) - {"q"}
