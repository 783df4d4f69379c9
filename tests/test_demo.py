"""`load_demo`: the sample report, the demo people, loaded idempotently and never in production."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from reports.models import (
    Extension,
    Heading,
    Item,
    Measure,
    MeasureValue,
    Membership,
    Notice,
    Organization,
    Report,
    ReportEvent,
    ReviewStep,
    Submission,
)
from reports.tracking import carried, ledger


def counts():
    models = (Organization, Membership, Report, Heading, Item, Measure, MeasureValue, Submission, ReportEvent, get_user_model())
    return [m.objects.count() for m in models]


def test_load_demo_builds_the_sample_and_the_logins(db, settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    out = capsys.readouterr().out
    for username in ("drafter", "reviewer", "overseer", "admin"):
        assert username in out
    assert "jibao-demo" in out

    report = Report.objects.get(organization__name="市政协党组", year=2023, quarter=1)
    assert [s.title for s in report.sections.all()] == ["主要做法", "存在的主要问题", "下一步的打算"]
    practices, problems, next_steps = report.sections.all()
    assert [h.items.count() for h in practices.headings.all()] == [3, 6, 4, 3]
    assert problems.items.count() == 2 and next_steps.items.count() == 5
    assert report.measure_values.count() == 8
    assert report.status == "draft"
    # History for the other bodies: approved through the workflow, one on time and one late.
    congress = Report.objects.get(organization__name="市人大常委会党组", year=2023, quarter=1)
    assert congress.status == "approved"
    assert [e.action for e in congress.events.all()] == ["submit", "approve"]
    assert congress.submissions.get().submitted_at.date().isoformat() == "2023-04-14"
    assert Report.objects.get(organization__name="市政协党组", year=2022, quarter=4).status == "approved"
    # The approved reports' problems are in the ledger; one of 2022 Q4 has been rectified since.
    from reports.models import Problem

    cppcc = Problem.objects.filter(organization__name="市政协党组", found_year=2022, found_quarter=4)
    closed = cppcc.get()  # the other problem Q4 named was Q2's and Q3's already
    assert closed.status == "closed"
    assert closed.outcome.startswith("制定党组理论学习中心组年度学习计划")
    assert [(e.action, e.actor.username) for e in closed.events.order_by("id")][1:] == [("propose", "drafter"),
                                                                                       ("close", "reviewer")]
    repeated = Problem.objects.get(organization__name="市政协党组", found_year=2022, found_quarter=2)
    assert repeated.status == "open" and ledger.quarters_named(repeated) == 3  # Q2, Q3 and Q4 of 2022
    # The sample's two problems, entered by its drafter before approval, with measures and deadlines.
    early = Problem.objects.filter(organization__name="市政协党组", found_year=2023, found_quarter=1).order_by("id")
    assert [(p.leader, str(p.deadline)) for p in early] == [("党组书记", "2023-06-30"), ("党组副书记", "2023-12-31")]
    # The sample answers 2022 Q4's plans; the government's Q2 draft answers one of Q1's two, 部分落实.
    assert [plan.answer for plan in carried.plans(report)] == ["done", "partly"]
    government_q2 = Report.objects.get(organization__name="市政府党组", year=2023, quarter=2)
    assert [plan.answer for plan in carried.plans(government_q2)] == ["partly", ""]
    assert [entry.progress for entry in carried.rectified(government_q2)] == [
        "印发党组成员“一岗双责”责任清单，对分管部门开展督导4次"]
    # The 2022 annual report, assembled from the four approved quarters.
    annual = Report.objects.get(organization__name="市政协党组", year=2022, quarter=None)
    assert annual.title == "市政协党组2022年度履行全面从严治党主体责任情况报告" and annual.status == "draft"
    assert sorted((v.measure.name, v.value) for v in annual.measure_values.select_related("measure")) == [
        ("廉政谈话", 54), ("理论学习中心组学习会议", 10)]

    parent = Organization.objects.get(name="市纪委监委")
    assert parent.children.count() >= 3
    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="drafter").check_password("jibao-demo")
    roles = {(m.user.username, m.organization.name, m.role) for m in Membership.objects.select_related("user", "organization")}
    assert {
        ("drafter", "市政协党组", "drafter"),
        ("reviewer", "市政协党组", "reviewer"),
        ("overseer", "市纪委监委", "overseer"),
    } <= roles


def test_load_demo_twice_changes_nothing_and_keeps_edits(db, settings, capsys):
    settings.DEBUG = True
    call_command("load_demo")
    before = counts()
    report = Report.objects.get(organization__name="市政协党组", year=2023, quarter=1)
    report.opening = "起草人改过的开头。"
    report.save()
    call_command("load_demo")
    assert counts() == before
    report.refresh_from_db()
    assert report.opening == "起草人改过的开头。"
    assert "已存在" in capsys.readouterr().out

    call_command("load_demo", "--reset")
    assert counts() == before
    assert Report.objects.get(organization__name="市政协党组", year=2023, quarter=1).opening.startswith("按要求")


def test_load_demo_refuses_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")
    assert not Report.objects.exists()
    assert not get_user_model().objects.exists()


def test_the_demo_shows_a_chain_a_report_sent_back_from_above_and_an_extension(demo):
    """市政协党组 reviews in two steps (审核人 → 主要负责人 `leader`), its 2022 quarters went through
    both; 市政府's 2023 Q1 was sent back from above once before its 签收; the sample has an
    extension; and loading history told nobody anything."""
    steps = list(ReviewStep.objects.filter(organization__name="市政协党组").order_by("position"))
    assert [(step.name, [user.username for user in step.members.all()]) for step in steps] == [
        ("审核人", []), ("主要负责人", ["leader"])]
    q1 = Report.objects.get(organization__name="市政协党组", year=2022, quarter=1)
    assert list(q1.events.order_by("created_at", "id").values_list("action", "actor__username")) == [
        ("submit", "drafter"), ("pass", "reviewer"), ("approve", "leader"), ("accept", "overseer")]
    government = Report.objects.get(organization__name="市政府党组", year=2023, quarter=1)
    assert list(government.events.order_by("created_at", "id").values_list("action", flat=True)) == [
        "submit", "approve", "send_back", "submit", "approve", "accept"]
    assert government.status == "accepted"
    assert Extension.objects.get().organization.name == "市政协党组"
    late = Report.objects.get(organization__name="市人大常委会党组", year=2023, quarter=1)
    assert late.late_reason and ReportEvent.objects.get(report=late, action="submit").comment == late.late_reason
    assert not Notice.objects.exists()


def test_the_demos_reports_were_first_submitted_on_their_historic_dates(demo):
    # The board reads Report.first_submitted_at: the demo dates its rounds after submitting them.
    submitted = Report.objects.filter(submissions__isnull=False).distinct()
    assert submitted.count() > 3
    for report in submitted:
        assert report.first_submitted_at == report.submissions.order_by("number").first().submitted_at, report
    assert Report.objects.get(organization__name="市人大常委会党组", year=2023, quarter=1).first_submitted_at.year == 2023
