"""Scenario pages: the list, a new what-if, one from the measures in force, the scenario with its
totals, charts, at-risk list and times to recover, editing, running, and the comparison."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.chains.forms.scenarios import (
    MeasuresScenarioForm,
    RecoveryForm,
    RecoveryImportForm,
    ScenarioEditForm,
    ScenarioForm,
    area_formset,
    formset_areas,
)
from keepline.chains.importers import RecoveryImporter
from keepline.chains.models import Scenario
from keepline.chains.selectors.network import district_code
from keepline.chains.selectors.results import figures as scenario_figures
from keepline.chains.selectors.results import flagged, result_listing, results
from keepline.chains.selectors.scenarios import (
    SCENARIOS,
    Comparison,
    as_key,
    compare,
    day_date,
    get_scenario,
    last_day,
    scenarios,
)
from keepline.chains.services.runs import run_scenario, set_recovery
from keepline.chains.services.scenarios import create_scenario, delete_scenario, update_scenario
from keepline.chains.services.scenarios import scenario_from_measures as create_from_measures
from keepline.chains.views.keep import scenario_panel
from keepline.core.errors import Conflict, InvalidInput, KeeplineError
from keepline.core.lists import export_response, headers, listing_views
from keepline.core.scopes import holds_area, may, require_area, require_role
from keepline.core.web import AuthedRequest, apply_errors, paginate
from keepline.places.models import Region

# ---- list -------------------------------------------------------------------------------------


scenario_list, scenario_export = listing_views(
    SCENARIOS,
    "chains/scenario_list.html",
    "chains/_scenario_results.html",
    export="chains:scenarios_export",
    extra=lambda request: {"may_create": holds_area(request.user, Scenario)},
)


# ---- new --------------------------------------------------------------------------------------


@login_required
def scenario_new(request: AuthedRequest) -> HttpResponse:
    """A what-if: areas shut from one day to another at a strictness."""
    require_area(request.user, Scenario)
    data = request.POST if request.method == "POST" else None
    form = ScenarioForm(data, user=request.user)
    formset = area_formset(data, request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid() & formset.is_valid():
            d = form.cleaned_data
            try:
                scenario = create_scenario(
                    actor=request.user,
                    name=d["name"],
                    region_id=d["region"],
                    starts_on=d["starts_on"],
                    days=d["days"],
                    areas=formset_areas(formset),
                    closed_loop_share=d["closed_loop_share"],
                    semi_closed_share=d["semi_closed_share"],
                    headroom=d["headroom"],
                    note=d["note"],
                )
            except InvalidInput as exc:
                _apply(form, formset, exc)
            else:
                messages.success(request, _("Scenario saved. Run it to see who runs dry."))
                return redirect("chains:scenario", scenario.pk)
        status = 400
    context = {"form": form, "formset": formset, "title": _("New what-if scenario")}
    return render(request, "chains/scenario_form.html", context, status=status)


def _apply(form: Any, formset: Any, exc: KeeplineError) -> None:
    """A service's errors on the form, or on the area row they name ("areas.2.starts_on")."""
    rest = {}
    filled = [f for f in formset.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]
    for key, messages_ in exc.errors.items():
        parts = key.split(".")
        if parts[0] == "areas" and len(parts) == 3 and int(parts[1]) < len(filled):
            target = filled[int(parts[1])]
            name = parts[2] if parts[2] in target.fields else "place"
            for m in messages_:
                target.add_error(name, m)
        elif key == "areas":
            formset._non_form_errors = formset.error_class(messages_)
        else:
            rest[key] = messages_
    if rest or not exc.errors:
        apply_errors(form, KeeplineError(exc.message, errors=rest))


