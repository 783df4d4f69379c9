"""The 年度报告: a report for a year, started from its approved quarters (headings merged, nothing
lost, measures summed exactly), tracked and exported like any report."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from reports.document.model import build_document
from reports.document.text import folded
from reports.document.tokens import token
from reports.drafting.annual import NothingToAssemble, assemble_annual
from reports.drafting.checks import find_warnings
from reports.drafting.starting import ReportExists
from reports.models import Item, Measure, MeasureValue, Problem, Report
from reports.review import workflow
from reports.tracking import ledger
from reports.tracking.board import build_board
from reports.tracking.summary import measure_sums
from tests.fixtures import LATE_REASON, answer_plans

PROBLEMS = {1: "委员队伍建设有待加强。", 3: "意识形态工作责任制落实不够。"}


@pytest.fixture
def year_of_quarters(report_factory, tree, drafter, reviewer):
    """市政协党组's four quarters of 2023, approved, with headings worded alike and two measures."""
    study = Measure.objects.create(name="学习会议", unit="次")
    talks = Measure.objects.create(name="廉政谈话", unit="人次", whole=True)
    figures = {1: (3, 12), 2: (2, None), 3: (4, 9), 4: (1, Decimal("7"))}
    headings = {
        1: [("深化理论学习", [f"召开学习会议{token(study.id)}。", "制定年度学习计划。"]),
            ("压实主体责任", [f"开展廉政谈话{token(talks.id)}。"])],
        2: [("深化理论学习。", [f"召开学习会议{token(study.id)}。", "开展专题研讨。"])],
        3: [("深化理论学习，把准正确方向", [f"召开学习会议{token(study.id)}。"]),
            ("压实主体责任", ["签订责任书。", f"开展廉政谈话{token(talks.id)}。"])],
        4: [("加强作风建设", ["开展作风整治。"]), ("深化理论学习", ["制定年度学习计划。"])],
    }
    quarters = {}
    for quarter in (1, 2, 3, 4):
        report = report_factory(tree["cppcc"], quarter=quarter, sections=[
            ("主要做法", "practices", headings[quarter]),
            # Q2 and Q4 name Q1's problem again.
            ("存在的主要问题", "problems", [PROBLEMS[3] if quarter == 3 else PROBLEMS[1]]),
            ("下一步的打算", "next_steps", [f"第{quarter}季度之后的打算。"]),
        ])
        for measure, value in zip((study, talks), figures[quarter], strict=True):
            MeasureValue.objects.create(report=report, measure=measure, value=value)
        answer_plans(report, drafter)
        if None not in figures[quarter]:  # Q2's 廉政谈话 is left blank: not submitted yet
            workflow.submit(report, actor=drafter, notify=False, late_reason=LATE_REASON)
        quarters[quarter] = report
    return quarters, study, talks


def approve_all(quarters, drafter, reviewer, which=(1, 2, 3, 4)):
    for report in (quarters[quarter] for quarter in which):
        report.refresh_from_db()
        if report.status == "draft":
            blank = list(MeasureValue.objects.filter(report=report, value__isnull=True).values_list("measure_id", flat=True))
            MeasureValue.objects.filter(report=report, value__isnull=True).update(value=0)
            # No talks where there were twelve asks for a 说明 (reports.quality.figures).
            workflow.submit(report, actor=drafter, notify=False, late_reason=LATE_REASON,
                            notes=dict.fromkeys(blank, "本季度未安排。"))
        workflow.approve(report, actor=reviewer, notify=False)


def item_texts(report):
    return [folded(text) for text in Item.objects.filter(section__report=report, section__kind="practices")
            .values_list("text", flat=True)]


def test_the_annual_draft_merges_headings_keeps_every_item_once_and_sums_the_measures(year_of_quarters, drafter, reviewer,
                                                                                     tree):
    quarters, study, talks = year_of_quarters
    approve_all(quarters, drafter, reviewer)
    annual = assemble_annual(user=drafter, organization=tree["cppcc"], year=2023)

    assert (annual.quarter, annual.annual, annual.status) == (None, True, "draft")
    assert annual.title == "市政协党组2023年度履行全面从严治党主体责任情况报告"
    practices = annual.sections.get(kind="practices")
    # 深化理论学习 in four wordings is one heading; each other title stands once, first seen first.
    assert list(practices.headings.values_list("title", flat=True)) == ["深化理论学习", "压实主体责任", "加强作风建设"]
    # Nothing lost: every item of every quarter is there, the same words once.
    every_item = set()
    for report in quarters.values():
        every_item |= set(item_texts(report))
    assert sorted(item_texts(annual)) == sorted(every_item)
    assert len(item_texts(annual)) == len(every_item) == 6
    # The year's sums, exactly: Q2 had no value for 廉政谈话 (filled as 0 before approval).
    sums = dict(annual.measure_values.values_list("measure_id", "value"))
    assert sums == {study.id: Decimal(10), talks.id: Decimal(28)}
    text = build_document(annual).text
    assert "（一）深化理论学习。一是召开学习会议10次。二是制定年度学习计划。三是开展专题研讨。" in text
    # The ledger's entries of the year with their status, and Q4's plans.
    assert "二、存在的主要问题\n一是委员队伍建设有待加强（未整改）。二是意识形态工作责任制落实不够（未整改）。" in text
    assert text.endswith("三、下一步的打算\n一是第4季度之后的打算。\n市政协党组")


