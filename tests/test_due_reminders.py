"""Reminders that come by themselves (send_due_reminders, run hourly from cron): 即将到期 within the
warning days before the due date, 逾期 from the day after it for a week, each once per body and
period, at most one a day per body, and never to a body that has submitted."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from reports.models import DueDate, Extension, Membership, Notice, Organization, Reminder, Submission
from reports.tracking.deadlines import local_date
from reports.tracking.reminders import owed_reminders, send_due_reminders, send_owed, send_reminder

BEIJING = ZoneInfo("Asia/Shanghai")
DRAFTER = Membership.Role.DRAFTER
DUE = date(2023, 4, 10)  # 2023 Q1, as the admin set it below
DUE_SOON_SUBJECT = "【季报】即将到期：市政协机关党组2023年第一季度报告"
OVERDUE_SUBJECT = "【季报】催报：市政协机关党组2023年第一季度报告"


def beijing(year, month, day, hour=9, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def at(day: date, hour=9, minute=0):
    return beijing(day.year, day.month, day.day, hour, minute)


@pytest.fixture
def office(tree, make_user, overseer):
    """市政协机关党组 with two drafters who have an address; 市纪委监委 above it (its overseer's body)
    warns five days ahead. Only Q1 2023 falls in the April days the tests run on."""
    tree["city"].warning_days = 5
    tree["city"].save()
    DueDate.objects.create(year=2023, quarter=1, due_date=DUE)
    for name in ("d1", "d2"):
        make_user(name, organization=tree["office"], role=DRAFTER, email=f"{name}@example.org")
    return tree["office"]


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the command as cron does, at a given moment; returns what it printed. The mails go out
    when the reminder's transaction commits, as in production."""

    def run_at(now: datetime) -> str:
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_due_reminders", f"--now={now.isoformat()}", stdout=out)
        return out.getvalue()

    return run_at


def subjects(mailoutbox):
    return [message.subject for message in mailoutbox]


def sent(**filters):
    return list(Reminder.objects.filter(**filters).order_by("sent_at", "organization__name").values_list(
        "organization__name", "year", "quarter", "kind"))


def submit(organization, year, quarter, report_factory):
    report = report_factory(organization, year=year, quarter=quarter)
    Submission.objects.create(report=report, number=1, paragraphs=[], measures={}, submitted_at=beijing(2023, 4, 3))


# ---- Once, and only once ---------------------------------------------------------------------


def test_two_runs_in_the_same_hour_send_each_reminder_once(office, tree, make_user, run, mailoutbox):
    make_user("c1", organization=tree["congress"], role=DRAFTER, email="c1@example.org")
    first = run(beijing(2023, 4, 11, 9, 0))
    assert subjects(mailoutbox) == ["【季报】催报：市人大常委会党组2023年第一季度报告", OVERDUE_SUBJECT]
    assert sorted(mailoutbox[1].to) == ["d1@example.org", "d2@example.org"]
    assert first.splitlines() == [
        "市人大常委会党组 2023年第一季度：逾期催报，邮件发至 c1@example.org",
        "市政协机关党组 2023年第一季度：逾期催报，邮件发至 d1@example.org, d2@example.org",
        "共发送 2 条提醒。",
    ]

    again = run(beijing(2023, 4, 11, 9, 40))
    assert again.strip() == "没有需要发送的提醒。"
    assert len(mailoutbox) == 2
    assert sent() == [("市人大常委会党组", 2023, 1, "overdue"), ("市政协机关党组", 2023, 1, "overdue")]
    assert Notice.objects.filter(subject=OVERDUE_SUBJECT).count() == 2  # d1 and d2, once each


def test_a_reminder_is_recorded_at_the_moment_of_the_run(office, run):
    run(beijing(2023, 4, 11, 0, 30))  # 2023-04-10 16:30 in UTC: the Beijing date is what counts
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.sent_by, reminder.sent_at) == ("overdue", None, beijing(2023, 4, 11, 0, 30))


