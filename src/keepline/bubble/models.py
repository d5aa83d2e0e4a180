"""Closed-loop production: plans (一企一策, 一园一策), enterprise modes and their dated history,
the switching of modes when a control measure starts and ends, and liaisons' change requests."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from keepline.core.access import Access, roles
from keepline.core.models import Role
from keepline.enterprises.models import REGISTRY_RIGHTS, REGISTRY_VIEWERS, Enterprise
from keepline.places.models import ControlMeasure, Park, Region


class EnterpriseMode(models.TextChoices):
    """How an enterprise works: peacetime, or one of the wartime modes (平战转换)."""

    NORMAL = "normal", _("Normal")
    CLOSED_LOOP = "closed_loop", _("Closed loop")
    SEMI_CLOSED = "semi_closed", _("Semi-closed")
    HALTED = "halted", _("Halted")
    SEASONAL_STOP = "seasonal_stop", _("Seasonal stop")


# Modes in which an enterprise produces: these count as resumed (复工).
PRODUCING = (EnterpriseMode.NORMAL, EnterpriseMode.CLOSED_LOOP, EnterpriseMode.SEMI_CLOSED)

MODE_CHANGERS = roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK)
# Plans and change requests are decided by the park committee for an enterprise in a park, and
# by the district for any other enterprise and for a park's own plan.
DECIDERS = roles(Role.ADMIN, Role.DISTRICT, Role.PARK)


class ModeRecord(models.Model):
    """From `effective_from` on, the enterprise works in `mode`: who decided it, and why.

    The mode at any time is the latest record effective by then; with no record, normal.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="mode_records",
        verbose_name=_("enterprise"),
    )
    mode = models.CharField(_("mode"), max_length=16, choices=EnterpriseMode.choices)
    effective_from = models.DateTimeField(_("effective from"))
    reason = models.CharField(_("reason"), max_length=300)
    measure = models.ForeignKey(
        ControlMeasure,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mode_records",
        verbose_name=_("control measure"),
    )
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    access: ClassVar[Access] = Access(
        rights=REGISTRY_RIGHTS | {"change": MODE_CHANGERS},
        region=("enterprise__region",),
        park=("enterprise__park",),
        enterprise=("enterprise",),
    )

    class Meta:
        verbose_name = _("mode record")
        verbose_name_plural = _("mode records")
        ordering = ["-effective_from", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "-effective_from", "-id"]),
            # The day-before figures look only at records effective within the last day.
            models.Index(fields=["effective_from"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.enterprise} · {self.get_mode_display()} · {self.effective_from:%Y-%m-%d %H:%M}"
        )


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


OPEN_PLAN = [PlanStatus.DRAFT, PlanStatus.SUBMITTED]


