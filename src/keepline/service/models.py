"""The service network: who covers which area, enterprise or key project, the visits cadres make,
and the working groups sent to supervise.

Coverage and visibility: what a person may *see* comes from their core memberships alone,
through `keepline.core.scopes.visible`. Covering an enterprise (包联) or a key project (首席服务官)
therefore grants the coverer a commissioner membership over that enterprise, and ending the last
open coverage that needs it takes it away again, so a commissioner's enterprises, problems and
reports are reached through the one visibility function. A membership an administrator granted
by hand is never taken away by coverage. Area coverage (领导包片) grants nothing: leaders and
officials hold their region or park memberships from the administrator.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from keepline.core.access import Access, roles
from keepline.core.models import Membership, Role, User
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.problems.models import Problem

# Who arranges the network in their own area.
ARRANGERS = roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK)
NETWORK_VIEWERS = roles(
    Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.LEADER, Role.COMMISSIONER
)


class KeyProject(models.Model):
    """A key project (重点项目) that a chief service officer follows."""

    name = models.CharField(_("name"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        related_name="key_projects",
        verbose_name=_("enterprise"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    access: ClassVar[Access] = Access(
        rights={"view": NETWORK_VIEWERS, "change": ARRANGERS},
        region=("region", "enterprise__region"),
        park=("enterprise__park",),
        enterprise=("enterprise",),
    )

    class Meta:
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="keyproject_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class CoverageKind(models.TextChoices):
    AREA = "area", _("Leader covering an area (包片)")
    ENTERPRISE = "enterprise", _("Commissioner covering an enterprise (包联)")
    PROJECT = "project", _("Chief service officer of a key project (首席服务官)")


class Coverage(models.Model):
    """One person covering one region, park, enterprise or key project from `since` to `until`."""

    kind = models.CharField(_("kind"), max_length=12, choices=CoverageKind.choices)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="coverages", verbose_name=_("covered by")
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    park = models.ForeignKey(
        Park, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("park")
    )
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("enterprise")
    )
    project = models.ForeignKey(
        KeyProject, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("key project")
    )
    since = models.DateField(_("since"))
    # The last day covered; empty while the coverage lasts.
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The membership this coverage granted, to be taken away when no open coverage needs it.
    granted_membership = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted membership"),
    )
    assigned_by = models.CharField(_("assigned by"), max_length=150)
    ended_by = models.CharField(_("ended by"), max_length=150, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    access: ClassVar[Access] = Access(
        rights={"view": NETWORK_VIEWERS, "change": ARRANGERS},
        region=("region", "park__region", "enterprise__region", "project__region"),
        park=("park", "enterprise__park", "project__enterprise__park"),
        # No enterprise lookup: a commissioner sees their own coverage, never others'.
        user=("user",),
        owner_actions=roles("view"),
    )

    class Meta:
        verbose_name = _("coverage assignment")
        verbose_name_plural = _("coverage assignments")
        ordering = ["-since", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(region__isnull=False, park=None, enterprise=None, project=None)
                    | Q(region=None, park__isnull=False, enterprise=None, project=None)
                    | Q(region=None, park=None, enterprise__isnull=False, project=None)
                    | Q(region=None, park=None, enterprise=None, project__isnull=False)
                ),
                name="coverage_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="coverage_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.target}"

    @property
    def target(self) -> Region | Park | Enterprise | KeyProject | None:
        return self.region or self.park or self.enterprise or self.project


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# An enterprise's liaison sees the visits made to it (the done list), not what is planned.
VISIT_VIEWERS = NETWORK_VIEWERS | roles(Role.LIAISON)
VISITORS = ARRANGERS | roles(Role.COMMISSIONER)


class Visit(models.Model):
    """A cadre's visit to an enterprise: planned, then done with findings, or cancelled."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="visits", verbose_name=_("enterprise")
    )
    visitor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="visits", verbose_name=_("visitor")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    purpose = models.TextField(_("purpose"), blank=True)
    planned_for = models.DateField(_("planned date"), null=True, blank=True)
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    # Others who went along, by name: not all of them sign in to Keepline.
    companions = models.CharField(_("went with"), max_length=300, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    # Problems of the enterprise raised or followed up at this visit.
    problems = models.ManyToManyField(
        Problem, related_name="visits", blank=True, verbose_name=_("problems")
    )
    created_by = models.CharField(_("recorded by"), max_length=150)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    access: ClassVar[Access] = Access(
        rights={"view": VISIT_VIEWERS, "plan": NETWORK_VIEWERS, "change": VISITORS},
        region=("enterprise__region",),
        park=("enterprise__park",),
        enterprise=("enterprise",),
        user=("visitor",),
        owner_actions=roles("view", "plan", "change"),
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-planned_for", "-visited_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(visited_at__isnull=False),
                name="visit_done_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="planned") | Q(planned_for__isnull=False),
                name="visit_planned_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visitor} → {self.enterprise}"


WORKING_GROUP_MANAGERS = roles(Role.ADMIN, Role.BUREAU)


class WorkingGroup(models.Model):
    """A working group (工作组) sent to supervise areas for a period, with a leader and members."""

    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    authority = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sent by"),
        help_text=_("The region whose task force sent the group."),
    )
    leader = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="led_groups", verbose_name=_("leader")
    )
    members = models.ManyToManyField(
        User, related_name="working_groups", blank=True, verbose_name=_("members")
    )
    regions = models.ManyToManyField(
        Region, related_name="+", blank=True, verbose_name=_("regions")
    )
    parks = models.ManyToManyField(Park, related_name="+", blank=True, verbose_name=_("parks"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_by = models.CharField(_("created by"), max_length=150)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    access: ClassVar[Access] = Access(
        rights={"view": NETWORK_VIEWERS, "change": WORKING_GROUP_MANAGERS},
        region=("authority",),
        # The areas it supervises see it too, down to the districts under a supervised city.
        area_region=("regions", "parks__region"),
        area_park=("parks",),
        user=("leader", "members"),
        owner_actions=roles("view"),
    )

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="workinggroup_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name
