"""The demo city's supply chains: links that follow the recipes, the four chains with their
leaders, and the two scenarios run and ranked, with enterprises outside the shut districts running
dry in the what-if."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings

from keepline.chains.models import (
    IndustryChain,
    KeepRunningPick,
    Scenario,
    ScenarioResult,
    ScenarioSource,
    ScenarioStatus,
    SupplyLink,
)
from keepline.demo.chains import RECIPES
from keepline.demo.city import build_city

SIZE = 120
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """One demo city for the module, rolled back after it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        build_city(size=SIZE)
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDemoChains:
    def test_links_follow_the_recipes(self) -> None:
        links = SupplyLink.objects.select_related("supplier__industry", "customer__industry")
        assert links.count() > SIZE
        for link in links:
            sectors = {i.sector for i in RECIPES[link.customer.industry.code]}
            assert link.sector.code in sectors
            assert link.supplier.industry.code == link.sector.code
        # No customer is promised more than its whole need of a sector.
        shares = links.values("customer", "sector").annotate(total=Sum("share"))
        assert max(row["total"] for row in shares) <= Decimal("1")

    def test_four_chains_led_by_the_biggest_of_their_industry(self) -> None:
        chains = IndustryChain.objects.select_related("leader__industry", "industry")
        assert chains.count() == 4
        for chain in chains:
            assert chain.leader is not None and chain.industry is not None
            assert chain.leader.industry == chain.industry
            assert chain.members.filter(enterprise=chain.leader).exists()

    def test_the_september_measures_and_a_what_if_are_run_and_ranked(self) -> None:
        measured = Scenario.objects.get(source=ScenarioSource.MEASURES)
        what_if = Scenario.objects.get(source=ScenarioSource.WHAT_IF)
        for scenario in (measured, what_if):
            assert scenario.status == ScenarioStatus.DONE
            rows = ScenarioResult.objects.filter(scenario=scenario)
            assert scenario.total_loss == rows.aggregate(s=Sum("lost"))["s"]
            assert scenario.direct_loss == rows.filter(in_area=True).aggregate(s=Sum("lost"))["s"]
            assert KeepRunningPick.objects.filter(scenario=scenario).exists()
        # Five of the seven districts and counties shut in September 2022.
        codes = {a.region.code for a in measured.areas.select_related("region")}
        assert codes == {"510502", "510503", "510504", "510521", "510522"}
        # Locking the two central districts down starves customers outside them.
        outside = ScenarioResult.objects.filter(
            scenario=what_if, in_area=False, dry_day__isnull=False
        )
        assert outside.exists()
        assert (what_if.indirect_loss or 0) > 0
