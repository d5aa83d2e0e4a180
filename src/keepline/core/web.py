"""Shared pieces of the page layer: error pages, form errors from services, list plumbing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from keepline.core.errors import Conflict, KeeplineError
from keepline.core.models import Attachment, User


class AuthedRequest(HttpRequest):
    """A request behind login_required: its user is a Keepline user."""

    user: User


class ErrorMiddleware:
    """Turns the application error into a page with its status (400/403/404/409)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/") or not isinstance(exc, KeeplineError):
            return None
        # htmx swaps a 400/409 into the page: it gets the message, not a whole page.
        partial = request.headers.get("HX-Request") and not request.headers.get("HX-Boosted")
        return render(
            request,
            "core/_error.html" if partial else "core/error.html",
            {"status": exc.status, "message": exc.message},
            status=exc.status,
        )


def apply_errors(form: forms.Form, exc: KeeplineError) -> None:
    """Put a service's errors on the form's fields; the rest at the top of the form."""
    for name, texts in exc.errors.items():
        for message in texts:
            form.add_error(name if name in form.fields else None, message)
    if not exc.errors:
        form.add_error(None, exc.message)


def form_page(
    request: HttpRequest,
    form: forms.Form,
    template: str,
    save: Callable[[dict[str, Any]], HttpResponse],
    context: dict[str, Any] | None = None,
    reload: Callable[[], forms.Form] | None = None,
) -> HttpResponse:
    """The one form page: on a valid POST, `save(cleaned_data)` calls the service and returns
    the response (a redirect); the service's `InvalidInput` lands on the form's fields. An
    invalid form answers 400 with the form and its errors (htmx swaps 400 in too). Given
    `reload`, a conflict (someone changed the object first) answers 409 with the form read
    afresh and the message; otherwise a refusal (403/404/409) goes to the error page."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                return save(form.cleaned_data)
            except Conflict as exc:
                if reload is None:
                    raise
                messages.error(request, exc.message)
                form, status = reload(), 409
            except KeeplineError as exc:
                if exc.status != 400:
                    raise
                apply_errors(form, exc)
    return render(request, template, {"form": form, **(context or {})}, status=status)


def query_without(request: HttpRequest, *names: str) -> str:
    """The query string without these parameters (and the page): a filter's "remove" link."""
    query = request.GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    return query.urlencode()


def paginate(request: HttpRequest, qs: QuerySet[Any]) -> tuple[Page[Any], str]:
    """The requested page, and the query string without `page` for the page links."""
    paginator = Paginator(qs, settings.KEEPLINE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def attachment_response(attachment: Attachment) -> HttpResponse:
    """Serve an attachment whose owning object the caller has already checked."""
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
