"""Meter data from the grid company, and the alerts raised where reports and power disagree."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from keepline.core.access import Access, roles
from keepline.core.models import Role, User
from keepline.enterprises.models import REGISTRY_VIEWERS, Enterprise, PowerAccount
from keepline.places.models import Region

IMPORTERS = roles(Role.ADMIN, Role.BUREAU)
# Enterprises do not see the alerts raised about them: an alert is a question officials ask.
ALERT_VIEWERS = roles(
    Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.COMMISSIONER, Role.LEADER
)
ALERT_HANDLERS = roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK)

METER_ACCESS = Access(
    rights={"view": REGISTRY_VIEWERS, "change": IMPORTERS},
    region=("account__enterprise__region",),
    park=("account__enterprise__park",),
    enterprise=("account__enterprise",),
)


class ImportKind(models.TextChoices):
    DAILY = "daily", _("Daily energy")
    INTERVAL = "interval", _("Interval load")


class PowerImport(models.Model):
    """One meter-data file taken in whole: who brought it, what period it held, what it replaced."""

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"))
    accounts = models.PositiveIntegerField(_("accounts"))
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    replaced = models.PositiveIntegerField(_("rows replaced"), default=0)
    # Accounts with days missing inside the file's period: [{"account", "missing", "ranges"}].
    gaps = models.JSONField(_("gaps"), default=list)
    # The area of the importer's scope; null for an administrator (the whole system).
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("imported by"),
    )
    by_name = models.CharField(_("imported by"), max_length=150)
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    access: ClassVar[Access] = Access(
        rights={"view": IMPORTERS, "change": IMPORTERS}, region=("region",)
    )

    class Meta:
        verbose_name = _("meter-data import")
        verbose_name_plural = _("meter-data imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class DailyReading(models.Model):
    """The energy (kWh) a power account drew on one day, as the grid company metered it."""

    account = models.ForeignKey(
        # Meter history outlives edits: an account with readings cannot be removed.
        PowerAccount,
        on_delete=models.PROTECT,
        related_name="readings",
        verbose_name=_("power account"),
    )
    day = models.DateField(_("day"))
    kwh = models.FloatField(_("energy (kWh)"))
    # No index: provenance only, and every index slows the bulk load of a year of readings.
    batch = models.ForeignKey(
        PowerImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        related_name="+",
        verbose_name=_("import"),
    )

    access: ClassVar[Access] = METER_ACCESS

    class Meta:
        verbose_name = _("daily reading")
        verbose_name_plural = _("daily readings")
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="power_reading_account_day")
        ]
        indexes = [models.Index(fields=["day"], name="power_reading_day")]

    def __str__(self) -> str:
        return f"{self.account} {self.day}: {self.kwh} kWh"


class LoadProfile(models.Model):
    """An account's load shape over one day: energy per interval (15 or 60 minutes), in order."""

    account = models.ForeignKey(
        PowerAccount,
        on_delete=models.PROTECT,
        related_name="load_profiles",
        verbose_name=_("power account"),
    )
    day = models.DateField(_("day"))
    interval_minutes = models.PositiveSmallIntegerField(_("interval (minutes)"))
    kwh = models.JSONField(_("energy per interval (kWh)"))
    batch = models.ForeignKey(
        PowerImport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("import"),
    )

    access: ClassVar[Access] = METER_ACCESS

    class Meta:
        verbose_name = _("load profile")
        verbose_name_plural = _("load profiles")
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="power_profile_account_day")
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.day}"


class AlertKind(models.TextChoices):
    HALTED_WITH_POWER = "halted_with_power", _("Reported halted, power drawn")
    PRODUCING_WITHOUT_POWER = "producing_without_power", _("Reported producing, no power")
    IDLING = "idling", _("Flat load, unlike its usual shape")
    MISSING_DATA = "missing_data", _("Meter data missing")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class PowerAlert(models.Model):
    """A run of days on which an enterprise's power disagrees with what it reports, or is missing.

    `evidence` holds, per day, the energy, the baseline, the ratio and the mode reported, as the
    detection saw them.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="power_alerts",
        verbose_name=_("enterprise"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    evidence = models.JSONField(_("evidence"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    assignee = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="power_alerts",
        verbose_name=_("assigned to"),
    )
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    closed_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    detected_at = models.DateTimeField(_("detected at"))
    version = models.PositiveIntegerField(_("version"), default=1)

    access: ClassVar[Access] = Access(
        rights={"view": ALERT_VIEWERS, "change": ALERT_HANDLERS},
        region=("enterprise__region",),
        park=("enterprise__park",),
        enterprise=("enterprise",),
        # Whoever an alert is assigned to may look into it and close it.
        user=("assignee",),
        owner_actions=roles("view", "change"),
    )

    class Meta:
        verbose_name = _("power alert")
        verbose_name_plural = _("power alerts")
        ordering = ["-last_day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "first_day"], name="power_alert_run"
            )
        ]
        indexes = [models.Index(fields=["status", "-last_day"], name="power_alert_status")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_kind_display()} · {self.first_day}"
