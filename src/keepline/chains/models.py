"""Supply chains (稳链): which enterprise supplies which and with what, the industry chains with
their chain leaders (链主), and the lockdown scenarios run over that network: who runs dry and
when, what output is lost, and which enterprises are worth keeping running.

The network is what customers report: a supplier, the product and its sector (an industry code),
the share of the customer's need for that sector the supplier covers and the days of stock the
customer holds. Suppliers of the same sector to one customer pool as substitutes in the model
(`keepline.chains.propagation`, documented in docs/propagation.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keepline.core.access import Access, roles
from keepline.core.models import Role
from keepline.enterprises.models import Enterprise, Industry
from keepline.places.models import ControlMeasure, Park, Region

# Who keeps the network: officials over their area. A liaison sees the links of its enterprise.
NETWORK_EDITORS = roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK)
NETWORK_VIEWERS = roles(
    Role.ADMIN,
    Role.BUREAU,
    Role.DISTRICT,
    Role.PARK,
    Role.DEPARTMENT,
    Role.LEADER,
    Role.COMMISSIONER,
    Role.LIAISON,
)
# Scenarios are the task force's: the bureau and the districts run them, leaders read them.
SCENARIO_EDITORS = roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT)
SCENARIO_VIEWERS = roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.LEADER)

MAX_DAYS = 120


class SupplyLink(models.Model):
    """One enterprise supplying another with a product of a sector, as the customer reports it."""

    supplier = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="supplies",
        verbose_name=_("supplier"),
    )
    customer = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="supplied_by",
        verbose_name=_("customer"),
    )
    product = models.CharField(_("product"), max_length=100)
    sector = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sector"),
        help_text=_(
            "The industry of the product; suppliers of one sector can stand in for each other."
        ),
    )
    share = models.DecimalField(
        _("share of the customer's need"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
        help_text=_(
            "The part of the customer's need for this sector that this supplier covers (0–1)."
        ),
    )
    stock_days = models.DecimalField(
        _("stock (days)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("365"))],
        help_text=_("How many days the customer can keep producing on its stock of this input."),
    )
    substitutes = models.BooleanField(
        _("substitutes exist"),
        default=False,
        help_text=_("Other suppliers could deliver this product if this one stopped."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Either end in scope reaches the link: both enterprises see how they are tied.
    access: ClassVar[Access] = Access(
        rights={"view": NETWORK_VIEWERS, "change": NETWORK_EDITORS},
        region=("supplier__region", "customer__region"),
        park=("supplier__park", "customer__park"),
        enterprise=("supplier", "customer"),
    )

    class Meta:
        verbose_name = _("supply link")
        verbose_name_plural = _("supply links")
        ordering = ["customer__name", "sector__code", "supplier__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "customer", "product"], name="supplylink_unique_product"
            ),
            models.CheckConstraint(
                condition=~models.Q(supplier=models.F("customer")),
                name="supplylink_not_self",
            ),
            models.CheckConstraint(
                condition=models.Q(share__gt=0, share__lte=1), name="supplylink_share_range"
            ),
            models.CheckConstraint(
                condition=models.Q(stock_days__gte=0, stock_days__lte=365),
                name="supplylink_stock_range",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "sector"]),
            models.Index(fields=["supplier", "customer"]),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} → {self.customer}: {self.product}"


class IndustryChain(models.Model):
    """An industry chain a government follows (白酒产业链), with its chain leader (链主)."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="industry_chains",
        verbose_name=_("kept by"),
        help_text=_("The city or district whose task force follows the chain."),
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("main industry"),
    )
    leader = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_chains",
        verbose_name=_("chain leader"),
    )
    description = models.TextField(_("description"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Districts see the city's chains (the area above them), as they see the city's measures;
    # a liaison sees the chains its enterprise belongs to.
    access: ClassVar[Access] = Access(
        rights={"view": NETWORK_VIEWERS, "change": NETWORK_EDITORS},
        region=("region",),
        area_region=("region",),
        enterprise=("leader", "members__enterprise"),
    )

    class Meta:
        verbose_name = _("industry chain")
        verbose_name_plural = _("industry chains")
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="chain_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ChainMember(models.Model):
    """An enterprise in an industry chain, at one of its segments (环节: grain, glass bottles…)."""

    chain = models.ForeignKey(
        IndustryChain, on_delete=models.CASCADE, related_name="members", verbose_name=_("chain")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="chain_memberships",
        verbose_name=_("enterprise"),
    )
    segment = models.CharField(_("segment"), max_length=50)

    access: ClassVar[Access] = Access(
        rights={"view": NETWORK_VIEWERS, "change": NETWORK_EDITORS},
        region=("chain__region",),
        area_region=("chain__region",),
        enterprise=("enterprise",),
    )

    class Meta:
        verbose_name = _("chain member")
        verbose_name_plural = _("chain members")
        ordering = ["chain", "segment", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "enterprise"], name="chainmember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.chain}: {self.enterprise} ({self.segment})"


class ScenarioSource(models.TextChoices):
    MEASURES = "measures", _("Control measures in force")
    WHAT_IF = "what_if", _("What-if")


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", _("Not run yet")
    DONE = "done", pgettext_lazy("scenario status", "Run")
    STALE = "stale", _("Changed since the last run")


class Scenario(models.Model):
    """A lockdown scenario over the supply network: areas shut for dates at a strictness, run
    day by day to see who runs dry, what output is lost, and whom to keep running."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kept by"),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=ScenarioSource.choices, default=ScenarioSource.WHAT_IF
    )
    starts_on = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(
        _("days modelled"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DAYS)],
    )
    closed_loop_share = models.DecimalField(
        _("closed-loop capacity"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.70"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_(
            "Share of normal output a closed-loop enterprise keeps, unless its report says."
        ),
    )
    semi_closed_share = models.DecimalField(
        _("semi-closed capacity"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_(
            "Share of normal output a semi-closed enterprise keeps, unless its report says."
        ),
    )
    headroom = models.DecimalField(
        _("spare capacity"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("How much more than normal an unaffected supplier can make for new customers."),
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT
    )
    created_by = models.CharField(_("created by"), max_length=150)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    ran_by = models.CharField(_("run by"), max_length=150, blank=True)
    ran_at = models.DateTimeField(_("last run"), null=True, blank=True)
    run_seconds = models.FloatField(_("run time (s)"), null=True, blank=True)
    enterprises = models.PositiveIntegerField(_("enterprises modelled"), default=0)
    links = models.PositiveIntegerField(_("links modelled"), default=0)
    total_loss = models.DecimalField(
        _("lost output (10k CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    direct_loss = models.DecimalField(
        _("direct loss (10k CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    indirect_loss = models.DecimalField(
        _("indirect loss (10k CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    at_risk = models.PositiveIntegerField(_("running dry"), null=True, blank=True)
    # The whole network's output by day as a share of normal (weighted by normal output), as the
    # last run left it.
    index = models.JSONField(_("production index by day"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    # Districts see the city's scenarios, as they see the city's measures.
    access: ClassVar[Access] = Access(
        rights={"view": SCENARIO_VIEWERS, "change": SCENARIO_EDITORS},
        region=("region",),
        area_region=("region",),
    )

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class ScenarioArea(models.Model):
    """A region or park shut in a scenario from one day to another at a strictness."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="areas", verbose_name=_("scenario")
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    park = models.ForeignKey(
        Park,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("park"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (inclusive)"))
    strictness = models.PositiveSmallIntegerField(
        _("strictness"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("1 = restrictions, 2 = static management, 3 = full lockdown."),
    )
    measure = models.ForeignKey(
        ControlMeasure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from the measure"),
    )

    access: ClassVar[Access] = Access(
        rights={"view": SCENARIO_VIEWERS, "change": SCENARIO_EDITORS},
        region=("scenario__region",),
        area_region=("scenario__region",),
    )

    class Meta:
        verbose_name = _("scenario area")
        verbose_name_plural = _("scenario areas")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=True) ^ models.Q(park__isnull=True),
                name="scenarioarea_region_xor_park",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="scenarioarea_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return str(self.region or self.park)


class RecoveryTime(models.Model):
    """How many days an enterprise needs to recover its supply once disrupted (time to recover),
    entered for a scenario; it is flagged when it would run dry sooner."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="recoveries", verbose_name=_("scenario")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="+", verbose_name=_("enterprise")
    )
    days = models.PositiveSmallIntegerField(
        _("time to recover (days)"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    access: ClassVar[Access] = Access(
        rights={"view": SCENARIO_VIEWERS, "change": SCENARIO_EDITORS},
        region=("scenario__region",),
        area_region=("scenario__region",),
    )

    class Meta:
        verbose_name = _("time to recover")
        verbose_name_plural = _("times to recover")
        constraints = [
            models.UniqueConstraint(fields=["scenario", "enterprise"], name="recovery_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise}: {self.days}"


class ScenarioResult(models.Model):
    """One enterprise's outcome in a scenario's last run: its production day by day, the day it
    runs dry and for want of which input, and the output it loses."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="results", verbose_name=_("scenario")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="+", verbose_name=_("enterprise")
    )
    in_area = models.BooleanField(_("inside the shut area"))
    lost = models.DecimalField(_("lost output (10k CNY)"), max_digits=14, decimal_places=2)
    dry_day = models.PositiveSmallIntegerField(
        _("runs dry on day"),
        null=True,
        blank=True,
        help_text=_("The first day an input runs out; the time to survive is the days before it."),
    )
    scarce = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("input that runs out"),
    )
    lowest = models.DecimalField(_("lowest production"), max_digits=4, decimal_places=3)
    ratios = models.JSONField(_("production by day"), default=list)

    # A result row is about one enterprise: it is read where the enterprise is in scope, and only
    # by those who may read the scenario.
    access: ClassVar[Access] = Access(
        rights={"view": SCENARIO_VIEWERS},
        region=("enterprise__region",),
        park=("enterprise__park",),
    )

    class Meta:
        verbose_name = _("scenario result")
        verbose_name_plural = _("scenario results")
        ordering = ["scenario", "-lost", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "enterprise"], name="result_unique"),
        ]
        indexes = [models.Index(fields=["scenario", "dry_day"])]

    def __str__(self) -> str:
        return f"{self.scenario}: {self.enterprise}"

    @property
    def survives_days(self) -> int | None:
        """Time to survive: the days it keeps producing before an input runs out."""
        return None if self.dry_day is None else self.dry_day - 1


