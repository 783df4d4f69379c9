"""督办: due dates, timeliness, the board, 催报, and who may see any of it."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from reports.access import is_overseer
from reports.models import (
    DueDate,
    Extension,
    Measure,
    MeasureValue,
    Membership,
    Notice,
    Organization,
    Reminder,
    Report,
    ReportEvent,
    ReviewStep,
    Submission,
)
from reports.tracking.board import build_board, percent
from reports.tracking.deadlines import default_due_date, due_dates, local_date, timeliness
from reports.tracking.reminders import AlreadyReminded, AlreadySubmitted, NoRecipients, NotOverseen, NotYetDue, send_reminder
from reports.tracking.scope import overseen_ids
from tests.browser import log_in
from tests.fixtures import PASSWORD, run_commit_callbacks

BEIJING = ZoneInfo("Asia/Shanghai")
OVERSEER = Membership.Role.OVERSEER
DRAFTER = Membership.Role.DRAFTER


def beijing(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def submitted(report, *moments):
    """Submission rows at the given moments (round 1, 2, …), as the workflow would write them."""
    for number, moment in enumerate(moments, 1):
        Submission.objects.create(report=report, number=number, paragraphs=[], measures={}, submitted_at=moment)
    return report


def remind_url():
    return reverse("tracking:remind")


def cell(board, organization, quarter):
    row = next(row for row in board.rows if row.organization == organization)
    return row.cells[quarter - 1]


def cell_html(html, organization, quarter):
    """The markup of one cell of the board page."""
    row = html.split(f'<tr id="body-{organization.pk}">')[1].split("</tr>")[0]
    return row.split(f'data-quarter="{quarter}"')[1].split("</td>")[0]


def event(report, action, to_status="returned"):
    return ReportEvent.objects.create(report=report, action=action, from_status=report.status, to_status=to_status)


# ---- Due dates and timeliness -------------------------------------------------------------


def test_default_due_date_is_ten_days_after_the_quarter(settings):
    assert default_due_date(2023, 1) == date(2023, 4, 10)
    assert default_due_date(2023, 2) == date(2023, 7, 10)
    assert default_due_date(2023, 3) == date(2023, 10, 10)
    assert default_due_date(2023, 4) == date(2024, 1, 10)  # Q4 is due in the next year
    settings.JIBAO_DEFAULT_DUE_DAYS = 15
    assert default_due_date(2024, 1) == date(2024, 4, 15)


def test_due_dates_take_the_admins_dates_in_one_query(db, django_assert_num_queries):
    DueDate.objects.create(year=2023, quarter=2, due_date=date(2023, 7, 20))
    DueDate.objects.create(year=2024, quarter=1, due_date=date(2024, 4, 30))  # another year: ignored
    with django_assert_num_queries(1):
        dates = due_dates(2023)
    # The annual report (None) is due at the end of January.
    assert dates == {1: date(2023, 4, 10), 2: date(2023, 7, 20), 3: date(2023, 10, 10), 4: date(2024, 1, 10),
                     None: date(2024, 1, 31)}


@pytest.mark.parametrize(
    ("submitted_on", "today", "expected"),
    [
        (date(2023, 4, 9), date(2023, 5, 1), "on_time"),
        (date(2023, 4, 10), date(2023, 5, 1), "on_time"),  # on the due date is on time
        (date(2023, 4, 11), date(2023, 5, 1), "late"),
        (date(2023, 4, 11), date(2023, 4, 11), "late"),
        (None, date(2023, 4, 11), "overdue"),
        (None, date(2023, 4, 10), "pending"),  # the due date itself: not yet overdue
        (None, date(2023, 3, 1), "pending"),
    ],
)
def test_timeliness(submitted_on, today, expected):
    assert timeliness(submitted_on, date(2023, 4, 10), today) == expected


def test_shares_are_whole_percentages_rounded_half_up():
    assert [percent(part, whole) for part, whole in [(2, 3), (1, 3), (1, 8), (3, 8), (0, 4), (4, 4)]] == [67, 33, 13, 38, 0, 100]
    assert percent(0, 0) is None


# ---- Who is overseen ----------------------------------------------------------------------


def overseen_bodies(user):
    return Organization.objects.filter(id__in=overseen_ids(user))


def test_an_overseer_follows_the_bodies_below_their_own(tree, overseer, make_user):
    names = set(overseen_bodies(overseer).values_list("name", flat=True))
    assert names == {"市政协党组", "市人大常委会党组", "市政协机关党组"}  # not 市纪委监委, not the county

    county_overseer = make_user(organization=tree["county"], role=OVERSEER)
    assert set(overseen_bodies(county_overseer)) == {tree["county_body"]}

    admin = make_user(is_superuser=True, is_staff=True)
    assert set(overseen_bodies(admin)) == {tree["cppcc"], tree["congress"], tree["office"], tree["county_body"]}

    drafter = make_user(organization=tree["cppcc"], role=DRAFTER)
    assert not overseen_bodies(drafter).exists()
    assert not is_overseer(drafter)
    assert is_overseer(overseer) and is_overseer(admin)


# ---- The board ----------------------------------------------------------------------------


@pytest.fixture
def q1_reports(tree, report_factory):
    """2023 Q1 below 市纪委监委: one on time (then returned and submitted again late), one late
    by an hour of Beijing time, one draft never submitted; and a county body's report."""
    on_time = submitted(
        report_factory(tree["cppcc"], status="submitted"),
        beijing(2023, 4, 10, 23, 30),  # 15:30 UTC: still the 10th in Beijing
        beijing(2023, 4, 20),
    )
    late = submitted(report_factory(tree["congress"], status="approved"), beijing(2023, 4, 11, 0, 30))
    draft = report_factory(tree["office"], status="draft")
    other_tree = submitted(report_factory(tree["county_body"], status="approved"), beijing(2023, 4, 1))
    run_commit_callbacks()  # as committed: the counts kept per subtree follow (tracking.tallies)
    return {"on_time": on_time, "late": late, "draft": draft, "other_tree": other_tree}