@login_required
def scenario_from_measures(request: AuthedRequest) -> HttpResponse:
    """A scenario of the control measures in force over the days modelled."""
    require_area(request.user, Scenario)
    form = MeasuresScenarioForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                scenario = create_from_measures(
                    actor=request.user,
                    name=d["name"],
                    region_id=d["region"],
                    starts_on=d["starts_on"],
                    days=d["days"],
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Scenario saved from the measures in force."))
                return redirect("chains:scenario", scenario.pk)
        status = 400
    context = {"form": form, "title": _("Scenario from the measures in force")}
    return render(request, "chains/scenario_measures.html", context, status=status)


# ---- one scenario -----------------------------------------------------------------------------


def _at_risk(request: AuthedRequest, scenario: Scenario) -> tuple[Any, str, Any, Any]:
    """The page's list: the declaration's filters, opening on those that run dry, soonest first
    (the API's default is every row, the largest loss first)."""
    listing = result_listing(scenario)
    params = request.GET.copy()
    params.setdefault("at_risk", "1")
    params.setdefault("sort", "dry_day")
    bound = listing.bind(request.user, params)
    sort = listing.sort_key(params)
    valid = bound.is_valid()
    qs = listing.order(bound.qs, sort) if valid else bound.queryset.none()
    return bound, sort, qs, headers(listing, params, sort)


def _rows(scenario: Scenario, page: Any) -> list[dict[str, Any]]:
    results = list(page)
    codes = {district_code(r.enterprise.region.path) for r in results}
    names = {r.code: r.name for r in Region.objects.filter(code__in=codes)}
    rows = []
    for r in results:
        rows.append(
            {
                "result": r,
                "district": names.get(district_code(r.enterprise.region.path), ""),
                "dry_on": day_date(scenario, r.dry_day) if r.dry_day else None,
                "survives": r.survives_days,
                "recover": getattr(r, "recover", None),
                "flagged": flagged(r),
            }
        )
    return rows


@login_required
def scenario_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """Totals, loss by district and industry, the production index, and who runs dry."""
    scenario = get_scenario(request.user, pk)
    figures = scenario_figures(request.user, scenario)
    filters, sort, qs, heads = _at_risk(request, scenario)
    page, query = paginate(request, qs)
    index_rows = list(
        zip(range(1, len(figures.index) + 1), figures.days, figures.index, strict=False)
    )
    context = {
        "scenario": scenario,
        "areas": scenario.areas.select_related("region", "park", "measure"),
        "figures": figures,
        "index_rows": index_rows,
        "filters": filters.form,
        "headers": heads,
        "page": page,
        "rows": _rows(scenario, page),
        "query": query,
        "sort": sort,
        "may_change": may(request.user, "change", scenario),
        "last_day": last_day(scenario),
        "figures_url": reverse("api:chains_scenario_figures", kwargs={"scenario_id": scenario.pk}),
        "chart_labels": {
            "direct": _("Direct"),
            "indirect": _("Indirect"),
            "index": _("Production index"),
        },
        "keep_panel": scenario_panel(request, scenario),
        "next": request.get_full_path(),
        "now": timezone.now(),
    }
    status = 400 if filters.form.errors else 200
    return render(request, "chains/scenario_detail.html", context, status=status)


@login_required
def scenario_results_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every result row the user may read, to Excel."""
    scenario = get_scenario(request.user, pk)
    return export_response(request, result_listing(scenario))


@login_required
@require_POST
def scenario_run(request: AuthedRequest, pk: int) -> HttpResponse:
    """Run (or rerun) the scenario now."""
    scenario = run_scenario(actor=request.user, scenario_id=pk)
    messages.success(
        request,
        _("Run in %(s).2f s: %(n)s enterprises run dry.")
        % {"s": scenario.run_seconds or 0, "n": scenario.at_risk or 0},
    )
    return redirect("chains:scenario", scenario.pk)


def _area_initial(scenario: Scenario) -> list[dict[str, Any]]:
    return [
        {
            "place": f"r{a.region_id}" if a.region_id else f"p{a.park_id}",
            "starts_on": a.starts_on,
            "ends_on": a.ends_on,
            "strictness": a.strictness,
        }
        for a in scenario.areas.all()
    ]


@login_required
def scenario_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change the name, note, shares and areas; a change of what is modelled needs a rerun."""
    scenario = get_scenario(request.user, pk, "change")
    initial = {
        "version": scenario.version,
        "name": scenario.name,
        "note": scenario.note,
        "closed_loop_share": scenario.closed_loop_share,
        "semi_closed_share": scenario.semi_closed_share,
        "headroom": scenario.headroom,
    }
    data = request.POST if request.method == "POST" else None
    form = ScenarioEditForm(data, initial=initial)
    formset = area_formset(data, request.user, initial=_area_initial(scenario))
    status = 200
    if request.method == "POST":
        if form.is_valid() & formset.is_valid():
            d = form.cleaned_data
            try:
                update_scenario(
                    actor=request.user,
                    scenario_id=scenario.pk,
                    version=d["version"],
                    name=d["name"],
                    note=d["note"],
                    closed_loop_share=d["closed_loop_share"],
                    semi_closed_share=d["semi_closed_share"],
                    headroom=d["headroom"],
                    areas=formset_areas(formset) if formset.has_changed() else None,
                )
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("chains:scenario_edit", scenario.pk)
            except InvalidInput as exc:
                _apply(form, formset, exc)
            else:
                messages.success(request, _("Scenario saved."))
                return redirect("chains:scenario", scenario.pk)
        status = 400
    context = {
        "form": form,
        "formset": formset,
        "scenario": scenario,
        "title": _("Edit the scenario"),
        "window": (scenario.starts_on, last_day(scenario)),
    }
    return render(request, "chains/scenario_form.html", context, status=status)


@login_required
def scenario_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """Ask, then delete the scenario with its results."""
    scenario = get_scenario(request.user, pk, "change")
    if request.method == "POST":
        # A version that is not a number is an old page's: the same 409 as a stale one.
        version = request.POST.get("version", "").strip()
        try:
            delete_scenario(
                actor=request.user,
                scenario_id=scenario.pk,
                version=as_key(version),
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("chains:scenario", scenario.pk)
        messages.success(request, _("Scenario deleted."))
        return redirect("chains:scenarios")
    return render(request, "chains/scenario_delete.html", {"scenario": scenario})


def _next(request: AuthedRequest, scenario: Scenario) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("chains:scenario_recovery", args=[scenario.pk])


@login_required
def scenario_recovery(request: AuthedRequest, pk: int) -> HttpResponse:
    """Times to recover: one enterprise at a time, or a file of credit codes and days."""
    scenario = get_scenario(request.user, pk, "change")
    one = RecoveryForm(request.POST if request.POST.get("action") == "set" else None)
    upload = RecoveryImportForm(
        request.POST if request.POST.get("action") == "import" else None,
        request.FILES if request.POST.get("action") == "import" else None,
    )
    context: dict[str, Any] = {"scenario": scenario, "one": one, "upload": upload}
    status = 200
    if request.method == "POST":
        status = 400
        if request.POST.get("action") == "set" and one.is_valid():
            try:
                set_recovery(
                    actor=request.user,
                    scenario_id=scenario.pk,
                    enterprise_id=one.cleaned_data["enterprise"],
                    days=one.cleaned_data["days"],
                )
            except InvalidInput as exc:
                apply_errors(one, exc)
            else:
                messages.success(request, _("Time to recover saved."))
                return redirect(_next(request, scenario))
        elif request.POST.get("action") == "import" and upload.is_valid():
            file = upload.cleaned_data["file"]
            importer = RecoveryImporter(scenario)
            try:
                check = importer.check(request.user, file.name, file.read())
                if check.ok and not check.rows:
                    raise InvalidInput(_("The file has no rows."))
            except InvalidInput as exc:
                apply_errors(upload, KeeplineError(exc.message))
            else:
                if not check.ok:
                    context["check"] = check
                elif upload.cleaned_data["check_only"]:
                    messages.info(
                        request, _("The file is fine: %(n)s rows.") % {"n": len(check.rows)}
                    )
                    return redirect("chains:scenario_recovery", scenario.pk)
                else:
                    taken = importer.write(request.user, check)
                    messages.success(request, _("%(n)s times to recover taken.") % {"n": taken})
                    return redirect(importer.done_url())
        elif request.POST.get("action") not in ("set", "import"):
            one.add_error(None, _("Unknown action."))
    at_risk = results(request.user, scenario, at_risk=True, sort="dry_day")
    context["rows"] = _rows(scenario, at_risk[:200])
    context["more"] = max(at_risk.count() - 200, 0)
    return render(request, "chains/scenario_recovery.html", context, status=status)


# ---- compare ----------------------------------------------------------------------------------


@login_required
def scenario_compare(request: AuthedRequest) -> HttpResponse:
    """Two to four scenarios side by side."""
    require_role(request.user, Scenario)
    ids = [i for i in request.GET.getlist("ids") if i.strip()]
    choices = scenarios(request.user)[:100]
    comparison = error = None
    status = 200
    # One id (the scenario page's link) preselects it; the reader picks the others.
    if len(ids) > 1:
        try:
            comparison = compare(request.user, ids)
        except InvalidInput as exc:
            error, status = exc.message, 400
    context = {
        "comparison": comparison,
        "error": error,
        "choices": choices,
        "chosen": {str(i) for i in ids},
        "params": _parameters(comparison) if comparison else [],
    }
    return render(request, "chains/scenario_compare.html", context, status=status)


def _parameters(comparison: Comparison) -> list[tuple[str, list[Any]]]:
    """The rows of the side-by-side table of parameters and totals."""
    s = comparison.scenarios

    def areas(x: Scenario) -> str:
        return "; ".join(
            f"{a} {a.starts_on:%m-%d}–{a.ends_on:%m-%d} ({a.strictness})"
            for a in x.areas.select_related("region", "park")
        )

    return [
        (_("Kept by"), [str(x.region) for x in s]),
        (_("Source"), [x.get_source_display() for x in s]),
        (_("Status"), [x.get_status_display() for x in s]),
        (_("Days modelled"), [f"{x.starts_on:%Y-%m-%d} + {x.days}" for x in s]),
        (_("Areas shut"), [areas(x) for x in s]),
        (_("Closed-loop capacity"), [x.closed_loop_share for x in s]),
        (_("Semi-closed capacity"), [x.semi_closed_share for x in s]),
        (_("Spare capacity"), [x.headroom for x in s]),
        (_("Lost output (10k CNY)"), [_money(x.total_loss) for x in s]),
        (_("Direct loss (10k CNY)"), [_money(x.direct_loss) for x in s]),
        (_("Indirect loss (10k CNY)"), [_money(x.indirect_loss) for x in s]),
        (_("Enterprises running dry"), [x.at_risk if x.at_risk is not None else "—" for x in s]),
        (
            _("Last run"),
            [
                timezone.localtime(x.ran_at).strftime("%Y-%m-%d %H:%M") if x.ran_at else "—"
                for x in s
            ],
        ),
    ]


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"
