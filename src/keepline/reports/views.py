"""Pages of daily reports: the liaison's form, the officials' list, missing reports and chasing,
deadlines, bulk entry from Excel, resumption targets and the figures."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.bubble.models import EnterpriseMode
from keepline.bubble.selectors import modes_at
from keepline.core.errors import Forbidden, InvalidInput, KeeplineError
from keepline.core.models import Upload
from keepline.core.scopes import (
    get_for,
    holds,
    holds_area,
    require_area,
    require_role,
    visible,
)
from keepline.core.tabular import read_table, workbook_response
from keepline.core.web import AuthedRequest, apply_errors, paginate
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.reports import indicators, selectors, sentences, services
from keepline.reports.api import enterprises_url
from keepline.reports.forms import (
    DeadlineForm,
    FiguresForm,
    ImportForm,
    MissingFilterForm,
    ReportFilterForm,
    ReportForm,
    TargetForm,
)
from keepline.reports.models import (
    DailyReport,
    ReportChase,
    ReportDeadline,
    ResumptionTarget,
)
from keepline.reports.validation import COLUMNS, REPORT_FIELDS, parse_date

IMPORT_PURPOSE = "daily-reports"
PREVIEW_ROWS = 20


def _day(value: str | None, default: dt.date | None = None) -> dt.date:
    """A date from a query parameter; a bad one is named, not silently replaced."""
    if not value:
        return default or timezone.localdate()
    day = parse_date(value)
    if day is None:
        raise InvalidInput(_("Not a date (write it as 2022-09-11): %(value)s.") % {"value": value})
    return day


def _area(get: QueryDict) -> selectors.AreaFilter:
    return selectors.AreaFilter(
        region=get.get("region", "").strip(),
        park=get.get("park", "").strip(),
        industry=get.get("industry", "").strip(),
    )


def _changeable(model: Any, request: AuthedRequest, page: Any) -> set[int]:
    """The ids of the page's objects the user may change, in one query."""
    ids = [obj.pk for obj in page]
    return set(
        visible(model.objects.filter(pk__in=ids), request.user, "change").values_list(
            "pk", flat=True
        )
    )


# ---- report list and export ----------------------------------------------------------------


def _report_filter(request: AuthedRequest) -> selectors.ReportFilter:
    get = request.GET
    return selectors.ReportFilter(
        area=_area(get),
        date_from=parse_date(get.get("date_from")) if get.get("date_from") else None,
        date_to=parse_date(get.get("date_to")) if get.get("date_to") else None,
        mode=get.get("mode", ""),
        late=get.get("late", ""),
        q=get.get("q", "").strip(),
        sort=get.get("sort", "-date"),
    )


@login_required
def report_list(request: AuthedRequest) -> HttpResponse:
    """Officials filter and export the reports of their area; a liaison sees their own
    enterprise's, the dates they were asked to report for, and the way to today's form."""
    require_role(request.user, DailyReport)
    page, query = paginate(request, selectors.reports(request.user, _report_filter(request)))
    own = selectors.own_enterprises(request.user)
    return render(
        request,
        "reports/list.html",
        {
            "page": page,
            "query": query,
            "form": ReportFilterForm(request.GET or None, user=request.user),
            "own": [
                {"enterprise": e, "chases": selectors.pending_chases(request.user, e)} for e in own
            ],
            "can_chase": holds(request.user, ReportChase, "change"),
            "can_import": holds_area(request.user, DailyReport),
            "can_deadlines": holds(request.user, ReportDeadline),
        },
    )


@login_required
def report_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, DailyReport)
    rows = selectors.reports(request.user, _report_filter(request))
    headers = [
        _("Report date"),
        _("Unified social credit code"),
        _("Name"),
        _("Region"),
        _("Park"),
        _("Mode"),
        _("Staff on site"),
        _("Staff living inside the loop"),
        _("Output value today (10k CNY)"),
        _("Capacity use (%)"),
        _("Days of raw-material stock"),
        _("Days of finished-goods stock"),
        _("Problems"),
        _("Submitted by"),
        _("Last submitted"),
        _("Late"),
    ]
    return workbook_response(
        "daily-reports",
        headers,
        (
            [
                r.date,
                r.enterprise.uscc,
                r.enterprise.name,
                r.enterprise.region.name,
                r.enterprise.park.name if r.enterprise.park else "",
                r.get_mode_display(),
                r.staff_on_site,
                r.staff_inside,
                r.output_value,
                r.capacity_use,
                r.raw_material_days,
                r.finished_goods_days,
                r.problems,
                r.submitted_by_name,
                r.submitted_at,
                r.late,
            ]
            for r in rows.iterator(chunk_size=2000)
        ),
        title=_("Daily reports"),
    )