def test_board_cells_and_shares(tree, overseer, q1_reports):
    reminder_old = Reminder.objects.create(organization=tree["office"], year=2023, quarter=1, sent_by=overseer)
    reminder_new = Reminder.objects.create(organization=tree["office"], year=2023, quarter=1, sent_by=overseer)
    Reminder.objects.filter(pk=reminder_old.pk).update(sent_at=beijing(2023, 4, 12))
    Reminder.objects.filter(pk=reminder_new.pk).update(sent_at=beijing(2023, 4, 15))

    board = build_board(overseer, 2023, today=date(2023, 7, 5))

    expected_order = list(
        Organization.objects.filter(name__in=["市政协党组", "市人大常委会党组", "市政协机关党组"]).order_by("name"))
    assert [row.organization for row in board.rows] == expected_order
    assert all(len(row.cells) == 5 for row in board.rows)  # four quarters and the annual report

    on_time = cell(board, tree["cppcc"], 1)
    assert (on_time.report, on_time.report.status, on_time.submitted_on, on_time.due, on_time.timeliness) == (
        q1_reports["on_time"], "submitted", date(2023, 4, 10), date(2023, 4, 10), "on_time")
    late = cell(board, tree["congress"], 1)
    assert (late.report.status, late.submitted_on, late.timeliness) == ("approved", date(2023, 4, 11), "late")
    overdue = cell(board, tree["office"], 1)
    assert (overdue.report, overdue.submitted_on, overdue.timeliness, overdue.can_remind) == (
        q1_reports["draft"], None, "overdue", True)
    assert overdue.last_reminder == reminder_new
    assert cell(board, tree["cppcc"], 1).last_reminder is None
    # On the day of its last 催报 the cell offers none: once a day (reminders.reminded_today).
    that_day = cell(build_board(overseer, 2023, today=date(2023, 4, 15)), tree["office"], 1)
    assert (that_day.timeliness, that_day.can_remind) == ("overdue", False)
    missing = cell(board, tree["cppcc"], 2)  # no report at all, due 07-10, today 07-05
    assert (missing.report, missing.timeliness, missing.can_remind) == (None, "pending", False)

    q1, q2 = board.quarters[0], board.quarters[1]
    assert (q1.bodies, q1.submitted, q1.on_time, q1.submitted_percent, q1.on_time_percent) == (3, 2, 1, 67, 33)
    assert (q2.bodies, q2.submitted, q2.on_time, q2.submitted_percent) == (3, 0, 0, 0)
    assert [quarter.due for quarter in board.quarters] == [
        date(2023, 4, 10), date(2023, 7, 10), date(2023, 10, 10), date(2024, 1, 10), date(2024, 1, 31),
    ]
    with translation.override("zh-hans"):
        assert [quarter.label for quarter in board.quarters][-1] == "年度"


def test_board_follows_a_due_date_set_by_the_admin(tree, overseer, q1_reports):
    DueDate.objects.create(year=2023, quarter=1, due_date=date(2023, 4, 15))
    board = build_board(overseer, 2023, today=date(2023, 7, 5))
    assert cell(board, tree["congress"], 1).timeliness == "on_time"
    assert board.quarters[0].on_time == 2


def test_board_page_shows_badges_shares_and_remind_buttons(client, tree, overseer, q1_reports):
    client.force_login(overseer)
    response = client.get(reverse("tracking:board"), {"year": 2023})
    assert response.status_code == 200
    html = response.content.decode()
    assert "县政协党组" not in html  # another tree's body never appears
    assert "已报 2/3（67%）" in html and "按时 1/3（33%）" in html
    assert f'href="{reverse("reports:detail", args=[q1_reports["on_time"].pk])}"' in html
    assert f'href="{reverse("reports:detail", args=[q1_reports["other_tree"].pk])}"' not in html
    # One 催报 form per overdue cell (today is long after 2023): 市政协机关党组 Q1, and all Q2–Q4 and
    # annual cells.
    board = response.context["board"]
    overdue = [c for row in board.rows for c in row.cells if c.timeliness == "overdue"]
    assert html.count(f'action="{remind_url()}"') == len(overdue) == 1 + 3 * 4
    assert '<input type="hidden" name="quarter" value="annual">' in html
    for label in ("按时", "迟报", "逾期未报"):
        assert f">{label}</span>" in html


@pytest.fixture
def small_threshold(monkeypatch):
    """The demo tree's 3 bodies (市纪委监委: 市政协党组 with 市政协机关党组 below it, 市人大常委会党组)
    count as many: the board drills down the tree."""
    monkeypatch.setattr("reports.tracking.board.BOARD_GROUP_THRESHOLD", 2)


def test_a_large_board_opens_on_the_overseers_level_with_totals_per_child(tree, overseer, q1_reports, small_threshold):
    run_commit_callbacks()
    board = build_board(overseer, 2023, today=date(2023, 7, 5))
    assert board.grouped and board.group is None and board.trail == []
    # 市政协党组 has a body below it: a row of totals over both; 市人大常委会党组 has none: its cells.
    assert [(row.organization, row.bodies) for row in board.groups] == [(tree["cppcc"], 2)]
    assert [row.organization for row in board.rows] == [tree["congress"]]
    q1 = board.groups[0].quarters[0]  # 市政协党组 on time, 市政协机关党组 a draft, overdue
    assert (q1.bodies, q1.submitted, q1.on_time, q1.late, q1.overdue, q1.worst) == (2, 1, 1, 0, 1, "overdue")
    assert [stats.worst for stats in board.groups[0].quarters[1:]] == ["pending"] * 4
    overall = board.quarters[0]
    assert (overall.bodies, overall.submitted, overall.on_time, overall.late, overall.overdue, overall.approved) == (
        3, 2, 1, 1, 1, 1)


