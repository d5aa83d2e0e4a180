"""Key project pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from keepline.core.errors import InvalidInput
from keepline.core.lists import export_response, list_page
from keepline.core.pickers import ENTERPRISES, offer, source_url
from keepline.core.scopes import get_for, holds_area, require_area, require_role
from keepline.core.web import AuthedRequest, apply_errors
from keepline.enterprises.models import Enterprise
from keepline.service.forms import KeyProjectForm
from keepline.service.models import KeyProject
from keepline.service.selectors.coverage import KEY_PROJECTS, visible_enterprises
from keepline.service.services.projects import create_key_project

# ---- key projects -----------------------------------------------------------------------------


@login_required
def project_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, KeyProject)
    return list_page(
        request,
        KEY_PROJECTS,
        "service/project_list.html",
        "service/_project_results.html",
        {
            "export_url": reverse("service:projects_export"),
            "may_create": holds_area(request.user, KeyProject),
        },
    )


@login_required
def project_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, KeyProject)
    return export_response(request, KEY_PROJECTS)


@login_required
def project_new(request: AuthedRequest) -> HttpResponse:
    require_area(request.user, KeyProject)
    form = KeyProjectForm(request.POST or None)
    offer(
        form,
        "enterprise",
        visible_enterprises(request.user),
        ENTERPRISES,
        source_url("service:enterprise_choices", **{"for": "project"}),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                create_key_project(
                    actor=request.user,
                    enterprise=get_for(
                        Enterprise.objects.select_related("region", "park"),
                        request.user,
                        data["enterprise"],
                    ),
                    name=data["name"],
                    description=data["description"],
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Key project created."))
                return redirect("service:projects")
        status = 400
    return render(request, "service/project_new.html", {"form": form}, status=status)