# ---- the report form -----------------------------------------------------------------------


def _initial(enterprise: Enterprise, day: dt.date) -> tuple[dict[str, Any], DailyReport | None]:
    """The form starts from the report already filed for the day, else from the last one
    before it, so a liaison changes only what changed since yesterday."""
    report = selectors.report_for(enterprise, day)
    source = report or selectors.last_report_before(enterprise, day)
    initial: dict[str, Any] = {"date": day.isoformat(), "version": report.version if report else 0}
    if source is not None:
        initial |= {name: getattr(source, name) for name in REPORT_FIELDS}
        if report is None:
            initial["problems"] = ""  # yesterday's problems are not today's report
    if report is None:
        # The mode the district decided is today's starting point, not yesterday's report.
        initial["mode"] = modes_at(
            Enterprise.objects.filter(pk=enterprise.pk), selectors.end_of(day)
        )[enterprise.pk]
    return initial, report


@login_required
def report_form(request: AuthedRequest, pk: int) -> HttpResponse:
    enterprise = get_for(Enterprise.objects.select_related("region", "park"), request.user, pk)
    if not services.may_report(request.user, enterprise):
        raise Forbidden(_("You may see this enterprise but not report for it."))
    # The day the form opened on; a posted date is the service's to judge, field by field.
    day = _day(request.GET.get("date"))
    initial, report = _initial(enterprise, day)
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            saved, created = services.submit_report(
                actor=request.user,
                enterprise_id=enterprise.pk,
                data=data,
                version=form.cleaned_data["version"],
            )
        except KeeplineError as exc:
            if exc.status not in (400, 409):
                raise
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                (_("Report for %(date)s filed.") if created else _("Report for %(date)s saved."))
                % {"date": saved.date.isoformat()},
            )
            if saved.late and created:
                messages.warning(request, _("The report came after the deadline."))
            return redirect(reverse("reports:report", args=[pk]) + f"?date={saved.date}")
    return render(
        request,
        "reports/report_form.html",
        {
            "enterprise": enterprise,
            "form": form,
            "day": day,
            "report": report,
            "due_at": selectors.due_at(enterprise.region, day),
            "chases": selectors.pending_chases(request.user, enterprise),
            "recent": selectors.reports(request.user, selectors.ReportFilter()).filter(
                enterprise=enterprise
            )[:10],
        },
    )


# ---- missing reports and chasing -----------------------------------------------------------


@login_required
def missing(request: AuthedRequest) -> HttpResponse:
    """Who has not reported for a date in the user's area, when each is due, how often asked."""
    require_role(request.user, ReportChase, "change")
    day = _day(request.GET.get("date"))
    area = _area(request.GET)
    page, query = paginate(request, selectors.missing_reports(request.user, day, area))
    deadlines = selectors.Deadlines(day)
    now = timezone.now()
    rows = []
    for enterprise in page:
        due = deadlines.due_at(enterprise.region.path)
        rows.append({"enterprise": enterprise, "due_at": due, "overdue": now > due})
    return render(
        request,
        "reports/missing.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "day": day,
            "area": area,
            "future": day > timezone.localdate(),
            "form": MissingFilterForm(
                request.GET or None, initial={"date": day}, user=request.user
            ),
        },
    )


def _chased(request: AuthedRequest, outcome: services.ChaseOutcome, day: dt.date) -> None:
    if outcome.chased:
        messages.success(
            request,
            _("%(count)s enterprises asked to report for %(date)s.")
            % {"count": len(outcome.chased), "date": day.isoformat()},
        )
    if outcome.already_reported:
        messages.info(
            request,
            _("Already reported: %(names)s.")
            % {"names": ", ".join(e.name for e in outcome.already_reported)},
        )
    if outcome.not_required:
        messages.info(
            request,
            _("Need not report: %(names)s.")
            % {"names": ", ".join(e.name for e in outcome.not_required)},
        )


def _back_to_missing(day: dt.date, area: selectors.AreaFilter) -> HttpResponse:
    query = {"date": day.isoformat()} | {k: v for k, v in vars(area).items() if v}
    return redirect(reverse("reports:missing") + "?" + urlencode(query))


@login_required
@require_POST
def chase(request: AuthedRequest, pk: int) -> HttpResponse:
    day = _day(request.POST.get("date"))
    outcome = services.chase_reports(actor=request.user, day=day, enterprise_ids=[pk])
    _chased(request, outcome, day)
    return _back_to_missing(day, _area(request.POST))


