"""A small world for tests: every role holds a scope in Jiangyang (own); Yibin is foreign to all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import translation
from stdnum.cn import uscc as stdnum_uscc

from keepline.core.models import Department, DepartmentKind, Role, User
from keepline.core.scopes import SystemActor
from keepline.enterprises.models import Enterprise, EnterpriseContact
from keepline.places.models import ControlMeasure, Park, Region

PASSWORD = "correct-horse-battery-staple"
SYSTEM = SystemActor("test")
ROLES = [r.value for r in Role]
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request: pytest.FixtureRequest, django_db_modify_db_settings_parallel_suffix: None
) -> None:
    """With `--reuse-db` (`make test` off CI), SQLite's test database is a file under var/, kept
    between runs (new migrations still apply); otherwise it stays in memory, one per run."""
    database = django_settings.DATABASES["default"]
    if request.config.getvalue("reuse_db") and database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(
            Path(database["NAME"]).with_name("test_keepline.sqlite3")
        )


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None, django_db_blocker: Any, request: pytest.FixtureRequest
) -> None:
    """A reused database was left emptied by the last run's transactional tests (they flush
    every table, and pytest-django runs them last): the reference data the migrations load,
    regions and industries, is put back."""
    if not request.config.getvalue("reuse_db"):
        return
    with django_db_blocker.unblock():
        if not Region.objects.exists():
            for migration in (
                "keepline.places.migrations.0002_luzhou_regions",
                "keepline.enterprises.migrations.0002_gbt4754_industries",
            ):
                import_module(migration).load(django_apps, None)
            # Tests with serialized_rollback restore this snapshot; a fresh database takes it
            # when it is created, a reused one only here.
            connection._test_serialized_contents = (  # type: ignore[attr-defined]
                connection.creation.serialize_db_to_string()
            )


@pytest.fixture(autouse=True)
def _fast_hashing_in_english(settings: Any) -> Any:
    """Tests hash with a fast hasher (argon2 is checked on its own) and read English messages."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):
        yield


def make_uscc(serial: int, region: str = "510502") -> str:
    """A valid unified social credit code: 91 + region + 9-character organisation code + check."""
    body = f"91{region}{serial:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


@dataclass
class World:
    luzhou: Region
    jiangyang: Region
    naxi: Region
    yibin: Region
    yibin_district: Region
    park: Park
    foreign_park: Park
    enterprise: Enterprise
    foreign_enterprise: Enterprise
    contact: EnterpriseContact
    foreign_contact: EnterpriseContact
    measure: ControlMeasure
    foreign_measure: ControlMeasure
    department: Department
    users: dict[str, User] = field(default_factory=dict)
    other_user: User | None = None

    def own(self, kind: str) -> Any:
        return getattr(self, kind)

    def foreign(self, kind: str) -> Any:
        return getattr(self, f"foreign_{kind}")

    def client(self, role: str) -> Client:
        client = Client()
        client.force_login(self.users[role])
        # Pages are Chinese unless the reader chose English; tests read English, like the
        # direct calls around them (see the fixture above).
        client.cookies["django_language"] = "en"
        return client


@pytest.fixture
def world(db: Any) -> World:
    # The factories build on this module's constants, so they are imported here, not above.
    from tests.factories import (
        ContactFactory,
        DepartmentFactory,
        EnterpriseFactory,
        MeasureFactory,
        ParkFactory,
        RegionFactory,
        UserFactory,
    )

    sichuan = RegionFactory(code="510000")
    luzhou = RegionFactory(code="510500")
    jiangyang = RegionFactory(code="510502")
    yibin = RegionFactory(
        code="511500", parent=sichuan, level="city", name_zh="宜宾市", name_en="Yibin"
    )
    yibin_district = RegionFactory(
        code="511502", parent=yibin, level="district", name_zh="翠屏区", name_en="Cuiping"
    )
    park = ParkFactory(
        code="OWN-PARK", name="江阳测试园区", region=jiangyang, committee_contact="张三"
    )
    foreign_park = ParkFactory(
        code="FOREIGN-PARK", name="翠屏测试园区", region=yibin_district, committee_contact="李四"
    )
    firm = {"annual_output": Decimal("12000.00"), "employees": 300}
    enterprise = EnterpriseFactory(
        serial=1,
        name="江阳测试酒业有限公司",
        region=jiangyang,
        park=park,
        industry__code="15",
        power_accounts=["0500000001"],
        **firm,
    )
    foreign_enterprise = EnterpriseFactory(
        serial=2,
        name="翠屏测试化工有限公司",
        region=yibin_district,
        park=foreign_park,
        industry__code="26",
        power_accounts=["0500000002"],
        **firm,
    )
    contact = ContactFactory(enterprise=enterprise, name="王敏", phone="13800001234")
    foreign_contact = ContactFactory(
        enterprise=foreign_enterprise, name="赵六", phone="13900005678"
    )
    start = dt.datetime(2022, 9, 8, tzinfo=TZ)
    measure = MeasureFactory(
        title="江阳区临时性静态管理", authority=luzhou, starts_at=start, regions=[jiangyang]
    )
    foreign_measure = MeasureFactory(
        title="翠屏区临时性静态管理", authority=yibin, starts_at=start, regions=[yibin_district]
    )
    department = DepartmentFactory(
        name="泸州市交通运输局", kind=DepartmentKind.TRANSPORT, region=luzhou
    )
    w = World(
        luzhou=luzhou,
        jiangyang=jiangyang,
        naxi=Region.objects.get(code="510503"),
        yibin=yibin,
        yibin_district=yibin_district,
        park=park,
        foreign_park=foreign_park,
        enterprise=enterprise,
        foreign_enterprise=foreign_enterprise,
        contact=contact,
        foreign_contact=foreign_contact,
        measure=measure,
        foreign_measure=foreign_measure,
        department=department,
    )
    scope = {
        Role.ADMIN: None,
        Role.BUREAU: luzhou,
        Role.DISTRICT: jiangyang,
        Role.PARK: park,
        Role.COMMISSIONER: enterprise,
        Role.DEPARTMENT: department,
        Role.LIAISON: enterprise,
        Role.CHECKPOINT: jiangyang,
        Role.HEALTH: luzhou,
        Role.LEADER: luzhou,
    }
    for role, target in scope.items():
        w.users[role.value] = UserFactory(username=role.value, role=role, scope=target)
    w.other_user = UserFactory(username="other", role=Role.DISTRICT, scope=yibin_district)
    return w
