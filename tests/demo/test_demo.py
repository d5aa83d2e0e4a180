"""The demo city: deterministic, valid, placed where it should be, and wholly audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from stdnum.cn import uscc as stdnum_uscc

from keepline.core.models import AuditEvent, Department, Membership, Role, User
from keepline.demo.build import build_city
from keepline.demo.city.people import DEMO_PASSWORD
from keepline.enterprises.models import Enterprise
from keepline.enterprises.validation import same_district
from keepline.places.models import ControlMeasure, MeasureKind

SIZE = 120
TZ = ZoneInfo("Asia/Shanghai")
FIVE_DISTRICTS = {"510502", "510503", "510504", "510521", "510522"}


class _Rollback(Exception):
    pass


# Argon2 at production strength would dominate these tests; the hasher is not under test.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def _built(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """One demo city for the module's readers (a build takes seconds), rolled back after it.
    It stays until the module ends, so the tests that need an empty database come first."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield build_city(size=SIZE)
        transaction.set_rollback(True)


@pytest.fixture
def city(_built: dict[str, Any], db: Any) -> dict[str, Any]:
    return _built


def _digest() -> str:
    rows = Enterprise.objects.order_by("uscc").values_list("uscc", "name", "annual_output")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def _build_and_digest(seed: int) -> str:
    """Build into the empty database, take the digest, and roll the build back."""
    digest = ""
    try:
        with transaction.atomic():
            build_city(seed=seed, size=SIZE)
            digest = _digest()
            raise _Rollback
    except _Rollback:
        pass
    assert not Enterprise.objects.exists()
    return digest


@pytest.mark.django_db
def test_same_seed_builds_the_same_city() -> None:
    first, second, other = _build_and_digest(7), _build_and_digest(7), _build_and_digest(8)
    assert first == second
    assert first != other


@pytest.mark.django_db
def test_command_builds_once_and_refuses_to_rebuild(capsys: Any) -> None:
    call_command("demo", "--no-serve", "--size", str(SIZE))
    built = Enterprise.objects.count()
    out = capsys.readouterr().out
    assert "commissioner" in out and DEMO_PASSWORD in out and "http://127.0.0.1:8000/" in out
    call_command("demo", "--no-serve", "--size", str(SIZE))
    assert Enterprise.objects.count() == built
    assert "not rebuilt" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Delete"):
        call_command("demo", "--no-serve", "--rebuild")


def test_size_counts_above_size_enterprises(city: dict[str, Any]) -> None:
    assert Enterprise.objects.filter(above_size=True).count() == SIZE == city["above_size"]
    below = Enterprise.objects.filter(above_size=False)
    assert 0 < below.count() < SIZE * 0.1
    assert all(e.annual_output < 2000 for e in below)
    assert city["enterprises"] == Enterprise.objects.count()
    assert city["parks"] == 9


def test_every_code_is_valid_and_unique(city: dict[str, Any]) -> None:
    codes = list(Enterprise.objects.values_list("uscc", flat=True))
    assert all(stdnum_uscc.is_valid(code) for code in codes)
    assert all(code.startswith("915105") for code in codes)
    names = list(Enterprise.objects.values_list("name", flat=True))
    assert len(set(names)) == len(names)


def test_liquor_is_the_largest_industry(city: dict[str, Any]) -> None:
    counts: dict[str, int] = {}
    for code in Enterprise.objects.values_list("industry__code", flat=True):
        counts[code] = counts.get(code, 0) + 1
    assert max(counts, key=lambda code: counts[code]) == "15"
    assert Enterprise.objects.filter(annual_output__gte=1_000_000).exists()


def test_every_park_is_in_its_enterprise_district(city: dict[str, Any]) -> None:
    enterprises = list(Enterprise.objects.select_related("region", "park__region"))
    in_parks = [e for e in enterprises if e.park is not None]
    assert 0.4 < len(in_parks) / len(enterprises) < 0.8
    assert all(same_district(e.park.region, e.region) for e in in_parks if e.park)
    assert all(e.region.level in {"district", "town"} for e in enterprises)
    assert all(e.contacts.count() == 1 and e.power_accounts.exists() for e in enterprises[:20])


REGION_ROLES = {
    "bureau": (Role.BUREAU, "510500"),
    "district": (Role.DISTRICT, "510502"),
    "checkpoint": (Role.CHECKPOINT, "510522"),
    "health": (Role.HEALTH, "510500"),
    "leader": (Role.LEADER, "510500"),
}


def _held(username: str) -> list[Membership]:
    user = User.objects.get(username=username)
    assert user.check_password(DEMO_PASSWORD)
    return list(user.memberships.select_related("region", "park", "enterprise", "department"))


