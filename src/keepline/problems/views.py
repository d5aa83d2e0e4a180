"""Problem pages: the list (filters, sorting, deadline flags, the task-force ledger in Excel),
the liaison's filing form, one problem with its deadlines, timeline, documents, coordination
letters and the steps the user may take; the letters' register, the Excel import, and taking
up the problem field of a daily report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from keepline.core.errors import Forbidden, InvalidInput, KeeplineError, NotFound
from keepline.core.models import Attachment, Department, Role, User
from keepline.core.scopes import (
    Actor,
    get_for,
    holds,
    holds_area,
    may,
    require_area,
    require_role,
    visible,
)
from keepline.core.tabular import workbook_response
from keepline.core.web import (
    AuthedRequest,
    apply_errors,
    attachment_response,
    paginate,
    query_without,
)
from keepline.enterprises.models import Enterprise
from keepline.problems import documents, importing, rules, selectors
from keepline.problems.calendar import TZ
from keepline.problems.forms import (
    DATE_RANGES,
    HANDLER_ONLY,
    HIGH_RATING,
    OPEN,
    RATED,
    RATED_HIGH,
    UNASSIGNED,
    YES,
    AttachForm,
    ConfirmForm,
    FileForm,
    ImportForm,
    LetterDraftForm,
    LetterFilterForm,
    LetterReplyForm,
    LetterWithdrawForm,
    ProblemFilterForm,
    ReassignForm,
    ReopenForm,
    ReplyForm,
    StartForm,
    VersionForm,
)
from keepline.problems.models import (
    OPEN_STATUSES,
    CoordinationLetter,
    LetterStatus,
    Problem,
    ProblemCategory,
    ProblemEvent,
    ProblemStatus,
    Tier,
    Urgency,
)
from keepline.problems.services import attachments, letters, lifecycle
from keepline.problems.services import importing as importing_services
from keepline.reports.models import DailyReport
from keepline.reports.selectors import region_chain

SORTS = {
    "filed": ("filed_at", "id"),
    "-filed": ("-filed_at", "-id"),
    "close_due": ("close_due", "id"),
    "-close_due": ("-close_due", "-id"),
    "enterprise": ("enterprise__name", "id"),
    "-enterprise": ("-enterprise__name", "-id"),
    "status": ("status", "-filed_at"),
    "-status": ("-status", "-filed_at"),
    "tier": ("tier", "-filed_at"),
    "-tier": ("-tier", "-filed_at"),
    "category": ("category", "-filed_at"),
    "-category": ("-category", "-filed_at"),
}
HANDLER_ROLES = [Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.COMMISSIONER]


# ---- reads the selectors lack -----------------------------------------------------------------


def overdue_q(now: dt.datetime) -> Q:
    """Open problems with a deadline still owed that has passed (as selectors.deadline_state)."""
    return Q(status__in=OPEN_STATUSES) & (
        Q(accepted_at__isnull=True, acknowledge_due__lte=now)
        | Q(interim_replied_at__isnull=True, interim_due__lte=now)
        | Q(close_due__lte=now)
    )


def _day_range(lookup: str, first: dt.date | None, last: dt.date | None) -> Q:
    """`lookup` on the days first … last, inclusive, in Asia/Shanghai."""
    q = Q()
    if first is not None:
        q &= Q(**{f"{lookup}__gte": dt.datetime.combine(first, dt.time(), tzinfo=TZ)})
    if last is not None:
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=TZ)
        q &= Q(**{f"{lookup}__lt": end})
    return q


def _assigned_q(department: str) -> Q:
    if department == HANDLER_ONLY:
        return Q(department__isnull=True, handler__isnull=False)
    if department == UNASSIGNED:
        return Q(department__isnull=True, handler__isnull=True)
    return Q(department_id=int(department))


def filtered(
    actor: Actor,
    *,
    status: str = "",
    category: str = "",
    tier: str = "",
    region: str = "",
    park: str = "",
    whitelisted: bool | None = None,
    deadline: str = "",
    department: str = "",
    enterprise: int | None = None,
    filed_from: dt.date | None = None,
    filed_to: dt.date | None = None,
    accepted_from: dt.date | None = None,
    accepted_to: dt.date | None = None,
    closed_from: dt.date | None = None,
    closed_to: dt.date | None = None,
    acknowledged: bool = False,
    acknowledged_on_time: bool = False,
    on_time: bool = False,
    rating: str = "",
    sort: str = "-filed",
    now: dt.datetime | None = None,
) -> QuerySet[Problem]:
    """The problems the actor sees, filtered, sorted by one of SORTS. The meanings are those of
    keepline.problems.figures, whose counts link here:

    - `status` one status, or "open" (submitted, accepted or in progress);
    - `deadline` "overdue" or "near" (not yet overdue, within the last 20% of the allowance);
    - `enterprise` one enterprise's id;
    - `department` a department id, "handler" (a named handler, no department) or "unassigned";
    - `filed_*`, `accepted_*`, `closed_*` whole days, inclusive, in Asia/Shanghai;
    - `acknowledged` accepted at all; `acknowledged_on_time` accepted by `acknowledge_due`;
    - `on_time` the final reply came by `close_due`;
    - `rating` "any" (rated) or "4-5"."""
    now = now or timezone.now()
    qs = selectors.problems(
        actor,
        status="" if status == OPEN else status,
        category=category,
        tier=tier,
        region=region,
        park=park,
        whitelisted=whitelisted,
    )
    if status == OPEN:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if enterprise is not None:
        qs = qs.filter(enterprise_id=enterprise)
    if department:
        qs = qs.filter(_assigned_q(department))
    for lookup, first, last in (
        ("filed_at", filed_from, filed_to),
        ("accepted_at", accepted_from, accepted_to),
        ("closed_at", closed_from, closed_to),
    ):
        qs = qs.filter(_day_range(lookup, first, last))
    if acknowledged:
        qs = qs.filter(accepted_at__isnull=False)
    if acknowledged_on_time:
        qs = qs.filter(accepted_at__lte=F("acknowledge_due"))
    if on_time:
        qs = qs.filter(replied_at__lte=F("close_due"))
    if rating == RATED:
        qs = qs.filter(rating__isnull=False)
    elif rating == RATED_HIGH:
        qs = qs.filter(rating__gte=HIGH_RATING)
    if deadline == "overdue":
        qs = qs.filter(overdue_q(now))
    elif deadline == "near":
        # The 20% share depends on each problem's own allowance: judged in Python over the open
        # problems that are not overdue.
        candidates = qs.filter(status__in=OPEN_STATUSES).exclude(overdue_q(now))
        near = [p.pk for p in candidates if selectors.deadline_state(p, now).near]
        qs = qs.filter(pk__in=near)
    return qs.order_by(*SORTS.get(sort, SORTS["-filed"]))


def filter_values(data: dict[str, Any]) -> dict[str, Any]:
    """A ProblemFilterForm's cleaned data as `filtered` takes it (absent fields: no filter)."""
    values: dict[str, Any] = {
        name: data.get(name, "")
        for name in ("status", "category", "tier", "region", "park", "deadline", "department")
    }
    values["rating"] = data.get("rating", "")
    values["enterprise"] = data.get("enterprise")
    values["whitelisted"] = {YES: True, "no": False}.get(data.get("whitelisted", ""))
    for prefix in DATE_RANGES:
        values[f"{prefix}_from"] = data.get(f"{prefix}_from")
        values[f"{prefix}_to"] = data.get(f"{prefix}_to")
    for flag in ("acknowledged", "acknowledged_on_time", "on_time"):
        values[flag] = data.get(flag) == YES
    return values


