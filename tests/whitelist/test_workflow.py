"""The review chain through the services: every branch, who may decide each step, and 409s."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.http import QueryDict
from django.utils import timezone

from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import Attachment, AuditEvent
from keepline.places.models import Region
from keepline.whitelist import rules
from keepline.whitelist.models import (
    ApplicationStatus as S,
)
from keepline.whitelist.models import (
    WhitelistApplication,
    WhitelistListing,
    WhitelistReview,
)
from keepline.whitelist.selectors import applications as application_selectors
from keepline.whitelist.selectors import listings as listing_selectors
from keepline.whitelist.services import applications as application_services
from keepline.whitelist.services import reviews
from tests.conftest import SYSTEM, World
from tests.factories import EnterpriseFactory, ParkFactory
from tests.whitelist.conftest import advance, documents, province_bureau, submit

YEAR = timezone.localdate().year


def _decide(app: WhitelistApplication, actor: Any, decision: str = "approve", **kw: Any) -> Any:
    app.refresh_from_db()
    return reviews.decide_application(
        actor=actor,
        application_id=app.pk,
        decision=decision,
        version=kw.pop("version", app.version),
        **kw,
    )


def _states(app: WhitelistApplication) -> dict[str, str]:
    app.refresh_from_db()
    return {s.step: s.state for s in application_selectors.progress(app)}


def test_enterprise_in_a_park_goes_through_city_and_province(world: World) -> None:
    users = world.users
    app = submit(world, actor=users["liaison"])
    assert app.status == S.INSPECTION and app.inspect_park == world.park
    assert (app.district.code, app.city.code, app.province.code) == ("510502", "510500", "510000")
    assert _states(app)["inspection"] == "current"

    _decide(app, users["park"], reasons="现场核查通过")
    assert _states(app) | {} == {
        "application": "done",
        "inspection": "done",
        "economy": "current",
        "health": "current",
        "city": "waiting",
        "nomination": "optional",
        "province": "optional",
    }
    _decide(app, users["district"])
    app.refresh_from_db()
    assert (app.status, app.economy_approved, app.health_approved) == (
        S.DISTRICT_REVIEW,
        True,
        False,
    )
    _decide(app, users["health"])
    app.refresh_from_db()
    assert app.status == S.CITY_DECISION

    _decide(app, users["bureau"])
    app.refresh_from_db()
    city = WhitelistListing.objects.get(application=app)
    assert app.status == S.LISTED_CITY
    assert (city.level, city.number, city.authority.code) == (
        "city",
        f"LZ-WL-{YEAR}-0001",
        "510500",
    )
    world.enterprise.refresh_from_db()
    assert world.enterprise.whitelist_level == "city"

    reviews.nominate_application(
        actor=users["bureau"], application_id=app.pk, version=app.version, reasons="龙头企业"
    )
    app.refresh_from_db()
    assert app.status == S.PROVINCE_DECISION
    with pytest.raises(Forbidden):  # the city's bureau does not decide for the province
        _decide(app, users["bureau"])
    _decide(app, province_bureau())
    app.refresh_from_db()
    assert app.status == S.LISTED_PROVINCE
    province = WhitelistListing.objects.get(application=app, level="province")
    assert (province.number, province.authority.code) == (f"SC-WL-{YEAR}-0001", "510000")
    world.enterprise.refresh_from_db()
    assert world.enterprise.whitelist_level == "province"
    assert WhitelistListing.objects.filter(revoked_at__isnull=True).count() == 2
    steps = list(WhitelistReview.objects.filter(application=app).values_list("step", "decision"))
    assert steps == [
        ("application", "submit"),
        ("inspection", "approve"),
        ("economy", "approve"),
        ("health", "approve"),
        ("city", "approve"),
        ("nomination", "approve"),
        ("province", "approve"),
    ]
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(app.pk), object_type="whitelist.whitelistapplication"
        ).values_list("action", flat=True)
    )
    assert {
        "submit_whitelist_application",
        "approve_whitelist_inspection",
        "approve_whitelist_economy",
        "approve_whitelist_health",
        "approve_whitelist_city",
        "nominate_whitelist_application",
        "approve_whitelist_province",
    } <= actions
    assert AuditEvent.objects.filter(action="set_whitelist_level").count() == 2
    assert listing_selectors.level_mismatches() == []


@pytest.mark.parametrize("first", ["health", "district"])
def test_district_review_needs_both_in_either_order(world: World, first: str) -> None:
    app = advance(submit(world), S.DISTRICT_REVIEW)
    second = "district" if first == "health" else "health"
    _decide(app, world.users[first])
    app.refresh_from_db()
    assert app.status == S.DISTRICT_REVIEW
    assert rules.open_steps(app) == (["health"] if first == "district" else ["economy"])
    with pytest.raises(Conflict):  # the step is decided: the same official cannot decide again
        _decide(app, world.users[first])
    _decide(app, world.users[second])
    app.refresh_from_db()
    assert app.status == S.CITY_DECISION and app.economy_approved and app.health_approved


def test_return_then_resubmit_restarts_the_chain_at_inspection(world: World) -> None:
    liaison = world.users["liaison"]
    app = advance(submit(world, actor=liaison), S.DISTRICT_REVIEW)
    _decide(app, world.users["district"])
    commitment = app.commitment_id
    old_staff = app.staff_list_id
    _decide(app, world.users["health"], "return", reasons="员工名单缺少核酸检测记录")
    app.refresh_from_db()
    assert app.status == S.RETURNED
    assert _states(app)["health"] == "returned"
    assert rules.may_edit(liaison, app) and not rules.may_edit(world.users["park"], app)
    with pytest.raises(Conflict):  # nobody decides a returned application
        _decide(app, world.users["park"])

    application_services.resubmit_application(
        actor=liaison,
        application_id=app.pk,
        version=app.version,
        category="daily_needs",
        chain="白酒",
        note="已补充核酸检测记录",
        files={"staff_list": ("员工名单-补充.xlsx", b"PK\x03\x04 v2")},
    )
    app.refresh_from_db()
    assert (app.status, app.round, app.category) == (S.INSPECTION, 2, "daily_needs")
    assert not app.economy_approved and not app.health_approved
    assert app.commitment_id == commitment and app.staff_list_id != old_staff
    assert app.staff_list.filename == "员工名单-补充.xlsx"
    assert _states(app) == {
        "application": "done",
        "inspection": "current",
        "economy": "waiting",
        "health": "waiting",
        "city": "waiting",
        "nomination": "optional",
        "province": "optional",
    }
    history = [(e.kind, e.decision, e.round) for e in application_selectors.timeline(app)]
    assert ("health", "return", 1) in history and ("application", "submit", 2) in history
    reasons = [e.text for e in application_selectors.timeline(app) if e.decision == "return"]
    assert reasons == ["员工名单缺少核酸检测记录"]
    advance(app, S.LISTED_CITY)
    assert WhitelistListing.objects.get(application=app).category == "daily_needs"


def test_resubmit_only_by_the_applicant_only_when_returned_and_with_the_version(
    world: World,
) -> None:
    app = submit(world)
    with pytest.raises(Conflict):  # not returned
        application_services.resubmit_application(
            actor=world.users["liaison"],
            application_id=app.pk,
            version=app.version,
            category="key_industries",
            chain="白酒",
        )
    _decide(app, world.users["park"], "return", reasons="承诺书未盖章")
    app.refresh_from_db()
    kwargs: dict[str, Any] = {"category": "key_industries", "chain": "白酒"}
    with pytest.raises(Forbidden):
        application_services.resubmit_application(
            actor=world.users["park"], application_id=app.pk, version=app.version, **kwargs
        )
    with pytest.raises(Conflict):
        application_services.resubmit_application(
            actor=world.users["liaison"], application_id=app.pk, version=app.version - 1, **kwargs
        )
    with pytest.raises(InvalidInput) as bad:
        application_services.resubmit_application(
            actor=world.users["liaison"],
            application_id=app.pk,
            version=app.version,
            category="key_industries",
            chain="",
            files={"commitment": ("承诺书.exe", b"MZ")},
        )
    assert set(bad.value.errors) == {"chain", "commitment"}
    app.refresh_from_db()
    assert app.status == S.RETURNED and app.round == 1


@pytest.mark.parametrize("step", ["inspection", "economy", "health", "city"])
def test_reject_at_any_step_is_final(world: World, step: str) -> None:
    app = advance(
        submit(world),
        S.DISTRICT_REVIEW
        if step in ("economy", "health")
        else {
            "inspection": S.INSPECTION,
            "city": S.CITY_DECISION,
        }[step],
    )
    _decide(app, SYSTEM, "reject", reasons="不属于重点产业链", step=step)
    app.refresh_from_db()
    assert app.status == S.REJECTED
    assert _states(app)[step] == "rejected"
    with pytest.raises(Conflict):
        _decide(app, SYSTEM, step=step)
    assert not WhitelistListing.objects.exists()
    # A rejection closes that application; the enterprise may apply anew.
    again = submit(world)
    assert again.status == S.INSPECTION and again.pk != app.pk


def test_return_and_reject_need_reasons_and_nothing_changes(world: World) -> None:
    app = submit(world)
    for decision in ("return", "reject"):
        with pytest.raises(InvalidInput) as exc:
            _decide(app, world.users["park"], decision, reasons="  ")
        assert set(exc.value.errors) == {"reasons"}
    with pytest.raises(InvalidInput) as exc:
        _decide(app, world.users["park"], "maybe")
    assert set(exc.value.errors) == {"decision"}
    with pytest.raises(InvalidInput) as exc:
        _decide(app, world.users["park"], version=None)
    assert set(exc.value.errors) == {"version"}
    app.refresh_from_db()
    assert (app.status, app.version) == (S.INSPECTION, 1)
    assert WhitelistReview.objects.filter(application=app).count() == 1


def test_wrong_role_or_step_is_refused(world: World) -> None:
    users = world.users
    app = submit(world)
    # The enterprise is in OWN-PARK: its committee inspects, not the district.
    for role in ("district", "health", "bureau", "liaison", "commissioner", "leader"):
        with pytest.raises(Forbidden):
            _decide(app, users[role])
    advance(app, S.DISTRICT_REVIEW)
    for role in ("park", "bureau", "liaison"):
        with pytest.raises(Forbidden):
            _decide(app, users[role])
    with pytest.raises(Forbidden):  # a district official is the economy bureau, not health
        _decide(app, users["district"], step="health")
    advance(app, S.CITY_DECISION)
    for role in ("park", "district", "health"):
        with pytest.raises(Forbidden):
            _decide(app, users[role])
    with pytest.raises(Forbidden):  # only the city's bureau nominates, and only once listed
        reviews.nominate_application(
            actor=users["district"], application_id=app.pk, version=app.version + 0
        )


def test_foreign_officials_get_404(world: World) -> None:
    app = submit(world)
    assert world.other_user is not None
    with pytest.raises(NotFound):
        _decide(app, world.other_user)
    with pytest.raises(NotFound):
        application_services.open_document(
            actor=world.other_user, application_id=app.pk, kind="staff_list"
        )


def test_deciding_twice_with_the_same_version_is_409(world: World) -> None:
    app = submit(world)
    seen = app.version
    # Two officials read version 1; the park committee decides first.
    _decide(app, world.users["park"], version=seen)
    with pytest.raises(Conflict) as late:
        _decide(app, world.users["admin"], "reject", reasons="不符合条件", version=seen)
    assert late.value.current["status"] == "district_review"
    assert late.value.current["open_steps"] == ["economy", "health"]
    app.refresh_from_db()
    assert app.status == S.DISTRICT_REVIEW
    assert WhitelistReview.objects.filter(application=app, step="inspection").count() == 1
    # In the district review the health commission read the version before the economy bureau
    # approved: it is told, reloads and decides.
    seen = app.version
    _decide(app, world.users["district"], version=seen)
    with pytest.raises(Conflict):
        _decide(app, world.users["health"], version=seen)
    _decide(app, world.users["health"])
    app.refresh_from_db()
    assert app.status == S.CITY_DECISION


def test_an_official_holding_both_district_roles_says_which_step(world: World) -> None:
    app = advance(submit(world), S.DISTRICT_REVIEW)
    with pytest.raises(InvalidInput) as exc:
        _decide(app, world.users["admin"])
    assert set(exc.value.errors) == {"step"}
    _decide(app, world.users["admin"], step="health")
    app.refresh_from_db()
    assert app.health_approved and not app.economy_approved
    with pytest.raises(InvalidInput):
        _decide(app, world.users["admin"], step="nonsense")


def test_a_park_applies_and_its_district_inspects(world: World) -> None:
    park_user = world.users["park"]
    app = submit(world, park=True, actor=park_user)
    assert app.park == world.park and app.inspect_region == world.jiangyang
    assert app.inspect_park is None
    assert application_selectors.waiting(park_user).count() == 0  # a park does not inspect itself
    assert list(application_selectors.waiting(world.users["district"])) == [app]
    with pytest.raises(Forbidden):
        _decide(app, park_user)
    _decide(app, world.users["district"])
    advance(app, S.LISTED_CITY)
    world.park.refresh_from_db()
    assert world.park.whitelist_level == "city"
    mine = application_selectors.APPLICATIONS.rows(park_user, QueryDict("view=mine"))
    assert list(mine) == [app]


def test_an_enterprise_outside_parks_is_inspected_by_its_town_or_district(world: World) -> None:
    town = Region.objects.get(code="510502001")
    enterprise = EnterpriseFactory(
        serial=77,
        name="南城测试食品有限公司",
        region=town,
        industry__code="14",
        above_size=False,
        annual_output=Decimal("800"),
        employees=120,
    )
    app = application_services.submit_application(
        actor=SYSTEM,
        enterprise_id=enterprise.pk,
        category="daily_needs",
        chain="食品",
        files=documents(),
    )
    assert app.inspect_region == town and app.district == world.jiangyang
    with pytest.raises(NotFound):  # outside the park: its committee does not even see it
        _decide(app, world.users["park"])
    assert list(application_selectors.waiting(world.users["district"], "inspection")) == [app]
    _decide(app, world.users["district"])
    app.refresh_from_db()
    assert app.status == S.DISTRICT_REVIEW


def test_bad_input_names_every_field_and_stores_nothing(world: World) -> None:
    before = (Attachment.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as exc:
        submit(
            world,
            category="tea",
            chain=" ",
            note="x" * 4001,
            requested_level="province",
            files={"commitment": ("承诺书.pdf", b"%PDF ok"), "staff_list": None},
        )
    assert set(exc.value.errors) == {
        "category",
        "chain",
        "note",
        "requested_level",
        "staff_list",
        "epidemic_plan",
    }
    assert (Attachment.objects.count(), AuditEvent.objects.count()) == before
    assert not WhitelistApplication.objects.exists()
    with pytest.raises(InvalidInput):
        application_services.submit_application(
            actor=SYSTEM, category="key_industries", chain="白酒", files=documents()
        )


def test_document_type_size_and_emptiness_are_checked(world: World, monkeypatch: Any) -> None:
    monkeypatch.setattr(Attachment, "MAX_BYTES", 64)
    with pytest.raises(InvalidInput) as exc:
        submit(
            world,
            files=documents(
                commitment=("承诺书.exe", b"MZ"),
                staff_list=("员工名单.xlsx", b"x" * 65),
                epidemic_plan=("防疫方案.pdf", b""),
            ),
        )
    errors = exc.value.errors
    assert set(errors) == {"commitment", "staff_list", "epidemic_plan"}
    assert "PDF, image, Word or Excel" in errors["commitment"][0]
    assert "larger than" in errors["staff_list"][0]
    assert "empty" in errors["epidemic_plan"][0]
    assert not Attachment.objects.exists()


def test_one_application_at_a_time_and_none_while_listed(world: World) -> None:
    app = submit(world)
    with pytest.raises(Conflict) as exc:
        submit(world)
    assert exc.value.current["status"] == "inspection"
    advance(app, S.LISTED_CITY)
    with pytest.raises(Conflict) as listed:
        submit(world)
    assert listed.value.current["number"] == f"LZ-WL-{YEAR}-0001"


def test_only_the_liaison_or_the_park_committee_applies(world: World) -> None:
    for role in ("bureau", "district", "health", "commissioner", "leader"):
        with pytest.raises(Forbidden):
            submit(world, actor=world.users[role])
    with pytest.raises(Forbidden):  # a park committee applies for its park, not its enterprises
        submit(world, actor=world.users["park"])
    with pytest.raises(NotFound):  # the liaison does not see parks
        submit(world, park=True, actor=world.users["liaison"])
    assert world.other_user is not None
    with pytest.raises(Forbidden):
        submit(world, actor=world.other_user)


def test_province_return_keeps_the_city_listing_and_the_city_reapproves_it(world: World) -> None:
    app = advance(submit(world, actor=world.users["liaison"]), S.PROVINCE_DECISION)
    _decide(app, province_bureau(), "return", reasons="请补充省级产业链配套说明")
    app.refresh_from_db()
    assert app.status == S.RETURNED
    world.enterprise.refresh_from_db()
    assert world.enterprise.whitelist_level == "city"
    application_services.resubmit_application(
        actor=world.users["liaison"],
        application_id=app.pk,
        version=app.version,
        category="key_industries",
        chain="白酒",
        note="已补充说明",
    )
    advance(app, S.LISTED_CITY)
    listings = WhitelistListing.objects.filter(application=app)
    assert [(x.level, x.number) for x in listings] == [("city", f"LZ-WL-{YEAR}-0001")]
    advance(app, S.LISTED_PROVINCE)
    world.enterprise.refresh_from_db()
    assert world.enterprise.whitelist_level == "province"


def test_province_rejection_leaves_the_city_listing(world: World) -> None:
    app = advance(submit(world), S.PROVINCE_DECISION)
    _decide(app, province_bureau(), "reject", reasons="省级名单已满")
    app.refresh_from_db()
    assert app.status == S.PROVINCE_REJECTED
    world.enterprise.refresh_from_db()
    assert world.enterprise.whitelist_level == "city"
    with pytest.raises(Conflict):
        reviews.nominate_application(actor=SYSTEM, application_id=app.pk, version=app.version)


def test_nomination_only_from_the_city_list(world: World) -> None:
    app = advance(submit(world), S.CITY_DECISION)
    with pytest.raises(Conflict):
        reviews.nominate_application(
            actor=world.users["bureau"], application_id=app.pk, version=app.version
        )
    advance(app, S.LISTED_CITY)
    with pytest.raises(Conflict):  # stale version
        reviews.nominate_application(
            actor=world.users["bureau"], application_id=app.pk, version=app.version - 1
        )
    with pytest.raises(InvalidInput) as exc:
        reviews.nominate_application(
            actor=world.users["bureau"],
            application_id=app.pk,
            version=app.version,
            reasons="x" * 4001,
        )
    assert set(exc.value.errors) == {"reasons"}
    assert rules.may_nominate(world.users["bureau"], app)
    assert not rules.may_nominate(world.users["district"], app)


def test_queues_show_each_official_what_waits_for_them(world: World) -> None:
    users = world.users
    app = submit(world)
    waiting = {role: list(application_selectors.waiting(users[role])) for role in users}
    assert waiting["park"] == [app] and waiting["admin"] == [app]
    assert all(not waiting[r] for r in waiting if r not in ("park", "admin"))
    advance(app, S.DISTRICT_REVIEW)
    _decide(app, users["district"])
    assert list(application_selectors.waiting(users["health"])) == [app]
    assert not application_selectors.waiting(users["district"]).exists()
    assert list(application_selectors.waiting(users["health"], "city")) == []
    advance(app, S.CITY_DECISION)
    assert list(application_selectors.waiting(users["bureau"])) == [app]
    assert world.other_user is not None
    assert not application_selectors.waiting(world.other_user).exists()


def test_a_park_in_a_region_without_a_district_cannot_apply(world: World) -> None:
    park = ParkFactory(
        code="CITY-PARK", name="市属测试园区", region=world.luzhou, committee_contact="陈七"
    )
    with pytest.raises(InvalidInput) as exc:
        application_services.submit_application(
            actor=SYSTEM,
            park_id=park.pk,
            category="key_industries",
            chain="化工",
            files=documents(),
        )
    assert set(exc.value.errors) == {"region"}
