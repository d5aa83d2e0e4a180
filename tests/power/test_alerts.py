"""Power alerts: each kind found on its days, honest enterprises left alone, runs merged and
extended, closed alerts left closed, assignment and closing, scopes, pages, API and command."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from keepline.bubble.models import EnterpriseMode, ModeRecord
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.models import AuditEvent
from keepline.core.scopes import visible
from keepline.enterprises.models import Enterprise
from keepline.power.metrics.baselines import Baseline, BaselineMethod
from keepline.power.models import AlertKind, AlertStatus, DailyReading, LoadProfile, PowerAlert
from keepline.power.services.alerts import assign_alert, close_alert
from keepline.power.services.detection import detect_alerts
from keepline.reports.models import DailyReport, ReportChannel
from tests.conftest import SYSTEM, TZ, World
from tests.factories import EnterpriseFactory

AUGUST = Baseline(method=BaselineMethod.PERIOD, start=dt.date(2022, 8, 1), end=dt.date(2022, 8, 31))
START, END = dt.date(2022, 9, 1), dt.date(2022, 9, 10)
USUAL = 1000.0
# A day shift: little load at night, most of it from 08:00 to 20:00 (1,200 kWh a day).
DAY_SHIFT = [20.0] * 8 + [80.0] * 12 + [20.0] * 4
FLAT = [50.0] * 24
_serials = itertools.count(500)


def day(n: int, month: int = 9) -> dt.date:
    return dt.date(2022, month, n)


def make(world: World, name: str, accounts: int = 1) -> Enterprise:
    """An enterprise in Jiangyang (the world's own area) with its power accounts."""
    serial = next(_serials)
    return EnterpriseFactory(
        serial=serial,
        name=name,
        region=world.jiangyang,
        park=world.park,
        annual_output=Decimal(5000),
        employees=200,
        power_accounts=[f"07{serial:05d}{i:03d}" for i in range(accounts)],
    )


def meter(
    enterprise: Enterprise,
    september: Callable[[dt.date], float | None],
    *,
    account: int | None = None,
    last: int = 10,
) -> None:
    """August at the usual energy, then September's days 1..last as `september` says (None:
    no reading), for one account or all of them."""
    accounts = list(enterprise.power_accounts.order_by("number"))
    share = len(accounts)
    if account is not None:
        accounts = [accounts[account]]
    rows = []
    for a in accounts:
        rows += [DailyReading(account=a, day=d, kwh=USUAL / share) for d in _days(day(1, 8), 31)]
        for d in _days(START, last):
            kwh = september(d)
            if kwh is not None:
                rows.append(DailyReading(account=a, day=d, kwh=kwh / share))
    DailyReading.objects.bulk_create(rows)


def _days(first: dt.date, n: int) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range(n)]


def official(enterprise: Enterprise, mode: str, since: dt.date = dt.date(2022, 8, 25)) -> None:
    ModeRecord.objects.create(
        enterprise=enterprise,
        mode=mode,
        effective_from=dt.datetime.combine(since, dt.time(8), tzinfo=TZ),
        reason="test",
        recorded_by="test",
    )


def report(enterprise: Enterprise, on: dt.date, mode: str) -> None:
    now = timezone.now()
    DailyReport.objects.create(
        enterprise=enterprise,
        date=on,
        mode=mode,
        staff_on_site=100,
        staff_inside=50,
        output_value=Decimal(10),
        capacity_use=Decimal(80),
        raw_material_days=Decimal(5),
        finished_goods_days=Decimal(3),
        via=ReportChannel.FORM,
        submitted_by_name="t",
        submitted_at=now,
        first_submitted_at=now,
    )


def profiles(enterprise: Enterprise, shape: Callable[[dt.date], list[float]]) -> None:
    """Hourly load profiles from 4 August (28 days before September) to 10 September."""
    account = enterprise.power_accounts.order_by("number").first()
    LoadProfile.objects.bulk_create(
        LoadProfile(account=account, day=d, interval_minutes=60, kwh=shape(d))
        for d in _days(day(4, 8), 38)
    )


def alerts_of(enterprise: Enterprise) -> list[tuple[str, dt.date, dt.date]]:
    return [
        (a.kind, a.first_day, a.last_day)
        for a in PowerAlert.objects.filter(enterprise=enterprise).order_by("kind", "first_day")
    ]


