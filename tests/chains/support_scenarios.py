"""A small supply world for the scenario tests: six enterprises in Jiangyang and Naxi, glass and
packaging from Jiangyang into a Naxi distillery, the distillery into a Naxi bottler, and the
scenario that shuts Jiangyang. Normal outputs are round per day (annual output / 365)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from keepline.chains.models import Scenario, SupplyLink
from keepline.chains.services.scenarios import create_scenario
from keepline.enterprises.models import Enterprise, Industry
from keepline.places.models import Region
from tests.conftest import World
from tests.factories import EnterpriseFactory

START = dt.date(2022, 9, 1)
DAYS = 30


@dataclass
class Chain:
    """The world plus the six enterprises of the chain (by short name) and the admin actor."""

    world: World
    firms: dict[str, Enterprise]

    @property
    def admin(self) -> Any:
        return self.world.users["admin"]

    def last_id(self) -> int:
        """The id of the scenario made last."""
        return int(Scenario.objects.order_by("-pk").values_list("pk", flat=True)[0])

    def what_if(self, *, actor: Any = None, **changes: Any) -> Scenario:
        """A Luzhou what-if shutting Jiangyang (strictness 3) on days 5–14 of 30."""
        args: dict[str, Any] = {
            "name": "江阳区封控10天",
            "region_id": self.world.luzhou.pk,
            "starts_on": START,
            "days": DAYS,
            "areas": [
                {
                    "region_id": self.world.jiangyang.pk,
                    "starts_on": START + dt.timedelta(days=4),
                    "ends_on": START + dt.timedelta(days=13),
                    "strictness": 3,
                }
            ],
        }
        args.update(changes)
        return create_scenario(actor=actor or self.admin, **args)


def firm(serial: int, name: str, region: Region, industry: str, per_day: int) -> Enterprise:
    return EnterpriseFactory(
        serial=100 + serial,
        name=name,
        region=region,
        industry__code=industry,
        annual_output=Decimal(per_day * 365),
        employees=100,
    )


def link(
    supplier: Enterprise, customer: Enterprise, sector: str, share: str, stock: str
) -> SupplyLink:
    return SupplyLink.objects.create(
        supplier=supplier,
        customer=customer,
        product=f"{sector}类产品",
        sector=Industry.objects.get(code=sector),
        share=Decimal(share),
        stock_days=Decimal(stock),
    )


@pytest.fixture(name="chain")
def chain_fixture(world: World) -> Chain:
    j, n = world.jiangyang, world.naxi
    firms = {
        "glass": firm(1, "江阳玻璃制品有限公司", j, "30", 10),
        "box": firm(2, "江阳纸箱包装有限公司", j, "22", 10),
        "distillery": firm(3, "纳溪酒业有限公司", n, "15", 20),
        "bottler": firm(4, "纳溪灌装有限公司", n, "15", 20),
        "glass2": firm(5, "纳溪玻璃有限公司", n, "30", 10),
        "chemicals": firm(6, "纳溪化工有限公司", n, "26", 10),
    }
    link(firms["glass"], firms["distillery"], "30", "1", "2")
    link(firms["box"], firms["distillery"], "22", "1", "10")
    link(firms["distillery"], firms["bottler"], "15", "1", "3")
    # The test world's own two enterprises sell nothing, buy nothing: their loss is the shut days.
    return Chain(world, firms)
