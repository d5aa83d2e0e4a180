"""Pages for signing in, the start page, people, API tokens and the audit trail."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core import notifications, selectors, services
from keepline.core.errors import InvalidInput
from keepline.core.forms import TEXT, MembershipForm, PasswordForm, TokenForm, UserCreateForm
from keepline.core.lists import export_response, list_page, listing_views
from keepline.core.menu import items, opens
from keepline.core.models import ApiToken, Membership, Notification, User
from keepline.core.scopes import get_for, may, parse_key, require_role, visible
from keepline.core.tabular import workbook_response
from keepline.core.web import AuthedRequest, apply_errors, form_page, paginate


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update(TEXT)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Each capability the user may open, with how many rows of it they can see."""
    cards = []
    for item in items():
        if item.creates or not opens(request.user, item):
            continue
        rows = visible(apps.get_model(item.model)._default_manager.all(), request.user)
        cards.append({"item": item, "url": reverse(item.url_name), "count": rows.count()})
    return render(request, "core/home.html", {"cards": cards})


# ---- people ---------------------------------------------------------------------------------


@login_required
def people(request: AuthedRequest) -> HttpResponse:
    """The people list, and the form that adds a user beside it."""
    require_role(request.user, User)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_user(actor=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("person", user.pk)
    response = list_page(
        request,
        selectors.PEOPLE,
        "core/people.html",
        "core/_people.html",
        {"form": form, "export_url": reverse("people_export")},
    )
    if request.method == "POST":
        response.status_code = 400
    return response


@login_required
def people_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, User)
    return export_response(request, selectors.PEOPLE)


@login_required
def person(request: AuthedRequest, pk: int) -> HttpResponse:
    user = get_for(User.objects.all(), request.user, pk)
    membership_form = MembershipForm(prefix="m")
    password_form = PasswordForm(prefix="p")
    if request.method == "POST":
        get_for(User.objects.all(), request.user, pk, "change")
        action = request.POST.get("action")
        try:
            if action == "add_membership":
                membership_form = MembershipForm(request.POST, prefix="m")
                if membership_form.is_valid():
                    role = membership_form.cleaned_data["role"]
                    target = selectors.scope_target(role, membership_form.cleaned_data["scope"])
                    services.add_membership(actor=request.user, user=user, role=role, target=target)
                    return redirect("person", pk)
            elif action == "remove_membership":
                membership = get_for(
                    Membership.objects.filter(user=user),
                    request.user,
                    request.POST.get("membership"),
                    "change",
                )
                services.remove_membership(actor=request.user, membership=membership)
                return redirect("person", pk)
            elif action in ("activate", "deactivate"):
                services.set_user_active(actor=request.user, user=user, active=action == "activate")
                return redirect("person", pk)
            elif action == "set_password":
                password_form = PasswordForm(request.POST, prefix="p")
                if password_form.is_valid():
                    services.set_password(
                        actor=request.user,
                        user=user,
                        password=password_form.cleaned_data["password"],
                    )
                    messages.success(request, _("Password changed."))
                    return redirect("person", pk)
        except InvalidInput as exc:
            apply_errors(password_form if action == "set_password" else membership_form, exc)
    memberships = user.memberships.select_related("region", "park", "enterprise", "department")
    return render(
        request,
        "core/person.html",
        {
            "person": user,
            "memberships": memberships,
            "membership_form": membership_form,
            "password_form": password_form,
            "can_change": may(request.user, "change", user),
        },
        # A POST that did not redirect was refused: its form shows why.
        status=400 if request.method == "POST" else 200,
    )


# ---- API tokens -----------------------------------------------------------------------------


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    mine = visible(ApiToken.objects.filter(user=request.user), request.user)

    def save(data: dict[str, Any]) -> HttpResponse:
        _token, new_key = services.create_token(actor=request.user, name=data["name"])
        # The new key is shown once, on this page, so the answer is not a redirect.
        context = {"tokens": mine, "form": TokenForm(), "new_key": new_key}
        return render(request, "core/tokens.html", context)

    form = TokenForm(request.POST or None)
    return form_page(request, form, "core/tokens.html", save, {"tokens": mine, "new_key": None})


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    services.revoke_token(actor=request.user, token_id=pk)
    messages.success(request, _("Token revoked."))
    return redirect("tokens")


# ---- audit ----------------------------------------------------------------------------------


audit_list, audit_export = listing_views(
    selectors.AUDIT, "core/audit.html", "core/_audit.html", export="audit_export"
)


# ---- inbox ----------------------------------------------------------------------------------


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    """The user's own notifications, filterable and exportable (?export=xlsx); POST marks one
    (`notification`) or all of them read."""
    if request.method == "POST":
        raw = request.POST.get("notification", "")
        key = parse_key(raw)
        ids = [key] if key is not None else None
        notifications.mark_read(request.user, ids)
        return redirect(f"{reverse('inbox')}?{request.GET.urlencode()}")
    # Only the addressee's own, whatever roles they hold over others.
    mine = visible(Notification.objects.filter(user=request.user), request.user)
    state = request.GET.get("state", "")
    if state == "unread":
        mine = mine.filter(read_at__isnull=True)
    q = request.GET.get("q", "").strip()
    if q:
        mine = mine.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if request.GET.get("export") == "xlsx":
        headers = [_("Time"), _("Kind"), _("Title"), _("Text"), _("Link"), _("Read")]
        rows = ([n.created, n.kind, n.title, n.body, n.url, n.read_at] for n in mine.iterator())
        return workbook_response("inbox", headers, rows, title=_("Inbox"))
    page, query = paginate(request, mine)
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(
        request,
        "core/inbox.html",
        {"page": page, "query": query, "q": q, "state": state, "unread": unread},
    )
