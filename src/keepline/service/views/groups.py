"""Working group pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core.errors import Conflict, InvalidInput
from keepline.core.lists import listing_views
from keepline.core.pickers import PEOPLE, offer, source_url
from keepline.core.scopes import holds_area, may, require_area, visible
from keepline.core.web import AuthedRequest, apply_errors, form_page
from keepline.places.models import Park, Region
from keepline.places.selectors import park_choices, region_choices
from keepline.service.forms import WorkingGroupEndForm, WorkingGroupForm
from keepline.service.models import WorkingGroup
from keepline.service.selectors.coverage import local_today
from keepline.service.selectors.groups import WORKING_GROUPS, get_working_group, visible_region
from keepline.service.selectors.people import group_people, user_named, users_named
from keepline.service.services.groups import (
    change_working_group,
    create_working_group,
    end_working_group,
)

# ---- working groups ---------------------------------------------------------------------------


group_list, group_export = listing_views(
    WORKING_GROUPS,
    "service/group_list.html",
    "service/_group_results.html",
    export="service:groups_export",
    extra=lambda request: {"may_create": holds_area(request.user, WorkingGroup)},
)


def _group_form(
    request: AuthedRequest,
    data: Any = None,
    group: WorkingGroup | None = None,
    **kwargs: Any,
) -> WorkingGroupForm:
    """The form with the people who may lead or join a group of its authority: the group's
    own once it exists, else the one chosen (reloaded when another is chosen)."""
    user = request.user
    form = WorkingGroupForm(
        data,
        regions=region_choices(user),
        parks=park_choices(user),
        editing=group is not None,
        **kwargs,
    )
    if group is not None:
        authority: Region | None = group.authority
        query = {"for": "group", "authority": group.authority.code}
        refresh = {}
    else:
        code = str(form["authority"].value() or "").strip()
        authority = visible(Region.objects.filter(code=code), user).first() if code else None
        query = {"for": "group"}
        refresh = {"include": "#id_authority", "refresh_on": "id_authority"}
    people = group_people(user, authority)
    offer(
        form,
        "leader",
        people,
        PEOPLE,
        source_url("service:people_choices", **query, field="leader"),
        **refresh,
    )
    offer(
        form,
        "members",
        people,
        PEOPLE,
        source_url("service:people_choices", **query, field="members"),
        **refresh,
    )
    return form


def _group_parts(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "purpose": data["purpose"],
        "leader": user_named(data["leader"], "leader"),
        "members": users_named(data["members"], "members"),
        "regions": list(Region.objects.filter(code__in=data["regions"])),
        "parks": list(Park.objects.filter(code__in=data["parks"]).select_related("region")),
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
    }


@login_required
def group_new(request: AuthedRequest) -> HttpResponse:
    require_area(request.user, WorkingGroup)
    form = _group_form(request, request.POST or None)
    if request.method == "POST" and request.POST.get("authority"):
        # A region out of sight is not found, before any field is judged.
        visible_region(request.user, request.POST["authority"])

    def save(data: dict[str, Any]) -> HttpResponse:
        group = create_working_group(
            actor=request.user,
            authority=visible_region(request.user, data["authority"]),
            **_group_parts(data),
        )
        messages.success(request, _("Working group created."))
        return redirect("service:group", pk=group.pk)

    return form_page(
        request, form, "service/group_form.html", save, {"title": _("New working group")}
    )


@login_required
def group_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    group = get_working_group(request.user, pk)
    may_change = may(request.user, "change", group)
    return render(
        request,
        "service/group_detail.html",
        {
            "group": group,
            "may_change": may_change,
            "open": group.ends_on is None or group.ends_on >= local_today(),
            "end_form": WorkingGroupEndForm(initial={"version": group.version}),
        },
    )


def _group_initial(group: WorkingGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "purpose": group.purpose,
        "leader": group.leader.get_username(),
        "members": [u.get_username() for u in group.members.order_by("username")],
        "regions": [r.code for r in group.regions.all()],
        "parks": [p.code for p in group.parks.all()],
        "starts_on": group.starts_on,
        "ends_on": group.ends_on,
        "version": group.version,
    }


@login_required
def group_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a group's members, areas and period; a stale form answers 409."""
    group = get_working_group(request.user, pk, "change")
    form = _group_form(request, request.POST or None, group, initial=_group_initial(group))

    def save(data: dict[str, Any]) -> HttpResponse:
        change_working_group(
            actor=request.user, group_id=pk, version=data["version"], **_group_parts(data)
        )
        messages.success(request, _("Working group changed."))
        return redirect("service:group", pk=pk)

    def reload() -> WorkingGroupForm:
        fresh = get_working_group(request.user, pk)
        return _group_form(request, None, fresh, initial=_group_initial(fresh))

    context = {"group": group, "title": _("Change working group")}
    return form_page(request, form, "service/group_form.html", save, context, reload)


@login_required
@require_POST
def group_end(request: AuthedRequest, pk: int) -> HttpResponse:
    """Stand a group down; a stale form answers 409 on the group's page."""
    group = get_working_group(request.user, pk, "change")
    form = WorkingGroupEndForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            end_working_group(
                actor=request.user,
                group_id=pk,
                ends_on=form.cleaned_data["ends_on"],
                version=form.cleaned_data["version"],
            )
        except InvalidInput as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            messages.error(request, exc.message)
            group = get_working_group(request.user, pk)
            form = WorkingGroupEndForm(initial={"version": group.version})
            status = 409
        else:
            messages.success(request, _("Working group stood down."))
            return redirect("service:group", pk=pk)
    return render(
        request,
        "service/group_detail.html",
        {
            "group": group,
            "may_change": True,
            "open": group.ends_on is None or group.ends_on >= local_today(),
            "end_form": form,
        },
        status=status,
    )
