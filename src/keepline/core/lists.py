"""One way to list: a declaration per list, read by its page, its Excel export and its API.

A `Listing` names the model's visible rows (through `visible()`), the filters (a django-filter
FilterSet), the columns (for the table header, the sort keys and the export alike) and the
default order. `Listing.rows()` is the one road from a query string to rows:
visible → filter → sort, and a bad filter is an `InvalidInput` naming its field. The page
(`list_page`), the export (`export_response`) and the API (`Listing.openapi()` for the
parameters, `Listing.rows()` in the handler) all take that road, so the API's filters are the
page's, field for field.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import django_filters
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext as _

from keepline.core.errors import InvalidInput
from keepline.core.scopes import Actor, require_role, visible
from keepline.core.tabular import workbook_response

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

M = TypeVar("M", bound=models.Model)

# The page size of every list page; the API pages by its own paginator.
PAGE_SIZE = 50


class FilterSet(django_filters.FilterSet):
    """A list's filters. It knows the actor, so a scoped filter can offer (on the page) and
    accept (everywhere) only what the actor may see."""

    def __init__(self, data: QueryDict | None, queryset: QuerySet[Any], *, actor: Actor) -> None:
        self.actor = actor
        super().__init__(data, queryset=queryset)
        for name, form_field in self.form.fields.items():
            widget = form_field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
            widget.attrs.setdefault("aria-label", str(form_field.label or name))
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"


class ScopedField(forms.CharField):
    """A code naming one object the actor may see; it cleans to that object."""

    def __init__(self, *, resolve: Callable[[str], Any], **kwargs: Any) -> None:
        self.resolve = resolve
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        found = self.resolve(text)
        if found is None:
            raise forms.ValidationError(
                _("%(value)s is not one you can choose.") % {"value": text[:40]}, code="invalid"
            )
        return found


class ScopedChoiceFilter(django_filters.Filter):
    """A choice among the objects the actor may see (a region, a park, an enterprise…).

    `resolve(actor, code)` finds the object (through `visible()`) or None, so the API and the
    page refuse the same values; `choices(actor)` builds the page's dropdown, only when a page
    renders it; `apply(qs, obj)` narrows the rows.
    """

    field_class = ScopedField

    def __init__(
        self,
        *,
        choices: Callable[[Actor], Sequence[tuple[str, str]]],
        resolve: Callable[[Actor, str], Any],
        apply: Callable[[QuerySet[Any], Any], QuerySet[Any]],
        empty_label: Any = "—",
        **kwargs: Any,
    ) -> None:
        self.empty_label = empty_label
        self.choices_for = choices
        self.resolve = resolve
        self.apply = apply
        kwargs.setdefault("widget", forms.Select)
        super().__init__(**kwargs)

    @property
    def field(self) -> forms.Field:
        if not hasattr(self, "_field"):
            actor = self.parent.actor
            self.extra["resolve"] = lambda code: self.resolve(actor, code)
            form_field = super().field
            built: list[tuple[str, str]] = []

            def choices() -> list[tuple[str, str]]:
                # Read once per page: the widget asks twice (for its options and for whether
                # its first option is empty).
                if not built:
                    built.extend([("", str(self.empty_label)), *self.choices_for(actor)])
                return built

            form_field.widget.choices = CallableChoiceIterator(choices)
        return self._field

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        return qs if value is None else self.apply(qs, value)


class YesNoField(django_filters.fields.ChoiceField):
    """A two-way choice: its first value means yes, its second no (whatever they are spelled,
    "yes"/"no" or "1"/"0"); API clients may also write yes/no, true/false or 1/0."""

    WORDS = {"yes": 0, "true": 0, "1": 0, "no": 1, "false": 1, "0": 1}

    def to_python(self, value: Any) -> Any:
        text = str(super().to_python(value)).strip()
        values = [str(v) for v, _label in self.choices if v != ""]
        position = self.WORDS.get(text.lower())
        return values[position] if position is not None and len(values) == 2 else text


class YesNoFilter(django_filters.ChoiceFilter):
    """A yes/no filter (see `YesNoField`); `choices` name the yes value first."""

    field_class = YesNoField


@dataclass(frozen=True)
class Column:
    """A column of a list: its header, its value for the export and, when `sort` names an
    ORM path, its sort key. `css` is the table cell's class (hidden on a phone, numbers);
    `table`/`export` say where it shows (a sort-only column shows in neither)."""

    key: str
    label: StrOrPromise
    value: str | Callable[[Any], Any] = ""
    sort: str | tuple[str, ...] = ""  # ORM path(s): later paths break ties, same direction
    css: str = ""
    export: bool = True
    table: bool = True
    heading: StrOrPromise = ""  # a shorter header for the table, where the export's is long

    def read(self, obj: Any) -> Any:
        if callable(self.value):
            return self.value(obj)
        getter = operator.attrgetter(self.value or self.key)
        try:
            return getter(obj)
        except AttributeError:  # a nullable relation on the way
            return ""


@dataclass(frozen=True)
class Header:
    """A table header as the template draws it: the link that sorts by it, and its state."""

    label: StrOrPromise
    css: str
    url: str
    state: str  # "ascending" | "descending" | "" (the aria-sort value)


LISTINGS: list[Listing[Any]] = []


@dataclass(frozen=True)
class Listing(Generic[M]):
    """The declaration of one list. `base(actor)` gives the rows the actor may see; the
    default is every visible row of the filterset's model."""

    filterset: type[FilterSet]
    columns: Sequence[Column]
    default_sort: str
    title: StrOrPromise
    filename: str
    base: Callable[[Actor], QuerySet[M]] | None = None
    related: Sequence[str] = field(default_factory=tuple)
    # Where the list is served: the page's URL name and the API's path (both without
    # arguments), so one test walks every list's filters on both and compares them.
    page: str = ""
    api: str = ""

    def __post_init__(self) -> None:
        if self.page or self.api:
            LISTINGS.append(self)

    @property
    def sorts(self) -> dict[str, tuple[str, ...]]:
        return {
            c.key: (c.sort,) if isinstance(c.sort, str) else tuple(c.sort)
            for c in self.columns
            if c.sort
        }

    def visible_rows(self, actor: Actor) -> QuerySet[M]:
        if self.base is not None:
            return self.base(actor)
        model = self.filterset._meta.model
        return visible(model.objects.select_related(*self.related), actor)

    def bind(self, actor: Actor, params: QueryDict) -> FilterSet:
        return self.filterset(params, self.visible_rows(actor), actor=actor)

    def sort_key(self, params: QueryDict) -> str:
        """The requested sort if it names a sortable column, else the default."""
        requested = params.get("sort", "")
        return requested if requested.lstrip("-") in self.sorts else self.default_sort

    def order(self, qs: QuerySet[M], sort: str) -> QuerySet[M]:
        """Empty values last either way; the row id breaks the remaining ties, so pages never
        overlap. A path that cannot be empty sorts plainly, so an index on it serves the page
        (PostgreSQL cannot read a DESC index for DESC NULLS LAST)."""
        descending = sort.startswith("-")
        terms: list[Any] = []
        for path in self.sorts[sort.lstrip("-")]:
            if not _nullable(qs.model, path):
                terms.append(f"-{path}" if descending else path)
            else:
                term = models.F(path)
                terms.append(
                    term.desc(nulls_last=True) if descending else term.asc(nulls_last=True)
                )
        return qs.order_by(*terms, "-pk" if descending else "pk")

    def rows(self, actor: Actor, params: QueryDict) -> QuerySet[M]:
        """visible → filter → sort; a bad filter raises `InvalidInput` naming its field."""
        bound = self.bind(actor, params)
        if not bound.is_valid():
            raise invalid_filters(bound)
        return self.order(bound.qs, self.sort_key(params))

    def export_columns(self) -> list[Column]:
        return [c for c in self.columns if c.export]

    def openapi(self) -> dict[str, Any]:
        """The filters and the sort as OpenAPI query parameters (the API's documentation)."""
        parameters: list[dict[str, Any]] = []
        for name, flt in self.filterset.base_filters.items():
            schema: dict[str, Any] = {"type": "string"}
            form_field = flt.field_class
            if issubclass(form_field, forms.DateField):
                schema["format"] = "date"
            elif issubclass(form_field, forms.DateTimeField):
                schema["format"] = "date-time"
            elif issubclass(form_field, forms.IntegerField):
                schema = {"type": "integer"}
            elif issubclass(form_field, forms.NullBooleanField | forms.BooleanField):
                schema = {"type": "boolean"}
            choices = flt.extra.get("choices")
            if choices and not callable(choices):
                schema["enum"] = [str(value) for value, _label in choices]
            parameters.append(
                {
                    "in": "query",
                    "name": name,
                    "required": False,
                    "description": str(flt.label or name),
                    "schema": schema,
                }
            )
        sort_keys = [k for key in self.sorts for k in (key, f"-{key}")]
        parameters.append(
            {
                "in": "query",
                "name": "sort",
                "required": False,
                "description": f"A column; '-' first for descending (default {self.default_sort})",
                "schema": {"type": "string", "enum": sort_keys},
            }
        )
        return {"parameters": parameters}


