"""A small world for tests: every role holds a scope in Jiangyang (own); Yibin is foreign to all."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from stdnum.cn import uscc as stdnum_uscc

from keepline.core import services as core_services
from keepline.core.models import Department, DepartmentKind, Role, User
from keepline.core.scopes import SystemActor
from keepline.enterprises.models import Enterprise, EnterpriseContact, Industry, PowerAccount
from keepline.places.models import ControlMeasure, Park, Region

PASSWORD = "correct-horse-battery-staple"
SYSTEM = SystemActor("test")
ROLES = [r.value for r in Role]
TZ = dt.timezone(dt.timedelta(hours=8))


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


def _region(code: str, parent: Region, level: str, zh: str, en: str) -> Region:
    return Region.objects.create(
        code=code, parent=parent, level=level, name_zh=zh, name_en=en, path=f"{parent.path}{code}/"
    )


def _enterprise(n: int, name: str, region: Region, park: Park, industry: str) -> Enterprise:
    enterprise = Enterprise.objects.create(
        uscc=make_uscc(n, region.code),
        name=name,
        region=region,
        park=park,
        industry=Industry.objects.get(code=industry),
        above_size=True,
        annual_output=Decimal("12000.00"),
        employees=300,
    )
    PowerAccount.objects.create(enterprise=enterprise, number=f"05{n:08d}")
    return enterprise


@pytest.fixture
def world(db: Any) -> World:
    sichuan = Region.objects.get(code="510000")
    luzhou = Region.objects.get(code="510500")
    jiangyang = Region.objects.get(code="510502")
    yibin = _region("511500", sichuan, "city", "宜宾市", "Yibin")
    yibin_district = _region("511502", yibin, "district", "翠屏区", "Cuiping")
    park = Park.objects.create(
        code="OWN-PARK",
        name="江阳测试园区",
        region=jiangyang,
        level="city",
        committee_contact="张三",
    )
    foreign_park = Park.objects.create(
        code="FOREIGN-PARK",
        name="翠屏测试园区",
        region=yibin_district,
        level="city",
        committee_contact="李四",
    )
    enterprise = _enterprise(1, "江阳测试酒业有限公司", jiangyang, park, "15")
    foreign_enterprise = _enterprise(2, "翠屏测试化工有限公司", yibin_district, foreign_park, "26")
    contact = EnterpriseContact.objects.create(
        enterprise=enterprise, name="王敏", phone="13800001234"
    )
    foreign_contact = EnterpriseContact.objects.create(
        enterprise=foreign_enterprise, name="赵六", phone="13900005678"
    )
    start = dt.datetime(2022, 9, 8, tzinfo=TZ)
    measure = ControlMeasure.objects.create(
        kind="static", title="江阳区临时性静态管理", authority=luzhou, starts_at=start
    )
    measure.regions.set([jiangyang])
    foreign_measure = ControlMeasure.objects.create(
        kind="static", title="翠屏区临时性静态管理", authority=yibin, starts_at=start
    )
    foreign_measure.regions.set([yibin_district])
    department = Department.objects.create(
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
        user = core_services.create_user(actor=SYSTEM, username=role.value, password=PASSWORD)
        core_services.add_membership(actor=SYSTEM, user=user, role=role, target=target)
        w.users[role.value] = user
    w.other_user = core_services.create_user(actor=SYSTEM, username="other", password=PASSWORD)
    core_services.add_membership(
        actor=SYSTEM, user=w.other_user, role=Role.DISTRICT, target=yibin_district
    )
    return w