def city(world: World) -> dict[str, Enterprise]:
    """Planted liars and honest enterprises, all metered for August and 1–10 September."""
    e: dict[str, Enterprise] = {}
    # Officially halted; draws 900 kWh (0.9 of the baseline) on 3–6 September, 100 otherwise.
    e["halted_liar"] = make(world, "停产仍用电")
    official(e["halted_liar"], EnterpriseMode.HALTED)
    meter(e["halted_liar"], lambda d: 900 if 3 <= d.day <= 6 else 100)
    # Reports closed-loop production on 5–8 September while drawing 20 kWh (0.02).
    e["producing_liar"] = make(world, "报生产无用电")
    meter(e["producing_liar"], lambda d: 20 if 5 <= d.day <= 8 else USUAL)
    for n in range(5, 9):
        report(e["producing_liar"], day(n), EnterpriseMode.CLOSED_LOOP)
    # Its usual day shift, then a flat load around the clock on 4–6 September.
    e["idler"] = make(world, "空转企业")
    meter(e["idler"], lambda d: USUAL)
    profiles(e["idler"], lambda d: FLAT if d.month == 9 and 4 <= d.day <= 6 else DAY_SHIFT)
    # Two accounts: the second lacks 2 September; neither has 8–9 September.
    e["missing"] = make(world, "缺数企业", accounts=2)
    meter(e["missing"], lambda d: None if d.day in (8, 9) else USUAL, account=0)
    meter(e["missing"], lambda d: None if d.day in (2, 8, 9) else USUAL, account=1)
    # Honest ones.
    e["halted_honest"] = make(world, "停产少用电")
    official(e["halted_honest"], EnterpriseMode.HALTED)
    meter(e["halted_honest"], lambda d: 50)
    e["producing_honest"] = make(world, "正常生产")
    meter(e["producing_honest"], lambda d: USUAL * 0.95)
    report(e["producing_honest"], day(5), EnterpriseMode.NORMAL)
    e["seasonal"] = make(world, "季节性停产")
    official(e["seasonal"], EnterpriseMode.SEASONAL_STOP)
    meter(e["seasonal"], lambda d: 0)
    e["process"] = make(world, "连续流程工厂")
    meter(e["process"], lambda d: USUAL)
    profiles(e["process"], lambda d: FLAT)
    # Reported halted and drawing little: its report outweighs its official normal mode,
    # under which 0.05 of the baseline would be producing without power.
    e["reported_halt"] = make(world, "报停产少用电")
    meter(e["reported_halt"], lambda d: 50)
    for n in range(1, 11):
        report(e["reported_halt"], day(n), EnterpriseMode.HALTED)
    return e


def constructed(e: dict[str, Enterprise]) -> Any:
    return Enterprise.objects.filter(pk__in=[x.pk for x in e.values()])


def detect(e: dict[str, Enterprise], start: dt.date = START, end: dt.date = END) -> Any:
    return detect_alerts(
        actor=SYSTEM, start=start, end=end, baseline=AUGUST, enterprises=constructed(e)
    )


# ---- detection -------------------------------------------------------------------------------


def test_each_kind_is_found_on_its_days_and_honest_ones_are_not(world: World) -> None:
    e = city(world)
    done = detect(e)
    assert (done.created, done.extended, done.unchanged) == (5, 0, 0)
    assert alerts_of(e["halted_liar"]) == [(AlertKind.HALTED_WITH_POWER, day(3), day(6))]
    assert alerts_of(e["producing_liar"]) == [(AlertKind.PRODUCING_WITHOUT_POWER, day(5), day(8))]
    assert alerts_of(e["idler"]) == [(AlertKind.IDLING, day(4), day(6))]
    assert alerts_of(e["missing"]) == [
        (AlertKind.MISSING_DATA, day(2), day(2)),
        (AlertKind.MISSING_DATA, day(8), day(9)),
    ]
    for honest in ("halted_honest", "producing_honest", "seasonal", "process", "reported_halt"):
        assert alerts_of(e[honest]) == [], honest