def _nullable(model: type[models.Model], path: str) -> bool:
    """Whether an ORM path may end empty: a nullable field, or a nullable relation on the way."""
    for name in path.split("__"):
        try:
            field_ = model._meta.get_field(name)
        except FieldDoesNotExist:  # an annotation or a transform: assume it may be empty
            return True
        if getattr(field_, "null", False) or field_.many_to_many or field_.one_to_many:
            return True
        if field_.related_model is None:
            return False
        model = field_.related_model
    return False


def invalid_filters(bound: FilterSet) -> InvalidInput:
    errors = {name: [str(m) for m in messages] for name, messages in bound.errors.items()}
    return InvalidInput(_("Some filters are not valid."), errors=errors)


def headers(listing: Listing[Any], params: QueryDict, sort: str) -> list[Header]:
    """Header links: a sortable column toggles its direction; the page number is dropped."""
    base = params.copy()
    for name in ("sort", "page"):
        base.pop(name, None)
    prefix = base.urlencode()
    result = []
    for column in listing.columns:
        if not column.table:
            continue
        label = column.heading or column.label
        if not column.sort:
            result.append(Header(label, column.css, "", ""))
            continue
        state = (
            "ascending" if sort == column.key else "descending" if sort == f"-{column.key}" else ""
        )
        target = f"-{column.key}" if state == "ascending" else column.key
        url = f"?{prefix}&sort={target}" if prefix else f"?sort={target}"
        result.append(Header(label, column.css, url, state))
    return result


