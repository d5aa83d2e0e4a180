"""Whitelists (白名单) of key industry-chain and supply-chain enterprises and parks: applications,
the review chain's decisions, listings with their certificates, and revocations."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from keepline.core.access import Access, roles
from keepline.core.models import Attachment, Role
from keepline.enterprises.models import REGISTRY_VIEWERS, Enterprise
from keepline.places.models import Park, Region, WhitelistLevel


class Category(models.TextChoices):
    """Why the enterprise or park must keep running (the categories of the Luzhou lists)."""

    SOCIAL_OPERATION = "social_operation", _("Social operation")
    EPIDEMIC_PREVENTION = "epidemic_prevention", _("Epidemic prevention")
    DAILY_NEEDS = "daily_needs", _("Residents' daily needs")
    KEY_MATERIALS = "key_materials", _("Key materials")
    KEY_INDUSTRIES = "key_industries", _("Key industries")


class ApplicationStatus(models.TextChoices):
    """Where an application stands in the review chain."""

    INSPECTION = "inspection", _("Waiting for inspection")
    DISTRICT_REVIEW = "district_review", _("Waiting for district review")
    CITY_DECISION = "city_decision", _("Waiting for the city's decision")
    LISTED_CITY = "listed_city", _("Listed at city level")
    PROVINCE_DECISION = "province_decision", _("Nominated: waiting for the province's decision")
    LISTED_PROVINCE = "listed_province", _("Listed at provincial level")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Rejected")
    PROVINCE_REJECTED = "province_rejected", _("Listed at city level; not taken by the province")
    CLOSED = "closed", _("Closed: the listing was revoked")


# An application in one of these is still moving: a subject has at most one at a time.
OPEN_STATUSES = [
    ApplicationStatus.INSPECTION,
    ApplicationStatus.DISTRICT_REVIEW,
    ApplicationStatus.CITY_DECISION,
    ApplicationStatus.PROVINCE_DECISION,
    ApplicationStatus.RETURNED,
]


class Step(models.TextChoices):
    """A step of the review chain, and the applicant's own submissions."""

    APPLICATION = "application", _("Application")
    INSPECTION = "inspection", _("Park / town inspection")
    ECONOMY = "economy", _("District economy bureau review")
    HEALTH = "health", _("District health commission review")
    CITY = "city", _("City decision")
    NOMINATION = "nomination", _("Nomination to the province")
    PROVINCE = "province", _("Provincial decision")