def test_evidence_names_each_day_its_numbers_and_where_the_mode_came_from(world: World) -> None:
    e = city(world)
    detect(e)
    halted = PowerAlert.objects.get(enterprise=e["halted_liar"])
    first = halted.evidence[0]
    assert [x["day"] for x in halted.evidence] == [
        "2022-09-03",
        "2022-09-04",
        "2022-09-05",
        "2022-09-06",
    ]
    assert (first["kwh"], first["baseline"], first["ratio"]) == (900, 1000, 0.9)
    assert (first["mode"], first["source"]) == ("halted", "official")
    producing = PowerAlert.objects.get(enterprise=e["producing_liar"])
    assert {(x["mode"], x["source"], x["ratio"]) for x in producing.evidence} == {
        ("closed_loop", "report", 0.02)
    }
    missing = PowerAlert.objects.get(enterprise=e["missing"], first_day=day(2))
    assert (missing.evidence[0]["accounts_missing"], missing.evidence[0]["accounts"]) == (1, 2)
    idling = PowerAlert.objects.get(enterprise=e["idler"])
    assert idling.evidence[0]["flat_cv"] == 0 and idling.evidence[0]["usual_cv"] > 0.5


def test_days_without_any_meter_data_yet_are_not_missing(world: World) -> None:
    e = city(world)
    done = detect(e, end=day(20))
    # Data ends on 10 September: the ten days after it are not yet delivered, not missing.
    assert done.end == day(10)
    assert alerts_of(e["missing"])[-1] == (AlertKind.MISSING_DATA, day(8), day(9))


def test_thresholds_are_settings(world: World, settings: Any) -> None:
    e = city(world)
    settings.KEEPLINE_POWER_HALTED_ABOVE = 0.95
    settings.KEEPLINE_POWER_IDLE_FLAT_CV = 0.0
    detect(e)
    assert alerts_of(e["halted_liar"]) == []
    assert alerts_of(e["idler"]) == []


def test_runs_are_merged_extended_and_a_rerun_changes_nothing(world: World) -> None:
    e = city(world)
    first = detect(e, end=day(4))
    alert = PowerAlert.objects.get(enterprise=e["halted_liar"])
    assert (alert.first_day, alert.last_day, alert.version) == (day(3), day(4), 1)
    second = detect(e)
    alert.refresh_from_db()
    # The run continued to the 6th: the same alert, one version on, not a second alert.
    assert (alert.first_day, alert.last_day, alert.version) == (day(3), day(6), 2)
    assert PowerAlert.objects.filter(enterprise=e["halted_liar"]).count() == 1
    assert second.extended >= 1 and second.created + first.created == 5
    events = AuditEvent.objects.filter(object_type="power.poweralert", object_id=str(alert.pk))
    assert [(ev.action, ev.actor_name) for ev in events.order_by("at", "id")] == [
        ("create", "test"),
        ("extend", "test"),
    ]
    assert events.get(action="extend").after == {"last_day": "2022-09-06", "version": 2}
    count = AuditEvent.objects.count()
    third = detect(e)
    assert (third.created, third.extended, third.unchanged) == (0, 0, 5)
    assert AuditEvent.objects.count() == count
    alert.refresh_from_db()
    assert alert.version == 2


def test_a_closed_alert_is_not_reopened_and_a_later_run_is_a_new_alert(world: World) -> None:
    e = city(world)
    detect(e)
    alert = PowerAlert.objects.get(enterprise=e["halted_liar"])
    close_alert(actor=world.users["district"], alert=alert, reason="锅炉保温", version=1)
    # More data comes in: still drawing 900 kWh on 11–12 September.
    account = e["halted_liar"].power_accounts.get()
    DailyReading.objects.bulk_create(
        DailyReading(account=account, day=day(n), kwh=900) for n in (11, 12)
    )
    detect(e, end=day(12))
    alert.refresh_from_db()
    assert (alert.status, alert.last_day, alert.version) == (AlertStatus.CLOSED, day(6), 2)
    assert alerts_of(e["halted_liar"]) == [
        (AlertKind.HALTED_WITH_POWER, day(3), day(6)),
        (AlertKind.HALTED_WITH_POWER, day(11), day(12)),
    ]


def test_a_run_after_a_gap_is_a_new_alert(world: World) -> None:
    e = city(world)
    detect(e)
    # 8–9 September: 900 kWh again, after two honest days.
    DailyReading.objects.filter(
        account__enterprise=e["halted_liar"], day__in=[day(8), day(9)]
    ).update(kwh=900)
    detect(e)
    assert alerts_of(e["halted_liar"]) == [
        (AlertKind.HALTED_WITH_POWER, day(3), day(6)),
        (AlertKind.HALTED_WITH_POWER, day(8), day(9)),
    ]


