""" "My work": the one place where a commissioner sees what they cover."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from keepline.core.web import AuthedRequest
from keepline.service.rules import may_visit
from keepline.service.selectors.mine import my_work

# ---- my work ----------------------------------------------------------------------------------


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """The enterprises, areas and key projects the user covers today, and how each stands."""
    work = my_work(request.user)
    return render(
        request,
        "service/mine.html",
        {
            "work": work,
            "counts": work.counts,
            "may_visit": may_visit(request.user),
        },
    )