class Decision(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned")
    REJECT = "reject", _("Rejected")


APPLICATION_VIEWERS = roles(
    Role.ADMIN,
    Role.BUREAU,
    Role.DISTRICT,
    Role.PARK,
    Role.COMMISSIONER,
    Role.LIAISON,
    Role.HEALTH,
    Role.LEADER,
)
# May open the attached documents: the staff list is personal data.
DOCUMENT_READERS = roles(
    Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.LIAISON, Role.HEALTH
)
APPLICANTS = roles(Role.ADMIN, Role.LIAISON, Role.PARK)
# An application or listing is reached through its subject: the enterprise (its region, park
# and liaison) or the park (its region and committee).
SUBJECT_REGION = ("enterprise__region", "park__region")
SUBJECT_PARK = ("enterprise__park", "park")


class WhitelistApplication(models.Model):
    """An enterprise's or a park's application for the city whitelist, with its three documents,
    moving through inspection, district review and the city's (and perhaps the province's)
    decision."""

    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="whitelist_applications",
        verbose_name=_("enterprise"),
    )
    park = models.ForeignKey(
        Park,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="whitelist_applications",
        verbose_name=_("park"),
    )
    requested_level = models.CharField(
        _("requested level"),
        max_length=10,
        choices=WhitelistLevel.choices,
        default=WhitelistLevel.CITY,
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    chain = models.CharField(
        _("industry chain"), max_length=50, help_text=_("The chain it keeps running, e.g. 白酒.")
    )
    note = models.TextField(_("statement"), blank=True)
    commitment = models.ForeignKey(
        Attachment,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed commitment"),
    )
    staff_list = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff list")
    )
    epidemic_plan = models.ForeignKey(
        Attachment,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("epidemic prevention plan"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.INSPECTION,
    )
    # The district review needs both; each is kept so that either may come first.
    economy_approved = models.BooleanField(_("economy bureau approved"), default=False)
    health_approved = models.BooleanField(_("health commission approved"), default=False)
    round = models.PositiveSmallIntegerField(
        _("round"),
        default=1,
        help_text=_("Submissions so far: a return and resubmission adds one."),
    )
    # Who decides each step, fixed at each submission from where the subject is then: the park
    # committee inspects an enterprise in a park, the district (or town) any other subject.
    inspect_park = models.ForeignKey(
        Park,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("inspecting park"),
    )
    inspect_region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("inspecting region"),
    )
    district = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    city = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("city")
    )
    province = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    submitted_by = models.CharField(_("submitted by"), max_length=150)
    submitted_at = models.DateTimeField(_("submitted"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    access: ClassVar[Access] = Access(
        rights={"view": APPLICATION_VIEWERS, "documents": DOCUMENT_READERS},
        region=SUBJECT_REGION,
        park=SUBJECT_PARK,
        enterprise=("enterprise",),
    )

    class Meta:
        verbose_name = _("whitelist application")
        verbose_name_plural = _("whitelist applications")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=True) ^ models.Q(park__isnull=True),
                name="whitelist_application_enterprise_or_park",
            ),
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="whitelist_application_enterprise_one_open",
            ),
            models.UniqueConstraint(
                fields=["park"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="whitelist_application_park_one_open",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "inspect_park"]),
            models.Index(fields=["status", "inspect_region"]),
            models.Index(fields=["status", "district"]),
            models.Index(fields=["status", "city"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.get_category_display()} · {self.chain}"

    @property
    def subject(self) -> Enterprise | Park:
        return self.enterprise if self.enterprise is not None else self.park  # type: ignore[return-value]


class OwnApplication(WhitelistApplication):
    """An application as its applicant reaches it: the enterprise's liaison, or the park's
    management committee for the park's own application."""

    access: ClassVar[Access] = Access(
        rights={"apply": APPLICANTS}, enterprise=("enterprise",), park=("park",)
    )

    class Meta:
        proxy = True
        verbose_name = _("own whitelist application")
        verbose_name_plural = _("own whitelist applications")


class InspectionReview(WhitelistApplication):
    """An application as its inspecting park committee or district (town) official reaches it."""

    access: ClassVar[Access] = Access(
        rights={"decide": roles(Role.ADMIN, Role.PARK, Role.DISTRICT)},
        region=("inspect_region",),
        park=("inspect_park",),
    )

    class Meta:
        proxy = True
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")


class EconomyReview(WhitelistApplication):
    """An application as the district's economy bureau (a district official) reaches it."""

    access: ClassVar[Access] = Access(
        rights={"decide": roles(Role.ADMIN, Role.DISTRICT)}, region=("district",)
    )

    class Meta:
        proxy = True
        verbose_name = _("economy bureau review")
        verbose_name_plural = _("economy bureau reviews")


class HealthReview(WhitelistApplication):
    """An application as the health commission covering its district reaches it."""

    access: ClassVar[Access] = Access(
        rights={"decide": roles(Role.ADMIN, Role.HEALTH)}, region=("district",)
    )

    class Meta:
        proxy = True
        verbose_name = _("health commission review")
        verbose_name_plural = _("health commission reviews")


class CityReview(WhitelistApplication):
    """An application as the industry bureau covering its city reaches it: the city decision
    and the nomination to the province."""

    access: ClassVar[Access] = Access(
        rights={"decide": roles(Role.ADMIN, Role.BUREAU)}, region=("city",)
    )

    class Meta:
        proxy = True
        verbose_name = _("city decision")
        verbose_name_plural = _("city decisions")


class ProvinceReview(WhitelistApplication):
    """An application as the provincial industry department (a bureau membership over the
    province itself) reaches it."""

    access: ClassVar[Access] = Access(
        rights={"decide": roles(Role.ADMIN, Role.BUREAU)}, region=("province",)
    )

    class Meta:
        proxy = True
        verbose_name = _("provincial decision")
        verbose_name_plural = _("provincial decisions")


class WhitelistReview(models.Model):
    """One entry of an application's history: a submission by the applicant, or one official's
    decision on one step (approve, return with reasons, reject)."""

    application = models.ForeignKey(
        WhitelistApplication,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("application"),
    )
    round = models.PositiveSmallIntegerField(_("round"))
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    reasons = models.TextField(_("reasons"), blank=True)
    actor = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(_("by"), max_length=150)
    at = models.DateTimeField(_("time"))

    access: ClassVar[Access] = Access(
        rights={"view": APPLICATION_VIEWERS},
        region=("application__enterprise__region", "application__park__region"),
        park=("application__enterprise__park", "application__park"),
        enterprise=("application__enterprise",),
    )

    class Meta:
        verbose_name = _("whitelist review")
        verbose_name_plural = _("whitelist reviews")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} · {self.get_decision_display()}"


