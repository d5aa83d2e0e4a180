"""One way to import a file: an importer declared by its columns, with a check and a write.

Every importer (enterprises, daily reports, problems, the calendar, supply links, …) is a
subclass of `Importer` in its app's `importers.py`, registered by `register()`. The one page
flow (upload → preview → confirm, in `core.import_views`), the one command
(`keepline import KIND FILE [--check]`) and the one API operation (`POST /api/imports/{kind}`)
read the registry, so all of them check and write the same way: nothing is written unless
every row is good, and every bad row is named (row number as Excel shows it, column, reason).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _

from keepline.core.errors import InvalidInput, NotFound
from keepline.core.scopes import Actor, require_area
from keepline.core.tabular import Column, read_table

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

T = TypeVar("T")

Rows = Iterator[tuple[int, dict[str, Any]]]
Progress = Callable[[int], object]


@dataclass(frozen=True)
class RowError:
    """One thing wrong with one row: its number as Excel shows it, the column's key, why."""

    row: int
    column: str
    message: str
    label: str = ""  # the column's header in the user's language

    def __str__(self) -> str:
        return _("row %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.label or self.column,
            "message": self.message,
        }


@dataclass
class ImportCheck(Generic[T]):
    """The outcome of checking a file: the clean rows ready to write, or every error in it."""

    rows: list[T] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int, column: str, message: Any) -> None:
        self.errors.append(RowError(row, column, str(message)))

    def as_error(self) -> InvalidInput:
        """Every bad row as the one application error: {"row 3, Share": [why]}."""
        by_cell: dict[str, list[str]] = {}
        for e in self.errors:
            key = _("row %(row)s, %(column)s") % {"row": e.row, "column": e.label or e.column}
            by_cell.setdefault(key, []).append(e.message)
        return InvalidInput(_("The file has errors; nothing was imported."), errors=by_cell)


class Importer(Generic[T]):
    """A file import. Subclasses declare `kind`, `title`, `columns`, `model` and implement
    `check_rows` (nothing written) and `write` (one transaction, audited)."""

    kind: ClassVar[str]
    title: ClassVar[StrOrPromise]
    columns: ClassVar[Sequence[Column]]
    model: ClassVar[type[models.Model]]
    # What the page says above the upload: the file's rules beyond its columns.
    intro: ClassVar[StrOrPromise] = ""
    # The preview table: (header, function of a checked row) pairs.
    preview: ClassVar[Sequence[tuple[StrOrPromise, Callable[[Any], Any]]]] = ()

    @property
    def max_rows(self) -> int:
        return int(settings.KEEPLINE_IMPORT_MAX_ROWS)

    def authorize(self, actor: Actor) -> None:
        """Refuse an actor who may not import (403); the rows are checked for scope too."""
        require_area(actor, self.model)

    def check_rows(
        self, actor: Actor, rows: Rows, progress: Progress | None = None
    ) -> ImportCheck[T]:
        raise NotImplementedError

    def write(self, actor: Actor, check: ImportCheck[T]) -> int:
        """Write a clean check; return how many rows were written."""
        raise NotImplementedError

    def check(
        self, actor: Actor, filename: str, data: bytes, progress: Progress | None = None
    ) -> ImportCheck[T]:
        """Read and check a whole file; a file that cannot be read raises `InvalidInput`."""
        self.authorize(actor)
        total, rows = read_table(filename, data, self.columns, max_rows=self.max_rows)
        result = self.check_rows(actor, rows, progress)
        result.total = total
        labels = {c.key: str(c.label) for c in self.columns}
        result.errors = [
            RowError(e.row, e.column, e.message, labels.get(e.column, e.column))
            for e in result.errors
        ]
        return result

    def run(self, actor: Actor, filename: str, data: bytes) -> tuple[ImportCheck[T], int]:
        """Check, and write when every row is good: (the check, rows written)."""
        result = self.check(actor, filename, data)
        if not result.ok:
            return result, 0
        if not result.rows:
            raise InvalidInput(_("The file has no rows."))
        return result, self.write(actor, result)

    def done_url(self) -> str:
        """Where the page sends the user after a write: by default the list it filled."""
        return reverse("import", args=[self.kind])

    def example(self) -> list[str]:
        """The template's example row; a test checks that it passes `check_rows`."""
        return [c.example for c in self.columns]


_REGISTRY: dict[str, Importer[Any]] = {}


def register(importer: Importer[Any]) -> Importer[Any]:
    if importer.kind in _REGISTRY:
        raise RuntimeError(f"two importers of kind {importer.kind!r}")
    _REGISTRY[importer.kind] = importer
    return importer


def importer_for(kind: str) -> Importer[Any]:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise NotFound(_("No such import.")) from None


def importers() -> list[Importer[Any]]:
    return sorted(_REGISTRY.values(), key=lambda i: i.kind)