def test_one_login_per_role_with_its_scope(city: dict[str, Any]) -> None:
    assert [username for username, _role, _scope in city["logins"]] == list(Role.values)
    assert [m.role for m in _held("admin")] == [Role.ADMIN]
    for username, (role, code) in REGION_ROLES.items():
        assert [(m.role, m.region and m.region.code) for m in _held(username)] == [(role, code)]
    assert [(m.role, m.park and m.park.code) for m in _held("park")] == [(Role.PARK, "LZ-HIGHTECH")]
    assert [(m.role, str(m.department)) for m in _held("department")] == [
        (Role.DEPARTMENT, "泸州市交通运输局")
    ]
    jiangyang_liquor = Enterprise.objects.filter(
        industry__code="15", region__path__startswith="510000/510500/510502/"
    ).order_by("-annual_output", "uscc")
    assert [(m.role, m.enterprise) for m in _held("liaison")] == [
        (Role.LIAISON, jiangyang_liquor.first())
    ]
    largest = Enterprise.objects.order_by("-annual_output", "uscc")[:5]
    assert {(m.role, m.enterprise) for m in _held("commissioner")} == {
        (Role.COMMISSIONER, e) for e in largest
    }


def test_static_management_reaches_five_districts_by_11_september(city: dict[str, Any]) -> None:
    def covered(at: dt.datetime) -> set[str]:
        measures = ControlMeasure.objects.filter(
            ControlMeasure.in_force_at(at), kind=MeasureKind.STATIC_MANAGEMENT
        )
        return {r.code for m in measures for r in m.regions.all()}

    assert covered(dt.datetime(2022, 9, 7, 12, tzinfo=TZ)) == set()
    assert covered(dt.datetime(2022, 9, 8, 12, tzinfo=TZ)) == {"510502", "510504", "510521"}
    assert covered(dt.datetime(2022, 9, 11, 15, tzinfo=TZ)) == FIVE_DISTRICTS
    assert covered(dt.datetime(2022, 9, 27, tzinfo=TZ)) == set()
    power = ControlMeasure.objects.get(kind=MeasureKind.POWER_RATIONING)
    assert power.strictness == 1
    assert [r.code for r in power.regions.all()] == ["510500"]
    assert power.starts_at == dt.datetime(2022, 8, 15, tzinfo=TZ)
    assert all(m.authority.code == "510500" for m in ControlMeasure.objects.all())


def test_everything_is_in_the_audit_trail_as_demo(city: dict[str, Any]) -> None:
    demo = AuditEvent.objects.filter(actor_name="demo")
    created = demo.filter(action__in=["create", "import"])
    assert (
        created.filter(object_type="enterprises.enterprise").count() == Enterprise.objects.count()
    )
    assert created.filter(object_type="places.park").count() == 9
    assert (
        created.filter(object_type="places.controlmeasure").count()
        == ControlMeasure.objects.count()
    )
    # The demo's people then act in their own names (filing, answering, visiting); the deadline
    # sweep and coverage's membership grants write as themselves.
    assert demo.filter(object_type="core.user", action="create").count() == User.objects.count()
    assert demo.filter(object_type="core.department").count() == Department.objects.count()
    others = set(AuditEvent.objects.exclude(actor_name="demo").values_list("actor_name", flat=True))
    people = set(User.objects.values_list("username", flat=True))
    assert others and others <= people | {"task:problem-sweep", "service.coverage"}


def test_the_emergency_is_played_through(city: dict[str, Any]) -> None:
    from keepline.bubble.models import ClosedLoopPlan, EnterpriseMode, PlanStatus
    from keepline.core.scopes import SystemActor
    from keepline.reports import sentences
    from keepline.reports.indicators.computing import compute
    from keepline.reports.indicators.scope import FigureScope

    assert ClosedLoopPlan.objects.filter(status=PlanStatus.APPROVED).count() > 50
    assert ClosedLoopPlan.objects.filter(status=PlanStatus.RETURNED).exists()
    scope = FigureScope(under=MeasureKind.STATIC_MANAGEMENT)
    at = dt.datetime(2022, 9, 11, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
    figures = compute(SystemActor("test"), scope, at)
    closed = figures.summary.closed_loop.enterprises
    assert 0 < closed < figures.summary.total.enterprises
    assert len(figures.named_regions) == 5
    assert f"{closed}" in sentences.closed_loop_sentence(figures, sentences.ZH)
    # Static management ended on 26 September: everyone is back to normal after it.
    after = compute(SystemActor("test"), FigureScope(), at.replace(month=10))
    assert set(after.summary.by_mode) <= {EnterpriseMode.NORMAL.value}

    # The Spring Festival: resumption climbs back after the holiday, complete by 20 February.
    def resumption(month: int, day: int) -> Any:
        at = dt.datetime(2022, month, day, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
        return compute(SystemActor("test"), FigureScope(), at).summary

    assert resumption(2, 1).resumption_count < resumption(2, 10).resumption_count < 100
    assert resumption(2, 20).resumption_count == 100


def test_the_luzhou_whitelists(city: dict[str, Any]) -> None:
    from keepline.places.models import Park, WhitelistLevel

    listed = Enterprise.objects.exclude(whitelist_level="")
    provincial = listed.filter(whitelist_level=WhitelistLevel.PROVINCE)
    # The small test city has fewer than 89 candidates; the demo itself lists 89 and 15.
    assert 15 <= listed.count() <= 89 and provincial.count() == 15
    assert Park.objects.exclude(whitelist_level="").count() == 8
    assert Park.objects.filter(whitelist_level=WhitelistLevel.PROVINCE).count() == 2
