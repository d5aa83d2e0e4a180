"""The demo city's supply chains: links that follow the recipes, the four chains with their
leaders, and the two scenarios run and ranked: in the September measures only closed-loop
enterprises produce inside the shut districts, and in the what-if enterprises outside them run
dry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from keepline.bubble.models import EnterpriseMode
from keepline.bubble.selectors import qualified_ids
from keepline.chains.models import (
    IndustryChain,
    KeepRunningPick,
    Scenario,
    ScenarioResult,
    ScenarioSource,
    ScenarioStatus,
    SupplyLink,
)
from keepline.demo.build import build_city
from keepline.demo.chains import RECIPES
from keepline.enterprises.models import Enterprise
from keepline.reports.models import DailyReport

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
        # Residents stayed at home: inside, an enterprise produces only in closed loop or at the
        # capacity its semi-closed daily report states; the rest make nothing.
        assert measured.semi_closed_share == 0
        start = timezone.make_aware(dt.datetime.combine(measured.starts_on, dt.time.min))
        inside = ScenarioResult.objects.filter(scenario=measured, in_area=True)
        qualified = qualified_ids(
            Enterprise.objects.filter(pk__in=inside.values("enterprise")), start
        )
        reported = set(
            DailyReport.objects.filter(
                mode=EnterpriseMode.SEMI_CLOSED, date__lte=measured.starts_on, capacity_use__gt=0
            ).values_list("enterprise", flat=True)
        )
        stopped = [r for r in inside if r.enterprise_id not in qualified | reported]
        running = [r for r in inside if r.enterprise_id in qualified]
        # The first day on which all five areas are shut (Naxi shut two days after the rest).
        all_shut = max(a.starts_on for a in measured.areas.all()) - measured.starts_on
        assert stopped and all(r.ratios[all_shut.days] == 0 for r in stopped)
        assert running and all(r.ratios[all_shut.days] > 0 for r in running)
        # Locking the two central districts down starves customers outside them.
        outside = ScenarioResult.objects.filter(
            scenario=what_if, in_area=False, dry_day__isnull=False
        )
        assert outside.exists()
        assert (what_if.indirect_loss or 0) > 0
