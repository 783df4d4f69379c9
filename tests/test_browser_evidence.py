"""佐证材料 in Chromium: files dropped on the claims they prove, seen by the reviewer, refused with
their reasons, and what the reviewer is shown has no evidence."""

import base64
import io

import pytest
from django.contrib.auth import get_user_model
from PIL import Image
from playwright.sync_api import expect

from reports.models import Problem, Report
from reports.tracking import carried, ledger
from tests.browser import log_in
from tests.test_evidence import docx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DROP = """([selector, files]) => {
  const element = document.querySelector(selector);
  const transfer = new DataTransfer();
  for (const file of files) {
    const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], file.name, { type: file.type }));
  }
  for (const type of ["dragenter", "dragover", "drop"]) {
    element.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }
}"""


def drop(page, selector, *files):
    """Drop files (name, bytes, type) on the element, as a drag from the desktop does."""
    page.evaluate(DROP, [selector, [{"name": name, "data": base64.b64encode(data).decode(), "type": kind}
                                    for name, data, kind in files]])


def image(colour):
    output = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(output, "PNG")
    return output.getvalue()


def pdf():
    output = io.BytesIO()
    Image.new("RGB", (300, 420), "white").save(output, "PDF")
    return output.getvalue()


def test_a_drafter_drops_files_on_an_item_and_a_measure_and_a_reviewer_opens_one(page, live_server, demo, artifacts_dir):
    item = demo.sections.get(kind="practices").items.order_by("heading__position", "position")[2]
    value = demo.measure_values.select_related("measure").get(measure__name="集体交流研讨")
    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    drop(page, f'#sheet a.part[data-ref="item-{item.pk}"]',
         ("会场照片.png", image((180, 40, 40)), "image/png"), ("签到表.png", image((40, 40, 180)), "image/png"))
    drop(page, f'#measures-panel tr[data-measure="{value.measure_id}"]', ("研讨记录.pdf", pdf(), "application/pdf"))

    expect(page.locator(f'#sheet [data-testid=evidence-chip][href="#evidence-item-{item.pk}"]')).to_have_text("佐证 2")
    row = page.locator(f'#measures-panel tr[data-measure="{value.measure_id}"]')
    expect(row.get_by_test_id("evidence-chip")).to_have_text("佐证 1")
    group = page.locator(f"#evidence-item-{item.pk}")
    expect(group.get_by_test_id("evidence-file")).to_have_count(2)
    titles = group.get_by_role("textbox", name="文件标题")
    expect(titles.nth(0)).to_have_value("会场照片")
    expect(titles.nth(1)).to_have_value("签到表")
    thumbnails = page.locator(f"#evidence-measure-{value.measure_id} img, #evidence-item-{item.pk} img")
    expect(thumbnails).to_have_count(3)
    for thumbnail in thumbnails.all():
        thumbnail.scroll_into_view_if_needed()
        expect(thumbnail).to_have_js_property("complete", True)
        assert thumbnail.evaluate("img => img.naturalWidth") > 0, "the thumbnail was drawn"
    page.locator("#evidence-panel").screenshot(path=artifacts_dir / "editor-evidence-panel.png")

    # The reviewer, on the report's page, opens the photo: it is shown in the browser.
    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/reports/{demo.pk}/")
    link = page.get_by_test_id("report-evidence").get_by_role("link", name="会场照片")
    with page.expect_popup() as opened:
        link.click()
    photo = opened.value
    photo.wait_for_load_state()
    assert photo.evaluate("document.contentType") == "image/png"
    url = photo.url
    photo.close()

    # A drafter of another body gets no file, and no sign of one.
    log_in(page, live_server, "drafter2")
    assert page.goto(url).status == 404


def test_files_that_are_no_evidence_are_refused_each_with_its_reason(page, live_server, demo):
    before = demo.evidence.count()
    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    drop(page, "#evidence-panel .evidence-drop",
         ("会议纪要.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "application/pdf"),
         ("图示.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/svg+xml"),
         ("统计表.docm", docx_bytes("application/vnd.ms-word.document.macroEnabled.main+xml"), "application/octet-stream"),
         ("空白.txt", b"", "text/plain"))
    refused = page.locator(".evidence-upload-refused")
    expect(refused).to_have_count(4)
    expect(refused.filter(has_text="会议纪要.pdf")).to_contain_text("是可执行程序，不能作为佐证材料")
    expect(refused.filter(has_text="图示.svg")).to_contain_text("可能含有脚本")
    expect(refused.filter(has_text="统计表.docm")).to_contain_text("含有宏")
    expect(refused.filter(has_text="空白.txt")).to_contain_text("是空文件")
    expect(page.get_by_test_id("evidence-count")).to_have_text(str(before))
    assert demo.evidence.count() == before
    # A refusal stays until it is read; closing it clears the line.
    refused.first.get_by_role("button").click()
    expect(refused).to_have_count(3)


def test_a_closed_problem_without_evidence_is_listed_for_the_reviewer(page, live_server, demo):
    User = get_user_model()
    drafter, reviewer = User.objects.get(username="drafter"), User.objects.get(username="reviewer")
    problem = Problem.objects.filter(organization=demo.organization, status="open", found_year=2022).first()
    carried.save_progress(demo, problem, actor=drafter, progress="已建立学习制度。", measures="", leader="",
                          department="", deadline=None)
    ledger.act(problem, ledger.PROPOSE, actor=drafter, comment="已整改完成。")
    ledger.act(problem, ledger.CLOSE, actor=reviewer)
    Report.objects.filter(pk=demo.pk).update(status="submitted")

    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/reports/{demo.pk}/review/")
    missing = page.get_by_test_id("review-evidence").get_by_test_id("evidence-missing")
    expect(missing).to_contain_text("已整改的问题")
    expect(missing).to_contain_text(problem.text[:10])
    # The measures the demo's drafter proved are not listed; the others are.
    expect(missing).not_to_contain_text("理论学习中心组学习会议")
    expect(missing).to_contain_text("廉政谈话")
