"""Picking from lists on the pages: a <select> of the people or enterprises the user may choose
here, with a filter box when the list is long. Typing asks the server (htmx) for the matching
options, so nobody types a username or an enterprise number from memory. The lists come from
the apps' selectors, through the visibility function; the services still judge whatever comes
back, and refuse a name posted from outside the list."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django import forms
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.models import Membership, User
from keepline.core.scopes import parse_key

PICK_LIMIT = 50  # options sent at once; typing narrows the rest
PICK_SEARCH = 15  # a list longer than this gets a filter box
PICKER_TEMPLATE = "core/widgets/picker.html"
OPTIONS_TEMPLATE = "core/_options.html"
Option = tuple[str, str, bool]


def split_names(value: str) -> list[str]:
    """Usernames or numbers separated by commas, spaces or new lines (Chinese commas too)."""
    return [part for part in re.split(r"[\s,，、;；]+", value or "") if part]


class PickerMixin:
    """A <select> filled by `offer` with what the user may choose; with `search`, a filter box
    above it asks `source` for the options matching what was typed."""

    offered: list[Option]
    more = 0
    search = False
    blank: str | None = None
    source = ""
    include = ""  # further fields sent along with a search (CSS selectors, comma-separated)
    refresh_on = ""  # the id of a field whose change reloads this list
    placeholder: Any = gettext_lazy("Type to filter")

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context(name, value, attrs)  # type: ignore[misc]
        widget = context["widget"]
        widget["attrs"].pop("maxlength", None)  # a CharField's, meaningless on a <select>
        widget_id = widget["attrs"].get("id", f"id_{name}")
        sent = ", ".join(filter(None, [f"#{widget_id}", self.include]))
        if self.refresh_on:
            # Another choice (the enterprise, the sending region) changes who may be chosen.
            widget["attrs"] |= {
                "hx-get": self.source,
                "hx-trigger": (
                    f"change from:#{self.refresh_on}, htmx:afterSettle from:#{self.refresh_on}"
                ),
                "hx-include": self.include or f"#{self.refresh_on}",
                "hx-target": "this",
                "hx-swap": "innerHTML",
            }
        widget |= {
            "options": getattr(self, "offered", []),
            "more": self.more,
            "search": self.search,
            "blank": self.blank,
            "source": self.source,
            "sent": sent,
            "placeholder": self.placeholder,
            "select_id": widget_id,
        }
        return context


class Picker(PickerMixin, forms.Select):
    template_name = PICKER_TEMPLATE


class MultiPicker(PickerMixin, forms.SelectMultiple):
    template_name = PICKER_TEMPLATE


class UsernamesField(forms.Field):
    """Usernames picked from a list (several values), or typed with commas as before."""

    widget = MultiPicker

    def to_python(self, value: Any) -> list[str]:
        values = value if isinstance(value, list | tuple) else [value or ""]
        names = [name for v in values for name in split_names(str(v))]
        return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Kind:
    """What a list offers: the value an option posts, its label, the fields typing searches."""

    key: str
    label: Callable[[Any], str]
    search: tuple[str, ...]
    placeholder: Callable[[], str]
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda qs: qs


def _person_label(u: User) -> str:
    roles = "; ".join(str(m) for m in list(u.memberships.all())[:2])
    name = f"{u.display_name} ({u.username})" if u.display_name else u.username
    return f"{name} · {roles}" if roles else name


def _with_memberships(qs: QuerySet[Any]) -> QuerySet[Any]:
    scoped = Membership.objects.select_related("region", "park", "enterprise", "department")
    return qs.prefetch_related(Prefetch("memberships", queryset=scoped))


PEOPLE = Kind(
    key="username",
    label=_person_label,
    search=("username", "display_name"),
    placeholder=lambda: _("Filter by name"),
    prepare=_with_memberships,
)
# The enterprise registry's fields, named here without importing the app core sits below.
ENTERPRISES = Kind(
    key="pk",
    label=lambda e: f"{e.name} ({e.uscc})",
    search=("name", "uscc"),
    placeholder=lambda: _("Filter by name or credit code"),
)


def _matching(qs: QuerySet[Any], kind: Kind, q: str) -> QuerySet[Any]:
    if not q:
        return qs
    return qs.filter(reduce(operator.or_, (Q(**{f"{f}__icontains": q}) for f in kind.search)))


def pick(
    qs: QuerySet[Any], kind: Kind, *, q: str = "", selected: list[str], multiple: bool = False
) -> tuple[list[Option], int]:
    """Up to PICK_LIMIT options of `qs` matching `q`, the chosen ones first (a multiple choice
    keeps them while one types; a single one is replaced by the search), and how many more
    match."""
    if kind.key == "pk":
        selected = [v for v in selected if parse_key(v) is not None]
    if q and not multiple:
        selected = []
    qs = kind.prepare(qs)
    key = kind.key
    chosen = list(qs.filter(**{f"{key}__in": selected})) if selected else []
    rest = _matching(qs.exclude(**{f"{key}__in": selected}) if selected else qs, kind, q)
    found = list(rest[:PICK_LIMIT])
    more = rest.count() - len(found) if len(found) == PICK_LIMIT else 0
    # Typing that leaves one match picks it.
    only = bool(q) and not chosen and len(found) == 1 and not multiple
    options = [(str(getattr(o, key)), kind.label(o), True) for o in chosen]
    options += [(str(getattr(o, key)), kind.label(o), only) for o in found]
    return options, more


def source_url(name: str, **query: str) -> str:
    """The address a picker asks for its options: the named view, with the list's query."""
    return f"{reverse(name)}?{urlencode(query)}"


def offer(
    form: forms.Form,
    name: str,
    qs: QuerySet[Any],
    kind: Kind,
    source: str,
    *,
    blank: str | None = "—",
    include: str = "",
    refresh_on: str = "",
) -> None:
    """Fill a picker field of `form` with the options of `qs`, keeping what was chosen."""
    widget = form.fields[name].widget
    assert isinstance(widget, PickerMixin)
    value = form[name].value()
    values = value if isinstance(value, list | tuple) else [value]
    selected = [str(v).strip() for v in values if v not in (None, "")]
    multiple = isinstance(widget, forms.SelectMultiple)
    if multiple:
        selected = [n for v in selected for n in split_names(v)]
    options, more = pick(qs, kind, selected=selected, multiple=multiple)
    widget.offered = options
    widget.more = more
    widget.search = len(options) + more > PICK_SEARCH
    widget.blank = None if multiple else blank
    widget.source = source
    widget.include = include
    widget.refresh_on = refresh_on
    widget.placeholder = kind.placeholder()


def options_response(
    request: HttpRequest,
    qs: QuerySet[Any],
    kind: Kind,
    field: str | None,
    *,
    multiple: bool = False,
    blank: str | None = "—",
) -> HttpResponse:
    """The options matching what was typed (an htmx fragment), keeping those chosen in
    `field` (none kept without one)."""
    selected = [v.strip() for v in request.GET.getlist(field) if v.strip()] if field else []
    options, more = pick(
        qs, kind, q=request.GET.get("q", "").strip(), selected=selected, multiple=multiple
    )
    return render(
        request,
        OPTIONS_TEMPLATE,
        {"options": options, "more": more, "blank": None if multiple else blank},
    )
