"""The 问题整改台账 in Chromium, as its users meet it."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from reports.models import Problem, Report
from reports.tracking import ledger
from tests.browser import copy_to_next_quarter, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_problems_of_an_approved_quarter_show_in_the_next_quarters_editor(page, live_server, demo, artifacts_dir):
    # The sample still has places to fill: approved here as the approval itself would leave it
    # (tests/test_ledger.py takes reports through the workflow).
    Report.objects.filter(pk=demo.pk).update(status="approved")
    ledger.record_problems(demo, actor=get_user_model().objects.get(username="reviewer"))
    problems = list(Problem.objects.filter(organization=demo.organization, found_year=2023).order_by("id"))
    assert len(problems) == 2
    # The demo's 2022 Q4 report, approved, left two entries of its own.
    still_open = Problem.objects.filter(organization=demo.organization).exclude(status="closed").count()

    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/")
    copy_to_next_quarter(page, demo)
    panel = page.get_by_test_id("ledger-panel")
    expect(panel.get_by_role("heading")).to_contain_text("问题整改台账")
    entries = panel.locator(".ledger-entry")
    expect(entries).to_have_count(still_open)
    found = entries.filter(has_text=problems[0].text)
    expect(found).to_contain_text("未整改")
    expect(found).to_contain_text("2023年第一季度发现")
    panel.screenshot(path=artifacts_dir / "editor-ledger-panel.png")


def test_the_drafter_proposes_closing_and_the_reviewer_closes_it(page, live_server, demo, artifacts_dir):
    Report.objects.filter(pk=demo.pk).update(status="approved")
    ledger.record_problems(demo, actor=get_user_model().objects.get(username="reviewer"))
    problem = Problem.objects.filter(organization=demo.organization, found_year=2023).order_by("id").first()

    # The drafter, writing the next quarter, says what was done and proposes closing it.
    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/")
    q2 = copy_to_next_quarter(page, demo)
    entry = page.get_by_test_id("ledger-panel").locator(f'.ledger-entry[data-problem="{problem.pk}"]')
    entry.get_by_text("提请销号").first.click()
    entry.get_by_label("整改情况").fill("已建立党员委员联络制度，全部党员委员纳入党的组织。")
    entry.get_by_role("button", name="提请销号").click()
    expect(page.get_by_role("alert")).to_contain_text("已提请销号")
    entry = page.get_by_test_id("ledger-panel").locator(f'.ledger-entry[data-problem="{problem.pk}"]')
    expect(entry).to_contain_text("提请销号：已建立党员委员联络制度")
    assert page.url.endswith(f"/reports/{q2.pk}/edit/")

    # The body's reviewer confirms it (销号) from the review page: the proposal is open there.
    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/reports/{q2.pk}/review/")
    entry = page.get_by_test_id("ledger-panel").locator(f'.ledger-entry[data-problem="{problem.pk}"]')
    expect(entry.get_by_label("整改情况")).to_have_value("已建立党员委员联络制度，全部党员委员纳入党的组织。")
    page.get_by_test_id("ledger-panel").screenshot(path=artifacts_dir / "review-ledger-panel.png")
    entry.get_by_role("button", name="确认销号").click()
    expect(page.get_by_role("alert")).to_contain_text("已销号")
    expect(page.locator(f'.ledger-entry[data-problem="{problem.pk}"]')).to_have_count(0)
    problem.refresh_from_db()
    assert problem.status == "closed"
    assert [event.action for event in problem.events.order_by("id")] == ["found", "propose", "close"]


def test_the_overseers_ledger_shows_closed_green_and_overdue_red(page, live_server, demo, artifacts_dir):
    closed = Problem.objects.filter(organization=demo.organization, status="closed").first()  # the demo's, rectified
    late = Problem.objects.filter(organization=demo.organization).exclude(status="closed").first()
    Problem.objects.filter(pk=late.pk).update(deadline=date(2023, 3, 31))

    log_in(page, live_server, "overseer")
    # The board counts each body's entries not yet closed, and links to them.
    page.get_by_role("link", name="督办").click()
    still_open = Problem.objects.filter(organization=demo.organization).exclude(status="closed").count()
    overdue = Problem.objects.filter(ledger.overdue_condition(date.today()), organization=demo.organization).count()
    assert overdue >= 1  # the late one, and the demo's own past their 整改时限
    counts = page.locator(f"#body-{demo.organization.pk}").get_by_test_id("board-ledger")
    expect(counts).to_have_text(f"未销号问题 {still_open} 个，逾期 {overdue} 个")
    page.get_by_test_id("tracking-board").screenshot(path=artifacts_dir / "board-ledger.png")
    counts.click()
    every = Problem.objects.filter(organization=demo.organization).count()
    expect(page.get_by_test_id("ledger-table").locator("tr.ledger-row")).to_have_count(every)
    page.get_by_role("link", name="整改台账", exact=True).click()
    expect(page.get_by_role("heading", name="问题整改台账")).to_be_visible()
    table = page.get_by_test_id("ledger-table")
    expect(table.locator(f'tr[data-problem="{closed.pk}"]')).to_have_attribute("data-colour", "closed")
    expect(table.locator(f'tr[data-problem="{closed.pk}"]')).to_contain_text("已整改")
    expect(table.locator(f'tr[data-problem="{late.pk}"]')).to_have_attribute("data-colour", "overdue")
    expect(table.locator(f'tr[data-problem="{late.pk}"]')).to_contain_text("逾期")
    page.screenshot(path=artifacts_dir / "ledger.png", full_page=True)

    # Only the overdue ones, as the overseer follows them up: every body's.
    page.get_by_label("只看逾期").check()
    page.get_by_role("button", name="查看").click()
    expect(table.locator("tr.ledger-row")).to_have_count(Problem.objects.filter(ledger.overdue_condition(date.today())).count())
    expect(table.locator(f'tr[data-problem="{late.pk}"]')).to_be_visible()
    expect(table.locator(f'tr[data-problem="{closed.pk}"]')).to_have_count(0)


def test_the_reviewer_closes_a_proposed_problem_from_the_ledger_page(page, live_server, demo):
    """A leader finds what awaits 销号 where the problems are listed, not only on a report's review page."""
    users = get_user_model().objects
    problem = Problem.objects.filter(organization=demo.organization).exclude(status="closed").first()
    ledger.act(problem, ledger.PROPOSE, actor=users.get(username="drafter"), comment="已逐项整改到位。")

    log_in(page, live_server, "reviewer")
    page.get_by_role("link", name="整改台账", exact=True).click()
    row = page.get_by_test_id("ledger-table").locator(f'tr[data-problem="{problem.pk}"]')
    expect(row).to_contain_text("提请销号：已逐项整改到位。")
    row.get_by_role("button", name="确认销号").click()
    expect(page.get_by_role("alert")).to_contain_text("已销号")
    expect(page.get_by_test_id("ledger-table").locator(f'tr[data-problem="{problem.pk}"]')).to_have_attribute(
        "data-colour", "closed")
    assert "/tracking/ledger/" in page.url


