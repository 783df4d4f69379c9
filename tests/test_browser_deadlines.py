"""Deadlines in Chromium: input closes after the grace days, the overseer grants 准予延期 from the
board's cell, the drafter edits again, and the editor closes by itself once the extension ends.
And the board's cells in the states of the hierarchy, in colour."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from reports.models import DueDate, Extension, Item, Organization, Report, ReportEvent, Submission
from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def closed_demo(demo):
    """The demo with 市纪委监委 closing input (five grace days after each due date, as the demo
    sets), and without the extension the demo grants 市政协党组 for its 2023 Q1 report: a draft
    never submitted, due 2023-04-10, long closed."""
    Organization.objects.filter(name="市纪委监委").update(closes_input=True)
    Extension.objects.filter(organization=demo.organization).delete()
    return demo


def board_cell(page, live_server, report):
    page.goto(f"{live_server.url}/tracking/?year={report.year}")
    return page.get_by_test_id("tracking-board").locator(
        f"#body-{report.organization_id} td[data-quarter='{report.quarter}']")


def test_closed_then_extended_then_closed_again(page, live_server, closed_demo, artifacts_dir):
    report = closed_demo
    editor = f"{live_server.url}/reports/{report.pk}/edit/"
    item = Item.objects.filter(section__report=report, section__kind="practices").order_by(
        "heading__position", "position").first()

    # Closed: the editor refuses, and says whom to ask.
    log_in(page, live_server, "drafter")
    page.goto(editor)
    expect(page.get_by_role("alert")).to_contain_text("已截止，请联系督办单位")
    assert page.url.endswith(f"/reports/{report.pk}/")

    # The overseer of 市纪委监委 (where 市政协党组 reports) grants a week from the cell.
    log_in(page, live_server, "overseer")
    cell = board_cell(page, live_server, report)
    expect(cell.locator(".board-closed")).to_have_text("已截止")
    expect(cell.get_by_role("button", name="催报")).to_have_count(0)
    cell.locator("summary", has_text="准予延期").click()
    until = timezone.localdate() + timedelta(days=7)
    expect(cell.get_by_label("延期至")).to_have_value(f"{until:%Y-%m-%d}")
    cell.get_by_label("理由").fill("机关调整，季度材料汇总延误。")
    cell.screenshot(path=artifacts_dir / "board-extend-form.png")
    cell.get_by_role("button", name="确定延期").click()
    expect(page.get_by_role("alert")).to_contain_text(f"已准予市政协党组2023年第一季度的报告延期至 {until:%Y-%m-%d}")
    cell = page.get_by_test_id("tracking-board").locator(f"#body-{report.organization_id} td[data-quarter='1']")
    expect(cell.locator(".board-extended")).to_have_text(f"延期至 {until:%Y-%m-%d}")
    expect(cell.locator(".board-extended")).to_have_attribute("title", "机关调整，季度材料汇总延误。")
    expect(cell.locator(".board-closed")).to_have_count(0)
    extension = Extension.objects.get(organization=report.organization, year=2023, quarter=1)
    assert (extension.until, extension.granted_by.username) == (until, "overseer")

    # Open again: the drafter, told among their notices, edits the report.
    log_in(page, live_server, "drafter")
    page.get_by_test_id("nav-notices").click()
    expect(page.get_by_role("main")).to_contain_text("【季报】准予延期：市政协党组2023年第一季度报告")
    page.goto(editor)
    expect(page.get_by_test_id("editor-sheet")).to_be_visible()
    page.locator(f'#sheet a.part[data-ref="item-{item.pk}"]').click()
    box = page.locator(f'.ed-form[data-ref="item-{item.pk}"] textarea')
    box.fill(box.input_value() + "延期期间补充完善。")
    page.get_by_role("button", name="保存").first.click()
    expect(page.locator("#sheet")).to_contain_text("延期期间补充完善。")
    assert "延期期间补充完善。" in Item.objects.get(pk=item.pk).text

    # The extension ends by itself: its date past, the editor refuses again.
    Extension.objects.filter(pk=extension.pk).update(until=timezone.localdate() - timedelta(days=1))
    page.goto(editor)
    expect(page.get_by_role("alert")).to_contain_text("已截止，请联系督办单位")
    assert page.url.endswith(f"/reports/{report.pk}/")


def test_the_board_shows_the_hierarchys_states(page, live_server, closed_demo, artifacts_dir):
    """The demo's 2023 with a report at the second of 市政协党组's two steps, one sent back from
    above, an extension in force and the annual report due in three days."""
    User = get_user_model()
    cppcc, congress, government = (Organization.objects.get(name=name) for name in ("市政协党组", "市人大常委会党组",
                                                                                    "市政府党组"))
    today = timezone.localdate()
    at_step_2 = Report.objects.create(organization=cppcc, year=2023, quarter=2, title="市政协党组2023年第二季度报告",
                                      status="submitted", review_step=2, late_reason="机关调整，材料汇总延误。")
    Submission.objects.create(report=at_step_2, number=1, paragraphs=[], measures={}, submitted_at=timezone.now())
    sent_back = Report.objects.create(organization=congress, year=2023, quarter=2, title="市人大常委会党组2023年第二季度报告",
                                      status="returned", late_reason="人大常委会机关3月底机构调整，季度材料汇总延误。")
    Submission.objects.create(report=sent_back, number=1, paragraphs=[], measures={}, submitted_at=timezone.now())
    ReportEvent.objects.create(report=sent_back, action="send_back", from_status="approved", to_status="returned",
                               actor=User.objects.get(username="overseer"), comment="请补充。")
    Extension.objects.create(organization=government, year=2023, quarter=2, until=today + timedelta(days=10),
                             reason="政府机构改革，准予延期。", granted_by=User.objects.get(username="overseer"))
    DueDate.objects.create(year=2023, quarter=None, due_date=today + timedelta(days=3))

    log_in(page, live_server, "overseer")
    page.goto(f"{live_server.url}/tracking/?year=2023")
    board = page.get_by_test_id("tracking-board")

    def cell(body, quarter):
        return board.locator(f"#body-{body.pk} td[data-quarter='{quarter}']")

    expect(cell(cppcc, 2).locator(".board-status")).to_have_text("待审（第2环节·主要负责人）")
    expect(cell(congress, 2).locator(".board-status")).to_have_text("退回（上级）")
    expect(cell(congress, 2).locator(".board-late-reason")).to_have_attribute("title", sent_back.late_reason)
    expect(cell(congress, 1).locator(".board-status")).to_have_text("已审定·已报送")
    expect(cell(government, 1).locator(".board-status")).to_have_text("已签收")
    expect(cell(government, 2).locator(".board-extended")).to_contain_text("延期至")
    expect(cell(cppcc, 1).locator(".board-closed")).to_be_visible()
    soon = cell(cppcc, "annual").locator(".timeliness-badge")
    expect(soon).to_have_text("即将到期")
    expect(soon).to_have_css("background-color", "rgb(29, 78, 216)")
    # A long 迟报说明 keeps to its line: the cell does not grow taller for it.
    late = cell(congress, 1).locator(".board-late-reason")
    assert late.evaluate("(e) => e.scrollWidth > e.clientWidth || e.textContent.endsWith('…')")
    page.screenshot(path=artifacts_dir / "board-states.png", full_page=True)
