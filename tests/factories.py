"""factory_boy factories for the rows tests build: places, industries, enterprises, departments
and users with a membership.

Regions and industries come with the migrations (GB/T 2260 codes, GB/T 4754 divisions), so their
factories look a code up before creating one: `RegionFactory(code="510502")` is Jiangyang.
Users are made through the account services, as every user is, so they are audited like one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from keepline.core import services as core_services
from keepline.core.models import Department, DepartmentKind, User
from keepline.enterprises.models import Enterprise, EnterpriseContact, Industry, PowerAccount
from keepline.places.models import ControlMeasure, Park, Region
from tests.conftest import PASSWORD, SYSTEM, TZ, make_uscc


class RegionFactory(DjangoModelFactory[Region]):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"5199{n:02d}")
    parent: Any = None
    level = "district"
    name_zh = factory.LazyAttribute(lambda o: f"测试区{o.code}")
    name_en = factory.LazyAttribute(lambda o: f"District {o.code}")
    path = factory.LazyAttribute(lambda o: f"{o.parent.path if o.parent else ''}{o.code}/")


class IndustryFactory(DjangoModelFactory[Industry]):
    """A GB/T 4754 division; the default, 15, is liquor, beverages and refined tea."""

    class Meta:
        model = Industry
        django_get_or_create = ("code",)

    code = "15"


class ParkFactory(DjangoModelFactory[Park]):
    class Meta:
        model = Park

    code = factory.Sequence(lambda n: f"TEST-PARK-{n}")
    name = factory.Sequence(lambda n: f"测试园区{n}")
    region = factory.SubFactory(RegionFactory, code="510502")
    level = "city"
    committee_contact = "张三"


class EnterpriseFactory(DjangoModelFactory[Enterprise]):
    """An above-size enterprise in Jiangyang; `serial` makes its credit code (and default name),
    `power_accounts` lists the numbers of its electricity accounts."""

    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    class Params:
        serial = factory.Sequence(lambda n: 900_000 + n)

    uscc = factory.LazyAttribute(lambda o: make_uscc(o.serial, o.region.code[:6]))
    name = factory.LazyAttribute(lambda o: f"测试企业{o.serial}")
    region = factory.SubFactory(RegionFactory, code="510502")
    park: Any = None
    industry = factory.SubFactory(IndustryFactory)
    above_size = True
    annual_output = Decimal("1000")
    employees = 300

    @factory.post_generation
    def power_accounts(obj: Enterprise, create: bool, extracted: Any, **kwargs: Any) -> None:
        for number in extracted or ():
            PowerAccount.objects.create(enterprise=obj, number=number)


class ContactFactory(DjangoModelFactory[EnterpriseContact]):
    class Meta:
        model = EnterpriseContact

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = "王敏"
    phone = "13800001234"


class MeasureFactory(DjangoModelFactory[ControlMeasure]):
    """Static management from 8 September 2022 over `regions` (and `parks`)."""

    class Meta:
        model = ControlMeasure
        skip_postgeneration_save = True

    kind = "static"
    title = factory.Sequence(lambda n: f"临时性静态管理{n}")
    authority = factory.SubFactory(RegionFactory, code="510500")
    starts_at = dt.datetime(2022, 9, 8, tzinfo=TZ)

    @factory.post_generation
    def regions(obj: ControlMeasure, create: bool, extracted: Any, **kwargs: Any) -> None:
        if extracted:
            obj.regions.set(extracted)

    @factory.post_generation
    def parks(obj: ControlMeasure, create: bool, extracted: Any, **kwargs: Any) -> None:
        if extracted:
            obj.parks.set(extracted)


class DepartmentFactory(DjangoModelFactory[Department]):
    class Meta:
        model = Department

    name = "泸州市交通运输局"
    kind = DepartmentKind.TRANSPORT
    region = factory.SubFactory(RegionFactory, code="510500")


class UserFactory(DjangoModelFactory[User]):
    """A user signed up by the system with the tests' password; `role` (with `scope`, the
    region, park, enterprise or department it covers) gives one membership."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role: Any = None
    scope: Any = None

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        role, scope = kwargs.pop("role"), kwargs.pop("scope")
        user = core_services.create_user(actor=SYSTEM, password=PASSWORD, **kwargs)
        if role is not None:
            core_services.add_membership(actor=SYSTEM, user=user, role=role, target=scope)
        return user