def checked_filters(actor: Actor, data: Any) -> dict[str, Any]:
    """The filters in `data` as `filtered` takes them, or InvalidInput naming each bad one
    (for the ledger and the API, where a filter left out would answer with too many)."""
    form = ProblemFilterForm(data, user=actor)
    if not form.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        first = next(iter(form.errors))
        field = form.fields.get(first)
        label = field.label if field is not None else first
        raise InvalidInput(
            _("%(field)s: %(message)s") % {"field": label, "message": errors[first][0]},
            errors=errors,
        )
    return filter_values(form.cleaned_data)


def fileable_enterprises(user: User) -> list[tuple[int, str]]:
    """The enterprises the user may file problems for, as choices."""
    if not holds(user, Problem, "file"):
        return []
    qs = visible(Enterprise.objects.order_by("name"), user).only("pk", "name", "uscc")
    return [(e.pk, f"{e.name} ({e.uscc})") for e in qs]


def handler_choices(enterprise: Enterprise) -> list[tuple[int, str]]:
    """Active users whose handling roles reach the enterprise."""
    reach = Q(memberships__role=Role.ADMIN) | Q(
        memberships__region__path__in=region_chain(enterprise.region.path)
    )
    if enterprise.park_id:
        reach |= Q(memberships__park=enterprise.park_id)
    reach |= Q(memberships__enterprise=enterprise.pk)
    # One filter() call: the role and the scope belong to the same membership.
    ids = User.objects.filter(reach, memberships__role__in=HANDLER_ROLES, is_active=True).values(
        "pk"
    )
    users = User.objects.filter(pk__in=ids).order_by("username")
    return [(u.pk, f"{u.display_name or u.username} ({u.username})") for u in users]


