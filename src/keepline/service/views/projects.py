"""Key project pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from keepline.core.lists import listing_views
from keepline.core.pickers import ENTERPRISES, offer, source_url
from keepline.core.scopes import get_for, holds_area, require_area
from keepline.core.web import AuthedRequest, form_page
from keepline.enterprises.models import Enterprise
from keepline.service.forms import KeyProjectForm
from keepline.service.models import KeyProject
from keepline.service.selectors.coverage import KEY_PROJECTS, visible_enterprises
from keepline.service.services.projects import create_key_project

# ---- key projects -----------------------------------------------------------------------------


project_list, project_export = listing_views(
    KEY_PROJECTS,
    "service/project_list.html",
    "service/_project_results.html",
    export="service:projects_export",
    extra=lambda request: {"may_create": holds_area(request.user, KeyProject)},
)


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

    def save(data: dict[str, Any]) -> HttpResponse:
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
        messages.success(request, _("Key project created."))
        return redirect("service:projects")

    return form_page(request, form, "service/project_new.html", save)
