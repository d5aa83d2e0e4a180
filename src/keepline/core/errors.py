"""The one application error type; views and the API map it to HTTP 400/403/404/409."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class KeeplineError(Exception):
    status = 400

    def __init__(
        self,
        message: str | Promise,
        *,
        errors: dict[str, list[str]] | None = None,
        current: Any = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        # Field name (or "row 7, column uscc") -> messages, for forms and imports.
        self.errors = errors or {}
        # For conflicts: the object's state now, so the loser can see what won.
        self.current = current

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": self.message}
        if self.errors:
            body["errors"] = self.errors
        if self.current is not None:
            body["current"] = self.current
        return body


class InvalidInput(KeeplineError):
    status = 400


class Forbidden(KeeplineError):
    status = 403


class NotFound(KeeplineError):
    status = 404


class Conflict(KeeplineError):
    status = 409
