"""Submit, return with a comment, revise, resubmit, approve, track: the whole round in Chromium."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports.models import DueDate, Item, MeasureValue, Organization, Reminder, Report
from tests.browser import log_in
from tests.fixtures import fill_redacted_names

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ready_demo(demo):
    """The sample with its redacted names filled in and one count still empty."""
    fill_redacted_names(demo)
    MeasureValue.objects.filter(report=demo, measure__name="廉政谈话").update(value=None)
    return demo


def test_a_whole_round_of_review(page, live_server, ready_demo, artifacts_dir, mailoutbox):
    report = ready_demo
    # The supervising body has set 2023 Q1's deadline to today (set in the admin), so a report
    # submitted in this test is on time; the real clock cannot be moved for the live server.
    DueDate.objects.create(year=2023, quarter=1, due_date=timezone.localdate())
    editor_url = f"{live_server.url}/reports/{report.pk}/edit/"

    # The drafter submits: refused while 廉政谈话 is empty, and told where.
    log_in(page, live_server, "drafter")
    page.goto(editor_url)
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_role("alert")).to_contain_text("暂不能提交")
    expect(page.get_by_role("alert")).to_contain_text("廉政谈话")
    expect(page.locator("#check-panel")).to_contain_text("统计数“廉政谈话”尚未填写")
    assert Report.objects.get(pk=report.pk).status == "draft"
    talks = page.locator("#measures-panel").get_by_role("textbox", name="廉政谈话")
    talks.fill("26")
    talks.press("Tab")
    expect(page.locator("#check-panel")).to_contain_text("无待填项")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_role("alert")).to_contain_text("已提交，等待审核")
    assert Report.objects.get(pk=report.pk).status == "submitted"
    assert any("待审核" in mail.subject and mail.to == ["reviewer@example.org"] for mail in mailoutbox)
    # Sent for review: the page's stamp is no longer 草稿.
    expect(page.get_by_test_id("sheet-mark")).to_have_text("送审稿")

    # The reviewer finds it in the inbox and returns it with a remark on one item.
    log_in(page, live_server, "reviewer")
    expect(page.get_by_test_id("nav-inbox")).to_contain_text("1")
    page.get_by_test_id("nav-inbox").click()
    page.get_by_role("link", name="去审核").click()
    expect(page.get_by_test_id("review-sheet")).to_contain_text("开展廉政谈话26人次")
    actions = page.get_by_test_id("review-actions")
    actions.get_by_label("针对").select_option(label="二、存在的主要问题 二是")
    actions.get_by_label("退回意见（必填）").fill("请写明意识形态风险点的具体整改措施。")
    actions.get_by_role("button", name="退回修改").click()
    expect(page.get_by_role("alert")).to_contain_text("已退回起草人修改")

    # The drafter sees the remark at that item, revises it and resubmits.
    log_in(page, live_server, "drafter")
    page.goto(editor_url)
    expect(page.get_by_test_id("return-notice")).to_contain_text("请写明意识形态风险点的具体整改措施。")
    problem = Item.objects.get(section__report=report, section__kind="problems", position=2)
    notes = page.locator(f'.comment-notes[data-ref="item-{problem.id}"]')
    expect(notes).to_contain_text("请写明意识形态风险点的具体整改措施。")
    page.screenshot(path=artifacts_dir / "editor-returned.png")
    page.locator(f'#sheet a.part[data-ref="item-{problem.id}"]').click()
    box = page.locator(f'.ed-form[data-ref="item-{problem.id}"]').get_by_label("内容")
    box.fill("意识形态和网络意识形态领域仍然存在风险点，已建立台账逐项整改。")
    page.locator(f'.ed-form[data-ref="item-{problem.id}"]').get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("editor-sheet")).to_contain_text("已建立台账逐项整改")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_role("alert")).to_contain_text("已提交，等待审核")

    # The reviewer sees what changed, marked, and approves.
    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/reports/{report.pk}/review/")
    sheet = page.get_by_test_id("review-sheet")
    expect(sheet.locator("ins")).to_contain_text(["已建立台账逐项整改"])
    expect(sheet.locator("del").first).to_be_visible()
    expect(page.get_by_test_id("diff-legend")).to_contain_text("改动 1 段")
    page.screenshot(path=artifacts_dir / "review-diff.png", full_page=True)
    # Approving locks the report: it asks first, and nothing happens when the reviewer cancels.
    # 市政协党组's chain has two steps: its 审核人 passes the report on to its 主要负责人.
    page.get_by_test_id("review-actions").get_by_role("button", name="审核通过，送“主要负责人”").click()
    expect(page.get_by_role("alert")).to_contain_text("已审核通过，送下一环节")
    log_in(page, live_server, "leader")
    page.goto(f"{live_server.url}/reports/{report.pk}/review/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id("review-actions").get_by_role("button", name="审定通过").click()
    expect(page.get_by_test_id("review-actions").get_by_role("button", name="审定通过")).to_be_visible()
    assert asked == ["审定后报告将锁定，不能再修改。确定审定通过吗？"]
    assert Report.objects.get(pk=report.pk).status == "submitted"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("review-actions").get_by_role("button", name="审定通过").click()
    expect(page.get_by_role("alert")).to_contain_text("已审定")
    assert Report.objects.get(pk=report.pk).status == "approved"
    # The leader who approved takes the Word file from where they are, to print and seal it.
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Word").click()
    assert download.value.suggested_filename.endswith(".docx")

    # Approved: read-only for the drafter.
    log_in(page, live_server, "drafter")
    page.goto(editor_url)
    expect(page).to_have_url(re.compile(rf"/reports/{report.pk}/$"))
    expect(page.get_by_role("link", name="修改")).to_have_count(0)
    page.goto(f"{live_server.url}/reports/{report.pk}/timeline/")
    expect(page.get_by_test_id("timeline")).to_contain_text("审定")
    expect(page.get_by_test_id("timeline")).to_contain_text("修改条目")

    # The overseer: green for this body and quarter; a body that never reported is red; 催报.
    log_in(page, live_server, "overseer")
    page.goto(f"{live_server.url}/tracking/?year=2023")
    board = page.get_by_test_id("tracking-board")
    cppcc, court = (Organization.objects.get(name=name) for name in ("市政协党组", "市法院党组"))
    ours = board.locator(f"#body-{cppcc.pk} td[data-quarter='1']")
    expect(ours.locator(".timeliness-badge")).to_have_text("按时")
    expect(ours.locator(".timeliness-badge")).to_have_css("background-color", "rgb(21, 115, 71)")
    expect(board.locator(f"#body-{cppcc.pk} td[data-quarter='2'] .timeliness-badge")).to_have_text("逾期未报")
    overdue = board.locator(f"#body-{court.pk} td[data-quarter='2']")
    expect(overdue.locator(".timeliness-badge")).to_have_text("逾期未报")
    expect(overdue.locator(".timeliness-badge")).to_have_css("background-color", "rgb(176, 42, 55)")
    sent_before = len(mailoutbox)
    overdue.get_by_role("button", name=re.compile("催报")).click()
    expect(page.get_by_role("alert")).to_contain_text("已向市法院党组发送催报邮件（1 人）")
    reminders = mailoutbox[sent_before:]
    assert [mail.to for mail in reminders] == [["drafter4@example.org"]] and "催报" in reminders[0].subject
    assert Reminder.objects.filter(organization=court, year=2023, quarter=2).count() == 1
    page.screenshot(path=artifacts_dir / "tracking-after-review.png", full_page=True)