def test_a_group_page_shows_its_bodies_and_a_reminder_comes_back_to_it(client, tree, overseer, q1_reports, office_people,
                                                                       small_threshold):
    run_commit_callbacks()
    client.force_login(overseer)
    html = client.get(reverse("tracking:board"), {"year": 2023}).content.decode()
    assert html.count('data-testid="board-group"') == 1
    assert "市政协机关党组" not in html  # below a group row: not on the first page
    assert f'id="body-{tree["congress"].pk}"' in html  # a body with nobody below it shows its cells
    assert "已报 2/3（67%）" in html  # the totals of all bodies
    group_url = f"{reverse('tracking:board')}?year=2023&amp;group={tree['cppcc'].pk}"
    assert f'href="{group_url}"' in html

    response = client.get(reverse("tracking:board"), {"year": 2023, "group": tree["cppcc"].pk})
    html = response.content.decode()
    # The body itself reports: its own row first, then the body below it.
    assert [row.organization for row in response.context["board"].rows] == [tree["cppcc"], tree["office"]]
    assert "2023年市政协党组所属单位报送进度" in html and "本组报送情况" in html and "已报 1/2（50%）" in html
    assert "本级" in html
    assert 'data-testid="zip-1"' not in html  # the .zip is the whole quarter's: on the first page
    assert f'<input type="hidden" name="group" value="{tree["cppcc"].pk}">' in html

    response = client.post(remind_url(), {"organization": tree["office"].pk, "year": 2023, "quarter": 1,
                                          "group": tree["cppcc"].pk})
    assert response["Location"] == f"{reverse('tracking:board')}?year=2023&group={tree['cppcc'].pk}#body-{tree['office'].pk}"


@pytest.mark.parametrize("group", ["abc", "999999", "county"])
def test_a_group_that_is_not_the_overseers_shows_the_groups(client, tree, overseer, q1_reports, small_threshold, group):
    client.force_login(overseer)
    group = str(tree["county"].pk) if group == "county" else group
    response = client.get(reverse("tracking:board"), {"year": 2023, "group": group})
    assert response.status_code == 200
    board = response.context["board"]
    assert board.group is None and len(board.groups) == 1 and [row.organization for row in board.rows] == [tree["congress"]]
    assert "县政协党组" not in response.content.decode()


def test_the_board_shows_a_reminder_at_its_beijing_date_and_time(client, tree, overseer, q1_reports):
    reminder = Reminder.objects.create(organization=tree["office"], year=2023, quarter=1, sent_by=overseer)
    Reminder.objects.filter(pk=reminder.pk).update(sent_at=beijing(2023, 4, 12, 1, 30))  # 04-11 17:30 UTC
    client.force_login(overseer)
    html = client.get(reverse("tracking:board"), {"year": 2023}).content.decode()
    assert 'title="2023-04-12 01:30 → ' in html and "已催报 2023-04-12" in html


def test_board_opens_on_the_latest_year_with_reports_and_offers_every_year(client, tree, overseer, q1_reports):
    """Every report is from 2023, years ago: the board opens on 2023, not on an all-red current
    year, and the selector lists every year from the first due date (2021) to this one."""
    from django.utils import timezone

    DueDate.objects.create(year=2021, quarter=1, due_date=date(2021, 4, 12))
    client.force_login(overseer)
    response = client.get(reverse("tracking:board"))
    this_year = timezone.localdate().year
    assert response.context["year"] == 2023
    assert response.context["years"] == list(range(this_year, 2020, -1))
    assert client.get(reverse("tracking:board"), {"year": "abc"}).context["year"] == 2023
    assert client.get(reverse("tracking:board"), {"year": this_year}).context["year"] == this_year
    # A due date set in advance for next year does not move the first screen there.
    DueDate.objects.create(year=this_year + 1, quarter=1, due_date=date(this_year + 1, 4, 10))
    assert client.get(reverse("tracking:board")).context["year"] == 2023
    Report.objects.create(organization=tree["cppcc"], year=this_year, quarter=1, title="今年的报告")
    run_commit_callbacks()
    assert client.get(reverse("tracking:board")).context["year"] == this_year


# ---- The states of the hierarchy on the board ----------------------------------------------


def test_cells_name_the_review_step_the_return_and_the_supervising_bodys_part(client, tree, overseer, report_factory):
    """A submitted report says at which step of a chain of several it waits; an approved one that
    it is 报送ed; a returned one who returned it, from its last return."""
    for position, name in enumerate(("科室负责人", "分管领导", "主要负责人"), 1):
        ReviewStep.objects.create(organization=tree["cppcc"], position=position, name=name)
    at_step_2 = submitted(report_factory(tree["cppcc"], quarter=1, status="submitted", review_step=2),
                          beijing(2023, 4, 3))
    submitted(report_factory(tree["congress"], quarter=1, status="submitted"), beijing(2023, 4, 3))  # one step
    submitted(report_factory(tree["cppcc"], quarter=2, status="approved"), beijing(2023, 7, 3))
    submitted(report_factory(tree["congress"], quarter=2, status="accepted"), beijing(2023, 7, 3))
    from_above = submitted(report_factory(tree["cppcc"], quarter=3, status="returned"), beijing(2023, 10, 3))
    event(from_above, "return")
    event(from_above, "send_back")  # the last return: from above
    own = submitted(report_factory(tree["congress"], quarter=3, status="returned"), beijing(2023, 10, 3))
    event(own, "send_back")
    event(own, "submit", to_status="submitted")
    event(own, "return")  # sent back from above once, returned by its own body since
    reopened = submitted(report_factory(tree["cppcc"], quarter=4, status="returned"), beijing(2024, 1, 3))
    event(reopened, "reopen")

    board = build_board(overseer, 2023, today=date(2024, 2, 1))
    assert cell(board, tree["cppcc"], 1).step.name == "分管领导"
    assert cell(board, tree["congress"], 1).step is None
    assert [cell(board, tree[name], 3).returned_from_above for name in ("cppcc", "congress")] == [True, False]

    client.force_login(overseer)
    html = client.get(reverse("tracking:board"), {"year": 2023}).content.decode()
    labels = {(name, quarter): re.search(r'class="board-status"[^>]*>([^<]+)</a>', cell_html(html, tree[name], quarter))[1]
              for name in ("cppcc", "congress") for quarter in (1, 2, 3)}
    assert labels == {
        ("cppcc", 1): "待审（第2环节·分管领导）", ("congress", 1): "已提交",
        ("cppcc", 2): "已审定·已报送", ("congress", 2): "已签收",
        ("cppcc", 3): "退回（上级）", ("congress", 3): "退回（本单位）",
    }
    assert "退回（本单位）" in cell_html(html, tree["cppcc"], 4)
    assert f'href="{reverse("reports:detail", args=[at_step_2.pk])}"' in cell_html(html, tree["cppcc"], 1)


