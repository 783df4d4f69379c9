"""Fixtures that build the data each test needs: bodies in a tree, people in roles, reports."""

import itertools
import json
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from reports.models import (
    Comment,
    Heading,
    Item,
    Measure,
    MeasureValue,
    Membership,
    Organization,
    Report,
    ReportEvent,
    Section,
    StockPhrase,
    Submission,
)
from reports.quality.stock import add_default_phrases

PASSWORD = "test-pass-123"
# The tests' reports are for 2023, long past due: a first submission needs a 迟报说明 (workflow).
LATE_REASON = "材料汇总延误，现补报。"
_counter = itertools.count(1)


def run_commit_callbacks():
    """What the commit of the test's data would run (its transaction never commits): the callbacks
    registered so far, such as the recount of the board's counts per subtree (tracking.tallies)."""
    from django.db import connection

    while connection.run_on_commit:
        _savepoints, callback, _robust = connection.run_on_commit.pop(0)
        callback()


@pytest.fixture
def make_user(db):
    def make(username=None, *, organization=None, role=None, **extra):
        username = username or f"user{next(_counter)}"
        user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
        if organization is not None:
            Membership.objects.create(user=user, organization=organization, role=role)
        return user

    return make


@pytest.fixture
def tree(db):
    """Two supervising bodies, each with bodies below; a third level under one of them."""
    city = Organization.objects.create(name="市纪委监委")
    cppcc = Organization.objects.create(name="市政协党组", parent=city)
    congress = Organization.objects.create(name="市人大常委会党组", parent=city)
    office = Organization.objects.create(name="市政协机关党组", parent=cppcc)
    county = Organization.objects.create(name="县纪委监委")
    county_body = Organization.objects.create(name="县政协党组", parent=county)
    return {
        "city": city,
        "cppcc": cppcc,
        "congress": congress,
        "office": office,
        "county": county,
        "county_body": county_body,
    }


@pytest.fixture
def drafter(make_user, tree):
    return make_user("drafter", organization=tree["cppcc"], role=Membership.Role.DRAFTER)


@pytest.fixture
def reviewer(make_user, tree):
    return make_user("reviewer", organization=tree["cppcc"], role=Membership.Role.REVIEWER)


@pytest.fixture
def overseer(make_user, tree):
    return make_user("overseer", organization=tree["city"], role=Membership.Role.OVERSEER)


@pytest.fixture
def report_factory(db):
    """A report with the given structure: sections as (title, kind, [(heading, [items])] or [items])."""

    def make(organization, *, year=2023, quarter=1, sections=None, **fields):
        report = Report.objects.create(
            organization=organization,
            year=year,
            quarter=quarter,
            title=fields.pop("title", f"{organization.name}{year}年{f'第{quarter}季度' if quarter else '度'}报告"),
            # Signed and dated, as a report must be to be submitted (reports/drafting/checks.py).
            signature_name=fields.pop("signature_name", organization.name),
            signature_date=fields.pop("signature_date", date(year, quarter * 3, 28) if quarter else date(year + 1, 1, 20)),
            **fields,
        )
        for s_pos, (title, kind, content) in enumerate(sections or [], 1):
            section = Section.objects.create(report=report, title=title, kind=kind, position=s_pos)
            for c_pos, entry in enumerate(content, 1):
                if isinstance(entry, tuple):
                    heading_title, items = entry
                    heading = Heading.objects.create(section=section, title=heading_title, position=c_pos)
                    for i_pos, text in enumerate(items, 1):
                        Item.objects.create(section=section, heading=heading, text=text, position=i_pos)
                else:
                    Item.objects.create(section=section, text=entry, position=c_pos)
        return report

    return make


@pytest.fixture
def complete_report(report_factory, measure_factory, tree):
    """A 市政协党组 report with nothing left to fill: ready to submit (late, as 2023's are)."""
    report = report_factory(
        tree["cppcc"],
        sections=[("主要做法", "practices", [("学习", ["认真学习。"])]), ("存在的主要问题", "problems", ["不足。"])],
    )
    measure_factory(report, "学习会议", value=Decimal("3"))
    return report


@pytest.fixture
def measure_factory(db):
    def make(report, name, unit="次", value=None):
        measure = Measure.objects.create(name=name, unit=unit)
        MeasureValue.objects.create(report=report, measure=measure, value=value)
        return measure

    return make


@pytest.fixture
def demo(db, settings):
    """The demo data of `load_demo`: the sample report as 市政协党组's 2023 Q1 report."""
    from reports.management.demo import load_demo_data

    # A transactional test's flush empties the table the migration filled: the demo is loaded
    # as on a fresh installation, whose opening's frame is a stock phrase.
    add_default_phrases(StockPhrase)
    load_demo_data()
    # The demo's 市纪委监委 closes input five days after each due date; its periods are 2023's, long
    # closed today. Tests that copy and edit them open input again; tests/test_review_chain.py
    # and tests/test_browser_deadlines.py close it where closing is what they test.
    Organization.objects.update(closes_input=False)
    return Report.objects.get(organization__name="市政协党组", year=2023, quarter=1)


@pytest.fixture
def demo_drafter(demo):
    """The demo's drafter of 市政协党组 (the `drafter` fixture belongs to the test tree instead)."""
    return get_user_model().objects.get(username="drafter")


def fill_redacted_names(report):
    """The sample's redacted names (** in the text) filled in, as its drafter would before submitting."""
    import re

    for item in Item.objects.filter(section__report=report, text__contains="*"):
        item.text = re.sub(r"\*+", "某", item.text)
        item.save()


def answer_plans(report, user, answer="done", note=""):
    """Answer every item of last quarter's 下一步的打算 in `report`, as its drafter does before submitting."""
    from reports.tracking import carried

    for plan in carried.plans(report):
        carried.answer_plan(report, plan.position, actor=user, answer=answer, note=note)


def report_record(report):
    """Everything that makes up the report and its record, to compare before and after."""
    return json.dumps({
        "report": list(Report.objects.filter(pk=report.pk).values()),
        "sections": list(Section.objects.filter(report=report).order_by("pk").values()),
        "headings": list(Heading.objects.filter(section__report=report).order_by("pk").values()),
        "items": list(Item.objects.filter(section__report=report).order_by("pk").values()),
        "values": list(MeasureValue.objects.filter(report=report).order_by("pk").values()),
        "measures": list(Measure.objects.filter(values__report=report).order_by("pk").values()),
        "events": list(ReportEvent.objects.filter(report=report).order_by("pk").values()),
        "submissions": list(Submission.objects.filter(report=report).order_by("pk").values()),
        "comments": list(Comment.objects.filter(report=report).order_by("pk").values()),
    }, default=str, sort_keys=True)


@pytest.fixture
def small(report_factory, tree):
    """A short report in the sample's layout: a heading's title, its items inline, a section's own item
    (for the Word round trip of leaders' edits)."""
    return report_factory(tree["cppcc"], addressee="市纪委监委：", opening="按要求，现将情况报告如下。", sections=[
        ("主要做法", "practices", [
            ("深化理论学习", ["认真学习党的二十大精神。", "召开专题研讨会。", "开展集中宣讲。"]),
            ("压实主体责任", ["制定责任清单。"]),
        ]),
        ("存在的主要问题", "problems", ["调查研究不够深入。", "制度执行不够严格。"]),
    ], closing="特此报告。")