class WhitelistListing(models.Model):
    """An enterprise or park on the whitelist of one level, from its listing to its revocation;
    the certificate's number and the random token its QR code's public check page opens."""

    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="whitelist_listings",
        verbose_name=_("enterprise"),
    )
    park = models.ForeignKey(
        Park,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="whitelist_listings",
        verbose_name=_("park"),
    )
    level = models.CharField(_("level"), max_length=10, choices=WhitelistLevel.choices)
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    chain = models.CharField(_("industry chain"), max_length=50)
    # The government that decided (the city, or the province); none for a national listing.
    authority = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("deciding authority"),
    )
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    listed_at = models.DateTimeField(_("listed"))
    listed_by = models.CharField(_("listed by"), max_length=150)
    application = models.ForeignKey(
        WhitelistApplication,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="listings",
        verbose_name=_("application"),
    )
    basis = models.TextField(
        _("basis"), blank=True, help_text=_("For a listing without an application: on what basis.")
    )
    token = models.CharField(_("check token"), max_length=32, unique=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.CharField(_("revoked by"), max_length=150, blank=True)

    access: ClassVar[Access] = Access(
        rights={"view": REGISTRY_VIEWERS, "decide": roles(Role.ADMIN, Role.BUREAU)},
        region=SUBJECT_REGION,
        park=SUBJECT_PARK,
        enterprise=("enterprise",),
    )

    class Meta:
        verbose_name = _("whitelist listing")
        verbose_name_plural = _("whitelist listings")
        ordering = ["-listed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=True) ^ models.Q(park__isnull=True),
                name="whitelist_listing_enterprise_or_park",
            ),
            models.UniqueConstraint(
                fields=["enterprise", "level"],
                condition=models.Q(revoked_at__isnull=True),
                name="whitelist_listing_enterprise_one_active_per_level",
            ),
            models.UniqueConstraint(
                fields=["park", "level"],
                condition=models.Q(revoked_at__isnull=True),
                name="whitelist_listing_park_one_active_per_level",
            ),
        ]
        indexes = [models.Index(fields=["level", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def subject(self) -> Enterprise | Park:
        return self.enterprise if self.enterprise is not None else self.park  # type: ignore[return-value]

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class InvitationStatus(models.TextChoices):
    """Where an invitation to apply stands."""

    OPEN = "open", _("Open")
    APPLIED = "applied", _("Applied")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Officials who invite an enterprise in their area to apply: the city's bureau and the districts.
INVITERS = roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT)


class WhitelistInvitation(models.Model):
    """The industry bureau's or a district's invitation to an enterprise to apply for the
    whitelist (邀请申报), e.g. because a lockdown scenario ranks it among the suppliers worth
    keeping running; taken up when the enterprise's liaison submits an application."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="whitelist_invitations",
        verbose_name=_("enterprise"),
    )
    chain = models.CharField(
        _("industry chain"), max_length=50, help_text=_("The chain it keeps running, e.g. 白酒.")
    )
    reason = models.TextField(_("reason"))
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the invitation comes from, e.g. a scenario."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.OPEN,
    )
    invited_by = models.CharField(_("invited by"), max_length=150)
    invited_at = models.DateTimeField(_("invited"))
    application = models.ForeignKey(
        WhitelistApplication,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
        verbose_name=_("application"),
    )
    closed_by = models.CharField(_("withdrawn by"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    access: ClassVar[Access] = Access(
        rights={"view": APPLICATION_VIEWERS, "invite": INVITERS},
        region=("enterprise__region",),
        park=("enterprise__park",),
        enterprise=("enterprise",),
    )

    class Meta:
        verbose_name = _("whitelist invitation")
        verbose_name_plural = _("whitelist invitations")
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=models.Q(status="open"),
                name="whitelist_invitation_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.chain}"


class CertificateSequence(models.Model):
    """The last certificate serial issued under a prefix (one per deciding authority) in a year,
    locked while a number is taken so that numbers run without gaps or repeats."""

    prefix = models.CharField(_("prefix"), max_length=12)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last serial"), default=0)

    # Internal bookkeeping: read by no page; only the administrator's sight for completeness.
    access: ClassVar[Access] = Access(rights={"view": roles(Role.ADMIN)})

    class Meta:
        verbose_name = _("certificate sequence")
        verbose_name_plural = _("certificate sequences")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="certificate_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"