@login_required
@require_POST
def chase_all(request: AuthedRequest) -> HttpResponse:
    """Ask every enterprise on the filtered missing list at once."""
    require_role(request.user, ReportChase, "change")
    day = _day(request.POST.get("date"))
    area = _area(request.POST)
    ids = list(selectors.missing_reports(request.user, day, area).values_list("pk", flat=True))
    if ids:
        _chased(
            request,
            services.chase_reports(actor=request.user, day=day, enterprise_ids=ids),
            day,
        )
    else:
        messages.info(request, _("Nobody is missing."))
    return _back_to_missing(day, area)


# ---- deadlines -----------------------------------------------------------------------------


@login_required
def deadlines(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ReportDeadline)
    can_set = holds(request.user, ReportDeadline, "change")
    form = DeadlineForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "due_time": selectors.default_due_time()},
        user=request.user,
    )
    if request.method == "POST":
        require_role(request.user, ReportDeadline, "change")
        if form.is_valid():
            try:
                services.set_deadline(
                    actor=request.user,
                    region=Region.objects.get(code=form.cleaned_data["region"]),
                    day=form.cleaned_data["date"],
                    due_time=form.cleaned_data["due_time"],
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Deadline set."))
                return redirect("reports:deadlines")
    since = timezone.localdate() - dt.timedelta(days=30)
    page, query = paginate(request, selectors.deadlines(request.user, since))
    return render(
        request,
        "reports/deadlines.html",
        {
            "page": page,
            "query": query,
            "form": form,
            "can_set": can_set,
            "default": selectors.default_due_time(),
            "changeable": _changeable(ReportDeadline, request, page),
        },
    )


@login_required
@require_POST
def deadline_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    services.remove_deadline(actor=request.user, deadline_id=pk)
    messages.success(request, _("Deadline removed."))
    return redirect("reports:deadlines")


# ---- bulk entry from Excel -----------------------------------------------------------------


@login_required
def import_template(request: AuthedRequest) -> HttpResponse:
    require_area(request.user, DailyReport)
    return workbook_response(
        "daily-report-template",
        [str(c.label) for c in COLUMNS],
        [[c.example for c in COLUMNS]],
        title=_("Daily reports"),
    )


def _check(request: AuthedRequest, filename: str, data: bytes) -> services.ImportCheck:
    _total, rows = read_table(filename, data, COLUMNS, max_rows=settings.KEEPLINE_IMPORT_MAX_ROWS)
    return services.check_import(actor=request.user, rows=rows)


@login_required
def import_upload(request: AuthedRequest) -> HttpResponse:
    """Step 1: upload. Every row is checked at once; the preview names every bad row, or shows
    what would be written and a button to confirm."""
    require_area(request.user, DailyReport)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "columns": COLUMNS}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            check = _check(request, upload.name, data)
        except KeeplineError as exc:
            apply_errors(form, exc)
            form.add_error("file", exc.message)
        else:
            context["check"] = check
            context["preview"] = check.rows[:PREVIEW_ROWS]
            if check.ok:
                context["upload"] = Upload.objects.create(
                    user=request.user, purpose=IMPORT_PURPOSE, filename=upload.name, content=data
                )
    return render(request, "reports/import.html", context)


@login_required
@require_POST
def import_confirm(request: AuthedRequest, upload_id: int) -> HttpResponse:
    """Step 2: the file is checked again (reports may have come in meanwhile), written whole."""
    require_area(request.user, DailyReport)
    upload = get_for(
        Upload.objects.filter(purpose=IMPORT_PURPOSE), request.user, upload_id, "change"
    )
    check = _check(request, upload.filename, bytes(upload.content))
    if not check.ok:
        return render(
            request,
            "reports/import.html",
            {"form": ImportForm(), "columns": COLUMNS, "check": check, "preview": []},
            status=400,
        )
    with transaction.atomic():
        outcome = services.import_reports(actor=request.user, check=check)
        upload.delete()
    messages.success(
        request,
        _("%(created)s reports filed, %(corrected)s corrected, %(unchanged)s unchanged.")
        % vars(outcome),
    )
    return redirect(reverse("reports:list") + "?sort=-submitted")


# ---- resumption targets --------------------------------------------------------------------


