"""Running a scenario: the rows stored, the totals, direct and indirect loss, who runs dry when
and for want of what, times to recover, reruns and the stale status.

The chain world shuts Jiangyang fully on days 5–14 of 30. By hand: the world's own Jiangyang
enterprise (12,000 a year, no links) loses its ten shut days, 10 × 12000/365 = 328.77; the Naxi
distillery holds 2 days of glass, makes full output on days 5 and 6 from that stock and runs dry
on day 7 (time to survive 6 days); its bottler holds 3 days of spirit and runs dry 3 days later,
on day 10. The exact losses are checked against the loop implementation.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command

from keepline.chains import inputs, reference
from keepline.chains.models import KeepRunningPick, ScenarioResult, ScenarioStatus
from keepline.chains.selectors.results import figures, flagged, results
from keepline.chains.selectors.scenarios import day_date
from keepline.chains.services.runs import run_scenario, set_recovery
from keepline.chains.services.scenarios import add_area, remove_area, update_scenario
from keepline.core.errors import Conflict, InvalidInput
from keepline.core.models import AuditEvent
from tests.chains.support_scenarios import START, Chain, chain_fixture  # noqa: F401


def _rows(scenario_id: int) -> dict[str, ScenarioResult]:
    return {
        r.enterprise.name: r
        for r in ScenarioResult.objects.filter(scenario_id=scenario_id).select_related(
            "enterprise", "scarce"
        )
    }


def test_run_stores_a_row_per_enterprise_that_loses_and_totals_that_add_up(chain: Chain) -> None:
    scenario = chain.what_if()
    assert scenario.status == ScenarioStatus.DRAFT
    ran = run_scenario(actor=chain.admin, scenario_id=scenario.pk)

    rows = _rows(ran.pk)
    f, w = chain.firms, chain.world
    inside = {w.enterprise.name, f["glass"].name, f["box"].name}
    outside = {f["distillery"].name, f["bottler"].name}
    assert set(rows) == inside | outside  # the unaffected three have no row
    assert {n for n, r in rows.items() if r.in_area} == inside
    assert ran.status == ScenarioStatus.DONE
    assert ran.total_loss == sum(r.lost for r in rows.values())
    assert ran.direct_loss == sum(rows[n].lost for n in inside)
    assert ran.indirect_loss == sum(rows[n].lost for n in outside)
    assert ran.total_loss == ran.direct_loss + ran.indirect_loss
    assert ran.at_risk == 2
    # Every enterprise with an output is modelled: the chain's six and the world's two.
    assert (ran.enterprises, ran.links) == (8, 3)
    assert ran.ran_by == "admin" and ran.ran_at is not None and ran.run_seconds is not None
    event = AuditEvent.objects.filter(
        object_type="chains.scenario", action="run", object_id=str(ran.pk)
    ).get()
    assert event.after["total_loss"] == str(ran.total_loss)


def test_hand_checked_days_inputs_and_loss(chain: Chain) -> None:
    scenario = run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    rows = _rows(scenario.pk)
    own = rows[chain.world.enterprise.name]
    assert own.lost == Decimal("328.77") and own.dry_day is None
    assert own.ratios[3:5] == [1.0, 0.0] and own.ratios[13:15] == [0.0, 1.0]
    distillery = rows[chain.firms["distillery"].name]
    assert (distillery.dry_day, distillery.survives_days) == (7, 6)
    assert distillery.scarce is not None and distillery.scarce.code == "30"
    assert distillery.lowest == Decimal("0.000")
    bottler = rows[chain.firms["bottler"].name]
    assert (bottler.dry_day, bottler.survives_days) == (10, 9)
    assert bottler.scarce is not None and bottler.scarce.code == "15"
    assert day_date(scenario, 7) == dt.date(2022, 9, 7)


def test_losses_agree_with_the_loop_implementation(chain: Chain) -> None:
    scenario = run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    built = inputs.build(scenario)
    loop = reference.simulate(built.network, built.capacity)
    stored = {r.enterprise_id: r for r in ScenarioResult.objects.filter(scenario=scenario)}
    for i, pk in enumerate(built.ids):
        lost = Decimal(repr(float(loop.lost[i]))).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if lost > 0 or loop.dry_day[i] > 0:
            assert stored[int(pk)].lost == max(lost, Decimal("0.00"))
            assert (stored[int(pk)].dry_day or 0) == int(loop.dry_day[i])
        else:
            assert int(pk) not in stored


def test_time_to_survive_below_time_to_recover_is_flagged(chain: Chain) -> None:
    scenario = run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    distillery, bottler = chain.firms["distillery"], chain.firms["bottler"]
    set_recovery(actor=chain.admin, scenario_id=scenario.pk, enterprise_id=distillery.pk, days=10)
    set_recovery(actor=chain.admin, scenario_id=scenario.pk, enterprise_id=bottler.pk, days=9)
    rows = {r.enterprise_id: r for r in results(chain.admin, scenario, at_risk=True)}
    assert flagged(rows[distillery.pk])  # survives 6 < recovers 10
    assert not flagged(rows[bottler.pk])  # survives 9, recovers 9: not below
    flagged_rows = results(chain.admin, scenario, flagged=True)
    assert [r.enterprise_id for r in flagged_rows] == [distillery.pk]
    # Clearing the time takes the flag away.
    set_recovery(actor=chain.admin, scenario_id=scenario.pk, enterprise_id=distillery.pk, days=None)
    assert not results(chain.admin, scenario, flagged=True).exists()


@pytest.mark.parametrize("days", [0, 366, "x", 2.5, "²", "9" * 5000])
def test_a_bad_time_to_recover_is_refused(chain: Chain, days: object) -> None:
    scenario = chain.what_if()
    with pytest.raises(InvalidInput) as caught:
        set_recovery(
            actor=chain.admin,
            scenario_id=scenario.pk,
            enterprise_id=chain.firms["distillery"].pk,
            days=days,  # type: ignore[arg-type]
        )
    assert "days" in caught.value.errors
    assert not scenario.recoveries.exists()


def test_changing_an_area_makes_it_stale_and_a_rerun_changes_the_results(chain: Chain) -> None:
    scenario = run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    before = scenario.total_loss
    assert before is not None
    KeepRunningPick.objects.create(
        scenario=scenario,
        rank=1,
        enterprise=chain.firms["glass"],
        avoided=Decimal("1"),
        cumulative=Decimal("1"),
    )
    # A name is not modelled: no rerun needed.
    renamed = update_scenario(
        actor=chain.admin, scenario_id=scenario.pk, version=scenario.version, name="新名称"
    )
    assert renamed.status == ScenarioStatus.DONE
    # Shut Jiangyang for day 5 only: the distillery's two days of glass carry it through.
    one_day = {
        "region_id": chain.world.jiangyang.pk,
        "starts_on": START + dt.timedelta(days=4),
        "ends_on": START + dt.timedelta(days=4),
        "strictness": 3,
    }
    changed = update_scenario(
        actor=chain.admin, scenario_id=scenario.pk, version=renamed.version, areas=[one_day]
    )
    assert changed.status == ScenarioStatus.STALE
    assert changed.total_loss == before  # the last run's figures stay until the rerun
    rerun = run_scenario(actor=chain.admin, scenario_id=scenario.pk)
    assert rerun.status == ScenarioStatus.DONE
    assert rerun.at_risk == 0
    assert rerun.total_loss is not None and rerun.total_loss < before
    own = ScenarioResult.objects.get(scenario=rerun, enterprise=chain.world.enterprise)
    assert own.lost == Decimal("32.88")  # one day of 12000/365
    assert not KeepRunningPick.objects.filter(scenario=rerun).exists()


def test_an_old_version_conflicts(chain: Chain) -> None:
    scenario = chain.what_if()
    update_scenario(actor=chain.admin, scenario_id=scenario.pk, version=scenario.version, note="a")
    with pytest.raises(Conflict):
        update_scenario(
            actor=chain.admin, scenario_id=scenario.pk, version=scenario.version, note="b"
        )


def test_areas_added_and_removed_one_at_a_time(chain: Chain) -> None:
    scenario = run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    area = add_area(
        actor=chain.admin,
        scenario_id=scenario.pk,
        version=scenario.version,
        area={
            "park_id": chain.world.park.pk,
            "starts_on": START,
            "ends_on": START + dt.timedelta(days=1),
        },
    )
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.STALE and scenario.areas.count() == 2
    remove_area(
        actor=chain.admin, scenario_id=scenario.pk, version=scenario.version, area_id=area.pk
    )
    scenario.refresh_from_db()
    assert scenario.areas.count() == 1
    last = scenario.areas.get()
    with pytest.raises(InvalidInput):
        remove_area(
            actor=chain.admin, scenario_id=scenario.pk, version=scenario.version, area_id=last.pk
        )


def test_the_command_runs_a_scenario(chain: Chain, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = chain.what_if()
    call_command("run-scenario", str(scenario.pk))
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.DONE and scenario.ran_by == "command:run-scenario"
    assert "2 run dry" in capsys.readouterr().out


def test_production_index_matches_the_loss(chain: Chain) -> None:
    scenario = run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    shown = figures(chain.admin, scenario)
    assert len(shown.index) == 30 and shown.index[0] == 1.0
    # Network output a day: 12000/365 × 2 + (10+10+20+20+10+10) = 145.75; day 5 loses the
    # three shut enterprises' 32.88 + 10 + 10.
    total = 2 * 12000 / 365 + 80
    assert shown.index[4] == pytest.approx(1 - (12000 / 365 + 20) / total, abs=1e-4)
    # Summed over the days, the lost share times the network's output is the total loss.
    lost = sum((1 - v) * total for v in shown.index)
    assert lost == pytest.approx(float(scenario.total_loss or 0), rel=1e-3)
