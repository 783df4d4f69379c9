"""The board's counts per subtree, kept (reports.tracking.tallies): each change a user can make
leaves them as a full recount from scratch would, after the commit, and a page reads them without
counting the bodies below."""

import os
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.models import DueDate, Membership, Organization, Report, SubtreeBodies, SubtreeMeasures, SubtreeReports
from reports.review import workflow
from reports.tracking.board import counts_per_child
from reports.tracking.deadlines import due_dates
from reports.tracking.tallies import count_node, recount
from tests.fixtures import LATE_REASON, run_commit_callbacks
from tests.test_mail_jobs import manage
from tests.test_tree import build_tree


def kept():
    return (sorted(SubtreeBodies.objects.values_list("node_id", "warning_days", "bodies")),
            sorted(SubtreeReports.objects.values_list("node_id", "year", "quarter", "warning_days", "submitted",
                                                      "on_time", "approved", "accepted", "in_review"), key=str),
            sorted(SubtreeMeasures.objects.values_list("node_id", "year", "quarter", "measure_id", "total")))


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs a change as its own committed transaction would, then checks that the counts kept
    are those a full recount gives."""
    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()
        after = kept()
        recount()
        assert kept() == after, "the counts kept differ from a full recount"
        return after

    return run


def group(body, year=2023):
    return counts_per_child([body], year, date(2023, 7, 5), due_dates(year))[body.id]


def test_the_workflow_counts_a_submission_and_its_approval_above_the_body(tree, complete_report, drafter, reviewer,
                                                                         committed, make_user):
    run_commit_callbacks()
    assert group(tree["cppcc"])[0] == 2 and group(tree["cppcc"])[1][0].submitted == 0
    committed(lambda: workflow.submit(complete_report, actor=drafter, notify=False, late_reason=LATE_REASON))
    bodies, quarters = group(tree["cppcc"])
    assert (bodies, quarters[0].submitted, quarters[0].late, quarters[0].overdue) == (2, 1, 1, 1)
    committed(lambda: workflow.approve(complete_report, actor=reviewer, notify=False))
    assert group(tree["cppcc"])[1][0].approved == 1
    overseer = make_user(organization=tree["city"], role=Membership.Role.OVERSEER)
    committed(lambda: workflow.accept(complete_report, actor=overseer, notify=False))
    quarters = group(tree["cppcc"])[1]
    assert (quarters[0].approved, quarters[0].accepted) == (1, 1)
    # The city's own tally holds its whole subtree: 市政协党组, 市政协机关党组 and 市人大常委会党组.
    assert group(tree["city"])[0] == 3 and group(tree["city"])[1][0].accepted == 1
    # The 签收ed report's figure is in the sums kept below the city, not in those below 市政协党组
    # (its own figures are not below it: the summary adds them to its page).
    assert list(SubtreeMeasures.objects.filter(node=tree["city"]).values_list("quarter", "measure__name", "total")) == [
        (1, "学习会议", 3)]
    assert not SubtreeMeasures.objects.filter(node=tree["cppcc"]).exists()


def test_moving_deleting_and_overseeing_bodies_recount_what_they_change(db, make_user, committed):
    root, _overseer = build_tree(make_user, levels=4, seed=11)
    cities = list(Organization.objects.filter(parent=root).order_by("id"))
    county = Organization.objects.filter(parent=cities[0], children__isnull=False).distinct().first()
    below = Organization.objects.filter(path__startswith=county.path).count()
    before = {city.id: group(city)[0] for city in cities[:2]}

    def move():
        county.parent = cities[1]
        county.save()

    committed(move)
    assert group(cities[0])[0] == before[cities[0].id] - below
    assert group(cities[1])[0] == before[cities[1].id] + below

    # A body gains overseers: it receives reports and no longer counts as one that writes them.
    committed(lambda: make_user(organization=county, role=Membership.Role.OVERSEER))
    assert group(cities[1])[0] == before[cities[1].id] + below - 1

    report = Report.objects.filter(organization__path__startswith=county.path, first_submitted_at__isnull=False,
                                   year=2023).first()
    submitted = group(county)[1][(report.quarter or 5) - 1].submitted
    committed(report.delete)
    assert group(county)[1][(report.quarter or 5) - 1].submitted == submitted - 1

    # A due date moved a week later: what was late by a few days is on time.
    late = sum(stats.late for stats in group(root)[1])
    committed(lambda: DueDate.objects.create(year=2023, quarter=2, due_date=due_dates(2023)[2].replace(day=17)))
    assert sum(stats.late for stats in group(root)[1]) < late

    # A supervising body's warning days: kept per warning days, so today decides.
    city = cities[0]

    def warn():
        city.warning_days = 30
        city.save()

    committed(warn)
    assert set(SubtreeBodies.objects.filter(node=city).values_list("warning_days", flat=True)) == {30}


def test_a_status_saved_outside_the_workflow_is_recounted_and_an_edit_is_not(tree, report_factory, committed,
                                                                             django_capture_on_commit_callbacks):
    report = report_factory(tree["office"], quarter=1)
    run_commit_callbacks()

    def approve():
        report.status = Report.Status.APPROVED
        report.save()

    committed(approve)
    assert group(tree["cppcc"])[1][0].approved == 1
    with django_capture_on_commit_callbacks() as callbacks:
        report.title = "改了标题"
        report.save()
    assert callbacks == []  # the drafter's edits do not recount the province


def test_counting_a_body_takes_the_same_queries_whatever_lies_below(db, make_user):
    small_root, _ = build_tree(make_user, prefix="甲", levels=2, branching=(2, 2), seed=12)
    large_root, _ = build_tree(make_user, prefix="乙", levels=4, branching=(3, 4), seed=13)
    counted = []
    for root in (small_root, large_root):
        with CaptureQueriesContext(connection) as queries:
            count_node(root.id)
        counted.append(len(queries))
    assert counted[0] == counted[1]
    supervisors = set(Organization.objects.values_list("supervisor_id", flat=True))
    assert group(large_root)[0] == len([pk for pk in Organization.objects.filter(
        path__startswith=large_root.path).values_list("pk", flat=True) if pk not in supervisors])


# ---- Through a real worker on the database queue -------------------------------------------------

SETUP = """
from datetime import datetime, timezone
from reports.models import Organization, Report, Submission
city = Organization.objects.create(name="市纪委监委")
group = Organization.objects.create(name="市政协党组", parent=city)
office = Organization.objects.create(name="市政协机关党组", parent=group)
report = Report.objects.create(organization=office, year=2023, quarter=1, title="报告")
Submission.objects.create(report=report, number=1, paragraphs=[], measures={},
                          submitted_at=datetime(2023, 4, 3, 2, tzinfo=timezone.utc))
"""

CHECK = """
from reports.models import Organization, SubtreeReports
print(sorted((row.node.name, row.submitted, row.on_time) for row in SubtreeReports.objects.filter(quarter=1)))
"""


def test_a_worker_process_recounts_after_the_commit(tmp_path):
    """JIBAO_TASKS=database: the change only enqueues the recount; `manage.py db_worker` (its own
    process, as on another machine) counts the body's ancestors from the deepest up."""
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "true",
                   "JIBAO_TASKS": "database"}
    manage(environment, "migrate", "--noinput")
    manage(environment, "shell", "-c", SETUP)
    assert manage(environment, "shell", "-c", CHECK).splitlines()[-1] == "[]"  # queued, not yet counted
    manage(environment, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert manage(environment, "shell", "-c", CHECK).splitlines()[-1] == "[('市政协党组', 1, 1), ('市纪委监委', 1, 1)]"