def test_the_drafter_reports_progress_and_an_unanswered_plan_blocks_submission(page, live_server, demo, artifacts_dir):
    """The demo's 市政府党组 2023 Q2 draft: Q1's problem with its progress, Q1's two plans, one answered."""
    q2 = Report.objects.get(organization__name="市政府党组", year=2023, quarter=2)
    problem = Problem.objects.get(organization=q2.organization)
    log_in(page, live_server, "drafter3")
    page.goto(f"{live_server.url}/reports/{q2.pk}/edit/")
    sheet = page.get_by_test_id("editor-sheet")
    expect(sheet).to_contain_text("二、上季度问题整改情况")
    expect(sheet).to_contain_text("针对“个别部门落实“一岗双责”还有差距”的问题，印发党组成员")

    # This quarter's progress, typed once in the panel: the sheet prints it at once.
    entry = page.get_by_test_id("ledger-panel").locator(f'.ledger-entry[data-problem="{problem.pk}"]')
    entry.get_by_label("本季度整改进展").fill("印发责任清单，对分管部门开展督导6次")
    with page.expect_response(lambda r: "/edit/sheet/" in r.url):
        entry.get_by_role("button", name="保存").click()
    expect(sheet).to_contain_text("印发责任清单，对分管部门开展督导6次，正在整改，整改时限为2023年9月30日。")

    # Everything else filled in, the unanswered plan still refuses the submission, by name.
    figure = page.get_by_role("textbox", name="廉政谈话")
    figure.fill("18")
    with page.expect_response(lambda r: "/measures/" in r.url):
        figure.press("Enter")
    unanswered = "上季度工作打算“健全作风建设长效机制，开展作风问题专项整治。”尚未填写落实情况"
    expect(page.get_by_test_id("check-list")).to_contain_text(unanswered)
    page.locator("#sheet a.part[data-ref=signature]").first.click()
    page.get_by_label("成文日期").fill("2023-07-06")
    with page.expect_response(lambda r: r.url.endswith("/check/")):
        page.get_by_role("button", name="保存").first.click()
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_role("alert")).to_contain_text("还有 1 处需要填写")
    expect(page.get_by_role("alert")).to_contain_text(unanswered)
    q2.refresh_from_db()
    assert q2.status == "draft"

    # Answered: 未落实, with its one sentence; the check panel empties and the report goes.
    plan = page.get_by_test_id("plans-panel").locator("#plan-2")
    plan.get_by_text("未落实").click()
    plan.get_by_label("说明").fill("专项整治方案已起草，待党组会议审议")
    with page.expect_response(lambda r: r.url.endswith("/check/")):
        plan.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("check-list")).to_have_count(0)
    expect(sheet).to_contain_text("二是“健全作风建设长效机制，开展作风问题专项整治”未落实，专项整治方案已起草，待党组会议审议。")
    page.get_by_test_id("plans-panel").screenshot(path=artifacts_dir / "editor-plans-panel.png")
    # Q2 2023 was due on 2023-07-10: it goes with its 迟报说明, typed in the box the editor shows.
    late = page.get_by_test_id("late-submit")
    late.get_by_role("textbox").fill("专项整治方案待党组会议审议，晚报。")
    late.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("alert")).to_contain_text("已提交")
    q2.refresh_from_db()
    assert q2.status == "submitted"

    # The reviewer reads the answers beside the report.
    log_in(page, live_server, "reviewer3")
    page.goto(f"{live_server.url}/reports/{q2.pk}/review/")
    plans = page.get_by_test_id("plans-panel")
    expect(plans.locator("#plan-1")).to_contain_text("部分落实")
    expect(plans.locator("#plan-2")).to_contain_text("未落实")


