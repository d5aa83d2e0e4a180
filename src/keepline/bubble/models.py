"""Closed-loop production: enterprise modes and their dated history."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from keepline.core.access import Access, roles
from keepline.core.models import Role
from keepline.enterprises.models import REGISTRY_RIGHTS, Enterprise
from keepline.places.models import ControlMeasure


class EnterpriseMode(models.TextChoices):
    """How an enterprise works: peacetime, or one of the wartime modes (平战转换)."""

    NORMAL = "normal", _("Normal")
    CLOSED_LOOP = "closed_loop", _("Closed loop")
    SEMI_CLOSED = "semi_closed", _("Semi-closed")
    HALTED = "halted", _("Halted")
    SEASONAL_STOP = "seasonal_stop", _("Seasonal stop")


# Modes in which an enterprise produces: these count as resumed (复工).
PRODUCING = (EnterpriseMode.NORMAL, EnterpriseMode.CLOSED_LOOP, EnterpriseMode.SEMI_CLOSED)


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
        rights=REGISTRY_RIGHTS
        | {"change": roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK)},
        region=("enterprise__region",),
        park=("enterprise__park",),
        enterprise=("enterprise",),
    )

    class Meta:
        verbose_name = _("mode record")
        verbose_name_plural = _("mode records")
        ordering = ["-effective_from", "-id"]
        indexes = [models.Index(fields=["enterprise", "-effective_from", "-id"])]

    def __str__(self) -> str:
        return (
            f"{self.enterprise} · {self.get_mode_display()} · {self.effective_from:%Y-%m-%d %H:%M}"
        )
