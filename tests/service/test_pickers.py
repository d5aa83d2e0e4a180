"""People and enterprises are picked from lists, never typed: each list holds only whom and what
the user may choose (through the visibility function), a long one narrows as one types (htmx),
and a name or number from elsewhere posted anyway is refused, by the page and by the API."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.test import Client

from keepline.core import services as core_services
from keepline.core.models import Role
from keepline.core.pickers import PICK_LIMIT, PICK_SEARCH
from keepline.enterprises.models import Enterprise
from keepline.service.models import Coverage, Visit, WorkingGroup
from keepline.service.selectors.coverage import local_today
from keepline.service.selectors.people import coverage_people
from keepline.service.services.coverage import assign_coverage
from keepline.service.services.visits import plan_visit
from tests.conftest import SYSTEM, World
from tests.factories import EnterpriseFactory, IndustryFactory
from tests.service.conftest import person


def _options(html: str, select: str) -> list[str]:
    """The values offered by the <select> named `select` (or by a bare options fragment)."""
    if "<select" in html:
        found = re.search(rf'<select name="{select}"[^>]*>(.*?)</select>', html, re.S)
        assert found, select
        html = found.group(1)
    return [v for v in re.findall(r'<option value="([^"]*)"', html) if v]


def _selected(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]+)" selected>', html)


def _post_json(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def _tomorrow() -> str:
    return (local_today() + dt.timedelta(days=1)).isoformat()


def _many_enterprises(world: World, count: int) -> list[Enterprise]:
    industry = IndustryFactory(code="15")
    # Built, then written in one insert: the pickers' pages need many.
    return Enterprise.objects.bulk_create(
        EnterpriseFactory.build(
            serial=100 + n,
            name=f"江阳批量企业{n:03d}有限公司",
            region=world.jiangyang,
            industry=industry,
            annual_output=Decimal("100.00"),
            employees=50,
        )
        for n in range(count)
    )


# ---- coverage: people with a role in the arranger's area ----------------------------------


def test_the_coverage_form_offers_people_of_the_area_and_refuses_a_foreign_one(
    world: World,
) -> None:
    district = world.client("district")
    page = district.get("/service/coverage/assign/").content.decode()
    offered = _options(page, "user")
    # Within Jiangyang, and over it (the city's people); never Yibin's district official.
    assert {"checkpoint", "commissioner", "park", "bureau", "leader"} <= set(offered)
    assert "other" not in offered
    assert _options(page, "enterprise") == [str(world.enterprise.pk)]

    refused = district.post(
        "/service/coverage/assign/",
        {"kind": "enterprise", "user": "other", "enterprise": world.enterprise.pk},
    )
    assert refused.status_code == 400
    assert 'data-field-error="user"' in refused.content.decode()
    api = _post_json(
        district,
        "/api/service/coverage",
        {"kind": "enterprise", "user": "other", "enterprise_id": world.enterprise.pk},
    )
    assert api.status_code == 400 and set(api.json()["errors"]) == {"user"}
    assert not Coverage.objects.exists()

    taken = district.post(
        "/service/coverage/assign/",
        {"kind": "enterprise", "user": "checkpoint", "enterprise": world.enterprise.pk},
    )
    assert taken.status_code == 302
    assert Coverage.objects.get().user == world.users["checkpoint"]


def test_a_park_arranger_is_offered_the_people_over_its_park_not_a_neighbours(
    world: World,
) -> None:
    naxi = person("naxi.cadre")
    core_services.add_membership(actor=SYSTEM, user=naxi, role=Role.DISTRICT, target=world.naxi)
    offered = set(coverage_people(world.users["park"]).values_list("username", flat=True))
    assert {"park", "commissioner", "district", "checkpoint", "bureau"} <= offered
    assert not offered & {"naxi.cadre", "other"}
    # The city's bureau arranges all of Luzhou: Naxi's cadre too.
    assert coverage_people(world.users["bureau"]).filter(username="naxi.cadre").exists()


def test_a_person_with_no_role_yet_may_be_given_a_first_coverage(world: World) -> None:
    newcomer = person("new.cadre")
    page = world.client("district").get("/service/coverage/assign/").content.decode()
    assert "new.cadre" in _options(page, "user")
    coverage = assign_coverage(
        actor=world.users["district"], kind="enterprise", user=newcomer, enterprise=world.enterprise
    )
    assert coverage.user == newcomer


def test_a_role_without_arranging_gets_no_list(world: World) -> None:
    assert world.client("leader").get("/service/choices/people/?for=coverage").status_code == 403
    assert world.client("district").get("/service/choices/people/?for=nothing").status_code == 400
    assert (
        world.client("district").get("/service/choices/people/?for=coverage&field=x").status_code
        == 400
    )


# ---- enterprises: a long list narrows as one types ---------------------------------------


def test_a_long_enterprise_list_gets_a_filter_box_and_narrows_by_name_or_code(
    world: World,
) -> None:
    many = _many_enterprises(world, PICK_LIMIT + 10)
    district = world.client("district")
    page = district.get("/service/projects/new/").content.decode()
    assert 'data-picker-filter="enterprise"' in page
    assert 'hx-get="/service/choices/enterprises/?for=project"' in page
    assert len(_options(page, "enterprise")) == PICK_LIMIT
    assert "11 more: type to narrow the list" in page

    url = "/service/choices/enterprises/"
    by_name = district.get(url, {"for": "project", "q": "批量企业00"}).content.decode()
    assert len(_options(by_name, "")) == 10
    assert not _selected(by_name)
    one = many[42]
    by_code = district.get(url, {"for": "project", "q": one.uscc[-8:]}).content.decode()
    # One match left: it is picked.
    assert _options(by_code, "") == _selected(by_code) == [str(one.pk)]
    foreign = district.get(
        url, {"for": "project", "q": world.foreign_enterprise.name}
    ).content.decode()
    assert _options(foreign, "") == []

    refused = district.post(
        "/service/projects/new/", {"enterprise": world.foreign_enterprise.pk, "name": "越界项目"}
    )
    assert refused.status_code == 404


def test_a_short_list_has_no_filter_box(world: World) -> None:
    page = world.client("district").get("/service/projects/new/").content.decode()
    assert 'data-picker-filter="enterprise"' not in page
    assert len(_options(page, "enterprise")) <= PICK_SEARCH


# ---- visits: who may visit that enterprise -------------------------------------------------


def test_the_visitor_list_follows_the_enterprise_chosen(world: World) -> None:
    district = world.client("district")
    empty = district.get("/service/visits/plan/").content.decode()
    # No enterprise chosen yet: only "yourself".
    assert _options(empty, "visitor") == []
    assert 'hx-trigger="change from:#id_enterprise' in empty

    url = f"/service/choices/people/?for=visit&field=visitor&enterprise={world.enterprise.pk}"
    offered = _options(district.get(url).content.decode(), "")
    assert {"commissioner", "district", "park", "bureau"} <= set(offered)
    # Seeing the enterprise is not visiting it (liaison, checkpoint, leader), nor is Yibin.
    assert not set(offered) & {"liaison", "checkpoint", "leader", "other"}
    cadre = person("area.cadre")
    assign_coverage(actor=world.users["bureau"], kind="area", user=cadre, region=world.jiangyang)
    assert "area.cadre" in _options(district.get(url).content.decode(), "")

    foreign = (
        f"/service/choices/people/?for=visit&field=visitor&enterprise={world.foreign_enterprise.pk}"
    )
    assert district.get(foreign).status_code == 404
    # isdigit() passes "²", int() does not: no enterprise chosen, not an error.
    unparsed = "/service/choices/people/?for=visit&field=visitor&enterprise=²"
    assert _options(district.get(unparsed).content.decode(), "") == []


def test_a_visitor_who_may_not_visit_the_enterprise_is_refused(world: World) -> None:
    district = world.client("district")
    data = {"enterprise": world.enterprise.pk, "planned_for": _tomorrow(), "purpose": "走访"}
    refused = district.post("/service/visits/plan/", {**data, "visitor": "liaison"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'data-field-error="visitor"' in html
    # The form comes back with the enterprise's visitors offered again.
    assert "commissioner" in _options(html, "visitor")
    api = _post_json(
        district,
        "/api/service/visits",
        {
            "enterprise_id": world.enterprise.pk,
            "planned_for": _tomorrow(),
            "purpose": "走访",
            "visitor": "other",
        },
    )
    assert api.status_code == 400 and set(api.json()["errors"]) == {"visitor"}
    assert not Visit.objects.exists()

    made = district.post("/service/visits/plan/", {**data, "visitor": "commissioner"})
    assert made.status_code == 302
    assert Visit.objects.get().visitor == world.users["commissioner"]


# ---- working groups: people within the sending region --------------------------------------


def test_group_people_lie_within_the_sending_region(world: World) -> None:
    bureau = world.client("bureau")
    luzhou = bureau.get(
        "/service/choices/people/?for=group&field=leader&authority=510500"
    ).content.decode()
    assert {"leader", "district", "commissioner"} <= set(_options(luzhou, ""))
    assert "other" not in _options(luzhou, "")
    jiangyang = bureau.get(
        "/service/choices/people/?for=group&field=leader&authority=510502"
    ).content.decode()
    # The city's people are over Jiangyang, not within it.
    assert "district" in _options(jiangyang, "") and "leader" not in _options(jiangyang, "")
    assert bureau.get("/service/choices/people/?for=group&authority=511500").status_code == 404
    yibin = (
        world.client("admin")
        .get("/service/choices/people/?for=group&field=leader&authority=511500")
        .content.decode()
    )
    assert _options(yibin, "") == ["other"]

    # Members already picked stay picked while one types to find another.
    kept = bureau.get(
        "/service/choices/people/",
        {"for": "group", "field": "members", "members": ["district"], "q": "park"},
    ).content.decode()
    assert _selected(kept) == ["district"] and _options(kept, "") == ["district", "park"]


def test_a_member_from_outside_the_region_is_refused(world: World) -> None:
    bureau = world.client("bureau")
    base = {
        "authority": world.luzhou.code,
        "name": "市督导组",
        "leader": "leader",
        "regions": [world.jiangyang.code],
        "starts_on": local_today().isoformat(),
    }
    refused = bureau.post("/service/groups/new/", {**base, "members": ["district", "other"]})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'data-field-error="members"' in html and "other" in html
    assert _selected(html[html.index('name="members"') :])[:1] == ["district"]
    api = _post_json(
        bureau,
        "/api/service/groups",
        {**base, "members": ["other"]},
    )
    assert api.status_code == 400 and set(api.json()["errors"]) == {"members"}
    assert not WorkingGroup.objects.exists()

    made = bureau.post("/service/groups/new/", {**base, "members": ["district", "park"]})
    assert made.status_code == 302
    group = WorkingGroup.objects.get()
    assert sorted(group.members.values_list("username", flat=True)) == ["district", "park"]
    edit = bureau.get(f"/service/groups/{group.pk}/edit/").content.decode()
    assert _selected(edit[edit.index('name="members"') :].split("</select>")[0]) == [
        "district",
        "park",
    ]


# ---- the lists the enterprise's page links to ----------------------------------------------


def test_visits_and_coverage_are_listed_for_one_enterprise(world: World) -> None:
    admin = world.users["admin"]
    own = assign_coverage(
        actor=admin,
        kind="enterprise",
        user=world.users["commissioner"],
        enterprise=world.enterprise,
    )
    area = assign_coverage(actor=admin, kind="area", user=world.users["leader"], region=world.naxi)
    visit = plan_visit(
        actor=admin,
        enterprise=world.enterprise,
        planned_for=local_today(),
        purpose="走访",
    )
    bureau = world.client("bureau")
    listing = bureau.get(f"/service/coverage/?enterprise={world.enterprise.pk}").content.decode()
    assert f'data-coverage="{own.pk}"' in listing and f'data-coverage="{area.pk}"' not in listing
    assert 'id="enterprise-filter"' in listing
    visits = bureau.get(f"/service/visits/?enterprise={world.enterprise.pk}").content.decode()
    assert f'data-visit="{visit.pk}"' in visits
    other = _many_enterprises(world, 1)[0]
    none = bureau.get(f"/service/visits/?enterprise={other.pk}").content.decode()
    assert f'data-visit="{visit.pk}"' not in none
    foreign = world.foreign_enterprise.pk
    assert bureau.get(f"/service/visits/?enterprise={foreign}").status_code == 404
    assert bureau.get(f"/service/coverage/?enterprise={foreign}").status_code == 404
    for code in ("x", "²", "9" * 5000):
        assert bureau.get(f"/service/coverage/?enterprise={code}").status_code == 400
