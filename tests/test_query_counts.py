"""Every page runs as many SQL queries for a large data set as for a small one.

Two worlds in one database: a small one (3 bodies, reports of 10 items, 2 measures, 1 remark) and a
large one (30 bodies; the reports looked at have 200 items, 8 measures, 12 remarks). Each page is
requested once to warm the session (the first request of a session saves it), then counted with
CaptureQueriesContext, in each world, as the person who uses the page: the overseer (list, board,
summary), the drafter (editor, detail, .docx) and the reviewer (review page). A count that grows
with the data is an N+1 query: the page would slow down as bodies, items or remarks are added.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.document.tokens import token
from reports.models import (
    Extension,
    Heading,
    Item,
    Measure,
    MeasureValue,
    Membership,
    Organization,
    Report,
    ReportEvent,
    ReviewStep,
    Section,
)
from reports.review import workflow
from reports.review.comments import add_comment
from tests.fixtures import LATE_REASON, answer_plans

SMALL = {"bodies": 3, "items": 10, "measures": 2, "comments": 1}
LARGE = {"bodies": 30, "items": 200, "measures": 8, "comments": 12}
OTHER_ITEMS = 3  # the reports of the other bodies of a world: only their number matters


def make_report(body, quarter, *, items, measures, drafter):
    """A report of three sections, its items under four headings, the measures in its text."""
    report = Report.objects.create(organization=body, year=2023, quarter=quarter, created_by=drafter,
                                   title=f"{body.name}2023年第{quarter}季度报告", opening="按要求，现报告如下。",
                                   closing="特此报告。", signature_name=body.name,
                                   signature_date=date(2023, quarter * 3, 28))
    practices, problems, next_steps = Section.objects.bulk_create(
        Section(report=report, kind=kind, title=title, position=position)
        for position, (kind, title) in enumerate(
            [("practices", "主要做法"), ("problems", "存在的主要问题"), ("next_steps", "下一步的打算")], 1)
    )
    headings = Heading.objects.bulk_create(
        Heading(section=practices, title=f"第{n}方面工作", position=n) for n in range(1, 5)
    )
    Item.objects.bulk_create(
        Item(section=practices, heading=headings[n % 4], position=n // 4 + 1,
             text=f"第{n}项工作，召开会议{token(measures[n % len(measures)].id)}。")
        for n in range(items)
    )
    Item.objects.bulk_create(Item(section=section, text=f"{section.title}一。", position=1) for section in (problems, next_steps))
    MeasureValue.objects.bulk_create(
        MeasureValue(report=report, measure=measure, value=Decimal(n + 1)) for n, measure in enumerate(measures)
    )
    return report


def build_world(prefix, size, make_user):
    """A supervising body with `size["bodies"]` bodies below it, each with four reports of 2023.
    The first body's (the one whose pages are counted): Q1 approved, Q2 submitted a second time
    after a return, Q3 returned, Q4 a draft; `size["items"]` items each and `size["comments"]`
    remarks of the reviewer. The other bodies': Q1 approved, Q2 submitted, Q3 and Q4 drafts."""
    root = Organization.objects.create(name=f"{prefix}纪委监委")
    overseer = make_user(organization=root, role=Membership.Role.OVERSEER)
    measures = [Measure.objects.create(name=f"{prefix}指标{n}", unit="次") for n in range(size["measures"])]
    world = {"overseer": overseer}
    for index in range(size["bodies"]):
        body = Organization.objects.create(name=f"{prefix}单位{index:02d}党组", parent=root)
        drafter = make_user(organization=body, role=Membership.Role.DRAFTER)
        reviewer = make_user(organization=body, role=Membership.Role.REVIEWER)
        focus = index == 0
        items = size["items"] if focus else OTHER_ITEMS
        reports = {quarter: make_report(body, quarter, items=items, measures=measures, drafter=drafter)
                   for quarter in (1, 2, 3, 4)}
        for quarter in (2, 3, 4):
            answer_plans(reports[quarter], drafter)
        workflow.submit(reports[1], actor=drafter, notify=False, late_reason=LATE_REASON)
        workflow.approve(reports[1], actor=reviewer, notify=False)
        if not focus:
            # The other bodies fill the list, the board and the summary: one approved and one
            # submitted report each is enough for that (and keeps the test fast).
            workflow.submit(reports[2], actor=drafter, notify=False, late_reason=LATE_REASON)
            continue
        for quarter in (2, 3):
            workflow.submit(reports[quarter], actor=drafter, notify=False, late_reason=LATE_REASON)
            targets = list(Item.objects.filter(section__report=reports[quarter]).order_by("id")[:size["comments"]])
            for item in targets:
                add_comment(user=reviewer, report=reports[quarter], text="请补充具体时间。", ref=f"item-{item.id}",
                            place="一、主要做法")
            add_comment(user=reviewer, report=reports[quarter], text="整体请再充实。")
            workflow.return_for_revision(reports[quarter], actor=reviewer, comment="请修改后重新报送。")
        Item.objects.filter(section__report=reports[2]).update(text="修改后的内容。")
        workflow.submit(reports[2], actor=drafter, notify=False, late_reason=LATE_REASON)
        world.update(drafter=drafter, reviewer=reviewer, reports=reports)
    return world