class KeepRunningPick(models.Model):
    """One step of the greedy 'keep running' ranking: the enterprise or park that, kept producing
    in a closed loop after the earlier picks, avoids the most further loss."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="picks", verbose_name=_("scenario")
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enterprise"),
    )
    park = models.ForeignKey(
        Park,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("park"),
    )
    avoided = models.DecimalField(_("loss avoided (10k CNY)"), max_digits=16, decimal_places=2)
    cumulative = models.DecimalField(
        _("avoided with the picks above (10k CNY)"), max_digits=16, decimal_places=2
    )
    kept_from_dry = models.PositiveIntegerField(_("enterprises kept from running dry"), default=0)
    # The enterprises that gain most from the pick, for the reason shown: [{"id", "avoided",
    # "dry_day_before", "dry_day_after"}], largest first.
    detail = models.JSONField(_("reason"), default=list)

    access: ClassVar[Access] = Access(
        rights={"view": SCENARIO_VIEWERS},
        region=("scenario__region",),
        area_region=("scenario__region",),
    )

    class Meta:
        verbose_name = _("keep-running pick")
        verbose_name_plural = _("keep-running picks")
        ordering = ["scenario", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "rank"], name="pick_unique_rank"),
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=True) ^ models.Q(park__isnull=True),
                name="pick_enterprise_xor_park",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} #{self.rank}"