def list_page(
    request: HttpRequest,
    listing: Listing[Any],
    template: str,
    results_template: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A list page: the filters, the sorted and paginated rows, and the same rows as an htmx
    partial when a filter changes. Invalid filters answer 400 with the errors by field."""
    actor: Actor = request.user  # type: ignore[assignment]
    bound = listing.bind(actor, request.GET)
    sort = listing.sort_key(request.GET)
    valid = bound.is_valid()
    qs = listing.order(bound.qs, sort) if valid else bound.queryset.none()
    # A refused filter is outlined in red; the message above the results names it.
    for name in bound.form.errors:
        if name in bound.form.fields:
            widget = bound.form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
    page = Paginator(qs, PAGE_SIZE).get_page(_page_number(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "listing": listing,
        "filters": bound.form,
        "page": page,
        "query": query.urlencode(),
        "sort": sort,
        "headers": headers(listing, request.GET, sort),
        "results_template": results_template,
        **(extra or {}),
    }
    # htmx swaps only the results when a filter changes.
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
    return render(
        request,
        "core/_results.html" if partial else template,
        context,
        status=200 if valid else 400,
    )


def _page_number(raw: str | None) -> int | str:
    """A page number too long to be a page (a 10 MB string) is the last page, not an error."""
    if raw is None or len(raw) > 9:
        return "last" if raw else 1
    return raw


def export_response(request: HttpRequest, listing: Listing[Any]) -> HttpResponse:
    """The filtered, sorted rows as an Excel workbook with the declared columns."""
    actor: Actor = request.user  # type: ignore[assignment]
    rows = listing.rows(actor, request.GET)
    columns = listing.export_columns()
    return workbook_response(
        listing.filename,
        [str(c.label) for c in columns],
        _cells(rows, columns),
        title=str(listing.title),
    )


def _cells(rows: QuerySet[Any], columns: Sequence[Column]) -> Iterator[list[Any]]:
    for obj in rows.iterator(chunk_size=2000):
        yield [c.read(obj) for c in columns]


View = Callable[..., HttpResponse]


def listing_views(
    listing: Listing[Any],
    template: str,
    results_template: str,
    *,
    export: str = "",
    extra: Callable[[Any], dict[str, Any]] | None = None,
    action: str = "view",
) -> tuple[View, View]:
    """The list page and its Excel export for a declaration, both behind login and the role's
    right to `action` the listing's model (403 otherwise). `export` is the export's URL name
    (the page's button); `extra(request)` adds to the page's context (buttons the user may
    press)."""
    model = listing.filterset._meta.model

    @login_required
    def page(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        require_role(request.user, model, action)  # type: ignore[arg-type]
        context = {"export_url": reverse(export) if export else ""}
        context.update(extra(request) if extra else {})
        return list_page(request, listing, template, results_template, context)

    @login_required
    def export_view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        require_role(request.user, model, action)  # type: ignore[arg-type]
        return export_response(request, listing)

    return page, export_view