def department_choices(enterprise: Enterprise) -> list[tuple[int, str]]:
    """The departments of the enterprise's region and the regions above it."""
    qs = selectors.reassign_departments(enterprise).select_related("region")
    return [(d.pk, f"{d.name} · {d.region}") for d in qs]


# ---- the list ---------------------------------------------------------------------------------


def _filters(request: AuthedRequest, form: ProblemFilterForm) -> dict[str, Any]:
    """The valid filters (a bad one is shown on the form, and ignored)."""
    form.is_valid()
    values = filter_values(getattr(form, "cleaned_data", {}))
    values["sort"] = request.GET.get("sort", "-filed")
    return values


@login_required
def problem_list(request: AuthedRequest) -> HttpResponse:
    """The problems of the user's reach, filtered and sorted, with their deadline flags."""
    require_role(request.user, Problem)
    form = ProblemFilterForm(request.GET or None, user=request.user)
    f = _filters(request, form)
    now = timezone.now()
    page, query = paginate(request, filtered(request.user, now=now, **f))
    rows = [(p, selectors.deadline_state(p, now)) for p in page]
    sortless = request.GET.copy()
    sortless.pop("sort", None)
    sortless.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "query": query,
        "sort": f["sort"],
        "sortless": sortless.urlencode(),
        "form": form,
        "unfiltered": query_without(request, "enterprise"),
        "may_file": holds(request.user, Problem, "file"),
        "may_import": holds_area(request.user, Problem, "file"),
        "may_see_letters": holds(request.user, CoordinationLetter),
        "now": now,
        # A filter changed in place: the export link follows it (an out-of-band swap).
        "oob": bool(request.headers.get("HX-Request")),
    }
    template = "problems/results.html" if context["oob"] else "problems/list.html"
    return render(request, template, context, status=400 if form.errors else 200)


def _assigned(p: Problem) -> str:
    parts = [
        str(p.department) if p.department else "",
        p.handler.get_username() if p.handler else "",
    ]
    return " / ".join(x for x in parts if x)


@login_required
def problem_export(request: AuthedRequest) -> HttpResponse:
    """The task-force ledger (交办 / 反馈 / 销号) of the filtered problems."""
    require_role(request.user, Problem)
    now = timezone.now()
    sort = request.GET.get("sort", "-filed")
    rows = filtered(request.user, now=now, sort=sort, **checked_filters(request.user, request.GET))
    headers = [
        _("No."),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Region"),
        _("Category"),
        _("Urgency"),
        _("Problem"),
        # Times: "when" tells them from the statuses and steps of the same name.
        pgettext("when", "Filed"),
        _("Filed by"),
        _("Assigned to"),
        _("Tier"),
        _("Status"),
        pgettext("when", "Accepted"),
        pgettext("when", "Interim reply"),
        pgettext("when", "Replied"),
        _("Replies"),
        pgettext("when", "Closed"),
        _("Rating"),
        _("Rating comment"),
        _("Overdue"),
    ]

    # Labels looked up once per export, not per cell through get_FOO_display, and only the
    # reply steps prefetched, not the whole timeline (benchmarks/problems.py, "ledger").
    labels = {
        name: {k: str(v) for k, v in choices.choices}
        for name, choices in (
            ("category", ProblemCategory),
            ("urgency", Urgency),
            ("tier", Tier),
            ("status", ProblemStatus),
        )
    }
    yes = _("yes")
    replies = Prefetch(
        "events",
        queryset=ProblemEvent.objects.filter(kind__in=["interim_reply", "replied"]).only(
            "problem_id", "kind", "note", "at"
        ),
        to_attr="replies",
    )

    def line(p: Problem) -> list[Any]:
        return [
            p.pk,
            p.enterprise.name,
            p.enterprise.uscc,
            p.enterprise.region.name,
            labels["category"][p.category],
            labels["urgency"][p.urgency],
            p.title,
            p.filed_at,
            p.filed_by_name,
            _assigned(p),
            labels["tier"][p.tier],
            labels["status"][p.status],
            p.accepted_at,
            p.interim_replied_at,
            p.replied_at,
            "\n".join(e.note for e in p.replies),  # type: ignore[attr-defined]
            p.closed_at,
            p.rating,
            p.rating_comment,
            yes if selectors.deadline_state(p, now).overdue else "",
        ]

    return workbook_response(
        "problems-ledger",
        headers,
        (line(p) for p in rows.prefetch_related(replies)),
        title=_("Problem ledger"),
    )