def test_only_approved_quarters_count_and_none_is_refused(year_of_quarters, drafter, reviewer, tree):
    quarters, study, _talks = year_of_quarters
    with pytest.raises(NothingToAssemble):
        assemble_annual(user=drafter, organization=tree["cppcc"], year=2023)
    assert not Report.objects.filter(quarter=None).exists()
    workflow.approve(quarters[1], actor=reviewer, notify=False)
    annual = assemble_annual(user=drafter, organization=tree["cppcc"], year=2023)
    assert dict(annual.measure_values.values_list("measure_id", "value"))[study.id] == Decimal(3)
    with pytest.raises(ReportExists):
        assemble_annual(user=drafter, organization=tree["cppcc"], year=2023)


def test_a_body_has_one_annual_report_a_year(report_factory, tree):
    report_factory(tree["cppcc"], quarter=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        report_factory(tree["cppcc"], quarter=None)
    report_factory(tree["cppcc"], year=2024, quarter=None)
    assert Report.objects.filter(quarter=None).count() == 2


def test_its_figures_are_not_counted_twice_in_the_summary_and_it_has_its_own_board_column(
        year_of_quarters, drafter, reviewer, tree, overseer):
    quarters, study, _talks = year_of_quarters
    approve_all(quarters, drafter, reviewer)
    annual = assemble_annual(user=drafter, organization=tree["cppcc"], year=2023)
    Report.objects.filter(pk=annual.pk).update(signature_date=date(2024, 2, 2))  # dated by its drafter
    workflow.submit(annual, actor=drafter, notify=False, late_reason=LATE_REASON)
    rows = {row.measure_id: row for row in measure_sums(overseer, 2023, include_unaccepted=True)}
    assert rows[study.id].total == Decimal(10)  # the quarters' figures only
    board = build_board(overseer, 2023, today=date(2024, 2, 5))
    cell = next(c for row in board.rows if row.organization == tree["cppcc"] for c in row.cells if c.quarter is None)
    assert (cell.report, cell.due, cell.timeliness) == (annual, date(2024, 1, 31), "late")


def test_the_new_report_form_starts_the_annual_report_from_the_quarters(year_of_quarters, drafter, reviewer, tree, client):
    quarters, _study, _talks = year_of_quarters
    approve_all(quarters, drafter, reviewer, which=(1, 2, 4))
    client.force_login(drafter)
    url = reverse("reports:create")
    # The four quarters are for the annual report only.
    response = client.post(url, {"organization": tree["cppcc"].pk, "year": 2023, "quarter": "3", "copy_from": "quarters"})
    assert response.status_code == 422 and "只有年度报告可以从各季度汇总" in response.content.decode()
    response = client.post(url, {"organization": tree["cppcc"].pk, "year": 2022, "quarter": "annual", "copy_from": "quarters"})
    assert response.status_code == 422 and "2022年还没有已审定的季度报告" in response.content.decode()
    response = client.post(url, {"organization": tree["cppcc"].pk, "year": 2023, "quarter": "annual", "copy_from": "quarters"},
                           follow=True)
    annual = Report.objects.get(quarter=None)
    assert response.redirect_chain[-1][0] == reverse("reports:edit", args=[annual.pk])
    page = response.content.decode()
    assert "第三季度还没有已审定的报告，未包括在内" in page
    assert "2023年度" in page


def test_an_annual_report_names_every_quarter_of_its_year_without_a_warning(report_factory, tree):
    annual = report_factory(tree["cppcc"], quarter=None, sections=[
        ("主要做法", "practices", ["一季度召开会议，第二季度开展调研，前三季度累计谈话。"]),
        ("下一步的打算", "next_steps", ["2024年第一季度开展专题学习。"]),
    ])
    assert find_warnings(annual) == []


def test_approving_an_annual_report_enters_nothing_new_in_the_ledger(year_of_quarters, drafter, reviewer, tree,
                                                                      make_user):
    quarters, _study, _talks = year_of_quarters
    approve_all(quarters, drafter, reviewer)
    before = list(Problem.objects.values_list("id", "status"))
    annual = assemble_annual(user=drafter, organization=tree["cppcc"], year=2023)
    Report.objects.filter(pk=annual.pk).update(signature_date=date(2024, 1, 20))
    workflow.submit(annual, actor=drafter, notify=False, late_reason=LATE_REASON)
    workflow.approve(annual, actor=make_user(organization=tree["cppcc"], role="reviewer"), notify=False)
    assert list(Problem.objects.values_list("id", "status")) == before
    # Q1's named again in Q2 and Q4 (not Q3): one quarter running at the last; the annual report adds none.
    assert [ledger.quarters_named(problem) for problem in Problem.objects.order_by("id")] == [1, 1]