def test_a_late_cell_shows_its_late_reason_shortened_with_the_whole_text_in_its_title(client, tree, overseer,
                                                                                       report_factory):
    reason = "机关3月底机构调整，季度材料汇总延误，晚报四天，<已补齐>。"
    submitted(report_factory(tree["cppcc"], status="approved", late_reason=reason), beijing(2023, 4, 14))
    submitted(report_factory(tree["congress"], status="approved", late_reason="不该出现"), beijing(2023, 4, 8))
    client.force_login(overseer)
    html = client.get(reverse("tracking:board"), {"year": 2023}).content.decode()
    late = cell_html(html, tree["cppcc"], 1)
    assert 'title="机关3月底机构调整，季度材料汇总延误，晚报四天，&lt;已补齐&gt;。"' in late
    assert ">迟报说明</span>机关3月底机构调整，季度材…</div>" in late  # 14 characters with the "…"
    assert "迟报说明" not in cell_html(html, tree["congress"], 1)  # on time: nothing to explain


def test_a_pending_cell_within_the_warning_days_is_due_soon(client, tree, overseer, report_factory, monkeypatch):
    """即将到期 from the warning days (set on the supervising body) before the due date to the due
    date itself; before that, and for a report submitted, not."""
    tree["city"].warning_days = 7
    tree["city"].save()
    submitted(report_factory(tree["congress"], quarter=2, status="submitted"), beijing(2023, 7, 1))
    run_commit_callbacks()
    board = build_board(overseer, 2023, today=date(2023, 7, 3))  # Q2 is due 07-10
    assert cell(board, tree["cppcc"], 2).due_soon and cell(board, tree["office"], 2).due_soon
    assert not cell(board, tree["congress"], 2).due_soon  # submitted
    assert not cell(board, tree["cppcc"], 3).due_soon  # due 10-10
    assert cell(board, tree["cppcc"], 2).timeliness == "pending"  # still pending in the shares
    assert (board.quarters[1].pending, board.quarters[1].due_soon) == (2, 2)
    assert not cell(build_board(overseer, 2023, today=date(2023, 7, 2)), tree["cppcc"], 2).due_soon  # 8 days before
    assert cell(build_board(overseer, 2023, today=date(2023, 7, 10)), tree["cppcc"], 2).due_soon  # the due date

    # A group row (counted by the database) counts them apart from the other pending bodies.
    monkeypatch.setattr("reports.tracking.board.BOARD_GROUP_THRESHOLD", 2)
    grouped = build_board(overseer, 2023, today=date(2023, 7, 3))
    cppcc_group = next(group for group in grouped.groups if group.organization == tree["cppcc"])
    assert (cppcc_group.quarters[1].pending, cppcc_group.quarters[1].due_soon, cppcc_group.quarters[1].not_yet_due) == (
        2, 2, 0)
    assert (grouped.quarters[1].due_soon, grouped.quarters[2].due_soon, grouped.quarters[2].not_yet_due) == (2, 0, 3)
    # Warning days are the supervising body's: at five, 7 days before is not yet due soon.
    tree["city"].warning_days = 5
    tree["city"].save()
    run_commit_callbacks()
    grouped = build_board(overseer, 2023, today=date(2023, 7, 3))
    assert grouped.quarters[1].due_soon == 0
    monkeypatch.undo()

    # On the page (today's date): a due date set three days from now.
    today = timezone.localdate()
    DueDate.objects.create(year=today.year, quarter=4, due_date=today + timedelta(days=3))
    client.force_login(overseer)
    html = client.get(reverse("tracking:board"), {"year": today.year}).content.decode()
    soon = cell_html(html, tree["cppcc"], 4)
    assert '<span class="badge timeliness-badge timeliness-due_soon">即将到期</span>' in soon
    assert "未到期" not in soon


@pytest.fixture
def closed_input(tree):
    """市纪委监委 closes input on the due date itself (no grace days): every 2023 period is long closed."""
    Organization.objects.filter(pk=tree["city"].pk).update(closes_input=True, grace_days=0)


