"""Writes for people: users, memberships and API tokens. Each checks, changes and audits at once."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Forbidden, InvalidInput
from keepline.core.models import (
    ApiToken,
    Attachment,
    Department,
    DepartmentKind,
    Membership,
    Role,
    User,
)
from keepline.core.scopes import Actor, get_for, may_place
from keepline.core.selectors import ROLE_SCOPE, SCOPE_LABELS

USER_FIELDS = ["username", "display_name", "email", "is_active"]


def _require_admin(actor: Actor) -> None:
    if not may_place(actor, "change", User):
        raise Forbidden(_("Only a platform administrator may manage people."))


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            _("The password is too weak."), errors={"password": exc.messages}
        ) from exc


@transaction.atomic
def create_user(
    *, actor: Actor, username: str, password: str, display_name: str = "", email: str = ""
) -> User:
    _require_admin(actor)
    username = username.strip()
    if not username:
        raise InvalidInput(_("A username is required."), errors={"username": [_("Required.")]})
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(
            _("That username is taken."), errors={"username": [_("That username is taken.")]}
        )
    user = User(username=username, display_name=display_name.strip(), email=email.strip())
    _check_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor, action=audit.Action.CREATE, obj=user, after=audit.snapshot(user, USER_FIELDS)
    )
    return user


@transaction.atomic
def set_user_active(*, actor: Actor, user: User, active: bool) -> User:
    _require_admin(actor)
    if isinstance(actor, User) and actor.pk == user.pk and not active:
        raise InvalidInput(_("You cannot deactivate yourself."))
    before = audit.snapshot(user, USER_FIELDS)
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action=audit.Action.ACTIVATE if active else audit.Action.DEACTIVATE,
        obj=user,
        before=before,
        after=audit.snapshot(user, USER_FIELDS),
    )
    return user


@transaction.atomic
def set_password(*, actor: Actor, user: User, password: str) -> None:
    if not (isinstance(actor, User) and actor.pk == user.pk):
        _require_admin(actor)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action=audit.Action.SET_PASSWORD, obj=user)


@transaction.atomic
def add_membership(*, actor: Actor, user: User, role: str, target: Any = None) -> Membership:
    """Give `user` a role over `target` (a Region, Park, Enterprise or Department)."""
    _require_admin(actor)
    if role not in Role.values:
        raise InvalidInput(_("Unknown role."), errors={"role": [_("Unknown role.")]})
    kind = ROLE_SCOPE[Role(role)]
    fields: dict[str, Any] = {"region": None, "park": None, "enterprise": None, "department": None}
    if kind is None and target is not None:
        raise InvalidInput(_("This role has no scope."), errors={"scope": [_("Leave empty.")]})
    if kind is not None:
        if target is None or target._meta.model_name != kind:
            raise InvalidInput(
                _("This role needs a %(kind)s as its scope.") % {"kind": SCOPE_LABELS[kind]},
                errors={kind: [_("Required for this role.")]},
            )
        fields[kind] = target
        if isinstance(target, Department):
            fields["region"] = target.region
    if Membership.objects.filter(user=user, role=role, **fields).exists():
        raise InvalidInput(_("The user already holds this role here."))
    membership = Membership.objects.create(user=user, role=role, **fields)
    audit.record(
        actor=actor, action=audit.Action.ADD_MEMBERSHIP, obj=user, after=audit.snapshot(membership)
    )
    user.__dict__.pop("_keepline_memberships", None)
    return membership


@transaction.atomic
def remove_membership(*, actor: Actor, membership: Membership) -> None:
    _require_admin(actor)
    before = audit.snapshot(membership)
    user = membership.user
    membership.delete()
    audit.record(actor=actor, action=audit.Action.REMOVE_MEMBERSHIP, obj=user, before=before)


@transaction.atomic
def create_token(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor; the plain key is returned once and never stored."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the token a name."), errors={"name": [_("Required.")]})
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=actor, name=name, key_prefix=key[:10], key_hash=ApiToken.hash_key(key)
    )
    audit.record(actor=actor, action=audit.Action.CREATE, obj=token, after={"name": name})
    return token, key


@transaction.atomic
def revoke_token(*, actor: Actor, token_id: int) -> ApiToken:
    token = get_for(ApiToken.objects.select_for_update(), actor, token_id, "change")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action=audit.Action.REVOKE, obj=token)
    return token


def user_for_token(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Touch at most once a minute: a busy machine client must not write on every call.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def create_department(*, actor: Actor, name: str, kind: str, region: Any) -> Department:
    """A department of a Region that problems can be routed to; admins and bureau users add them."""
    if not may_place(actor, "change", Department, region=region):
        raise Forbidden(_("This is outside your area."))
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("This field is required.")]
    elif Department.objects.filter(region=region, name=name).exists():
        errors["name"] = [_("This region already has a department of that name.")]
    if kind not in DepartmentKind.values:
        errors["kind"] = [_("Unknown kind.")]
    if errors:
        raise InvalidInput(_("The department has errors."), errors=errors)
    department = Department.objects.create(name=name, kind=kind, region=region)
    audit.record(
        actor=actor, action=audit.Action.CREATE, obj=department, after=audit.snapshot(department)
    )
    return department


ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def store_attachment(
    *, actor: Actor, filename: str, data: bytes, field: str = "file"
) -> Attachment:
    """Keep an uploaded document; `field` names the form field in errors. Types are limited to
    what officials exchange (PDF, images, Word, Excel); the type comes from the name, not the
    browser's claim."""
    suffix = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    if suffix not in ATTACHMENT_TYPES:
        raise InvalidInput(
            _("Attach a PDF, image, Word or Excel file."), errors={field: [_("Wrong type.")]}
        )
    if not data:
        raise InvalidInput(_("The file is empty."), errors={field: [_("The file is empty.")]})
    if len(data) > Attachment.MAX_BYTES:
        raise InvalidInput(_("The file is larger than 20 MB."), errors={field: [_("Too large.")]})
    attachment = Attachment.objects.create(
        uploaded_by=actor if isinstance(actor, User) else None,
        filename=filename[-255:],
        content_type=ATTACHMENT_TYPES[suffix],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
    )
    audit.record(
        actor=actor,
        action=audit.Action.ATTACH,
        obj=attachment,
        after={
            "filename": attachment.filename,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )
    return attachment