def test_detection_covers_only_the_handlers_area(world: World) -> None:
    own = make(world, "本区企业")
    meter(own, lambda d: 50)
    official(own, EnterpriseMode.HALTED)
    official(own, EnterpriseMode.NORMAL, since=day(5))
    foreign = world.foreign_enterprise
    meter(foreign, lambda d: 50)
    done = detect_alerts(actor=world.users["district"], start=START, end=END, baseline=AUGUST)
    assert alerts_of(own) == [(AlertKind.PRODUCING_WITHOUT_POWER, day(5), day(10))]
    assert alerts_of(foreign) == []
    # The world's own enterprise has an account and no readings at all: all of it is missing.
    assert alerts_of(world.enterprise) == [(AlertKind.MISSING_DATA, START, END)]
    assert done.enterprises == 2
    event = AuditEvent.objects.filter(object_type="power.poweralert", action="create").first()
    assert event is not None and event.actor_name == "district"


def test_bad_periods_are_named_and_change_nothing(world: World) -> None:
    e = city(world)
    with pytest.raises(InvalidInput) as exc:
        detect(e, start=day(10), end=day(1))
    assert "end" in exc.value.errors
    with pytest.raises(InvalidInput) as exc:
        detect(e, start=dt.date(2021, 1, 1), end=day(10))
    assert "start" in exc.value.errors
    with pytest.raises(Forbidden):
        detect_alerts(actor=world.users["leader"], start=START, end=END)
    assert not PowerAlert.objects.exists()


def test_the_command_detects_as_a_named_command(world: World) -> None:
    e = city(world)
    out = io.StringIO()
    call_command("detect-power-alerts", "--from", "2022-09-01", "--to", "2022-09-10", stdout=out)
    assert "created" in out.getvalue()
    alert = PowerAlert.objects.get(enterprise=e["idler"])
    event = AuditEvent.objects.get(object_id=str(alert.pk), object_type="power.poweralert")
    assert event.actor_name == "command:detect-power-alerts"


# ---- assigning and closing -------------------------------------------------------------------


@pytest.fixture
def alert(world: World) -> PowerAlert:
    return PowerAlert.objects.create(
        enterprise=world.enterprise,
        kind=AlertKind.HALTED_WITH_POWER,
        first_day=day(3),
        last_day=day(6),
        evidence=[
            {
                "day": f"2022-09-0{n}",
                "kwh": 900.0,
                "baseline": 1000.0,
                "ratio": 0.9,
                "mode": "halted",
                "source": "official",
            }
            for n in range(3, 7)
        ],
        detected_at=timezone.now(),
    )


def test_assign_only_to_someone_who_can_see_the_enterprise(world: World, alert: PowerAlert) -> None:
    district = world.users["district"]
    for outsider in (world.other_user, world.users["liaison"], world.users["checkpoint"]):
        assert outsider is not None
        with pytest.raises(InvalidInput) as exc:
            assign_alert(actor=district, alert=alert, assignee=outsider, version=1)
        assert "assignee" in exc.value.errors
    alert.refresh_from_db()
    assert (alert.assignee, alert.version) == (None, 1)
    assign_alert(actor=district, alert=alert, assignee=world.users["commissioner"], version=1)
    alert.refresh_from_db()
    assert (alert.assignee, alert.version) == (world.users["commissioner"], 2)
    event = AuditEvent.objects.get(action="assign", object_id=str(alert.pk))
    assert event.after == {
        "assignee": world.users["commissioner"].pk,
        "assignee_name": "commissioner",
        "version": 2,
    }
    assert event.actor_name == "district"


def test_close_needs_a_reason_and_a_current_version(world: World, alert: PowerAlert) -> None:
    district = world.users["district"]
    with pytest.raises(InvalidInput) as exc:
        close_alert(actor=district, alert=alert, reason="  ", version=1)
    assert "reason" in exc.value.errors
    with pytest.raises(Conflict):
        close_alert(actor=district, alert=alert, reason="核实", version=0)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    close_alert(actor=district, alert=alert, reason="核实：锅炉保温", version=1)
    alert.refresh_from_db()
    assert (alert.status, alert.closed_reason, alert.closed_by) == (
        AlertStatus.CLOSED,
        "核实：锅炉保温",
        district,
    )
    with pytest.raises(Conflict):
        close_alert(actor=district, alert=alert, reason="again", version=2)
    with pytest.raises(Conflict):
        assign_alert(actor=district, alert=alert, assignee=district, version=2)