@pytest.fixture
def worlds(db, make_user):
    return {"small": build_world("小", SMALL, make_user), "large": build_world("大", LARGE, make_user)}


def count_queries(client, user, url):
    client.force_login(user)
    assert client.get(url).status_code == 200  # warms the session: its first save is not the page's
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response


# (page, who looks at it, the URL in a world)
PAGES = {
    "report list": ("overseer", lambda w: reverse("reports:list")),
    "editor": ("drafter", lambda w: reverse("reports:edit", args=[w["reports"][3].pk])),
    "review page": ("reviewer", lambda w: reverse("reports:review", args=[w["reports"][2].pk])),
    "report detail": ("drafter", lambda w: reverse("reports:detail", args=[w["reports"][1].pk])),
    "tracking board": ("overseer", lambda w: reverse("tracking:board") + "?year=2023"),
    "measures summary": ("overseer", lambda w: reverse("tracking:summary") + "?year=2023"),
    ".docx download": ("drafter", lambda w: reverse("reports:export_docx", args=[w["reports"][1].pk])),
}


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_the_data(client, worlds, page):
    role, url_of = PAGES[page]
    counts = {}
    for name, world in worlds.items():
        counts[name], response = count_queries(client, world[role], url_of(world))
    print(f"{page}: {counts['small']} queries (small), {counts['large']} (large)")  # shown with -s
    assert counts["small"] == counts["large"], (
        f"{page}: {counts['small']} queries for the small data set, {counts['large']} for the large")


def give_the_board_every_state(world, steps):
    """The board's cells in every state of the hierarchy and the deadlines: the first body's
    chain of `steps` review steps, its Q2 waiting at the last of them, its returned Q3 last sent
    back from above; input closed (截止填报) with an extension granted to a second body."""
    reports = world["reports"]
    focus = reports[1].organization
    root = focus.parent
    reviewer = world["reviewer"]
    for position in range(1, steps + 1):
        step = ReviewStep.objects.create(organization=focus, position=position, name=f"第{position}道审核")
        step.members.add(reviewer)
    Report.objects.filter(pk=reports[2].pk).update(review_step=steps)
    ReportEvent.objects.create(report=reports[3], action="send_back", from_status="approved", to_status="returned")
    Organization.objects.filter(pk=root.pk).update(closes_input=True, warning_days=10)
    other = Organization.objects.filter(parent=root).exclude(pk=focus.pk).order_by("name").first()
    Extension.objects.create(organization=other, year=2023, quarter=4, until=timezone.localdate() + timedelta(days=5),
                             reason="延期报送。", granted_by=world["overseer"])


def test_board_queries_do_not_grow_with_the_bodies_or_the_review_steps(client, worlds):
    """The board's states cost no query per cell: a chain of three steps in the large world (and a
    second body's of two) is read in the queries of the small world's chain of one."""
    give_the_board_every_state(worlds["small"], 1)
    give_the_board_every_state(worlds["large"], 3)
    second = Organization.objects.filter(parent=worlds["large"]["reports"][1].organization.parent).order_by("name")[1]
    for position in (1, 2):
        ReviewStep.objects.create(organization=second, position=position, name=f"审核{position}")
    counts, pages = {}, {}
    for name, world in worlds.items():
        counts[name], response = count_queries(client, world["overseer"], reverse("tracking:board") + "?year=2023")
        pages[name] = response.content.decode()
    assert counts["small"] == counts["large"], counts
    large = pages["large"]
    assert "待审（第3环节·第3道审核）" in large and "退回（上级）" in large and "迟报说明" in large
    assert "已截止" in large and "延期至" in large and 'action="/tracking/extend/"' in large
    assert "待审（第" not in pages["small"]  # one step: "submitted" says it all


def test_the_large_world_is_large(client, worlds):
    """The counts above compare what they claim to: the pages show the larger data."""
    large = worlds["large"]
    _count, response = count_queries(client, large["overseer"], reverse("tracking:board") + "?year=2023")
    assert response.content.decode().count('class="board-body"') == LARGE["bodies"]
    _count, response = count_queries(client, large["drafter"], reverse("reports:edit", args=[large["reports"][3].pk]))
    assert "第199项工作" in response.content.decode()
    _count, response = count_queries(client, large["reviewer"], reverse("reports:review", args=[large["reports"][2].pk]))
    assert response.content.decode().count('data-testid="comment"') >= LARGE["comments"]
