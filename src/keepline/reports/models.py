"""Daily reports (日报) of enterprises, their deadlines and chases, and resumption targets."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from keepline.bubble.models import EnterpriseMode
from keepline.core.access import Access, roles
from keepline.core.models import OFFICIALS, Role, User
from keepline.enterprises.models import REGISTRY_VIEWERS, Enterprise
from keepline.places.models import Park, Region

MAX_CAPACITY_USE = Decimal(150)  # % of rated capacity: overtime shifts can pass 100, not 150
MAX_STOCK_DAYS = Decimal(3650)
CHASERS = roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK)

REPORT_ACCESS = Access(
    rights={
        "view": REGISTRY_VIEWERS,
        "change": roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.LIAISON),
    },
    region=("enterprise__region",),
    park=("enterprise__park",),
    enterprise=("enterprise",),
)


class ReportChannel(models.TextChoices):
    FORM = "form", _("Form")
    API = "api", _("API")
    IMPORT = "import", _("Excel import")


class DailyReport(models.Model):
    """An enterprise's daily report for one date: mode, staff, output, capacity and stock."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="daily_reports",
        verbose_name=_("enterprise"),
    )
    date = models.DateField(_("date"))
    mode = models.CharField(_("mode reported"), max_length=16, choices=EnterpriseMode.choices)
    staff_on_site = models.PositiveIntegerField(_("staff on site"))
    staff_inside = models.PositiveIntegerField(_("staff living inside the loop"))
    output_value = models.DecimalField(
        _("output value today (10k CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    capacity_use = models.DecimalField(
        _("capacity use (%)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_CAPACITY_USE)],
    )
    raw_material_days = models.DecimalField(
        _("days of raw-material stock"), max_digits=6, decimal_places=1
    )
    finished_goods_days = models.DecimalField(
        _("days of finished-goods stock"), max_digits=6, decimal_places=1
    )
    problems = models.TextField(_("problems"), blank=True)
    via = models.CharField(_("submitted through"), max_length=10, choices=ReportChannel.choices)
    submitted_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_by_name = models.CharField(_("submitted by"), max_length=150)
    submitted_at = models.DateTimeField(_("last submitted"))
    first_submitted_at = models.DateTimeField(_("first submitted"))
    # Judged on the first submission against the deadline that applies to the enterprise's
    # region; kept up to date when a deadline for the date is set or removed.
    late = models.BooleanField(_("late"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    access: ClassVar[Access] = REPORT_ACCESS

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["-date", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "date"], name="report_one_per_day"),
            models.CheckConstraint(
                condition=models.Q(staff_inside__lte=models.F("staff_on_site")),
                name="report_inside_within_on_site",
            ),
        ]
        indexes = [models.Index(fields=["date", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.date:%Y-%m-%d}"


class ReportDeadline(models.Model):
    """The time of day by which the enterprises of a region must report for one date."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="report_deadlines", verbose_name=_("region")
    )
    date = models.DateField(_("date"))
    due_time = models.TimeField(_("due time"))
    set_by_name = models.CharField(_("set by"), max_length=150)
    set_at = models.DateTimeField(_("set"))

    # Everyone below the region sees the deadline that binds them; only officials over the
    # region itself may change it.
    access: ClassVar[Access] = Access(
        rights={
            "view": OFFICIALS,
            "change": roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT),
        },
        region=("region",),
        area_region=("region",),
    )

    class Meta:
        verbose_name = _("report deadline")
        verbose_name_plural = _("report deadlines")
        ordering = ["-date", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "date"], name="deadline_one_per_region_day")
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.date:%Y-%m-%d} {self.due_time:%H:%M}"


class ReportChase(models.Model):
    """Officials asking an enterprise that has not reported for a date to report (催报)."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="report_chases",
        verbose_name=_("enterprise"),
    )
    date = models.DateField(_("report date"))
    times = models.PositiveIntegerField(_("times asked"), default=1)
    first_chased_at = models.DateTimeField(_("first asked"))
    last_chased_at = models.DateTimeField(_("last asked"))
    last_chased_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last asked by"),
    )
    last_chased_by_name = models.CharField(_("last asked by"), max_length=150)

    access: ClassVar[Access] = Access(
        rights={"view": REGISTRY_VIEWERS, "change": CHASERS},
        region=("enterprise__region",),
        park=("enterprise__park",),
        enterprise=("enterprise",),
    )

    class Meta:
        verbose_name = _("report chase")
        verbose_name_plural = _("report chases")
        ordering = ["-date", "-last_chased_at"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "date"], name="chase_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.date:%Y-%m-%d}"


class TargetBasis(models.TextChoices):
    COUNT = "count", _("by count of enterprises")
    OUTPUT = "output", _("by annual output value")


class ResumptionTarget(models.Model):
    """A dated resumption goal for an area, e.g. "over 90% by 15 February" (复工率目标)."""

    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resumption_targets",
        verbose_name=_("region"),
    )
    park = models.ForeignKey(
        Park,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resumption_targets",
        verbose_name=_("park"),
    )
    date = models.DateField(_("by date"))
    rate = models.DecimalField(
        _("target rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    basis = models.CharField(
        _("basis"), max_length=10, choices=TargetBasis.choices, default=TargetBasis.COUNT
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_by_name = models.CharField(_("set by"), max_length=150)
    set_at = models.DateTimeField(_("set"))

    # The figures are the officials' view; a target over a region reaches those below it.
    access: ClassVar[Access] = Access(
        rights={"view": OFFICIALS, "change": CHASERS},
        region=("region", "park__region"),
        park=("park",),
        area_region=("region",),
    )

    class Meta:
        verbose_name = _("resumption target")
        verbose_name_plural = _("resumption targets")
        ordering = ["date", "basis", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=True, park__isnull=False)
                | models.Q(region__isnull=False, park__isnull=True),
                name="target_one_area",
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gte=0, rate__lte=100), name="target_rate_range"
            ),
            models.UniqueConstraint(
                fields=["region", "date", "basis"],
                condition=models.Q(park__isnull=True),
                name="target_one_per_region_day",
            ),
            models.UniqueConstraint(
                fields=["park", "date", "basis"],
                condition=models.Q(region__isnull=True),
                name="target_one_per_park_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.park or self.region} · {self.rate}% · {self.date:%Y-%m-%d}"