class ClosedLoopPlan(models.Model):
    """One version of a closed-loop plan: 一企一策 for an enterprise, or 一园一策 for a park.

    A version is written as a draft and frozen when submitted; the next change is a new version.
    The latest approved version that passes every readiness rule gives closed-loop
    qualification until its review date.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closed_loop_plans",
        verbose_name=_("enterprise"),
    )
    park = models.ForeignKey(
        Park,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closed_loop_plans",
        verbose_name=_("park"),
    )
    number = models.PositiveIntegerField(_("version number"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    # The boundary can be sealed (边界可封).
    perimeter_sealable = models.BooleanField(_("perimeter can be sealed"), default=False)
    gates = models.PositiveSmallIntegerField(_("gates"), default=0)
    guard_posts = models.PositiveSmallIntegerField(_("guard posts"), default=0)
    # Food and lodging can be guaranteed (食宿可保).
    staff_inside = models.PositiveIntegerField(_("staff living inside"), default=0)
    beds = models.PositiveIntegerField(_("beds"), default=0)
    meals_per_day = models.PositiveIntegerField(_("meals per day (capacity)"), default=0)
    # Stock is usable (备货可用).
    raw_material_days = models.PositiveSmallIntegerField(_("days of raw materials"), default=0)
    finished_goods_days = models.PositiveSmallIntegerField(
        _("days of finished-goods storage"), default=0
    )
    key_inputs = models.TextField(_("key inputs"), blank=True)
    isolation_rooms = models.PositiveSmallIntegerField(_("isolation rooms"), default=0)
    on_site_sampling = models.BooleanField(_("on-site sampling"), default=False)
    sampling_points = models.PositiveSmallIntegerField(_("sampling points"), default=0)
    reduced_staff_plan = models.TextField(_("reduced-staff plan"), blank=True)
    alternative_logistics = models.TextField(_("alternative logistics"), blank=True)
    review_date = models.DateField(_("review date"), null=True, blank=True)
    # Whether every readiness rule passes; written by the service from the stored fields, so
    # that qualification is one query for any number of enterprises.
    ready = models.BooleanField(_("ready"), default=False, editable=False)
    # Who decides, fixed when submitted: the park for an enterprise in a park, else the region.
    review_region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewing region"),
    )
    review_park = models.ForeignKey(
        Park,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewing park"),
    )
    created_by = models.CharField(_("written by"), max_length=150)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_by = models.CharField(_("submitted by"), max_length=150, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    access: ClassVar[Access] = Access(
        rights=REGISTRY_RIGHTS,
        region=("enterprise__region", "park__region"),
        park=("enterprise__park", "park"),
        enterprise=("enterprise",),
    )

    class Meta:
        verbose_name = _("closed-loop plan")
        verbose_name_plural = _("closed-loop plans")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=True) ^ models.Q(park__isnull=True),
                name="plan_for_enterprise_or_park",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "number"], name="plan_enterprise_number_unique"
            ),
            models.UniqueConstraint(fields=["park", "number"], name="plan_park_number_unique"),
            # One version at a time is being written or reviewed.
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(status__in=OPEN_PLAN),
                name="plan_enterprise_one_open",
            ),
            models.UniqueConstraint(
                fields=["park"],
                condition=models.Q(status__in=OPEN_PLAN),
                name="plan_park_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "status", "-number"]),
            models.Index(fields=["status", "review_region"]),
            models.Index(fields=["status", "review_park"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · v{self.number}"

    @property
    def subject(self) -> Enterprise | Park:
        return self.enterprise if self.enterprise is not None else self.park  # type: ignore[return-value]


class PlanReview(ClosedLoopPlan):
    """A plan as its deciding official reaches it: through the park that reviews it, or the
    region when the enterprise is in no park (and for a park's own plan)."""

    access: ClassVar[Access] = Access(
        rights={"view": DECIDERS}, region=("review_region",), park=("review_park",)
    )

    class Meta:
        proxy = True
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")


class MeasureSwitch(models.Model):
    """The one confirmation that switched the enterprises of a control measure's area (平战转换),
    and, once the measure's modes are ended, the date they returned."""

    measure = models.OneToOneField(
        ControlMeasure,
        on_delete=models.PROTECT,
        related_name="mode_switch",
        verbose_name=_("control measure"),
    )
    effective_at = models.DateTimeField(_("effective from"))
    confirmed_by = models.CharField(_("confirmed by"), max_length=150)
    confirmed_at = models.DateTimeField(_("confirmed"))
    switched = models.PositiveIntegerField(_("enterprises switched"))
    return_at = models.DateTimeField(_("return to normal"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=150, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    returned = models.PositiveIntegerField(_("enterprises returned"), null=True, blank=True)

    access: ClassVar[Access] = Access(
        rights={
            "view": roles(
                Role.ADMIN,
                Role.BUREAU,
                Role.DISTRICT,
                Role.PARK,
                Role.DEPARTMENT,
                Role.HEALTH,
                Role.LEADER,
            ),
            "change": MODE_CHANGERS,
        },
        region=("measure__authority",),
        area_region=("measure__regions",),
        area_park=("measure__parks",),
    )

    class Meta:
        verbose_name = _("mode switch")
        verbose_name_plural = _("mode switches")
        ordering = ["-effective_at", "-id"]

    def __str__(self) -> str:
        return str(self.measure)


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ModeChangeRequest(models.Model):
    """An enterprise liaison's request to work in another mode, and the official's decision."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="mode_requests",
        verbose_name=_("enterprise"),
    )
    current_mode = models.CharField(
        _("mode when asked"), max_length=16, choices=EnterpriseMode.choices
    )
    requested_mode = models.CharField(
        _("requested mode"), max_length=16, choices=EnterpriseMode.choices
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.CharField(_("requested by"), max_length=150)
    requested_at = models.DateTimeField(_("requested"))
    review_region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewing region"),
    )
    review_park = models.ForeignKey(
        Park,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewing park"),
    )
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    mode_record = models.OneToOneField(
        ModeRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="change_request",
        verbose_name=_("resulting mode record"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    access: ClassVar[Access] = Access(
        rights={"view": REGISTRY_VIEWERS, "create": roles(Role.ADMIN, Role.LIAISON)},
        region=("enterprise__region",),
        park=("enterprise__park",),
        enterprise=("enterprise",),
    )

    class Meta:
        verbose_name = _("mode change request")
        verbose_name_plural = _("mode change requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(status="pending"),
                name="mode_request_one_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "review_region"]),
            models.Index(fields=["status", "review_park"]),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.get_requested_mode_display()}"


class ModeRequestReview(ModeChangeRequest):
    """A change request as its deciding official reaches it (see `PlanReview`)."""

    access: ClassVar[Access] = Access(
        rights={"view": DECIDERS}, region=("review_region",), park=("review_park",)
    )

    class Meta:
        proxy = True
        verbose_name = _("mode request review")
        verbose_name_plural = _("mode request reviews")
