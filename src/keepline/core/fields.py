"""Personal data at rest: an encrypted text field, and the masks that show it."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in settings.KEEPLINE_FIELD_KEYS])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a key was lost or rotated out: fail loudly, never show junk
        raise ValueError("personal field cannot be decrypted with the configured keys") from exc


def mask(value: str, keep_start: int = 3, keep_end: int = 4) -> str:
    """510***********1234 for an ID number, 138****5678 for a phone number."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


class EncryptedTextField(models.TextField):
    """Stored as a Fernet token; Python sees plain text. Not searchable, by design."""

    audit_mask = staticmethod(mask)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
