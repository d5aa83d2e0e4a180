"""The enterprise registry: industries, enterprises, their contacts and power accounts."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from keepline.core.access import Access, roles
from keepline.core.fields import EncryptedTextField, mask
from keepline.core.models import Role
from keepline.places.models import Park, Region, WhitelistLevel

MAX_OUTPUT_WAN = Decimal("100000000")  # 1 trillion yuan: above this a figure is a typing error
MAX_EMPLOYEES = 1_000_000


class IndustryLevel(models.TextChoices):
    SECTION = "section", _("Section")
    DIVISION = "division", _("Division")


class Industry(models.Model):
    """A GB/T 4754-2017 section (letter) or division (two digits) of economic activity."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=IndustryLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("section"),
    )
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=160)

    access: ClassVar[Access] = Access(
        rights={"view": frozenset(Role.values), "change": roles(Role.ADMIN)}, unscoped=True
    )

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


REGISTRY_VIEWERS = roles(
    Role.ADMIN,
    Role.BUREAU,
    Role.DISTRICT,
    Role.PARK,
    Role.COMMISSIONER,
    Role.DEPARTMENT,
    Role.LIAISON,
    Role.HEALTH,
    Role.LEADER,
)
REGISTRY_RIGHTS = {
    "view": REGISTRY_VIEWERS,
    "change": roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.LIAISON),
    # May see personal fields (phone numbers) whole; each such view is audited.
    "personal": roles(
        Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.COMMISSIONER, Role.LIAISON
    ),
}


class Enterprise(models.Model):
    """An enterprise identified by its unified social credit code (统一社会信用代码)."""

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("region")
    )
    park = models.ForeignKey(
        Park,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("park"),
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        related_name="enterprises",
        verbose_name=_("industry"),
        limit_choices_to={"level": IndustryLevel.DIVISION},
    )
    above_size = models.BooleanField(_("above designated size"), default=False)
    annual_output = models.DecimalField(
        _("annual output value (10k CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_OUTPUT_WAN)],
    )
    employees = models.PositiveIntegerField(
        _("employees"), validators=[MaxValueValidator(MAX_EMPLOYEES)]
    )
    capacity_note = models.TextField(_("production capacity"), blank=True)
    # The highest level of the enterprise's listings in force, kept by keepline.whitelist's
    # services in the transaction that lists or revokes: every page and later module (problems,
    # passes, energy) reads priority from here without knowing the whitelist app.
    whitelist_level = models.CharField(
        _("whitelist"), max_length=10, choices=WhitelistLevel.choices, blank=True, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    access: ClassVar[Access] = Access(
        rights=REGISTRY_RIGHTS, region=("region",), park=("park",), enterprise=("",)
    )

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["region", "name"]),
            models.Index(fields=["industry", "name"]),
            models.Index(fields=["-annual_output"]),
        ]

    def __str__(self) -> str:
        return self.name


class EnterpriseContact(models.Model):
    """A person at an enterprise the officials call; the phone number is personal data."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("enterprise")
    )
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("position"), max_length=50, blank=True)
    phone = EncryptedTextField(_("phone"))
    is_liaison = models.BooleanField(_("liaison"), default=True)

    access: ClassVar[Access] = Access(
        rights=REGISTRY_RIGHTS,
        region=("enterprise__region",),
        park=("enterprise__park",),
        enterprise=("enterprise",),
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_liaison", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone_masked})"

    @property
    def phone_masked(self) -> str:
        return mask(self.phone)


class PowerAccount(models.Model):
    """A grid company's power account number (户号) belonging to an enterprise."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="power_accounts",
        verbose_name=_("enterprise"),
    )
    number = models.CharField(_("account number"), max_length=30, unique=True)
    # The grid's large-industry tariff (大工业用电, transformers of 315 kVA and more): the
    # "large industrial users" the power figures quote apart.
    large_industry = models.BooleanField(_("large industrial user"), default=False)

    access: ClassVar[Access] = Access(
        rights=REGISTRY_RIGHTS,
        region=("enterprise__region",),
        park=("enterprise__park",),
        enterprise=("enterprise",),
    )

    class Meta:
        verbose_name = _("power account")
        verbose_name_plural = _("power accounts")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number