def test_a_closed_cell_offers_an_extension_to_the_supervising_body_only(client, tree, overseer, q1_reports, closed_input,
                                                                         make_user):
    client.force_login(overseer)
    html = client.get(reverse("tracking:board"), {"year": 2023}).content.decode()
    closed = cell_html(html, tree["office"], 1)  # a draft never submitted
    assert '<span class="board-closed">已截止</span>' in closed
    assert f'action="{reverse("tracking:extend")}"' in closed and "<summary" in closed
    assert 'name="until"' in closed and 'name="reason"' in closed and " required" in closed
    assert f'value="{(timezone.localdate() + timedelta(days=7)):%Y-%m-%d}"' in closed
    assert f'action="{remind_url()}"' not in closed  # the drafters could not do what a 催报 asks
    assert "已截止" not in cell_html(html, tree["cppcc"], 1)  # submitted: nothing closed
    assert html.count(f'action="{reverse("tracking:extend")}"') == 1 + 3 * 4

    # 市政协党组 gets overseers of its own, and closes input too: 市政协机关党组 reports to them now,
    # and the overseer of 市纪委监委 still sees it closed but may not extend it.
    make_user(organization=tree["cppcc"], role=OVERSEER)
    Organization.objects.filter(pk=tree["cppcc"].pk).update(closes_input=True)
    client.force_login(type(overseer).objects.get(pk=overseer.pk))
    html = client.get(reverse("tracking:board"), {"year": 2023}).content.decode()
    assert "已截止" in cell_html(html, tree["office"], 1)
    assert f'action="{reverse("tracking:extend")}"' not in cell_html(html, tree["office"], 1)
    client.force_login(make_user(is_superuser=True, is_staff=True))
    html = client.get(reverse("tracking:board"), {"year": 2023}).content.decode()
    assert "已截止" in html and f'action="{reverse("tracking:extend")}"' not in html


def test_an_extension_in_force_shows_its_date_and_an_expired_one_nothing(client, tree, overseer, q1_reports,
                                                                          closed_input):
    today = timezone.localdate()
    Extension.objects.create(organization=tree["office"], year=2023, quarter=1, until=today + timedelta(days=10),
                             reason="机关搬迁，<材料>延误。", granted_by=overseer)
    Extension.objects.create(organization=tree["congress"], year=2023, quarter=2, until=today - timedelta(days=1),
                             reason="已过期的延期。", granted_by=overseer)
    client.force_login(overseer)
    html = client.get(reverse("tracking:board"), {"year": 2023}).content.decode()
    extended = cell_html(html, tree["office"], 1)
    assert (f'<span class="board-extended" title="机关搬迁，&lt;材料&gt;延误。">延期至 {today + timedelta(days=10):%Y-%m-%d}'
            in extended)
    assert "已截止" not in extended and f'action="{reverse("tracking:extend")}"' not in extended
    assert f'action="{remind_url()}"' in extended  # open again: a 催报 makes sense
    expired = cell_html(html, tree["congress"], 2)
    assert "board-extended" not in expired and "已过期的延期" not in expired
    assert "已截止" in expired and f'action="{reverse("tracking:extend")}"' in expired


# ---- Access -------------------------------------------------------------------------------


def tracking_requests():
    return [
        ("get", reverse("tracking:board"), {"year": 2023}),
        ("get", reverse("tracking:summary"), {"year": 2023}),
        ("get", reverse("tracking:summary_xlsx"), {"year": 2023}),
        ("post", remind_url(), {"year": 2023, "quarter": 1}),
        ("post", reverse("tracking:extend"), {"year": 2023, "quarter": 1, "until": "2099-01-01", "reason": "延误。"}),
    ]


@pytest.mark.parametrize("role", [DRAFTER, Membership.Role.REVIEWER])
def test_drafters_and_reviewers_get_403_everywhere(client, tree, make_user, role, mailoutbox):
    user = make_user(organization=tree["cppcc"], role=role, email="x@example.org")
    make_user(organization=tree["office"], role=DRAFTER, email="d@example.org")
    client.force_login(user)
    for method, url, data in tracking_requests():
        if method == "post":
            data = {**data, "organization": tree["office"].pk}
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
        assert "只有督办人" in response.content.decode(), url
    assert mailoutbox == [] and not Reminder.objects.exists() and not Extension.objects.exists()


def test_an_overseer_of_a_body_without_bodies_below_gets_403(client, tree, make_user):
    client.force_login(make_user(organization=tree["office"], role=OVERSEER))
    assert client.get(reverse("tracking:board")).status_code == 403


def test_anonymous_users_are_sent_to_login(client, db):
    for method, url, data in tracking_requests():
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_a_superuser_sees_every_body_that_has_a_parent(client, tree, make_user, q1_reports):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    response = client.get(reverse("tracking:board"), {"year": 2023})
    names = [row.organization.name for row in response.context["board"].rows]
    assert sorted(names) == sorted(["市政协党组", "市人大常委会党组", "市政协机关党组", "县政协党组"])


# ---- 催报 ----------------------------------------------------------------------------------


@pytest.fixture
def office_people(tree, make_user):
    return {
        "drafter1": make_user(organization=tree["office"], role=DRAFTER, email="d1@example.org"),
        "drafter2": make_user(organization=tree["office"], role=DRAFTER, email="d2@example.org"),
        "no_email": make_user(organization=tree["office"], role=DRAFTER),
        "reviewer": make_user(organization=tree["office"], role=Membership.Role.REVIEWER, email="r@example.org"),
    }


