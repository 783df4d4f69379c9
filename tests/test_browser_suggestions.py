"""Suggesting mode in Chromium: the reviewer edits parts in place, the drafter accepts one and
rejects another; the text and the trail show it."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports.document.model import build_document
from reports.document.parts import parts_by_label
from reports.models import DueDate, MeasureValue, Report, Suggestion
from reports.review import workflow
from tests.browser import log_in
from tests.fixtures import fill_redacted_names

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submitted_demo(demo, demo_drafter):
    fill_redacted_names(demo)
    DueDate.objects.create(year=2023, quarter=1, due_date=timezone.localdate())
    workflow.perform(workflow.SUBMIT, demo, actor=demo_drafter)
    return Report.objects.get(pk=demo.pk)


def test_the_reviewer_suggests_and_the_drafter_decides(page, live_server, submitted_demo, artifacts_dir):
    report = submitted_demo
    parts = parts_by_label(build_document(report))
    talks = next(part for part in parts.values() if "廉政谈话" in part.text and part.field == "text")
    heading = parts["一、（一）"]
    talks_before = MeasureValue.objects.get(report=report, measure__name="廉政谈话").value

    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/reports/{report.pk}/review/")
    # A click on the part opens its box under the paragraph, holding its text as printed.
    page.locator(f'.part-suggestable[data-ref="{talks.ref}"]').first.click()
    box = page.get_by_test_id("suggest-form").get_by_label(f"修改 {talks.label}")
    expect(box).to_have_value(talks.text)
    figure = str(talks_before.normalize())
    box.fill(talks.text.replace(f"{figure}人次", f"{int(talks_before) + 4}人次", 1))
    page.get_by_role("button", name="保存为修改建议").click()
    expect(page.get_by_role("alert")).to_contain_text("修改建议已保存")
    suggestion = page.get_by_test_id("suggestion").first
    expect(suggestion).to_contain_text("李建国")
    expect(suggestion.locator("ins")).to_have_text(str(int(talks_before) + 4))
    # the heading's title too
    page.locator(f'.part-suggestable[data-ref="{heading.ref}"]').first.click()
    title_box = page.get_by_test_id("suggest-form").get_by_label("修改 一、（一）")
    title_box.fill("深入学习贯彻党的二十大精神。")
    page.get_by_role("button", name="保存为修改建议").click()
    expect(page.get_by_test_id("suggestion")).to_have_count(2)
    page.screenshot(path=artifacts_dir / "review-suggestions.png", full_page=True)
    assert parts_by_label(build_document(Report.objects.get(pk=report.pk)))["一、（一）"].text == heading.text
    page.get_by_test_id("review-actions").get_by_label("退回意见（必填）").fill("请按修改建议处理。")
    page.get_by_test_id("review-actions").get_by_role("button", name="退回修改").click()
    expect(page.get_by_role("alert")).to_contain_text("已退回起草人修改")

    # The drafter sees both in the editor, accepts the figure and rejects the title.
    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    expect(page.get_by_test_id("leader-edits")).to_contain_text("2 条修改建议待处理")
    cards = page.get_by_test_id("suggestion")
    expect(cards).to_have_count(2)
    page.screenshot(path=artifacts_dir / "editor-suggestions.png", full_page=True)
    cards.filter(has_text=talks.label).get_by_role("button", name="接受").click()
    expect(cards).to_have_count(1)  # the sheet is back, without the accepted one
    expect(page.get_by_test_id("editor-sheet")).to_contain_text(f"{int(talks_before) + 4}人次")
    cards.filter(has_text="一、（一）").get_by_role("button", name="拒绝").click()
    expect(page.get_by_test_id("suggestion")).to_have_count(0)
    expect(page.get_by_test_id("editor-sheet")).to_contain_text(heading.text)
    # The figure is still the measure: the panel shows its new value.
    expect(page.locator("#measures-panel").get_by_role("textbox", name="廉政谈话")).to_have_value(
        str(int(talks_before) + 4))
    assert dict(Suggestion.objects.values_list("label", "status")) == {talks.label: "accepted", "一、（一）": "rejected"}

    page.goto(f"{live_server.url}/reports/{report.pk}/timeline/")
    expect(page.locator("body")).to_contain_text("接受李建国的修改建议")
    expect(page.locator("body")).to_contain_text("拒绝修改建议：一、（一）")


def test_a_leaders_word_file_becomes_suggestions(page, live_server, submitted_demo, tmp_path, artifacts_dir):
    from reports.word.review_copy import render_review_docx
    from tests.leader_edit import LeaderEdit

    report = submitted_demo
    reviewer = report.organization.memberships.get(role="reviewer", user__username="reviewer").user
    workflow.perform(workflow.RETURN, report, actor=reviewer, comment="领导的改稿另见 Word 文件。")
    # The leader edited the 审阅稿 with Track Changes on, and commented on a sentence.
    edit = LeaderEdit(render_review_docx(Report.objects.get(pk=report.pk)))
    edit.replace("全面从严治党主体责任情况报告如下", "全面从严治党主体责任落实情况报告如下")
    edit.comment("按要求", "现将", "开头请再精炼。")
    leader_file = tmp_path / "领导改稿.docx"
    leader_file.write_bytes(edit.save())

    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    page.get_by_test_id("leader-edits").get_by_role("link", name="导入领导改过的 Word").click()
    page.get_by_label("Word 文件（.docx）").set_input_files(str(leader_file))
    page.get_by_role("button", name="读取并预览").click()
    expect(page.get_by_test_id("review-import-summary")).to_contain_text("找到 1 处修改、1 条批注")
    expect(page.get_by_test_id("review-import-suggestion")).to_contain_text("开头")
    expect(page.get_by_test_id("review-import-suggestion").locator("ins")).to_have_text("落实")
    page.screenshot(path=artifacts_dir / "review-import-preview.png", full_page=True)
    page.get_by_role("button", name="导入为修改建议和批注").click()
    expect(page.get_by_role("alert")).to_contain_text("已导入 1 条修改建议、1 条批注")
    card = page.get_by_test_id("suggestion")
    expect(card).to_contain_text("李建国")
    expect(card).to_contain_text("Word 修订")
    expect(page.get_by_test_id("comment-notes").filter(has_text="开头请再精炼。")).to_be_visible()
    card.get_by_role("button", name="接受").click()
    expect(page.get_by_test_id("suggestion")).to_have_count(0)
    expect(page.get_by_test_id("editor-sheet")).to_contain_text("主体责任落实情况报告如下")