def test_scopes_district_assignee_and_liaison(world: World, alert: PowerAlert) -> None:
    foreign = PowerAlert.objects.create(
        enterprise=world.foreign_enterprise,
        kind=AlertKind.MISSING_DATA,
        first_day=day(1),
        last_day=day(1),
        detected_at=timezone.now(),
    )
    district = world.users["district"]
    assert list(visible(PowerAlert.objects.all(), district)) == [alert]
    assert list(visible(PowerAlert.objects.all(), world.users["liaison"])) == []
    assert foreign in visible(PowerAlert.objects.all(), world.other_user)  # type: ignore[arg-type]
    # A commissioner sees its enterprise's alert but may close it only once it is theirs.
    commissioner = world.users["commissioner"]
    with pytest.raises(Forbidden):
        close_alert(actor=commissioner, alert=alert, reason="x", version=1)
    assign_alert(actor=district, alert=alert, assignee=commissioner, version=1)
    # Their commission ends; the alert assigned to them stays theirs to see and close.
    commissioner.memberships.all().delete()
    commissioner = type(commissioner).objects.get(pk=commissioner.pk)
    assert list(visible(PowerAlert.objects.all(), commissioner)) == [alert]
    close_alert(actor=commissioner, alert=alert, reason="现场核实无生产", version=2)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED


# ---- pages -----------------------------------------------------------------------------------