def test_a_reminder_mails_the_drafters_once_and_is_logged(client, tree, overseer, q1_reports, office_people, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    client.force_login(overseer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(remind_url(), {"organization": tree["office"].pk, "year": 2023, "quarter": 1}, follow=True)
    assert callbacks  # the e-mail goes once the 催报 is committed, not while the body's row is locked
    assert response.redirect_chain[0][0] == f"{reverse('tracking:board')}?year=2023#body-{tree['office'].pk}"
    assert "已向市政协机关党组发送催报邮件（2 人）" in response.content.decode()

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == ["d1@example.org", "d2@example.org"]  # not the reviewer
    assert "催报" in mail.subject and "市政协机关党组" in mail.subject
    assert "2023年4月10日" in mail.body

    reminder = Reminder.objects.get()
    assert (reminder.organization, reminder.year, reminder.quarter, reminder.sent_by) == (tree["office"], 2023, 1, overseer)
    assert set(reminder.recipients.split(", ")) == {"d1@example.org", "d2@example.org"}
    # The board now shows when the last reminder went out.
    assert "已催报" in response.content.decode()


@pytest.mark.parametrize(
    ("body", "quarter", "today", "refusal", "words"),
    [
        ("cppcc", 1, date(2023, 5, 1), AlreadySubmitted, "已经报送"),
        ("congress", 1, date(2023, 5, 1), AlreadySubmitted, "已经报送"),  # late, but reported
        ("county_body", 2, date(2023, 8, 1), NotOverseen, "不在您的督办范围内"),
        ("office", 2, date(2023, 7, 10), NotYetDue, "尚未逾期"),  # due today
        ("office", 3, date(2023, 8, 1), NotYetDue, "尚未逾期"),
    ],
)
def test_reminders_are_refused(tree, overseer, q1_reports, office_people, mailoutbox, body, quarter, today, refusal, words,
                               make_user):
    for name in ("cppcc", "congress", "county_body"):
        make_user(organization=tree[name], role=DRAFTER, email=f"{name}@example.org")
    with pytest.raises(refusal) as raised:
        send_reminder(user=overseer, organization=tree[body], year=2023, quarter=quarter, today=today)
    assert words in raised.value.message
    assert mailoutbox == [] and not Reminder.objects.exists()


def test_a_second_reminder_the_same_day_is_refused(client, tree, overseer, q1_reports, office_people, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    """A double click on 催报 (or two overseers at once) sends one e-mail, and says so."""
    client.force_login(overseer)
    data = {"organization": tree["office"].pk, "year": 2023, "quarter": 1}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remind_url(), data)
        response = client.post(remind_url(), data, follow=True)
    assert len(mailoutbox) == 1 and Reminder.objects.count() == 1
    html = response.content.decode()
    assert "已经催报过市政协机关党组2023年第一季度的报告，每天最多催报一次" in html
    sent = Reminder.objects.get().sent_at.astimezone(BEIJING)
    assert f"今天{sent:%H:%M}" in html
    # Another quarter of the same body is another reminder.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remind_url(), {**data, "quarter": 2})
    assert len(mailoutbox) == 2


def test_a_reminder_sent_on_an_earlier_day_does_not_block_todays(tree, overseer, q1_reports, office_people, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    earlier = Reminder.objects.create(organization=tree["office"], year=2023, quarter=1, sent_by=overseer)
    Reminder.objects.filter(pk=earlier.pk).update(sent_at=beijing(2023, 4, 20, 9))
    with django_capture_on_commit_callbacks(execute=True):
        send_reminder(user=overseer, organization=tree["office"], year=2023, quarter=1, today=date(2023, 4, 21))
    assert len(mailoutbox) == 1
    with pytest.raises(AlreadyReminded):
        send_reminder(user=overseer, organization=tree["office"], year=2023, quarter=1,
                               today=local_date(Reminder.objects.latest("sent_at").sent_at))
    assert len(mailoutbox) == 1


def test_a_reminder_to_a_body_without_drafters_is_refused(tree, overseer, q1_reports, make_user, mailoutbox):
    make_user(organization=tree["office"], role=Membership.Role.REVIEWER, email="r@example.org")
    with pytest.raises(NoRecipients) as raised:
        send_reminder(user=overseer, organization=tree["office"], year=2023, quarter=1, today=date(2023, 5, 1))
    assert "该单位还没有起草人" in raised.value.message
    assert mailoutbox == [] and not Reminder.objects.exists() and not Notice.objects.exists()


def test_a_drafter_without_an_address_finds_the_reminder_among_their_notices(tree, overseer, q1_reports, make_user,
                                                                             mailoutbox):
    drafter = make_user(organization=tree["office"], role=DRAFTER)  # no e-mail address
    send_reminder(user=overseer, organization=tree["office"], year=2023, quarter=1, today=date(2023, 5, 1))
    assert mailoutbox == []
    notice = Notice.objects.get(user=drafter)
    assert notice.subject.startswith("【季报】催报：") and notice.read_at is None
    assert Reminder.objects.get().recipients == ""


def test_the_board_says_a_reminder_went_only_as_a_notice(client, tree, overseer, q1_reports, make_user, mailoutbox):
    make_user(organization=tree["office"], role=DRAFTER)  # no e-mail address
    client.force_login(overseer)
    response = client.post(remind_url(), {"organization": tree["office"].pk, "year": 2023, "quarter": 2}, follow=True)
    html = response.content.decode()
    assert "已向市政协机关党组的起草人发送站内催报通知；他们未设邮箱，没有发送邮件。" in html
    assert "（0 人）" not in html and mailoutbox == []


def test_a_refused_reminder_comes_back_as_a_message(client, tree, overseer, q1_reports, mailoutbox, make_user):
    make_user(organization=tree["county_body"], role=DRAFTER, email="c@example.org")
    client.force_login(overseer)
    response = client.post(remind_url(), {"organization": tree["county_body"].pk, "year": 2023, "quarter": 2}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "不在您的督办范围内" in html and "县政协党组" not in html  # another tree's name does not leak
    response = client.post(remind_url(), {"organization": 999999, "year": 2023, "quarter": 2}, follow=True)
    assert "不在您的督办范围内" in response.content.decode()
    response = client.post(remind_url(), {"organization": tree["office"].pk, "year": 2023, "quarter": 7}, follow=True)
    assert "请求不完整" in response.content.decode()
    assert mailoutbox == [] and not Reminder.objects.exists()


def test_remind_takes_only_post(client, overseer):
    client.force_login(overseer)
    assert client.get(remind_url()).status_code == 405


# ---- Queries ------------------------------------------------------------------------------


def build_bodies(prefix, count, report_factory, make_user):
    """A supervising body with `count` bodies below it, each with reports, submissions, values
    and a reminder; returns its overseer."""
    root = Organization.objects.create(name=f"{prefix}督办单位")
    measures = [Measure.objects.get_or_create(name=name, unit="次")[0] for name in ("学习会议", "廉政谈话")]
    for index in range(count):
        body = Organization.objects.create(name=f"{prefix}下属单位{index:02d}", parent=root)
        for quarter, status in ((1, "approved"), (2, "submitted"), (3, "draft")):
            report = report_factory(body, quarter=quarter, status=status)
            if status != "draft":
                submitted(report, beijing(2023, quarter * 3 + 1, 5 + index % 10))
            for measure in measures:
                MeasureValue.objects.create(report=report, measure=measure, value=index + quarter)
        Reminder.objects.create(organization=body, year=2023, quarter=3)
    return make_user(organization=root, role=OVERSEER)


def count_queries(function):
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_board_queries_do_not_grow_with_the_number_of_bodies(client, db, report_factory, make_user):
    few = build_bodies("甲", 3, report_factory, make_user)
    many = build_bodies("乙", 30, report_factory, make_user)
    assert len(build_board(many, 2023, date(2024, 2, 1)).rows) == 30

    def board_of(user):
        # A fresh user object, as each request has: the user's roles and supervised bodies are
        # kept on the object (reports.access), and the board asks for them.
        return lambda: build_board(type(user).objects.get(pk=user.pk), 2023, date(2024, 2, 1))

    assert count_queries(board_of(few)) == count_queries(board_of(many))

    def page_queries(user):
        client.force_login(user)
        client.get(reverse("tracking:board"))  # the first request of a session saves it: not counted
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("tracking:board"), {"year": 2023})
        assert len(response.context["board"].rows) in (3, 30)
        return len(queries)

    assert page_queries(few) == page_queries(many)


def test_grouped_board_queries_do_not_grow_with_the_number_of_bodies(client, db, report_factory, make_user, monkeypatch):
    """The groups page and a group's page, for an overseer of two groups of 2 and of 12 bodies."""
    monkeypatch.setattr("reports.tracking.board.BOARD_GROUP_THRESHOLD", 3)

    def two_groups(prefix, count):
        overseer = build_bodies(prefix, count, report_factory, make_user)
        root = overseer.memberships.get().organization
        group = Organization.objects.filter(parent=root).order_by("name").first()
        for index in range(count):
            body = Organization.objects.create(name=f"{prefix}二级单位{index:02d}", parent=group)
            report = report_factory(body, quarter=1, status="submitted")
            submitted(report, beijing(2023, 4, 5))
        return overseer, group

    few, few_group = two_groups("甲", 2)
    many, many_group = two_groups("乙", 12)

    def page_queries(user, **params):
        client.force_login(user)
        client.get(reverse("tracking:board"))  # the first request of a session saves it: not counted
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("tracking:board"), {"year": 2023, **params})
        return len(queries), response.context["board"]

    (few_count, few_board), (many_count, many_board) = page_queries(few), page_queries(many)
    assert (len(few_board.groups), len(many_board.groups)) == (1, 1) and few_count == many_count
    (few_count, few_board), (many_count, many_board) = (
        page_queries(few, group=few_group.pk), page_queries(many, group=many_group.pk))
    # The group's own row, then the bodies below it.
    assert (len(few_board.rows), len(many_board.rows)) == (3, 13) and few_count == many_count


# ---- In a browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_overseer_tracks_reminds_and_reads_the_sums(page, live_server, artifacts_dir, tree, overseer, report_factory, make_user):
    # 签收ed: the summary counts them by default.
    on_time = submitted(report_factory(tree["cppcc"], status="accepted"), beijing(2023, 4, 8))
    late = submitted(report_factory(tree["congress"], status="accepted"), beijing(2023, 4, 14))
    report_factory(tree["office"], status="draft")
    make_user(organization=tree["office"], role=DRAFTER, email="office@example.org")
    # A long name, as real bodies have: it must wrap as a name, not push the quarters aside.
    Organization.objects.create(name="市人民政府国有资产监督管理委员会党委", parent=tree["city"])
    cppcc_q2 = submitted(report_factory(tree["cppcc"], quarter=2, status="accepted"), beijing(2023, 7, 3))
    cppcc_q3 = submitted(report_factory(tree["cppcc"], quarter=3, status="accepted"), beijing(2023, 10, 9))
    study = Measure.objects.create(name="理论学习中心组学习会议", unit="次")
    talks = Measure.objects.create(name="廉政谈话", unit="人次")
    for report, (meetings, people) in {on_time: (3, 21), late: (2, 14), cppcc_q2: (4, 28), cppcc_q3: (2, 14)}.items():
        MeasureValue.objects.create(report=report, measure=study, value=meetings)
        MeasureValue.objects.create(report=report, measure=talks, value=people)

    log_in(page, live_server, overseer.username, PASSWORD)

    page.goto(f"{live_server.url}{reverse('tracking:board')}?year=2023")
    board = page.get_by_test_id("tracking-board")
    expect(board).to_be_visible()
    green = board.locator(f"#body-{tree['cppcc'].pk} td[data-quarter='1']")
    expect(green.locator(".timeliness-badge")).to_have_text("按时")
    expect(green.locator(".timeliness-badge")).to_have_css("background-color", "rgb(21, 115, 71)")
    expect(green.get_by_role("link")).to_have_attribute("href", reverse("reports:detail", args=[on_time.pk]))
    red = board.locator(f"#body-{tree['office'].pk} td[data-quarter='1']")
    expect(red.locator(".timeliness-badge")).to_have_text("逾期未报")
    expect(red.locator(".timeliness-badge")).to_have_css("background-color", "rgb(176, 42, 55)")
    expect(board.locator(f"#body-{tree['congress'].pk} td[data-quarter='1'] .timeliness-badge")).to_have_text("迟报")
    expect(page.get_by_test_id("quarter-stats-1")).to_contain_text("已报 2/4（50%）")
    expect(page.get_by_test_id("quarter-stats-1")).to_contain_text("按时 1/4（25%）")

    red.get_by_role("button", name=re.compile("催报")).click()
    expect(page.get_by_role("alert")).to_contain_text("已向市政协机关党组发送催报邮件（1 人）")
    expect(board.locator(f"#body-{tree['office'].pk} td[data-quarter='1'] .board-reminded")).to_be_visible()
    page.screenshot(path=artifacts_dir / "tracking-board.png", full_page=True)

    page.get_by_role("link", name="统计数汇总").click()
    expect(page).to_have_url(re.compile(r"/tracking/measures/\?year=2023"))
    expect(page.get_by_test_id("scope-note")).to_contain_text("仅统计已签收的报告")
    table = page.get_by_test_id("summary-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator(f"tr[data-measure='{study.pk}'] td")).to_have_text(["次", "5", "4", "2", "—", "11"])
    canvas = page.locator("canvas").first
    expect(canvas).to_be_visible()
    # Chart.js may still be loading (a deferred script): until then there is no Chart to ask.
    page.wait_for_function("() => typeof Chart !== 'undefined' && document.querySelectorAll('canvas').length === 2 && "
                           "[...document.querySelectorAll('canvas')].every((c) => Chart.getChart(c) !== undefined)")
    assert canvas.evaluate("(c) => Chart.getChart(c) !== undefined")
    assert canvas.evaluate("(c) => Chart.getChart(c).data.datasets[0].data") in (
        [35, 28, 14, None], [5, 4, 2, None])  # whichever measure comes first
    # The screenshot shows the bars grown: wait until Chart.js has no animation running.
    page.wait_for_function("() => [...document.querySelectorAll('canvas')]"
                           ".every((c) => !Chart.animator.running(Chart.getChart(c)))")
    page.screenshot(path=artifacts_dir / "measures-summary.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_overseer_opens_a_group_reminds_and_goes_back(page, live_server, artifacts_dir, tree, overseer, report_factory,
                                                       make_user, small_threshold):
    """A board of many bodies opens on the overseer's level (a row of totals for a body with bodies
    below it, cells for the others); a click goes one level down, where 催报 comes back to it."""
    submitted(report_factory(tree["cppcc"], status="approved"), beijing(2023, 4, 8))
    submitted(report_factory(tree["congress"], status="submitted"), beijing(2023, 4, 14))
    make_user(organization=tree["office"], role=DRAFTER, email="office@example.org")

    log_in(page, live_server, overseer.username, PASSWORD)

    page.goto(f"{live_server.url}{reverse('tracking:board')}?year=2023")
    groups = page.get_by_test_id("board-group")
    expect(groups).to_have_count(1)
    congress = page.locator(f"#body-{tree['congress'].pk}")
    expect(congress.locator("td[data-quarter='1'] .timeliness-badge")).to_have_text("迟报")
    cppcc = page.locator(f"#group-{tree['cppcc'].pk}")
    expect(cppcc).to_contain_text("2 个单位")
    overdue = cppcc.locator("td[data-quarter='1']")
    expect(overdue).to_contain_text("已报 1/2")
    expect(overdue.locator(".timeliness-overdue")).to_have_text("逾期未报")
    expect(overdue).to_have_css("background-color", "rgb(253, 242, 242)")  # a group with an overdue body stands out
    expect(page.get_by_test_id("quarter-stats-1")).to_contain_text("已报 2/3（67%）")
    page.screenshot(path=artifacts_dir / "tracking-board-groups.png", full_page=True)

    cppcc.get_by_role("link", name="市政协党组").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("2023年市政协党组所属单位报送进度")
    expect(page.get_by_test_id("board-trail")).to_contain_text("全部单位")
    board = page.get_by_test_id("tracking-board")
    expect(board.locator("tbody tr")).to_have_count(2)  # 市政协党组 itself (本级), then the body below it
    expect(board.locator("tbody tr").first).to_contain_text("本级")
    board.locator(f"#body-{tree['office'].pk} td[data-quarter='1']").get_by_role("button", name=re.compile("催报")).click()
    expect(page.get_by_role("alert")).to_contain_text("已向市政协机关党组发送催报邮件（1 人）")
    expect(page.get_by_role("heading", level=1)).to_have_text("2023年市政协党组所属单位报送进度")  # still the group
    # Reminded today: the cell says so, and offers no second 催报 (the server would refuse it).
    office = board.locator(f"#body-{tree['office'].pk} td[data-quarter='1']")
    expect(office.locator(".board-reminded")).to_be_visible()
    expect(office.get_by_role("button", name=re.compile("催报"))).to_have_count(0)
    page.screenshot(path=artifacts_dir / "tracking-board-group.png", full_page=True)

    page.get_by_test_id("all-groups").click()
    expect(page.get_by_test_id("board-group")).to_have_count(1)


def test_a_group_link_to_a_body_with_nobody_below_opens_the_page_above(client, tree, overseer, q1_reports,
                                                                        small_threshold):
    """A stale or hand-made ?group= of a body that has (no longer) bodies below it opens the page
    where that body is a row, on the board and the summary alike."""
    client.force_login(overseer)
    board = client.get(reverse("tracking:board"), {"year": 2023, "group": tree["office"].pk}).context["board"]
    assert board.group == tree["cppcc"]
    assert [row.organization for row in board.rows] == [tree["cppcc"], tree["office"]]
    page = client.get(reverse("tracking:summary"), {"year": 2023, "group": tree["office"].pk})
    assert page.context["group"] == tree["cppcc"]