# ---- filing -----------------------------------------------------------------------------------


@login_required
def problem_file(request: AuthedRequest) -> HttpResponse:
    """File a problem: a liaison for its enterprise, an official for one they may see."""
    require_role(request.user, Problem, "file")
    enterprises = fileable_enterprises(request.user)
    form = FileForm(request.POST or None, request.FILES or None, enterprises=enterprises)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                problem = lifecycle.file_problem(
                    actor=request.user,
                    enterprise_id=data["enterprise"],
                    category=data["category"],
                    urgency=data["urgency"],
                    title=data["title"],
                    description=data["description"],
                    files=_uploads(data["attachments"]),
                )
            except InvalidInput as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Problem filed as no. %(pk)s.") % {"pk": problem.pk})
                return redirect("problems:detail", pk=problem.pk)
        status = 400
    return render(request, "problems/file.html", {"form": form}, status=status)


def _uploads(files: Any) -> list[attachments.Upload]:
    """Uploaded files as (name, bytes); a file beyond the size limit is read only far enough
    for the service to refuse it."""
    return [(f.name or "", f.read(Attachment.MAX_BYTES + 1)) for f in files]


# ---- one problem ------------------------------------------------------------------------------

ACTIONS = {
    # action: (right, statuses it applies to)
    "accept": ("handle", [ProblemStatus.SUBMITTED]),
    "start": ("handle", [ProblemStatus.ACCEPTED]),
    "reply": ("handle", [ProblemStatus.ACCEPTED, ProblemStatus.IN_PROGRESS]),
    "confirm": ("confirm", [ProblemStatus.REPLIED]),
    "reopen": ("confirm", [ProblemStatus.REPLIED]),
    "reassign": ("reassign", [*OPEN_STATUSES, ProblemStatus.REPLIED]),
}


def _forms(
    problem: Problem, user: User, data: Any = None, action: str = ""
) -> dict[str, forms.Form]:
    """The action forms, the one of `action` bound to `data`."""
    initial = {"version": problem.version}
    made: dict[str, forms.Form] = {}
    for name in ACTIONS:
        bound = data if name == action else None
        if name == "reassign":
            made[name] = ReassignForm(
                bound,
                initial=initial,
                departments=department_choices(problem.enterprise),
                handlers=handler_choices(problem.enterprise),
            )
        else:
            cls: type[forms.Form] = {
                "accept": VersionForm,
                "start": StartForm,
                "reply": ReplyForm,
                "confirm": ConfirmForm,
                "reopen": ReopenForm,
            }[name]
            made[name] = cls(bound, initial=initial)
    return made


def _act(user: User, problem_id: int, action: str, data: dict[str, Any]) -> str:
    """Call the action's service; the success message."""
    common = {"actor": user, "problem_id": problem_id, "version": data["version"]}
    if action == "accept":
        lifecycle.accept_problem(**common)
        return _("Accepted.")
    if action == "start":
        lifecycle.start_problem(**common, note=data["note"])
        return _("Work started.")
    if action == "reply":
        lifecycle.reply_problem(**common, text=data["text"], final=data["final"])
        return _("Final reply sent.") if data["final"] else _("Interim reply sent.")
    if action == "confirm":
        lifecycle.confirm_problem(**common, rating=data["rating"], comment=data["comment"])
        return _("Confirmed and closed.")
    if action == "reopen":
        lifecycle.reopen_problem(**common, reason=data["reason"])
        return _("Reopened.")
    department = Department.objects.filter(pk=data["department"]).first()
    handler = User.objects.filter(pk=data["handler"]).first()
    lifecycle.reassign_problem(
        **common, reason=data["reason"], department=department, handler=handler
    )
    return _("Reassigned.")


