"""Problems (诉求) enterprises raise, their routing, time limits, timeline, attachments, the
coordination letters sent to other cities' or the province's task forces about them, and the
working-day calendar their deadlines are counted in."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keepline.core.access import Access, roles
from keepline.core.models import ALL_ROLES, OFFICIALS, Attachment, Department, Role, User
from keepline.enterprises.models import REGISTRY_VIEWERS, Enterprise
from keepline.places.models import Region, WhitelistLevel
from keepline.reports.models import DailyReport

BUREAU_ROLES = roles(Role.ADMIN, Role.BUREAU)
# Who may take up, answer and pass on a problem: officials over their area, commissioners over
# their enterprises, and a department over the problems routed to it. A department membership
# also carries its department's region (for the registry); problems are `department_only`, so it
# reaches only those routed to its department, never every problem of the region.
HANDLERS = roles(
    Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.COMMISSIONER, Role.DEPARTMENT
)
PROBLEM_VIEWERS = REGISTRY_VIEWERS
# A handler named by a routing rule or a reassignment holds the problem whatever their role.
ROUTED_TO = ("handler",)
FILERS = roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.COMMISSIONER, Role.LIAISON)
# Coordination letters go out from the city task force or the province: the bureau (whose
# membership must also be at city level or above; see services.may_coordinate) and the admin.
COORDINATORS = BUREAU_ROLES
# Letters are correspondence between task forces: the enterprise's liaison follows its problem,
# not the letters about it.
LETTER_VIEWERS = PROBLEM_VIEWERS - {Role.LIAISON}


class CalendarDay(models.Model):
    """A day that breaks the Monday–Friday rule: a holiday on a weekday or a make-up workday
    (调休) on a weekend."""

    date = models.DateField(_("date"), unique=True)
    working = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    # One calendar for everyone, as the State Council publishes it each year.
    access: ClassVar[Access] = Access(
        rights={"view": ALL_ROLES, "change": BUREAU_ROLES}, unscoped=True
    )

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


class ProblemCategory(models.TextChoices):
    ENERGY = "energy", _("Energy")
    RAW_MATERIALS = "raw_materials", _("Raw materials")
    LOGISTICS = "logistics", _("Logistics")
    LABOUR = "labour", _("Labour")
    CAPITAL = "capital", _("Capital")
    LIVING_SUPPLIES = "living_supplies", _("Living supplies")
    PASSES = "passes", _("Passes")
    PROTECTIVE_SUPPLIES = "protective_supplies", _("Protective supplies")
    POLICY = "policy", _("Policy")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    # "Normal" is also a production mode (正常生产); as an urgency it is 一般.
    NORMAL = "normal", pgettext_lazy("urgency", "Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


class Tier(models.TextChoices):
    """Who holds the problem: escalation moves it up one tier at a time."""

    LOCAL = "local", _("Park / district")
    CITY = "city", _("City task force")
    # The province's task force, not the region level (省).
    PROVINCE = "province", pgettext_lazy("tier", "Province")


TIER_ORDER = [Tier.LOCAL, Tier.CITY, Tier.PROVINCE]


class ProblemSource(models.TextChoices):
    FORM = "form", _("Liaison form")
    ON_BEHALF = "on_behalf", _("Filed on the enterprise's behalf")
    REPORT = "report", _("Daily report")
    IMPORT = "import", _("Excel import")


class ProblemStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    # Solved and confirmed (办结, 销号), not an alert's "Closed" (已关闭).
    CLOSED = "closed", pgettext_lazy("problem status", "Closed")


# The handler side holds these; a replied problem waits on the enterprise, a closed one on no one.
OPEN_STATUSES = [ProblemStatus.SUBMITTED, ProblemStatus.ACCEPTED, ProblemStatus.IN_PROGRESS]


class TimeLimit(models.Model):
    """The time allowed to acknowledge, answer and close problems of a category and urgency
    (blank: any)."""

    category = models.CharField(
        _("category"), max_length=20, choices=ProblemCategory.choices, blank=True
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, blank=True)
    acknowledge_hours = models.PositiveIntegerField(
        _("acknowledge within (hours)"), validators=[MinValueValidator(1)]
    )
    interim_days = models.PositiveIntegerField(
        _("interim reply within (working days)"), validators=[MinValueValidator(1)]
    )
    close_days = models.PositiveIntegerField(
        _("close within (working days)"), validators=[MinValueValidator(1)]
    )

    access: ClassVar[Access] = Access(
        rights={"view": OFFICIALS | {Role.COMMISSIONER}, "change": BUREAU_ROLES}, unscoped=True
    )

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["category", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="time_limit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display() or '*'} · {self.get_urgency_display() or '*'}"


class RoutingRule(models.Model):
    """Where problems of a category (blank: any) from a region's subtree (none: anywhere) go:
    a department or a named handler."""

    category = models.CharField(
        _("category"), max_length=20, choices=ProblemCategory.choices, blank=True
    )
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("region"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    handler = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("handler"),
    )
    set_by_name = models.CharField(_("set by"), max_length=150)
    set_at = models.DateTimeField(_("set"))

    # Every official sees the whole rule book (rules for "anywhere" bind them too); services
    # check that a bureau user changes rules only for regions within their own.
    access: ClassVar[Access] = Access(
        rights={"view": OFFICIALS, "change": BUREAU_ROLES}, unscoped=True
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["category", "region"], name="routing_rule_unique"),
            # NULL regions are distinct to a plain unique constraint; one "anywhere" rule each.
            models.UniqueConstraint(
                fields=["category"],
                condition=models.Q(region__isnull=True),
                name="routing_rule_unique_anywhere",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(department__isnull=False, handler__isnull=True)
                    | models.Q(department__isnull=True, handler__isnull=False)
                ),
                name="routing_rule_one_target",
            ),
        ]

    def __str__(self) -> str:
        target = self.department or self.handler
        return f"{self.get_category_display() or '*'} · {self.region or '*'} → {target}"


PROBLEM_ACCESS = Access(
    rights={
        "view": PROBLEM_VIEWERS,
        "file": FILERS,
        "handle": HANDLERS,
        "reassign": roles(Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.DEPARTMENT),
        # Only the enterprise itself says whether its problem is solved.
        "confirm": roles(Role.LIAISON),
        "sweep": BUREAU_ROLES,
        "coordinate": COORDINATORS,
    },
    region=("enterprise__region",),
    park=("enterprise__park",),
    enterprise=("enterprise",),
    department=("department",),
    user=ROUTED_TO,
    owner_actions=roles("view", "handle", "reassign"),
    department_only=True,
)


class Problem(models.Model):
    """A problem (诉求) an enterprise needs solved, routed to a department or person and held to
    time limits until the enterprise confirms it solved (销号)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="problems", verbose_name=_("enterprise")
    )
    category = models.CharField(_("category"), max_length=20, choices=ProblemCategory.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=ProblemSource.choices)
    report = models.OneToOneField(
        DailyReport,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problem",
        verbose_name=_("daily report"),
    )
    # As at filing: priority follows the listing the enterprise held when it asked.
    whitelist_level = models.CharField(
        _("whitelist"), max_length=10, choices=WhitelistLevel.choices, blank=True
    )
    whitelisted = models.BooleanField(_("whitelisted"), default=False)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.LOCAL)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("department"),
    )
    handler = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handled_problems",
        verbose_name=_("handler"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProblemStatus.choices,
        default=ProblemStatus.SUBMITTED,
    )
    filed_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_by_name = models.CharField(_("filed by"), max_length=150)
    filed_at = models.DateTimeField(_("filed"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    started_at = models.DateTimeField(_("work started"), null=True, blank=True)
    interim_replied_at = models.DateTimeField(_("interim reply"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("last reopened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    acknowledge_due = models.DateTimeField(_("acknowledge by"))
    interim_due = models.DateTimeField(_("interim reply by"))
    close_due = models.DateTimeField(_("close by"))
    # The latest deadline an escalation (or an overdue mark at the top tier) has answered; a
    # deadline passing after it escalates again. See keepline.problems.services.sweep_deadlines.
    escalated_through = models.DateTimeField(_("escalated through"), null=True, blank=True)
    overdue_since = models.DateTimeField(_("overdue since"), null=True, blank=True)
    # Who attached each document and when is on the Attachment itself.
    attachments = models.ManyToManyField(
        Attachment, blank=True, related_name="+", verbose_name=_("attachments")
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    access: ClassVar[Access] = PROBLEM_ACCESS

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["status", "close_due"]),
            models.Index(fields=["enterprise", "-filed_at"]),
            # The list's default order (benchmarks/problems.py: 2.1 s → 1.4 s at 200,000).
            models.Index(fields=["-filed_at", "-id"], name="problem_filed_desc"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="problem_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class ProblemEventKind(models.TextChoices):
    FILED = "filed", _("Filed")
    ACCEPTED = "accepted", _("Accepted")
    STARTED = "started", _("Work started")
    INTERIM_REPLY = "interim_reply", _("Interim reply")
    REPLIED = "replied", _("Replied")
    CONFIRMED = "confirmed", _("Confirmed and closed")
    REOPENED = "reopened", _("Reopened")
    REASSIGNED = "reassigned", _("Reassigned")
    ESCALATED = "escalated", _("Escalated")
    OVERDUE = "overdue", _("Overdue")
    ATTACHED = "attached", _("Document attached")
    LETTER_DRAFTED = "letter_drafted", _("Coordination letter drafted")
    LETTER_SENT = "letter_sent", _("Coordination letter sent")
    LETTER_REPLIED = "letter_replied", _("Coordination letter answered")
    LETTER_WITHDRAWN = "letter_withdrawn", _("Coordination letter withdrawn")


class ProblemEvent(models.Model):
    """One step on a problem's timeline: who did what when, and how the status moved."""

    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="events", verbose_name=_("problem")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProblemEventKind.choices)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150)
    from_status = models.CharField(
        _("from"), max_length=12, choices=ProblemStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=12, choices=ProblemStatus.choices)
    note = models.TextField(_("note"), blank=True)

    access: ClassVar[Access] = Access(
        rights={"view": PROBLEM_VIEWERS},
        region=("problem__enterprise__region",),
        park=("problem__enterprise__park",),
        enterprise=("problem__enterprise",),
        department=("problem__department",),
        user=tuple(f"problem__{lookup}" for lookup in ROUTED_TO),
        owner_actions=roles("view"),
        department_only=True,
    )

    class Meta:
        verbose_name = _("problem event")
        verbose_name_plural = _("problem events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class AddresseeLevel(models.TextChoices):
    """Whom a coordination letter goes to, seen from the issuing task force."""

    OTHER_CITY = "other_city", _("Another city")
    PROVINCE = "province", _("The province")
    OTHER_PROVINCE = "other_province", _("Another province")


class LetterStatus(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    SENT = "sent", _("Sent")
    REPLIED = "replied", _("Replied")
    WITHDRAWN = "withdrawn", _("Withdrawn")


DEFAULT_REPLY_DAYS = 5


class CoordinationLetter(models.Model):
    """A coordination letter (协调函) about a problem, from the city task force or the province to
    another city's or province's task force, whose reply is tracked against a due date."""

    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="letters", verbose_name=_("problem")
    )
    # The issuing task force: the city of the enterprise, or the province for a problem there.
    issuer_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing region")
    )
    issuer = models.CharField(_("issuing task force"), max_length=200)
    # Numbered when sent, so drafts that are dropped leave no gaps in the year's register.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    serial = models.PositiveIntegerField(_("serial"), null=True, blank=True)
    number = models.CharField(_("number"), max_length=40, blank=True)
    addressee = models.CharField(_("addressee"), max_length=200)
    addressee_level = models.CharField(
        _("addressee is"), max_length=16, choices=AddresseeLevel.choices
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("request"))
    contact = models.CharField(_("contact"), max_length=200)
    reply_days = models.PositiveSmallIntegerField(
        _("reply within (working days)"),
        default=DEFAULT_REPLY_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LetterStatus.choices, default=LetterStatus.DRAFTED
    )
    author = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(_("author"), max_length=150)
    drafted_at = models.DateTimeField(_("drafted"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reply_due = models.DateTimeField(_("reply due"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    reply_attachment = models.ForeignKey(
        Attachment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reply document"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    access: ClassVar[Access] = Access(
        rights={"view": LETTER_VIEWERS, "coordinate": COORDINATORS},
        region=("problem__enterprise__region",),
        park=("problem__enterprise__park",),
        enterprise=("problem__enterprise",),
        department=("problem__department",),
        user=tuple(f"problem__{lookup}" for lookup in ROUTED_TO),
        owner_actions=roles("view"),
        department_only=True,
    )

    class Meta:
        verbose_name = _("coordination letter")
        verbose_name_plural = _("coordination letters")
        ordering = ["-drafted_at", "-id"]
        indexes = [models.Index(fields=["status", "reply_due"])]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_region", "year", "serial"], name="letter_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.number or self.subject

    def overdue_at(self, now: dt.datetime) -> bool:
        """Sent, not answered, and the reply date has passed."""
        return (
            self.status == LetterStatus.SENT
            and self.reply_due is not None
            and self.reply_due <= now
        )
