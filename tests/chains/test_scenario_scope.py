"""Who reads what of a city scenario: its totals are the whole network's for every reader, its
rows are read by enterprise (a district sees its own enterprises' outcomes), and only editors
within the keeping region run or change it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keepline.chains.selectors.results import figures, results
from keepline.chains.selectors.scenarios import get_scenario
from keepline.chains.services.runs import run_scenario, set_recovery
from keepline.core.errors import Forbidden, NotFound
from tests.chains.support_scenarios import Chain, chain_fixture  # noqa: F401


@pytest.fixture
def ran(chain: Chain) -> Chain:
    run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    return chain


def _names(chain: Chain, role: str) -> set[str]:
    user = chain.world.users[role]
    scenario = get_scenario(user, chain.last_id())
    return {r.enterprise.name for r in results(user, scenario)}


def test_each_reader_sees_the_rows_of_its_own_enterprises(ran: Chain) -> None:
    w, f = ran.world, ran.firms
    everyone = {w.enterprise.name, f["glass"].name, f["box"].name}
    everyone |= {f["distillery"].name, f["bottler"].name}
    assert _names(ran, "bureau") == everyone
    assert _names(ran, "leader") == everyone
    assert _names(ran, "district") == {w.enterprise.name, f["glass"].name, f["box"].name}
    assert _names(ran, "park") == {w.enterprise.name}  # the one enterprise in the park


def test_a_district_sees_the_whole_scenarios_totals_but_its_own_split(ran: Chain) -> None:
    district = ran.world.users["district"]
    scenario = get_scenario(district, ran.last_id())
    seen = figures(district, scenario)
    assert not seen.whole
    assert [s.key for s in seen.by_region] == ["510502"]
    own = seen.by_region[0]
    # Everything the district sees is inside the shut area: direct, none indirect.
    assert own.indirect == Decimal("0.00") and own.direct == scenario.direct_loss
    assert seen.seen_loss == scenario.direct_loss < (scenario.total_loss or 0)
    assert seen.seen_at_risk == 0 and scenario.at_risk == 2
    bureau = figures(ran.world.users["bureau"], scenario)
    assert bureau.whole
    assert {s.key: s.indirect for s in bureau.by_region}["510503"] == scenario.indirect_loss


def test_the_detail_page_labels_the_district_view(ran: Chain) -> None:
    page = ran.world.client("district").get(f"/chains/scenarios/{ran.last_id()}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="partial"' in body and "only the enterprises in your area" in body
    scenario = get_scenario(ran.admin, ran.last_id())
    assert f'data-key="total_loss">{scenario.total_loss}<' in body
    assert ran.firms["distillery"].name not in body  # a Naxi enterprise: not the district's
    assert "No enterprise in your area runs dry." in body


@pytest.mark.parametrize("role", ["district", "park", "leader"])
def test_readers_who_may_not_run_a_city_scenario_are_refused(ran: Chain, role: str) -> None:
    user = ran.world.users[role]
    with pytest.raises(Forbidden):
        run_scenario(actor=user, scenario_id=ran.last_id())
    response = ran.world.client(role).post(f"/chains/scenarios/{ran.last_id()}/run/")
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["liaison", "commissioner", "department", "checkpoint"])
def test_roles_without_scenarios_do_not_find_one(ran: Chain, role: str) -> None:
    with pytest.raises(NotFound):
        get_scenario(ran.world.users[role], ran.last_id())
    assert ran.world.client(role).get("/chains/scenarios/").status_code == 403


def test_another_city_does_not_find_it(ran: Chain) -> None:
    other = ran.world.other_user
    with pytest.raises(NotFound):
        get_scenario(other, ran.last_id())
    with pytest.raises(NotFound):
        set_recovery(
            actor=other,
            scenario_id=ran.last_id(),
            enterprise_id=ran.firms["glass"].pk,
            days=3,
        )