@login_required
def problem_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One problem: its deadlines, timeline and the steps the user may take (POST, field
    "action", with the version read)."""
    problem = selectors.problem(request.user, pk)
    action = ""
    status = 200
    data = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise InvalidInput(_("Choose a step to take."))
        data = request.POST
    action_forms = _forms(problem, request.user, data, action)
    if data is not None:
        form = action_forms[action]
        if form.is_valid():
            try:
                done = _act(request.user, pk, action, form.cleaned_data)
            except KeeplineError as exc:
                if exc.status == 409:
                    problem = selectors.problem(request.user, pk)
                    messages.error(
                        request,
                        _("%(message)s Now: %(status)s (version %(version)s).")
                        % {
                            "message": exc.message,
                            "status": problem.get_status_display(),
                            "version": problem.version,
                        },
                    )
                    action_forms = _forms(problem, request.user)
                elif exc.status == 400:
                    apply_errors(form, exc)
                else:
                    raise
                status = exc.status
            else:
                messages.success(request, done)
                return redirect("problems:detail", pk=pk)
        else:
            status = 400
    return _detail_page(request, problem, action_forms=action_forms, status=status)


def _letter_forms(letter: CoordinationLetter) -> dict[str, forms.Form]:
    """Unbound forms of the steps the letter's status allows."""
    initial = {"version": letter.version}
    classes = LETTER_FORMS.get(letter.status, [])
    return {name: LETTER_FORM_CLASSES[name](initial=initial) for name in classes}


LETTER_FORM_CLASSES: dict[str, type[forms.Form]] = {
    "send": VersionForm,
    "reply": LetterReplyForm,
    "withdraw": LetterWithdrawForm,
}
# The steps each letter status allows.
LETTER_FORMS: dict[str, list[str]] = {
    LetterStatus.DRAFTED: ["send", "withdraw"],
    LetterStatus.SENT: ["reply", "withdraw"],
}