def test_the_2022_annual_report_is_started_from_its_four_quarters(page, live_server, demo, artifacts_dir):
    """The drafter asks for the year's report from its quarters; its figures are the quarters' sums."""
    from decimal import Decimal

    from reports.models import MeasureValue

    Report.objects.filter(organization=demo.organization, year=2022, quarter=None).delete()  # the demo's, made again
    log_in(page, live_server, "drafter")
    page.get_by_role("link", name="新建报告").click()
    page.get_by_label("年度").fill("2022")
    page.get_by_label("季度").select_option(label="年度报告（全年）")
    # An annual report is drafted from the quarters unless the drafter chooses otherwise.
    expect(page.get_by_label("起草方式")).to_have_value("quarters")
    page.get_by_role("button", name="开始起草").click()
    expect(page.get_by_role("alert")).to_contain_text("已从第一季度、第二季度、第三季度、第四季度已审定的报告汇总")
    sheet = page.get_by_test_id("editor-sheet")
    expect(sheet.locator(".doc-title")).to_have_text("市政协党组2022年度履行全面从严治党主体责任情况报告")
    expect(sheet).to_contain_text("（一）加强理论武装。一是组织党组理论学习中心组学习会议10次")
    expect(sheet).to_contain_text("委员队伍党的建设还存在薄弱环节，党的工作对政协委员全覆盖有待加强（未整改）")
    expect(page.get_by_test_id("year-quarters").get_by_role("link")).to_have_count(4)
    page.screenshot(path=artifacts_dir / "annual-draft.png", full_page=True)

    annual = Report.objects.get(organization=demo.organization, year=2022, quarter=None)
    quarters = Report.objects.filter(organization=demo.organization, year=2022, quarter__isnull=False)
    assert quarters.count() == 4
    for value in annual.measure_values.all():
        summed = sum((v or Decimal(0) for v in MeasureValue.objects.filter(report__in=quarters, measure=value.measure)
                      .values_list("value", flat=True)), Decimal(0))
        assert value.value == summed, value.measure
    assert annual.measure_values.count() == 2

    # The board shows it in its own column.
    log_in(page, live_server, "overseer")
    page.goto(f"{live_server.url}/tracking/?year=2022")
    cell = page.locator(f"#body-{demo.organization.pk} td[data-quarter=annual]")
    expect(cell).to_contain_text("草稿")