def test_list_filters_sorts_and_exports(world: World) -> None:
    e = city(world)
    detect(e)
    client = world.client("district")
    page = client.get("/power/alerts/", {"kind": "idling"}).content.decode()
    assert "空转企业" in page and "停产仍用电" not in page
    found = client.get("/power/alerts/", {"q": " 空转 "}).content.decode()
    assert "空转企业" in found and "停产仍用电" not in found
    by_code = client.get("/api/power/alerts", {"q": e["idler"].uscc[-6:]}).json()
    assert {a["enterprise"] for a in by_code["items"]} == {"空转企业"}
    body = client.get(
        "/power/alerts/", {"date_from": "2022-09-07", "date_to": "2022-09-10"}
    ).content.decode()
    assert "报生产无用电" in body and "空转企业" not in body
    page = client.get("/power/alerts/", {"sort": "-days"}).content.decode()
    assert page.index("报生产无用电") < page.index("空转企业")  # four days before three
    assert client.get("/power/alerts/", {"date_from": "9/9/22x"}).status_code == 400
    one = client.get("/api/power/alerts", {"enterprise": e["idler"].pk}).json()
    assert {a["enterprise"] for a in one["items"]} == {"空转企业"}
    foreign = client.get("/api/power/alerts", {"enterprise": world.foreign_enterprise.pk})
    assert foreign.status_code == 400 and "enterprise" in foreign.json()["errors"]
    for code in ("²", "99999999999999999999999", "9" * 5000):
        refused = client.get("/api/power/alerts", {"enterprise": code})
        assert refused.status_code == 400 and "enterprise" in refused.json()["errors"]
    response = client.get("/power/alerts/export.xlsx", {"kind": "missing_data"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["缺数企业", "缺数企业"]
    assert {r[7] for r in rows[1:]} == {1, 2}


def test_detect_form_raises_alerts_and_names_bad_fields(world: World) -> None:
    e = city(world)
    client = world.client("district")
    bad = client.post("/power/alerts/detect/", {"start": "2022-09-10", "end": "2022-09-01"})
    assert bad.status_code == 400 and 'data-field-error="end"' in bad.content.decode()
    bad = client.post(
        "/power/alerts/detect/",
        {"start": "2022-09-01", "end": "2022-09-10", "baseline": "period"},
    )
    assert bad.status_code == 400 and 'data-field-error="baseline_start"' in bad.content.decode()
    assert not PowerAlert.objects.exists()
    good = client.post(
        "/power/alerts/detect/",
        {
            "start": "2022-09-01",
            "end": "2022-09-10",
            "baseline": "period",
            "baseline_start": "2022-08-01",
            "baseline_end": "2022-08-31",
        },
        follow=True,
    )
    assert "alerts raised" in good.content.decode()
    assert alerts_of(e["halted_liar"]) == [(AlertKind.HALTED_WITH_POWER, day(3), day(6))]
    assert world.client("leader").post("/power/alerts/detect/", {}).status_code == 403


def test_detail_shows_evidence_chart_and_takes_assign_and_close(world: World) -> None:
    e = city(world)
    detect(e)
    alert = PowerAlert.objects.get(enterprise=e["halted_liar"])
    client = world.client("district")
    page = client.get(f"/power/alerts/{alert.pk}/")
    body = page.content.decode()
    assert 'data-day="2022-09-03"' in body and 'id="power-data"' in body
    chart = page.context["chart"]
    # The alert ± 14 days; August's readings and September's, with the official mode.
    assert chart["window"] == ["2022-09-03", "2022-09-06"]
    assert chart["days"][0] == "2022-08-20" and chart["days"][-1] == "2022-09-20"
    assert chart["kwh"][chart["days"].index("2022-09-03")] == 900
    assert chart["kwh"][-1] is None  # no reading yet: a gap, not zero
    assert chart["official"][chart["days"].index("2022-09-03")] == "halted"
    assert chart["baseline"][0] == 1000  # the baseline the detection used (August)
    stale = client.post(
        f"/power/alerts/{alert.pk}/", {"action": "close", "reason": "核实", "version": 0}
    )
    assert stale.status_code == 409
    unknown = client.post(
        f"/power/alerts/{alert.pk}/", {"action": "reopen", "reason": "x", "version": 1}
    )
    assert unknown.status_code == 400
    missing = client.post(f"/power/alerts/{alert.pk}/", {"action": "close", "version": 1})
    assert missing.status_code == 400 and 'data-field-error="reason"' in missing.content.decode()
    outsider = client.post(
        f"/power/alerts/{alert.pk}/",
        {"action": "assign", "assignee": world.users["liaison"].pk, "version": 1},
    )
    assert (
        outsider.status_code == 400 and 'data-field-error="assignee"' in outsider.content.decode()
    )
    ok = client.post(
        f"/power/alerts/{alert.pk}/",
        {"action": "assign", "assignee": world.users["park"].pk, "version": 1},
    )
    assert ok.status_code == 302
    closed = client.post(
        f"/power/alerts/{alert.pk}/",
        {"action": "close", "reason": "锅炉保温", "version": 2},
        follow=True,
    )
    body = closed.content.decode()
    assert "锅炉保温" in body and 'id="close-form"' not in body
    assert "<code>assign</code>" in body and "<code>close</code>" in body
    alert.refresh_from_db()
    assert (alert.status, alert.assignee) == (AlertStatus.CLOSED, world.users["park"])


def test_timeline_shows_gaps_modes_accounts_shape_and_alerts(world: World) -> None:
    e = city(world)
    detect(e)
    client = world.client("district")
    idler = e["idler"]
    page = client.get(f"/power/enterprises/{idler.pk}/")
    assert page.status_code == 200
    chart = page.context["chart"]
    # Default: the 90 days up to the last day with data.
    assert (chart["days"][0], chart["days"][-1]) == ("2022-06-13", "2022-09-10")
    assert chart["kwh"][0] is None and chart["kwh"][-1] == USUAL
    shape = page.context["shape"]
    assert shape["day"] == "2022-09-10" and shape["today"] == DAY_SHIFT
    assert shape["usual_cv"] > 0.5
    body = page.content.decode()
    assert idler.power_accounts.get().number in body and "Flat load" in body
    flat = client.get(f"/power/enterprises/{idler.pk}/", {"day": "2022-09-05"}).context["shape"]
    assert flat["today"] == FLAT and flat["today_cv"] == 0
    liar = e["producing_liar"]
    page = client.get(
        f"/power/enterprises/{liar.pk}/", {"start": "2022-09-01", "end": "2022-09-10"}
    )
    chart = page.context["chart"]
    assert chart["reported"][4:8] == ["closed_loop"] * 4 and chart["reported"][0] is None
    assert chart["official"] == ["normal"] * 10
    bad = client.get(f"/power/enterprises/{liar.pk}/", {"start": "2022-09-10", "end": "2022-09-01"})
    assert bad.status_code == 400 and 'data-field-error="end"' in bad.content.decode()
    # A liaison sees its own enterprise's timeline, not the alerts about it.
    own = world.client("liaison").get(f"/power/enterprises/{world.enterprise.pk}/")
    assert own.status_code == 200 and own.context["alerts"] is None


# ---- API -------------------------------------------------------------------------------------


def test_api_lists_details_assigns_closes_and_detects(world: World) -> None:
    e = city(world)
    client = world.client("district")
    bad = client.post(
        "/api/power/alerts/detect",
        {"start": "2022-09-10", "end": "2022-09-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "end" in bad.json()["errors"]
    done = client.post(
        "/api/power/alerts/detect",
        {
            "start": "2022-09-01",
            "end": "2022-09-10",
            "baseline": "period",
            "baseline_start": "2022-08-01",
            "baseline_end": "2022-08-31",
        },
        content_type="application/json",
    ).json()
    # The constructed five, and the world's own enterprise, which has no readings at all.
    assert (done["created"], done["end"]) == (6, "2022-09-10")
    listed = client.get("/api/power/alerts", {"kind": "halted_with_power"}).json()
    assert [a["uscc"] for a in listed["items"]] == [e["halted_liar"].uscc]
    alert_id = listed["items"][0]["id"]
    one = client.get(f"/api/power/alerts/{alert_id}").json()
    assert one["evidence"][0] == {
        "day": "2022-09-03",
        "kwh": 900.0,
        "baseline": 1000.0,
        "ratio": 0.9,
        "mode": "halted",
        "source": "official",
    }
    nobody = client.post(
        f"/api/power/alerts/{alert_id}/assign",
        {"assignee": 999999, "version": 1},
        content_type="application/json",
    )
    assert nobody.status_code == 400 and "assignee" in nobody.json()["errors"]
    assigned = client.post(
        f"/api/power/alerts/{alert_id}/assign",
        {"assignee": world.users["park"].pk, "version": 1},
        content_type="application/json",
    ).json()
    assert (assigned["assignee"], assigned["version"]) == ("park", 2)
    mine = world.client("park").get("/api/power/alerts", {"assignee": "me"}).json()
    assert [a["id"] for a in mine["items"]] == [alert_id]
    stale = client.post(
        f"/api/power/alerts/{alert_id}/close",
        {"reason": "核实", "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 2
    closed = client.post(
        f"/api/power/alerts/{alert_id}/close",
        {"reason": "核实", "version": 2},
        content_type="application/json",
    ).json()
    assert closed["status"] == "closed"


def test_api_daily_has_gaps_baseline_ratio_and_both_modes(world: World) -> None:
    e = city(world)
    client = world.client("liaison")
    assert client.get(f"/api/power/enterprises/{e['missing'].pk}/daily").status_code == 404
    client = world.client("district")
    days = client.get(
        f"/api/power/enterprises/{e['missing'].pk}/daily",
        {
            "start": "2022-09-01",
            "end": "2022-09-12",
            "baseline": "period",
            "baseline_start": "2022-08-01",
            "baseline_end": "2022-08-31",
        },
    ).json()
    assert len(days) == 12
    assert days[1] == {
        "day": "2022-09-02",
        "kwh": 500.0,
        "accounts_missing": 1,
        "baseline": 1000.0,
        "ratio": 0.5,
        "official_mode": "normal",
        "reported_mode": None,
    }
    assert days[7]["kwh"] is None and days[7]["accounts_missing"] == 2
    liar = client.get(
        f"/api/power/enterprises/{e['producing_liar'].pk}/daily",
        {"start": "2022-09-05", "end": "2022-09-05"},
    ).json()
    assert (liar[0]["reported_mode"], liar[0]["kwh"], liar[0]["baseline"]) == (
        "closed_loop",
        20.0,
        None,  # the default baseline is last September's, and there is none
    )


def test_an_evening_switch_does_not_charge_the_day_to_the_new_mode(world: World) -> None:
    """Halted from 20:00 on 5 September with no reports: the 5th was worked (full power, no
    alert); from the 6th, full power under "halted" is an alert."""
    plant = make(world, "晚间停产测试厂")
    meter(plant, lambda d: USUAL)
    ModeRecord.objects.create(
        enterprise=plant,
        mode=EnterpriseMode.HALTED,
        effective_from=dt.datetime.combine(day(5), dt.time(20), tzinfo=TZ),
        reason="test",
        recorded_by="test",
    )
    detect_alerts(actor=SYSTEM, start=START, end=END, baseline=AUGUST)
    alert = PowerAlert.objects.get(enterprise=plant)
    assert alert.kind == AlertKind.HALTED_WITH_POWER
    assert (alert.first_day, alert.last_day) == (day(6), day(10))
