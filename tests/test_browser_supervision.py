"""Up the hierarchy in Chromium: a late report goes with its 迟报说明 through the body's two review
steps; 审定 is 报送 to the supervising body, whose overseer sends it back with a comment at one
item; revised, it passes both steps again and is 签收ed, which locks it."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from reports.models import Item, MeasureValue, Report
from tests.browser import log_in
from tests.fixtures import answer_plans, fill_redacted_names

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ready_demo(demo):
    """The sample, its redacted names filled in and last quarter's plans answered: ready to submit,
    long after its due date (2023-04-10), within the extension the demo's overseer granted."""
    fill_redacted_names(demo)
    assert not MeasureValue.objects.filter(report=demo, value__isnull=True).exists()
    answer_plans(demo, get_user_model().objects.get(username="drafter"))
    return demo


def review_both_steps(page, live_server, report):
    """The body's two steps: its 审核人 passes the report on, its 主要负责人 approves it (审定, 报送)."""
    log_in(page, live_server, "reviewer")
    page.get_by_test_id("nav-inbox").click()
    page.get_by_role("row").filter(has_text=report.title).get_by_role("link", name="去审核").click()
    expect(page.get_by_test_id("review-chain")).to_contain_text("审核人")
    expect(page.get_by_test_id("late-note")).to_contain_text("机关调整，材料汇总延误。")
    actions = page.get_by_test_id("review-actions")
    expect(actions.get_by_role("button", name="审定通过")).to_have_count(0)
    actions.get_by_role("button", name="审核通过，送“主要负责人”").click()
    expect(page.get_by_role("alert")).to_contain_text("已审核通过，送下一环节")
    log_in(page, live_server, "leader")
    page.get_by_test_id("nav-inbox").click()
    row = page.get_by_role("row").filter(has_text=report.title)
    expect(row.get_by_test_id("inbox-step")).to_have_text("第2环节·主要负责人")
    row.get_by_role("link", name="去审核").click()
    expect(page.get_by_test_id("review-chain").locator(".review-chain-done")).to_contain_text("李建国")
    page.get_by_test_id("review-actions").get_by_role("button", name="审定通过").click()
    expect(page.get_by_role("alert")).to_contain_text("已审定")


def test_two_steps_then_up_the_hierarchy_back_down_and_accepted(page, live_server, ready_demo, artifacts_dir):
    report = ready_demo
    page.on("dialog", lambda dialog: dialog.accept())  # 审定 and 签收 ask once: they lock the report
    first_item = Item.objects.filter(section__report=report, section__kind="practices").order_by(
        "heading__position", "position").first()

    # Late: the editor asks for a 迟报说明 before the report goes.
    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    late = page.get_by_test_id("late-submit")
    expect(late).to_contain_text("已过报送截止日期（2023-04-10）")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_role("alert")).to_contain_text("已过报送截止日期（2023-04-10），请填写迟报说明")
    assert Report.objects.get(pk=report.pk).status == "draft"
    late.screenshot(path=artifacts_dir / "editor-late-submit.png")
    late.get_by_label(re.compile("迟报原因")).fill("机关调整，材料汇总延误。")
    late.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("alert")).to_contain_text("已提交")
    assert Report.objects.get(pk=report.pk).late_reason == "机关调整，材料汇总延误。"
    review_both_steps(page, live_server, report)

    # The overseer of 市纪委监委 finds it in the inbox, waiting for 签收, and sends it back.
    log_in(page, live_server, "overseer")
    page.get_by_role("link", name="待办").click()
    row = page.get_by_role("row").filter(has_text=report.title)
    expect(row).to_contain_text("已审定")
    row.get_by_role("link", name="去签收").click()
    actions = page.get_by_test_id("review-actions")
    expect(actions.get_by_role("heading")).to_have_text("签收")
    actions.get_by_label("针对").select_option(value=f"item-{first_item.pk}")
    actions.get_by_label("退回意见（必填）").fill("请补充专题宣讲的参加人数。")
    actions.get_by_role("button", name="退回本单位修改").click()
    expect(page.get_by_role("alert")).to_contain_text("已退回报送单位修改")
    assert Report.objects.get(pk=report.pk).status == "returned"

    # The drafter has it back, the overseer's comment at the item; revised and resubmitted, without
    # a 迟报说明 this time: it was reported when it was first sent.
    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    expect(page.get_by_test_id("return-notice")).to_contain_text("请补充专题宣讲的参加人数")
    expect(page.get_by_test_id("return-notice").get_by_role("heading")).to_have_text("上级退回意见")
    expect(page.locator(f'#sheet [data-ref="item-{first_item.pk}"] .comment-from-above')).to_contain_text("上级")
    page.locator(f'#sheet a.part[data-ref="item-{first_item.pk}"]').click()
    box = page.locator(f'.ed-form[data-ref="item-{first_item.pk}"] textarea')
    box.fill(box.input_value() + "全体党组成员和机关干部80余人参加。")
    page.get_by_role("button", name="保存").first.click()
    expect(page.locator("#sheet")).to_contain_text("80余人参加")
    expect(page.get_by_test_id("late-submit")).to_have_count(0)
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_role("alert")).to_contain_text("已提交")

    # Both steps again, then the overseer 签收s it.
    review_both_steps(page, live_server, report)
    log_in(page, live_server, "overseer")
    page.goto(f"{live_server.url}/reports/{report.pk}/review/")
    page.get_by_test_id("review-actions").get_by_role("button", name="签收").click()
    expect(page.get_by_role("alert")).to_contain_text("已签收")
    expect(page.locator(".status-badge").first).to_have_text("已签收")
    page.screenshot(path=artifacts_dir / "review-accepted.png")

    # Locked for everyone: the drafter's editor says why, the leader can no longer reopen it.
    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    expect(page.get_by_role("alert")).to_contain_text("这份报告已签收，不能再修改。")
    assert page.url.endswith(f"/reports/{report.pk}/")
    log_in(page, live_server, "leader")
    page.goto(f"{live_server.url}/reports/{report.pk}/review/")
    expect(page.get_by_role("button", name="重新打开")).to_have_count(0)
    page.goto(f"{live_server.url}/reports/{report.pk}/timeline/")
    expect(page.get_by_test_id("timeline")).to_contain_text("审核通过（第1环节·审核人）")
    events = list(report.events.order_by("created_at", "id").values_list("action", flat=True))
    assert events == ["submit", "pass", "approve", "send_back", "submit", "pass", "approve", "accept"]