@login_required
def targets(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, ResumptionTarget)
    form = TargetForm(request.POST or None, user=request.user)
    if request.method == "POST":
        require_role(request.user, ResumptionTarget, "change")
        if form.is_valid():
            kind, _sep, code = form.cleaned_data["area"].partition(":")
            try:
                services.set_target(
                    actor=request.user,
                    region=Region.objects.get(code=code) if kind == "region" else None,
                    park=Park.objects.select_related("region").get(code=code)
                    if kind == "park"
                    else None,
                    day=form.cleaned_data["date"],
                    rate=form.cleaned_data["rate"],
                    basis=form.cleaned_data["basis"],
                    note=form.cleaned_data["note"],
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Target set."))
                return redirect("reports:targets")
    page, query = paginate(request, selectors.targets(request.user))
    return render(
        request,
        "reports/targets.html",
        {
            "page": page,
            "query": query,
            "form": form,
            "can_set": holds(request.user, ResumptionTarget, "change"),
            "changeable": _changeable(ResumptionTarget, request, page),
        },
    )


@login_required
@require_POST
def target_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    services.remove_target(actor=request.user, target_id=pk)
    messages.success(request, _("Target removed."))
    return redirect("reports:targets")


# ---- the figures ---------------------------------------------------------------------------


def _figure_request(request: AuthedRequest) -> tuple[indicators.FigureScope, dt.datetime]:
    get = request.GET
    scope = indicators.FigureScope.parse(
        regions=get.getlist("region"),
        parks=get.getlist("park"),
        industries=get.getlist("industry"),
        under=get.get("under", ""),
        all_sizes=get.get("all_sizes", "") in {"true", "on", "1", "yes"},
    )
    as_of = timezone.now()
    if get.get("as_of"):
        parsed = parse_datetime(get["as_of"])
        if parsed is None:
            raise InvalidInput(
                _("Not a time (write it as 2022-09-11T15:00): %(value)s.")
                % {"value": get["as_of"]},
                errors={"as_of": [_("Not a time.")]},
            )
        as_of = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    return scope, as_of


@login_required
def figures(request: AuthedRequest) -> HttpResponse:
    """The figures of an area at a time: every number links to the enterprises behind it."""
    require_role(request.user, ResumptionTarget)
    form_initial: dict[str, Any] = {
        "region": request.GET.getlist("region"),
        "park": request.GET.getlist("park"),
        "industry": request.GET.getlist("industry"),
        "under": request.GET.get("under", ""),
        "as_of": request.GET.get("as_of", ""),
        "all_sizes": request.GET.get("all_sizes", "") in {"true", "on", "1", "yes"},
    }
    context: dict[str, Any] = {"form": FiguresForm(initial=form_initial, user=request.user)}
    status = 200
    try:
        scope, as_of = _figure_request(request)
        result = indicators.compute(request.user, scope, as_of)
    except InvalidInput as exc:
        context["errors"] = [m for ms in exc.errors.values() for m in ms] or [exc.message]
        status = 400
    else:
        page = reverse("reports:figure_enterprises")

        def link(row_scope: indicators.FigureScope | None, group: str) -> str | None:
            return enterprises_url(row_scope, group, as_of, page) if row_scope else None

        context |= {
            "figures": result,
            "indicators": [
                {"indicator": i, "url": link(scope, i.group) if i.group else None}
                for i in result.indicators()
            ],
            "modes": EnterpriseMode,
            "tables": [
                (_("By region"), "by-region", _rows(result.by_region, link)),
                (_("By park"), "by-park", _rows(result.by_park, link)),
                (_("By industry"), "by-industry", _rows(result.by_industry, link)),
            ],
            "sentences": [
                sentences.closed_loop_sentence(result, _language()),
                sentences.resumption_sentence(result, _language()),
            ],
            "api_url": reverse("api:figures") + "?" + request.GET.urlencode(),
        }
    return render(request, "reports/figures.html", context, status=status)


def _language() -> str:
    return sentences.EN if (get_language() or "").startswith("en") else sentences.ZH


def _rows(rows: list[indicators.BreakdownRow], link: Any) -> list[dict[str, Any]]:
    return [
        {
            "row": row,
            "modes": [
                (row.summary.by_mode.get(m, indicators.Tally()).enterprises, link(row.scope, m))
                for m in EnterpriseMode.values
            ],
            "total_url": link(row.scope, "all"),
        }
        for row in rows
    ]


@login_required
def figure_enterprises(request: AuthedRequest) -> HttpResponse:
    """The enterprises behind a figure, with each one's official mode at the as-of time."""
    require_role(request.user, ResumptionTarget)
    scope, as_of = _figure_request(request)
    group = request.GET.get("mode", "all")
    qs = indicators.enterprises_behind(request.user, scope, group, as_of)
    page, query = paginate(request, qs)
    label = (
        EnterpriseMode(group).label
        if group in EnterpriseMode.values
        else {
            "all": _("All enterprises"),
            "counted": _("All but seasonal stops"),
            "producing": _("Producing"),
        }[group]
    )
    back = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in {"mode", "page"}
        for value in values
    ]
    return render(
        request,
        "reports/figure_enterprises.html",
        {
            "page": page,
            "query": query,
            "group": label,
            "as_of": as_of,
            "modes": dict(EnterpriseMode.choices),
            "figures_url": reverse("reports:figures") + "?" + urlencode(back),
        },
    )
