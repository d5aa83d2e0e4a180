"""The keep-running panel on the scenario page, ranking and inviting from it, and its export."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from keepline.chains.models import KeepRunningPick
from keepline.chains.services.keep import rank_scenario
from keepline.chains.views.keep import scenario_panel
from keepline.core.models import User
from keepline.whitelist.models import WhitelistInvitation
from keepline.whitelist.services import listings as whitelist_listings
from tests.chains.support_keep import Net, net_fixture  # noqa: F401
from tests.conftest import SYSTEM


def panel(net: Net, role: str | User) -> str:
    user = net.user(role) if isinstance(role, str) else role
    request = RequestFactory().get(f"/chains/scenarios/{net.scenario.pk}/")
    request.user = user
    return scenario_panel(request, net.scenario)


def test_panel_offers_ranking_to_those_who_may(net: Net) -> None:
    html = panel(net, "bureau")
    assert "data-not-ranked" in html and "data-rank" in html
    assert "data-rank" not in panel(net, "leader")
    # A liaison reads no scenario: no panel at all.
    assert panel(net, "liaison") == ""


def test_rank_button_ranks_and_returns_to_the_scenario(net: Net) -> None:
    client = net.world.client("bureau")
    url = f"/chains/scenarios/{net.scenario.pk}/"
    response = client.post(f"/chains/scenarios/{net.scenario.pk}/rank/", {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert KeepRunningPick.objects.filter(scenario=net.scenario).count() == 3
    # A next outside the site is not followed.
    response = client.post(
        f"/chains/scenarios/{net.scenario.pk}/rank/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == url


def test_panel_gives_each_pick_its_reason_in_words(net: Net) -> None:
    rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk)
    html = panel(net, "bureau")
    assert html.index("江阳玻璃一厂") < html.index("江阳包装") < html.index("江阳玻璃二厂")
    first, second, _third = KeepRunningPick.objects.order_by("rank")
    assert "纳溪酒厂 (would run dry on day 3)" in html
    tenth = Decimal("0.1")
    assert f"avoids {first.avoided.quantize(tenth, ROUND_HALF_UP):,} 万元." in html
    assert (
        f"avoids {second.avoided.quantize(tenth, ROUND_HALF_UP):,} 万元, "
        f"{second.cumulative.quantize(tenth, ROUND_HALF_UP):,} 万元 with the picks above." in html
    )
    assert html.count("data-invite") == 3
    assert "data-rank" not in html


def test_panel_names_only_enterprises_the_reader_sees(net: Net) -> None:
    rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk)
    # The Jiangyang official sees the Jiangyang suppliers, not their Naxi customers.
    html = panel(net, "district")
    assert "江阳玻璃一厂" in html
    assert "纳溪酒厂" not in html and "纳溪印务" not in html
    # The park committee sees none of the picks: they are listed without names or buttons.
    html = panel(net, "park")
    assert "江阳玻璃一厂" not in html and "纳溪酒厂" not in html
    assert html.count("An enterprise outside your area") == 3
    assert "data-invite" not in html


def test_add_to_whitelist_applications_invites_and_tells_the_liaison(net: Net) -> None:
    rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk)
    liaison = net.liaison_of("glass1")
    glass1 = net.firms["glass1"]
    client = net.world.client("bureau")
    response = client.post(f"/chains/scenarios/{net.scenario.pk}/enterprises/{glass1.pk}/invite/")
    assert response.status_code == 302
    invitation = WhitelistInvitation.objects.get(enterprise=glass1)
    assert invitation.status == "open" and invitation.invited_by == "bureau"
    assert invitation.source == f"Scenario: {net.scenario.name}"
    # The liaison may not read the scenario: the reason names no other enterprise.
    assert invitation.reason.startswith("Kept in a closed loop") and "avoids" in invitation.reason
    assert "纳溪酒厂" not in invitation.reason and "江阳" not in invitation.reason
    # The glass works' industry names the chain when it belongs to no industry chain.
    assert invitation.chain == glass1.industry.name
    assert liaison.notifications.filter(kind="whitelist_invited").count() == 1
    # The panel now shows it invited, without the button.
    html = panel(net, "bureau")
    assert "data-invited" in html and html.count("data-invite>") == 2
    # Asking twice: 409, nothing more.
    again = client.post(f"/chains/scenarios/{net.scenario.pk}/enterprises/{glass1.pk}/invite/")
    assert again.status_code == 409
    assert WhitelistInvitation.objects.count() == 1


def test_listed_enterprises_show_their_level_and_no_button(net: Net) -> None:
    rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk)
    whitelist_listings.list_directly(
        actor=SYSTEM,
        subject=net.firms["paper"],
        level="city",
        category="key_industries",
        chain="白酒",
        reason="市级白名单第一批",
    )
    html = panel(net, "bureau")
    assert 'data-level="city"' in html
    assert html.count("data-invite>") == 2
    response = net.world.client("bureau").post(
        f"/chains/scenarios/{net.scenario.pk}/enterprises/{net.firms['paper'].pk}/invite/"
    )
    assert response.status_code == 409


def test_inviting_an_enterprise_not_ranked_is_not_found(net: Net) -> None:
    rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk)
    response = net.world.client("bureau").post(
        f"/chains/scenarios/{net.scenario.pk}/enterprises/{net.firms['naxi_glass'].pk}/invite/"
    )
    assert response.status_code == 404
    assert not WhitelistInvitation.objects.exists()


def test_ranking_export(net: Net) -> None:
    rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk)
    response = net.world.client("bureau").get(f"/chains/scenarios/{net.scenario.pk}/picks.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Rank"
    assert [r[2] for r in rows[1:]] == ["江阳玻璃一厂", "江阳包装", "江阳玻璃二厂"]
    assert "would run dry on day 3" in rows[1][7]


def test_anonymous_is_sent_to_sign_in(net: Net) -> None:
    response = Client().post(f"/chains/scenarios/{net.scenario.pk}/rank/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_panel_reads_the_whitelist_states_in_a_fixed_number_of_queries(net: Net) -> None:
    def queries(limit: int) -> int:
        rank_scenario(actor=net.user("bureau"), scenario_id=net.scenario.pk, limit=limit)
        with CaptureQueriesContext(connection) as captured:
            html = panel(net, "bureau")
        assert html.count("data-pick=") == limit
        return len(captured.captured_queries)

    assert queries(3) == queries(1)
