"""Regions (GB/T 2260), industrial parks and the control measures that shut areas down."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from keepline.core.access import Access, roles
from keepline.core.models import OFFICIALS, Role


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")
    TOWN = "town", _("Town / street")


class Region(models.Model):
    """An administrative division, identified by its GB/T 2260 (or statistical town) code."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=80)
    # Codes of the ancestors and itself, "510000/510500/510502/": subtree = startswith.
    path = models.CharField(_("path"), max_length=120, unique=True, editable=False)

    access: ClassVar[Access] = Access(
        rights={"view": OFFICIALS | roles(Role.CHECKPOINT), "change": roles(Role.ADMIN)},
        region=("",),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1


class ParkLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("County")


class WhitelistLevel(models.TextChoices):
    """The level of the whitelist (白名单) an enterprise or park is on; kept on the object by
    keepline.whitelist's services so that every page and later module can read priority."""

    CITY = "city", _("City whitelist")
    PROVINCE = "province", _("Provincial whitelist")
    NATIONAL = "national", _("National whitelist")


class Park(models.Model):
    """An industrial park with its management committee (管委会)."""

    code = models.CharField(
        _("code"), max_length=30, unique=True, help_text=_("Short code used in import files.")
    )
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="parks", verbose_name=_("region")
    )
    level = models.CharField(_("level"), max_length=12, choices=ParkLevel.choices)
    committee_contact = models.CharField(_("management committee contact"), max_length=100)
    committee_phone = models.CharField(_("committee office phone"), max_length=30, blank=True)
    whitelist_level = models.CharField(
        _("whitelist"), max_length=10, choices=WhitelistLevel.choices, blank=True, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    access: ClassVar[Access] = Access(
        rights={
            "view": OFFICIALS | roles(Role.COMMISSIONER, Role.CHECKPOINT),
            "change": roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK),
        },
        region=("region",),
        park=("",),
    )

    class Meta:
        verbose_name = _("park")
        verbose_name_plural = _("parks")
        ordering = ["region__path", "name"]

    def __str__(self) -> str:
        return self.name


class MeasureKind(models.TextChoices):
    STATIC_MANAGEMENT = "static", _("Temporary static management")
    LOCKDOWN = "lockdown", _("Lockdown")
    POWER_RATIONING = "power", _("Power rationing")
    FLOOD = "flood", _("Flood")
    OTHER = "other", _("Other")


class MeasureStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    IN_FORCE = "in_force", _("In force")
    ENDED = "ended", _("Ended")


class ControlMeasure(models.Model):
    """An emergency measure over regions and parks for a period (the end may be open).

    Later modules switch enterprise modes from these: `strictness` orders overlapping measures
    (the strictest in force wins) and the period says when switching happens.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=MeasureKind.choices)
    title = models.CharField(_("title"), max_length=200)
    authority = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="issued_measures",
        verbose_name=_("issuing authority"),
        help_text=_("The region whose government decided the measure."),
    )
    regions = models.ManyToManyField(
        Region, blank=True, related_name="measures", verbose_name=_("regions covered")
    )
    parks = models.ManyToManyField(
        Park, blank=True, related_name="measures", verbose_name=_("parks covered")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    strictness = models.PositiveSmallIntegerField(
        _("strictness"),
        default=2,
        help_text=_("1 = restrictions, 2 = static management, 3 = full lockdown."),
    )
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    access: ClassVar[Access] = Access(
        rights={
            "view": OFFICIALS | roles(Role.CHECKPOINT),
            "change": roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT),
        },
        region=("authority",),
        area_region=("regions",),
        area_park=("parks",),
    )

    class Meta:
        verbose_name = _("control measure")
        verbose_name_plural = _("control measures")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="measure_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(strictness__gte=1, strictness__lte=3),
                name="measure_strictness_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def in_force_at(at: dt.datetime) -> models.Q:
        """The measures in force at `at`: started, and not yet ended."""
        return models.Q(starts_at__lte=at) & (
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=at)
        )

    def status(self, at: dt.datetime | None = None) -> MeasureStatus:
        at = at or timezone.now()
        if self.starts_at > at:
            return MeasureStatus.SCHEDULED
        if self.ends_at is not None and self.ends_at <= at:
            return MeasureStatus.ENDED
        return MeasureStatus.IN_FORCE
