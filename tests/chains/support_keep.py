"""A small network for the keep-running and substitutes tests, and the scenario shutting Jiangyang.

Glass (sector 30) for the Naxi distillery 纳溪酒厂 comes half from each of two Jiangyang works
(江阳玻璃一厂, 江阳玻璃二厂, 40 万元 a day each); 江阳包装 (20 a day) alone supplies paper
(sector 22) to the Naxi printer 纳溪印务. Both customers hold two days of stock. Outside the
shut area, glass works in Naxi (纳溪玻璃, 10 a day) and Lu County (泸县玻璃, 20 a day) sell to no
one in the network, and a Yibin glass works (宜宾玻璃) sells glass to a Yibin customer; a glass
works inside Jiangyang (江阳玻璃三厂) supplies no one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from keepline.chains.models import Scenario, ScenarioArea, ScenarioStatus
from keepline.core.models import Role, User
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region
from tests.chains.support_scenarios import firm, link
from tests.conftest import World
from tests.factories import UserFactory

START = dt.date(2022, 9, 1)
DAYS = 10


@dataclass
class Net:
    world: World
    firms: dict[str, Enterprise]
    scenario: Scenario
    foreign_scenario: Scenario

    def user(self, role: str) -> User:
        return self.world.users[role]

    def liaison_of(self, name: str) -> User:
        """A liaison user of one of the firms."""
        firm = self.firms[name]
        return UserFactory(username=f"liaison-{firm.pk}", role=Role.LIAISON, scope=firm)


def scenario(region: Region, shut: Region, *, status: str = ScenarioStatus.DONE) -> Scenario:
    made = Scenario.objects.create(
        name=f"{shut.name_zh}封控",
        region=region,
        starts_on=START,
        days=DAYS,
        status=status,
        created_by="test",
        ran_at=dt.datetime(2022, 9, 1, 8, tzinfo=dt.UTC) if status == ScenarioStatus.DONE else None,
    )
    ScenarioArea.objects.create(
        scenario=made,
        region=shut,
        starts_on=START,
        ends_on=START + dt.timedelta(days=DAYS - 1),
        strictness=3,
    )
    return made


def build(w: World) -> Net:
    lu_county = Region.objects.get(code="510521")
    firms = {
        "glass1": firm(1, "江阳玻璃一厂", w.jiangyang, "30", 40),
        "glass2": firm(2, "江阳玻璃二厂", w.jiangyang, "30", 40),
        "paper": firm(3, "江阳包装", w.jiangyang, "22", 20),
        "distillery": firm(4, "纳溪酒厂", w.naxi, "15", 40),
        "printer": firm(5, "纳溪印务", w.naxi, "23", 40),
        "naxi_glass": firm(6, "纳溪玻璃", w.naxi, "30", 10),
        "lu_glass": firm(7, "泸县玻璃", lu_county, "30", 20),
        "yibin_glass": firm(8, "宜宾玻璃", w.yibin_district, "15", 30),
        "yibin_buyer": firm(9, "宜宾酒业", w.yibin_district, "15", 30),
        "shut_glass": firm(10, "江阳玻璃三厂", w.jiangyang, "30", 30),
    }
    link(firms["glass1"], firms["distillery"], "30", "0.5", "2")
    link(firms["glass2"], firms["distillery"], "30", "0.5", "2")
    link(firms["paper"], firms["printer"], "22", "1", "2")
    # The Yibin works is in the liquor industry but sells glass: it counts for sector 30.
    link(firms["yibin_glass"], firms["yibin_buyer"], "30", "1", "30")
    return Net(
        world=w,
        firms=firms,
        scenario=scenario(w.luzhou, w.jiangyang),
        foreign_scenario=scenario(w.yibin, w.yibin_district),
    )


@pytest.fixture(name="net")
def net_fixture(world: World) -> Net:
    return build(world)


def names(picks: list[Any]) -> list[str]:
    return [p.enterprise.name if p.enterprise_id else p.park.name for p in picks]