def test_a_run_that_read_its_plan_before_another_run_sent_it_sends_nothing(office, django_capture_on_commit_callbacks,
                                                                          mailoutbox):
    """Two cron runs at once read the same plan; the second to take the body's lock finds the
    first one's reminder and sends nothing."""
    now = beijing(2023, 4, 11)
    plan = owed_reminders(now)
    assert [(owed.organization, owed.kind) for owed in plan] == [(office, "overdue")]
    with django_capture_on_commit_callbacks(execute=True):
        assert len(send_due_reminders(now)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert [send_owed(owed, now) for owed in plan] == [None]
    assert len(mailoutbox) == 1 and Reminder.objects.count() == 1


def test_an_overseers_reminder_between_the_plan_and_the_sending_holds_the_automatic_one(
        office, overseer, django_capture_on_commit_callbacks, mailoutbox):
    now = beijing(2023, 4, 11)
    plan = owed_reminders(now)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminder(user=overseer, organization=office, year=2023, quarter=1, today=date(2023, 4, 11))
    Reminder.objects.update(sent_at=now - timedelta(minutes=1))  # the wall clock's sent_at, on the run's day
    with django_capture_on_commit_callbacks(execute=True):
        assert [send_owed(owed, now) for owed in plan] == [None]
    assert len(mailoutbox) == 1 and list(Reminder.objects.values_list("kind", flat=True)) == ["manual"]


# ---- 即将到期 and 逾期 ---------------------------------------------------------------------


def test_a_body_that_does_not_submit_hears_once_before_and_once_after_the_due_date(office, run, mailoutbox):
    """Run every day from six days before the due date to a week after it."""
    for offset in range(-6, 8):
        run(at(DUE + timedelta(days=offset)))
    assert subjects(mailoutbox) == [DUE_SOON_SUBJECT, OVERDUE_SUBJECT]
    assert sent() == [("市政协机关党组", 2023, 1, "due_soon"), ("市政协机关党组", 2023, 1, "overdue")]
    first, second = Reminder.objects.order_by("sent_at")
    # The warning starts five days ahead (the supervising body's setting); 逾期 the day after.
    assert [local_date(reminder.sent_at) for reminder in (first, second)] == [date(2023, 4, 5), date(2023, 4, 11)]
    assert "应于2023年4月10日前报送" in mailoutbox[0].body and "请按时完成并提交" in mailoutbox[0].body


@pytest.mark.parametrize(("day", "kind"), [
    (date(2023, 4, 4), None),          # six days before: not yet
    (date(2023, 4, 5), "due_soon"),    # five days before: the warning days begin
    (DUE, "due_soon"),                 # the due date itself is still 即将到期
    (date(2023, 4, 11), "overdue"),    # the day after
    (date(2023, 4, 17), "overdue"),    # cron was down: a week after, it still goes out
    (date(2023, 4, 18), None),         # eight days after: long past, nothing
    (date(2024, 3, 1), None),          # installed a year later: no mail about old periods
])
def test_what_a_first_run_on_a_day_sends(office, run, mailoutbox, day, kind):
    run(at(day, 15))
    assert [row[3] for row in sent()] == ([kind] if kind else [])
    assert len(mailoutbox) == (1 if kind else 0)


def test_the_warning_days_are_the_supervising_bodys(office, tree, run, mailoutbox):
    tree["city"].warning_days = 0
    tree["city"].save()
    run(at(date(2023, 4, 9)))
    assert mailoutbox == []
    run(at(DUE))
    assert subjects(mailoutbox) == [DUE_SOON_SUBJECT]


def test_the_annual_report_is_reminded_too(tree, make_user, run, mailoutbox):
    make_user("d1", organization=tree["office"], role=DRAFTER, email="d1@example.org")
    DueDate.objects.create(year=2022, quarter=None, due_date=date(2023, 1, 31))
    out = run(beijing(2023, 2, 1))
    assert subjects(mailoutbox) == ["【季报】催报：市政协机关党组2022年度报告"]
    assert "市政协机关党组 2022年度：逾期催报" in out
    run(beijing(2023, 2, 2))
    assert len(mailoutbox) == 1 and sent() == [("市政协机关党组", 2022, None, "overdue")]


def test_no_overdue_reminder_once_input_has_closed_unless_extended(office, tree, run, mailoutbox):
    """截止填报: the drafters cannot submit, so a 催报 would ask the impossible; an extension
    (准予延期) reopens the period, and the reminder goes out while it is within the week."""
    tree["city"].closes_input = True
    tree["city"].save()
    run(at(date(2023, 4, 11)))
    assert mailoutbox == []
    Extension.objects.create(organization=office, year=2023, quarter=1, until=date(2023, 4, 20), reason="材料补充")
    run(at(date(2023, 4, 12)))
    assert subjects(mailoutbox) == [OVERDUE_SUBJECT]


# ---- Who hears ---------------------------------------------------------------------------


def test_no_reminder_for_a_body_that_has_submitted(office, tree, make_user, report_factory, run, mailoutbox):
    make_user("c1", organization=tree["congress"], role=DRAFTER, email="c1@example.org")
    submit(office, 2023, 1, report_factory)
    for day in (date(2023, 4, 5), date(2023, 4, 11)):
        run(at(day))
    # 市人大 has not submitted and hears both; 市政协机关党组 nothing.
    assert sent(organization=office) == []
    assert sent() == [("市人大常委会党组", 2023, 1, "due_soon"), ("市人大常委会党组", 2023, 1, "overdue")]
    assert all(message.to == ["c1@example.org"] for message in mailoutbox)


def test_bodies_without_an_active_drafter_are_skipped(tree, make_user, run, mailoutbox):
    make_user("r1", organization=tree["office"], role=Membership.Role.REVIEWER, email="r1@example.org")
    make_user("gone", organization=tree["congress"], role=DRAFTER, email="gone@example.org", is_active=False)
    out = run(beijing(2023, 4, 11))
    assert out.strip() == "没有需要发送的提醒。"
    assert mailoutbox == [] and not Reminder.objects.exists() and not Notice.objects.exists()


def test_drafters_without_an_address_still_find_the_reminder_among_their_notices(tree, make_user, run, mailoutbox):
    silent = make_user("d1", organization=tree["office"], role=DRAFTER)
    out = run(beijing(2023, 4, 11))
    assert mailoutbox == []
    notice = Notice.objects.get(user=silent)
    assert (notice.subject, notice.read_at) == (OVERDUE_SUBJECT, None)
    assert Reminder.objects.get().recipients == ""
    assert "市政协机关党组 2023年第一季度：逾期催报，起草人均未设邮箱，仅发站内通知" in out


# ---- At most one a day ---------------------------------------------------------------------


def test_a_manual_reminder_today_holds_the_automatic_one_until_tomorrow(office, overseer, run, mailoutbox,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_reminder(user=overseer, organization=office, year=2023, quarter=1, today=date(2023, 4, 11))
    # sent_at is the wall clock's: put the overseer's 催报 on the morning of the day the test runs.
    Reminder.objects.update(sent_at=beijing(2023, 4, 11, 8, 30))
    assert len(mailoutbox) == 1

    run(beijing(2023, 4, 11, 10))
    run(beijing(2023, 4, 11, 23))
    assert len(mailoutbox) == 1 and sent(kind="overdue") == []

    run(beijing(2023, 4, 12, 0, 5))
    assert len(mailoutbox) == 2 and mailoutbox[1].subject == OVERDUE_SUBJECT
    assert "督办人" not in mailoutbox[1].body  # sent by itself, not in the overseer's name
    assert [kind for *_rest, kind in sent()] == ["manual", "overdue"]


def test_two_periods_owed_on_one_day_go_out_on_two_days(office, run, mailoutbox):
    """Q1 is overdue and Q2 (due early, as the admin set it) is due soon on the same day: the one
    due first goes out today, the other tomorrow."""
    DueDate.objects.create(year=2023, quarter=2, due_date=date(2023, 4, 13))
    run(beijing(2023, 4, 11, 9))
    run(beijing(2023, 4, 11, 10))
    assert subjects(mailoutbox) == [OVERDUE_SUBJECT]
    run(beijing(2023, 4, 12, 9))
    assert subjects(mailoutbox) == [OVERDUE_SUBJECT, "【季报】即将到期：市政协机关党组2023年第二季度报告"]


# ---- The command and its cost ---------------------------------------------------------------


def test_now_is_read_as_beijing_time_and_must_be_a_date_and_time(office, run, mailoutbox):
    out = io.StringIO()
    with pytest.raises(CommandError, match="--now 应为 ISO 格式的日期时间"):
        call_command("send_due_reminders", "--now=tomorrow", stdout=out)
    run(datetime(2023, 4, 11, 0, 30))  # naive: 00:30 in Beijing, already the day after the due date
    assert sent() == [("市政协机关党组", 2023, 1, "overdue")]


def test_the_checks_take_the_same_queries_for_one_body_or_many(office, tree, make_user, report_factory):
    now = beijing(2023, 5, 1)  # nothing owed: every body is checked, none is sent anything

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert owed_reminders(now) == []
        return len(context.captured_queries)

    one = queries()
    for number in range(8):
        body = Organization.objects.create(name=f"单位{number}", parent=tree["cppcc"] if number % 2 else tree["city"])
        make_user(organization=body, role=DRAFTER)
    assert queries() == one


# ---- Concurrent runs, on PostgreSQL -----------------------------------------------------------


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_runs_started_at_the_same_moment_send_once(office, mailoutbox):
    import threading

    now = beijing(2023, 4, 11)
    barrier = threading.Barrier(6)
    results = []

    def one_run():
        try:
            barrier.wait(30)
            results.append(len(send_due_reminders(now)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_run, daemon=True) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results) == [0, 0, 0, 0, 0, 1]
    assert Reminder.objects.count() == 1 and len(mailoutbox) == 1
