"""People, their roles and scopes, machine tokens, uploads and the audit trail."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from keepline.core.access import Access, roles


class Role(models.TextChoices):
    """The roles a membership can give; the rights of each are in `keepline.core.rights`."""

    ADMIN = "admin", _("Platform administrator")
    BUREAU = "bureau", _("Industry bureau / task force")
    DISTRICT = "district", _("District / county official")
    PARK = "park", _("Park management committee")
    COMMISSIONER = "commissioner", _("Service commissioner")
    DEPARTMENT = "department", _("Department")
    LIAISON = "liaison", _("Enterprise liaison")
    CHECKPOINT = "checkpoint", _("Checkpoint staff")
    HEALTH = "health", _("Health officer")
    LEADER = "leader", _("Leader (read only)")


ALL_ROLES = frozenset(Role.values)
OFFICIALS = roles(
    Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.DEPARTMENT, Role.HEALTH, Role.LEADER
)


class DepartmentKind(models.TextChoices):
    ECONOMY = "economy", _("Economy and information technology")
    TRANSPORT = "transport", _("Transport")
    HEALTH = "health", _("Health commission")
    GRID = "grid", _("Power grid")
    COMMERCE = "commerce", _("Commerce")
    DEVELOPMENT = "development", _("Development and reform")
    POLICE = "police", _("Public security")
    OTHER = "other", _("Other")


class User(AbstractUser):
    """A person who signs in to Keepline."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)

    access: ClassVar[Access] = Access(
        rights={"view": roles(Role.ADMIN), "change": roles(Role.ADMIN)},
        user=("",),
        owner_actions=roles("view"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class Department(models.Model):
    """A government department (transport, health, grid…) of a region that handles problems."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentKind.choices)
    region = models.ForeignKey(
        "places.Region",
        on_delete=models.PROTECT,
        related_name="departments",
        verbose_name=_("region"),
    )

    access: ClassVar[Access] = Access(
        rights={"view": OFFICIALS, "change": roles(Role.ADMIN, Role.BUREAU)},
        region=("region",),
        department=("",),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="department_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One role a user holds over one scope: a region subtree, a park, an enterprise or a
    department."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "places.Region", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region")
    )
    park = models.ForeignKey(
        "places.Park", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("park")
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("enterprise"),
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("department")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    access: ClassVar[Access] = Access(
        rights={"view": roles(Role.ADMIN), "change": roles(Role.ADMIN)},
        user=("user",),
        owner_actions=roles("view"),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user_id", "role", "id"]

    def __str__(self) -> str:
        target = self.department or self.park or self.enterprise or self.region
        label = self.get_role_display()
        return f"{label} · {target}" if target else str(label)


class ApiToken(models.Model):
    """A machine's credential for the API, belonging to one user; only its hash is kept."""

    PREFIX = "kl_"

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("key prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    access: ClassVar[Access] = Access(
        rights={"view": roles(Role.ADMIN), "change": roles(Role.ADMIN)},
        user=("user",),
        owner_actions=roles("view", "change"),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @classmethod
    def hash_key(cls, key: str) -> str:
        # Tokens carry 256 random bits, so a fast hash is enough; no salt needed.
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class Upload(models.Model):
    """A file a user uploaded for a preview, kept in the database until it is confirmed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, verbose_name=_("user"))
    purpose = models.CharField(_("purpose"), max_length=40)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    access: ClassVar[Access] = Access(user=("user",), owner_actions=roles("view", "change"))

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self) -> str:
        return self.filename


class Attachment(models.Model):
    """A document attached to a workflow step (a signed commitment, a staff list, a plan).

    Kept in the database so that web processes on many hosts share it with no file server.
    The owning object decides who may read it; views serve it after checking that object.
    """

    MAX_BYTES = 20 * 1024 * 1024

    uploaded_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("uploaded by")
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    access: ClassVar[Access] = Access(user=("uploaded_by",), owner_actions=roles("view"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One state change: who (a user or a named command) did what to which object, and how."""

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255)
    region = models.ForeignKey(
        "places.Region",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("region"),
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()

    # Bureau users see the events of objects in their region; events without a region
    # (people, tokens) only the platform administrator.
    access: ClassVar[Access] = Access(
        rights={"view": roles(Role.ADMIN, Role.BUREAU)}, region=("region",)
    )

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class Notification(models.Model):
    """A message to one user in their Keepline inbox (an assignment, a deadline, a reply), also
    sent by email and SMS through the configured channels."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    # Everyone has an inbox; a notification is its addressee's alone.
    access: ClassVar[Access] = Access(
        rights={"view": ALL_ROLES}, user=("user",), owner_actions=roles("view", "change")
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title
