"""Ranking a scenario's keep-running picks through the service: what is stored, who may."""

from __future__ import annotations

import pytest

from keepline.chains.models import KeepRunningPick, ScenarioStatus
from keepline.chains.services.keep import rank_scenario
from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent
from tests.chains.support_keep import Net, names, net_fixture  # noqa: F401


def test_greedy_ranking_is_stored_with_its_reasons(net: Net) -> None:
    picks = rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk)
    # Either glass works alone saves most; after the first, paper beats the second glass works,
    # whose glass the distillery mostly gets already.
    assert names(picks) == ["江阳玻璃一厂", "江阳包装", "江阳玻璃二厂"]
    assert [p.rank for p in picks] == [1, 2, 3]
    first, second, third = picks
    assert first.avoided > second.avoided > third.avoided > 0
    assert first.cumulative == first.avoided
    assert third.cumulative == first.avoided + second.avoided + third.avoided
    # The distillery gains most from the first pick; the printer from the second.
    assert first.detail[0]["id"] == net.firms["distillery"].pk
    assert first.detail[0]["dry_day_before"] == 3
    assert second.detail[0]["id"] == net.firms["printer"].pk
    event = AuditEvent.objects.filter(action="rank_keep_running").get()
    assert [p["rank"] for p in event.after["picks"]] == [1, 2, 3]


def test_ranking_again_replaces_the_picks(net: Net) -> None:
    rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk)
    picks = rank_scenario(actor=net.user("admin"), scenario_id=net.scenario.pk, limit=1)
    assert names(picks) == ["江阳玻璃一厂"]
    assert KeepRunningPick.objects.filter(scenario=net.scenario).count() == 1


def test_a_scenario_not_run_as_it_stands_is_not_ranked(net: Net) -> None:
    net.scenario.status = ScenarioStatus.STALE
    net.scenario.save()
    with pytest.raises(Conflict):
        rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk)
    assert not KeepRunningPick.objects.exists()


def test_bad_limit_is_refused(net: Net) -> None:
    with pytest.raises(InvalidInput) as raised:
        rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk, limit=0)
    assert "limit" in raised.value.errors


def test_who_may_rank(net: Net) -> None:
    # The district sees the city's scenario but changes only its own district's.
    for role in ("park", "leader", "district"):
        with pytest.raises(Forbidden):
            rank_scenario(actor=net.user(role), scenario_id=net.scenario.pk)
    for role in ("liaison", "commissioner"):
        with pytest.raises(NotFound):
            rank_scenario(actor=net.user(role), scenario_id=net.scenario.pk)
    with pytest.raises(NotFound):
        rank_scenario(actor=net.user("bureau"), scenario_id=net.foreign_scenario.pk)
    assert not KeepRunningPick.objects.exists()


def test_a_park_with_shut_suppliers_is_a_candidate(net: Net) -> None:
    park = net.world.park
    for name in ("glass1", "glass2"):
        net.firms[name].park = park
        net.firms[name].save()
    picks = rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk, limit=1)
    # Keeping the park keeps both glass works and the park's other enterprise.
    assert names(picks) == [park.name]
    assert picks[0].park_id == park.pk and picks[0].enterprise_id is None