def _detail_page(
    request: AuthedRequest,
    problem: Problem,
    *,
    action_forms: dict[str, forms.Form] | None = None,
    attach_form: AttachForm | None = None,
    draft_form: LetterDraftForm | None = None,
    bound_letter: tuple[int, str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """One problem's page; the form that was posted, if any, comes bound with its errors."""
    pk = problem.pk
    action_forms = action_forms if action_forms is not None else _forms(problem, request.user)
    allowed = {
        name
        for name, (right, statuses) in ACTIONS.items()
        if problem.status in statuses and may(request.user, right, problem)
    }
    now = timezone.now()
    state = selectors.deadline_state(problem, now)
    owed = dict(selectors.unmet_deadlines(problem))
    deadlines = []
    for kind, label, due, met in [
        ("acknowledge", _("Acknowledge by"), problem.acknowledge_due, problem.accepted_at),
        ("interim", _("Interim reply by"), problem.interim_due, problem.interim_replied_at),
        ("close", pgettext("deadline", "Close by"), problem.close_due, problem.replied_at),
    ]:
        flag = "met" if kind not in owed else "overdue" if due <= now else ""
        if not flag and state.kind == kind and state.near:
            flag = "near"
        deadlines.append({"kind": kind, "label": label, "due": due, "met": met, "flag": flag})
    coordinator = (
        problem.status != ProblemStatus.CLOSED
        and may(request.user, "coordinate", problem)
        and rules.may_coordinate(request.user, problem)
    )
    letters = []
    for letter in documents.letters_of(request.user, pk):
        letter_forms = _letter_forms(letter) if coordinator else {}
        if bound_letter is not None and bound_letter[0] == letter.pk:
            _id, step, form = bound_letter
            if step in letter_forms:
                letter_forms[step] = form
        letters.append({"letter": letter, "overdue": letter.overdue_at(now), "forms": letter_forms})
    return render(
        request,
        "problems/detail.html",
        {
            "problem": problem,
            "state": state,
            "deadlines": deadlines,
            "now": now,
            "timeline": selectors.timeline(request.user, pk),
            "forms": {name: f for name, f in action_forms.items() if name in allowed},
            "attachments": documents.attachments(request.user, pk),
            "attach_form": (
                (attach_form or AttachForm()) if rules.may_attach(request.user, problem) else None
            ),
            "letters": letters,
            "draft_form": (draft_form or LetterDraftForm()) if coordinator else None,
        },
        status=status,
    )


# ---- documents ---------------------------------------------------------------------------------


@login_required
@require_POST
def problem_attach(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add documents to a problem: who filed it, its liaison, those who handle it."""
    problem = selectors.problem(request.user, pk)
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            stored = attachments.attach_documents(
                actor=request.user, problem_id=pk, files=_uploads(form.cleaned_data["attachments"])
            )
        except KeeplineError as exc:
            if exc.status not in (400, 409):
                raise
            apply_errors(form, exc)
            return _detail_page(request, problem, attach_form=form, status=exc.status)
        messages.success(request, _("%(n)d document(s) attached.") % {"n": len(stored)})
        return redirect("problems:detail", pk=pk)
    return _detail_page(request, problem, attach_form=form, status=400)


@login_required
def problem_attachment(request: AuthedRequest, pk: int, attachment_id: int) -> HttpResponse:
    """One of a problem's documents, for those who see the problem."""
    return attachment_response(documents.attachment(request.user, pk, attachment_id))


# ---- coordination letters ----------------------------------------------------------------------


@login_required
@require_POST
def letter_draft(request: AuthedRequest, pk: int) -> HttpResponse:
    """Draft a coordination letter about the problem (city task force and above)."""
    problem = selectors.problem(request.user, pk)
    form = LetterDraftForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            letters.draft_letter(
                actor=request.user,
                problem_id=pk,
                addressee=data["addressee"],
                addressee_level=data["addressee_level"],
                subject=data["subject"],
                body=data["body"],
                contact=data["contact"],
                reply_days=data["reply_days"],
            )
        except KeeplineError as exc:
            if exc.status not in (400, 409):
                raise
            apply_errors(form, exc)
            return _detail_page(request, problem, draft_form=form, status=exc.status)
        messages.success(request, _("Letter drafted; check it, then send it."))
        return redirect(reverse("problems:detail", args=[pk]) + "#letters")
    if not (
        may(request.user, "coordinate", problem) and rules.may_coordinate(request.user, problem)
    ):
        raise Forbidden(_("Coordination letters are written by the city task force or above."))
    return _detail_page(request, problem, draft_form=form, status=400)


LETTER_STEPS = {
    "send": gettext_lazy("Letter sent."),
    "reply": gettext_lazy("Reply recorded."),
    "withdraw": gettext_lazy("Letter withdrawn."),
}


@login_required
@require_POST
def letter_step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    """Send a drafted letter, record the reply to a sent one, or withdraw one (POST with the
    version read)."""
    letter = documents.letter(request.user, pk)
    if step not in LETTER_STEPS:
        raise NotFound(_("Not found."))
    form = LETTER_FORM_CLASSES[step](request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        common = {"actor": request.user, "letter_id": pk, "version": data["version"]}
        try:
            if step == "send":
                letters.send_letter(**common)
            elif step == "reply":
                upload = data.get("reply_file")
                letters.record_letter_reply(
                    **common,
                    text=data["reply"],
                    file=_uploads([upload])[0] if upload else None,
                )
            else:
                letters.withdraw_letter(**common, reason=data["reason"])
        except KeeplineError as exc:
            if exc.status == 400:
                apply_errors(form, exc)
            elif exc.status == 409:
                messages.error(request, exc.message)
            else:
                raise
            problem = selectors.problem(request.user, letter.problem_id)
            bound = (pk, step, form) if exc.status == 400 else None
            return _detail_page(request, problem, bound_letter=bound, status=exc.status)
        messages.success(request, str(LETTER_STEPS[step]))
        return redirect(reverse("problems:detail", args=[letter.problem_id]) + "#letters")
    problem = selectors.problem(request.user, letter.problem_id)
    return _detail_page(request, problem, bound_letter=(pk, step, form), status=400)


@login_required
def letter_docx(request: AuthedRequest, pk: int) -> HttpResponse:
    """The letter as a Word document (a draft says it is one)."""
    letter = documents.letter(request.user, pk)
    response = HttpResponse(documents.to_docx(letter), content_type=documents.DOCX)
    response["Content-Disposition"] = content_disposition_header(
        True, documents.letter_filename(letter)
    )
    return response


@login_required
def letter_reply_document(request: AuthedRequest, pk: int) -> HttpResponse:
    return attachment_response(documents.reply_document(request.user, pk))


def _letter_filters(form: LetterFilterForm) -> dict[str, Any]:
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return {
        "status": data.get("status", ""),
        "overdue": {"yes": True, "no": False}.get(data.get("overdue", "")),
    }


@login_required
def letter_list(request: AuthedRequest) -> HttpResponse:
    """The register of coordination letters the user sees: status, reply due, overdue."""
    require_role(request.user, CoordinationLetter)
    form = LetterFilterForm(request.GET or None)
    now = timezone.now()
    qs = documents.letters(request.user, now=now, **_letter_filters(form))
    page, query = paginate(request, qs)
    return render(
        request,
        "problems/letters.html",
        {
            "page": page,
            "rows": [(letter, letter.overdue_at(now)) for letter in page],
            "query": query,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
def letter_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, CoordinationLetter)
    form = LetterFilterForm(request.GET or None)
    now = timezone.now()
    qs = documents.letters(request.user, now=now, **_letter_filters(form))
    headers = [
        _("Number"),
        _("Issued by"),
        pgettext("addressee", "To"),
        _("The addressee is"),
        _("Subject"),
        _("Enterprise"),
        _("Unified social credit code"),
        _("Problem no."),
        _("Problem"),
        _("Status"),
        pgettext("when", "Drafted"),
        _("Author"),
        pgettext("when", "Sent"),
        _("Reply due"),
        pgettext("when", "Replied"),
        _("Reply"),
        _("Reply overdue"),
    ]

    def line(letter: CoordinationLetter) -> list[Any]:
        problem = letter.problem
        return [
            letter.number,
            letter.issuer,
            letter.addressee,
            letter.get_addressee_level_display(),
            letter.subject,
            problem.enterprise.name,
            problem.enterprise.uscc,
            problem.pk,
            problem.title,
            letter.get_status_display(),
            letter.drafted_at,
            letter.author_name,
            letter.sent_at,
            letter.reply_due,
            letter.replied_at,
            letter.reply,
            _("yes") if letter.overdue_at(now) else "",
        ]

    return workbook_response(
        "coordination-letters", headers, (line(x) for x in qs), title=_("Coordination letters")
    )


# ---- Excel import ------------------------------------------------------------------------------


@login_required
def import_template(request: AuthedRequest) -> HttpResponse:
    require_area(request.user, Problem, "file")
    return workbook_response(
        "problem-import-template",
        [str(c.label) for c in importing.COLUMNS],
        [[c.example for c in importing.COLUMNS]],
        title=_("Enterprise problems"),
    )


@login_required
def problem_import(request: AuthedRequest) -> HttpResponse:
    """Upload an Excel file of problems: every row is checked and every bad row reported;
    with all rows good the problems are filed (unless only checking), else nothing is."""
    require_area(request.user, Problem, "file")
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "columns": importing.COLUMNS}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                check = importing.check_file(
                    actor=request.user, filename=upload.name or "", data=upload.read()
                )
                context["check"] = check
                if check.ok and not form.cleaned_data["check_only"]:
                    created = importing_services.import_problems(
                        actor=request.user, rows=check.rows
                    )
                    messages.success(
                        request, _("%(n)d problems filed from the file.") % {"n": len(created)}
                    )
                    return redirect(reverse("problems:list") + "?sort=-filed")
            except KeeplineError as exc:
                if exc.status != 400:
                    raise
                form.add_error("file", exc.message)
            else:
                status = 200 if check.ok else 400
    return render(request, "problems/import.html", context, status=status)


# ---- from a daily report -----------------------------------------------------------------------


@login_required
@require_POST
def problem_from_report(request: AuthedRequest, report_id: int) -> HttpResponse:
    """Take up the problem field of a daily report as a problem (the same one again if it was
    taken up before)."""
    report = get_for(
        DailyReport.objects.select_related("enterprise__region", "enterprise__park"),
        request.user,
        report_id,
    )
    existing = Problem.objects.filter(report=report).values_list("pk", flat=True).first()
    problem = lifecycle.file_from_report(actor=request.user, report=report)
    if existing is None:
        messages.success(request, _("Problem filed as no. %(pk)s.") % {"pk": problem.pk})
    else:
        messages.info(request, _("This report was already taken up as this problem."))
    return redirect("problems:detail", pk=problem.pk)
