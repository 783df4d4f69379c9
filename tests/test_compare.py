"""What a leader compares with: the previous round, the version last approved, last quarter's
report (reports.review.versions and the review page)."""

import pytest
from django.urls import reverse

from reports.models import Item, Report
from reports.review import versions, workflow
from tests.fixtures import LATE_REASON


def submit(report, drafter):
    workflow.perform(workflow.SUBMIT, report, actor=drafter, comment=LATE_REASON)
    return Report.objects.get(pk=report.pk)


def edit_item(report, text):
    item = Item.objects.filter(section__report=report, heading__isnull=False).get()
    item.text = text
    item.save()


@pytest.fixture
def last_quarter(report_factory, tree, drafter):
    report = report_factory(tree["cppcc"], quarter=4, year=2022, sections=[
        ("主要做法", "practices", [("学习", ["认真学习。"])]), ("存在的主要问题", "problems", ["不足。"])])
    return submit(report, drafter)


def test_the_versions_a_reopened_report_is_compared_with(complete_report, last_quarter, drafter, reviewer):
    report = submit(complete_report, drafter)
    assert [base.kind for base in versions.bases(report)] == [versions.LAST_PERIOD]
    assert versions.review_base(report) is None
    workflow.perform(workflow.APPROVE, report, actor=reviewer)
    workflow.perform(workflow.REOPEN, Report.objects.get(pk=report.pk), actor=reviewer, comment="补充材料。")
    edit_item(report, "认真学习，第二轮。")
    report = submit(Report.objects.get(pk=report.pk), drafter)
    workflow.perform(workflow.RETURN, report, actor=reviewer, comment="再改。")
    edit_item(report, "认真学习，第三轮。")
    report = submit(Report.objects.get(pk=report.pk), drafter)
    found = versions.bases(report)
    assert [(base.kind, base.label) for base in found] == [
        (versions.PREVIOUS, "第2次提交"), (versions.APPROVED, "上次审定稿（第1次提交）"),
        (versions.LAST_PERIOD, "2022年第四季度报告（第1次提交）")]
    assert versions.review_base(report).number == 1  # after a reopen: against what was approved


def test_the_review_page_marks_what_is_new_since_last_quarter(client, complete_report, last_quarter, drafter, reviewer):
    edit_item(complete_report, "认真学习，本季度新写的一句。")
    report = submit(complete_report, drafter)
    client.force_login(reviewer)
    inbox = client.get(reverse("reports:inbox")).content.decode()
    assert f'{reverse("reports:review", args=[report.pk])}?compare=period' in inbox
    plain = client.get(reverse("reports:review", args=[report.pk])).content.decode()
    assert 'data-testid="diff-legend"' not in plain, "a first submission is shown clean"
    page = client.get(reverse("reports:review", args=[report.pk]), {"compare": "period"}).content.decode()
    assert "与2022年第四季度报告（第1次提交）相比" in page
    assert "<ins>，本季度新写的一句</ins>" in page
