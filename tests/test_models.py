"""What must always hold is held by the database itself, whatever path writes to it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from reports.models import Heading, Item, Measure, MeasureValue, Membership, Organization, Report, Section


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_second_report_for_the_same_body_and_quarter_is_refused(tree):
    Report.objects.create(organization=tree["cppcc"], year=2023, quarter=1, title="一")
    refused(lambda: Report.objects.create(organization=tree["cppcc"], year=2023, quarter=1, title="二"))
    # Another quarter, another year or another body is fine.
    Report.objects.create(organization=tree["cppcc"], year=2023, quarter=2, title="三")
    Report.objects.create(organization=tree["cppcc"], year=2024, quarter=1, title="四")
    Report.objects.create(organization=tree["congress"], year=2023, quarter=1, title="五")
    assert Report.objects.count() == 4


@pytest.mark.parametrize("quarter", [0, 5, 9])
def test_quarter_outside_1_to_4_is_refused(tree, quarter):
    refused(lambda: Report.objects.create(organization=tree["cppcc"], year=2023, quarter=quarter, title="x"))
    assert not Report.objects.exists()


def test_year_and_status_outside_their_range_are_refused(tree):
    refused(lambda: Report.objects.create(organization=tree["cppcc"], year=1999, quarter=1, title="x"))
    refused(lambda: Report.objects.create(organization=tree["cppcc"], year=2023, quarter=1, title="x", status="lost"))


def test_siblings_have_distinct_positions(report_factory, tree):
    report = report_factory(
        tree["cppcc"],
        sections=[("主要做法", "practices", [("学习", ["一", "二"])]), ("问题", "problems", ["甲"])],
    )
    practices, problems = report.sections.all()
    refused(lambda: Section.objects.create(report=report, title="重复", position=practices.position))
    heading = practices.headings.get()
    refused(lambda: Heading.objects.create(section=practices, title="重复", position=heading.position))
    refused(lambda: Item.objects.create(section=practices, heading=heading, text="重复", position=1))
    refused(lambda: Item.objects.create(section=problems, text="重复", position=1))
    # A heading's items and the section's own items are different sibling lists.
    Item.objects.create(section=practices, text="部分自身的条目", position=1)
    assert Item.objects.filter(section=practices).count() == 3


def test_measure_values_are_unique_per_report_and_not_negative(report_factory, tree):
    report = report_factory(tree["cppcc"])
    measure = Measure.objects.create(name="廉政谈话", unit="人次")
    MeasureValue.objects.create(report=report, measure=measure, value=Decimal("3"))
    refused(lambda: MeasureValue.objects.create(report=report, measure=measure, value=Decimal("4")))
    other = Measure.objects.create(name="学习会议", unit="次")
    refused(lambda: MeasureValue.objects.create(report=report, measure=other, value=Decimal("-1")))
    MeasureValue.objects.create(report=report, measure=other, value=None)  # not filled in yet
    assert report.measure_values.count() == 2


def test_catalogue_names_are_unique_within_their_scope(tree):
    Measure.objects.create(name="双月协商", unit="次")
    refused(lambda: Measure.objects.create(name="双月协商", unit="次"))
    Measure.objects.create(name="双月协商", unit="次", organization=tree["cppcc"])
    refused(lambda: Measure.objects.create(name="双月协商", unit="次", organization=tree["cppcc"]))


def test_one_role_once_per_body(make_user, tree):
    user = make_user(organization=tree["cppcc"], role=Membership.Role.DRAFTER)
    refused(lambda: Membership.objects.create(user=user, organization=tree["cppcc"], role="drafter"))
    refused(lambda: Membership.objects.create(user=user, organization=tree["cppcc"], role="boss"))
    Membership.objects.create(user=user, organization=tree["cppcc"], role="reviewer")


def test_organization_cannot_be_its_own_parent(tree):
    body = tree["cppcc"]
    body.parent = body
    refused(lambda: body.save())


def test_strings_are_what_a_user_reads(report_factory, tree):
    report = report_factory(tree["cppcc"], title="市政协党组2023年第一季度履行全面从严治党主体责任情况报告")
    assert str(report) == report.title
    assert report.period_label == "2023年第一季度"
    assert str(Measure(name="廉政谈话", unit="人次")) == "廉政谈话（人次）"
    assert str(tree["cppcc"]) == "市政协党组"


def test_descendants_cover_every_level(tree):
    ids = Organization.objects.descendant_ids({tree["city"].id})
    assert ids == {tree[k].id for k in ("city", "cppcc", "congress", "office")}


@pytest.mark.parametrize("model", [Section, Heading, Item])
def test_parts_are_read_without_joins_and_ordered_by_their_own_columns(model):
    """A part's default order is its own position: reading a report's items joins nothing and
    sorts on the part's table alone (ordering by a foreign key would pull in the section, the
    report and its body, twice for an item, and sort on their columns)."""
    sql = str(model.objects.all().query)
    table = model._meta.db_table
    assert "JOIN" not in sql
    order = sql.split("ORDER BY", 1)[1]
    assert order.strip() == f'"{table}"."position" ASC, "{table}"."id" ASC'


def test_parts_come_in_position_order_within_their_parent(report_factory, tree):
    report = report_factory(tree["cppcc"], sections=[("一", "practices", []), ("二", "problems", [])])
    Section.objects.create(report=report, title="零", position=0)
    section = report.sections.get(position=1)
    heading = Heading.objects.create(section=section, title="小标题", position=1)
    # Created out of order: the related managers still list them by position.
    for position in (3, 1, 2):
        Item.objects.create(section=section, heading=heading, text=f"第{position}项", position=position)
    assert [item.text for item in heading.items.all()] == ["第1项", "第2项", "第3项"]
    assert [s.title for s in report.sections.all()] == ["零", "一", "二"]


def test_a_report_keeps_the_moment_of_its_first_submission(report_factory, tree):
    from datetime import UTC, datetime

    from reports.models import Submission, record_first_submissions

    report = report_factory(tree["cppcc"], year=2024, quarter=1)
    stale = Report.objects.get(pk=report.pk)
    first, second = datetime(2024, 4, 3, 2, 0, tzinfo=UTC), datetime(2024, 4, 9, 2, 0, tzinfo=UTC)
    Submission.objects.create(report=report, number=1, paragraphs=[], measures={}, submitted_at=first)
    Submission.objects.create(report=report, number=2, paragraphs=[], measures={}, submitted_at=second)
    assert Report.objects.get(pk=report.pk).first_submitted_at == first
    # A copy read before the submission, saved in full (the admin's form does that), leaves it alone.
    stale.title = "改过的标题"
    stale.save()
    saved = Report.objects.get(pk=report.pk)
    assert (saved.title, saved.first_submitted_at) == ("改过的标题", first)
    # After a load that bypassed Submission.save(), one call puts it right.
    Report.objects.filter(pk=report.pk).update(first_submitted_at=None)
    assert record_first_submissions(Report.objects.filter(pk=report.pk)) == 1
    assert Report.objects.get(pk=report.pk).first_submitted_at == first
