"""Up the hierarchy in Chromium: 审定 is 报送 to the supervising body, whose overseer sends the
report back with a comment at one item, then 签收s the revised report, which locks it."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from reports.models import Item, MeasureValue, Report
from reports.review import workflow
from tests.browser import log_in
from tests.fixtures import answer_plans, fill_redacted_names

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def approved_demo(demo):
    """The sample, its redacted names filled in, submitted and approved by its body (报送ed)."""
    fill_redacted_names(demo)
    assert not MeasureValue.objects.filter(report=demo, value__isnull=True).exists()
    User = get_user_model()
    answer_plans(demo, User.objects.get(username="drafter"))
    workflow.submit(demo, actor=User.objects.get(username="drafter"), notify=False)
    workflow.approve(demo, actor=User.objects.get(username="reviewer"), notify=False)
    return demo


def test_the_overseer_sends_back_then_accepts_and_the_report_locks(page, live_server, approved_demo, artifacts_dir):
    report = approved_demo
    page.on("dialog", lambda dialog: dialog.accept())  # 签收 asks once: it locks the report
    first_item = Item.objects.filter(section__report=report, section__kind="practices").order_by(
        "heading__position", "position").first()

    # The overseer of 市纪委监委 finds it in the inbox, waiting for 签收.
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

    # The drafter has it back, the overseer's comment at the item; revised and resubmitted.
    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    expect(page.get_by_test_id("return-notice")).to_contain_text("请补充专题宣讲的参加人数")
    expect(page.get_by_test_id("return-notice").get_by_role("heading")).to_have_text("上级退回意见")
    # At the item, marked as the supervising body's, apart from the body's own leaders' remarks.
    expect(page.locator(f'#sheet [data-ref="item-{first_item.pk}"] .comment-from-above')).to_contain_text("上级")
    page.locator(f'#sheet a.part[data-ref="item-{first_item.pk}"]').click()
    box = page.locator(f'.ed-form[data-ref="item-{first_item.pk}"] textarea')
    box.fill(box.input_value() + "全体党组成员和机关干部80余人参加。")
    page.get_by_role("button", name="保存").first.click()
    expect(page.locator("#sheet")).to_contain_text("80余人参加")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_role("alert")).to_contain_text("已提交")

    # Its own reviewer approves again: 报送 once more.
    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/reports/{report.pk}/review/")
    page.get_by_role("button", name="审定通过").click()
    expect(page.get_by_role("alert")).to_contain_text("已审定")

    # The overseer 签收s it.
    log_in(page, live_server, "overseer")
    page.goto(f"{live_server.url}/reports/{report.pk}/review/")
    page.get_by_test_id("review-actions").get_by_role("button", name="签收").click()
    expect(page.get_by_role("alert")).to_contain_text("已签收")
    expect(page.locator(".status-badge").first).to_have_text("已签收")
    page.screenshot(path=artifacts_dir / "review-accepted.png")

    # Locked for everyone: the drafter's editor says why, the reviewer can no longer reopen it.
    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    expect(page.get_by_role("alert")).to_contain_text("这份报告已签收，不能再修改。")
    assert page.url.endswith(f"/reports/{report.pk}/")
    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/reports/{report.pk}/review/")
    expect(page.get_by_role("button", name="重新打开")).to_have_count(0)
    events = list(report.events.order_by("created_at", "id").values_list("action", flat=True))
    assert events == ["submit", "approve", "send_back", "submit", "approve", "accept"]
