"""The check panel in Chromium: a copy of last quarter is asked for its date and its old quarter,
each entry opens its part, and a refused submission lists each place once, as links."""

import pytest
from playwright.sync_api import expect

from reports.models import Item, Report
from tests.browser import copy_to_next_quarter, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_copy_is_checked_and_each_entry_opens_its_part(page, live_server, demo, artifacts_dir):
    old = Item.objects.filter(section__report=demo).order_by("section__position", "heading__position", "position").first()
    old.text = "一季度共召开党组会议。"
    old.save()
    log_in(page, live_server)
    copy = copy_to_next_quarter(page, demo)
    copied = Item.objects.get(section__report=copy, text="一季度共召开党组会议。")
    panel = page.locator("#check-panel")

    # The date is to fill (blocking); the old quarter is a warning, listed apart.
    blocking, warnings = panel.get_by_test_id("check-list"), panel.get_by_test_id("check-warnings")
    expect(blocking).to_contain_text("落款：成文日期尚未填写")
    expect(warnings).to_contain_text("“一季度”不是本报告的期间（2023年第二季度）")
    expect(blocking).not_to_contain_text("不是本报告的期间")
    panel.screenshot(path=artifacts_dir / "check-panel-copy.png")

    # Clicking the warning opens the part's form with its text.
    warnings.get_by_role("link").first.click()
    form = page.locator(f'.ed-form[data-ref="item-{copied.id}"]')
    expect(form).to_be_visible()
    expect(form.get_by_label("内容")).to_have_value("一季度共召开党组会议。")
    expect(form.get_by_label("内容")).to_be_focused()

    # A count of meetings takes no fraction.
    figure = page.locator("#measures-panel").get_by_role("textbox").first
    figure.fill("3.5")
    figure.press("Tab")
    expect(page.locator("#measures-panel")).to_contain_text("只能填写整数")

    # Submitting is refused with a list: one line a place, each a link that opens the part.
    page.get_by_test_id("submit-report").click()
    refusal = page.get_by_test_id("incomplete-list")
    expect(refusal).to_be_visible()
    lines = refusal.locator("li").all_inner_texts()
    assert len(lines) == len(set(lines)) > 1
    assert all(line.strip() for line in lines)
    expect(refusal).to_contain_text("见检查栏")  # the rest of the places, beyond the first lines
    page.screenshot(path=artifacts_dir / "submission-refused.png")
    first = refusal.get_by_role("link").first
    ref = first.get_attribute("href").rsplit("#", 1)[1]
    first.click()
    expect(page.locator(f'.ed-form[data-ref="{ref}"]')).to_be_visible()
    assert Report.objects.get(pk=copy.pk).status == "draft"

    # The date is asked for at the 落款: its entry opens the signature's form.
    page.locator("#check-panel").get_by_role("link", name="落款：成文日期尚未填写").click()
    form = page.locator('.ed-form[data-ref="signature"]')
    expect(form).to_be_visible()
    # Saved, the date stands under the name at once, and the check panel lets it go.
    form.get_by_label("成文日期").fill("2023-07-08")
    form.get_by_role("button", name="保存").click()
    expect(page.locator("#sheet .doc-date")).to_have_text("2023年7月8日")
    expect(page.locator("#check-panel")).not_to_contain_text("成文日期尚未填写")


def test_an_unsigned_report_opens_its_signature_from_the_check_panel(page, live_server, demo):
    Report.objects.filter(pk=demo.pk).update(signature_name="", signature_date=None)  # no 落款 printed at all
    log_in(page, live_server)
    page.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    page.locator("#check-panel").get_by_role("link", name="落款：署名为空").click()
    form = page.locator('.ed-form[data-ref="signature"]')
    expect(form).to_be_visible()
    expect(form.get_by_role("textbox").first).to_be_focused()


def test_an_entry_clicked_as_a_save_is_answered_opens_its_part_in_place(page, live_server, demo):
    """The drafter saves one part and at once clicks a check-panel entry: the part opens in the
    editor, not as a page of its own (the new sheet's links are wired the moment it is shown)."""
    item = Item.objects.filter(section__report=demo).order_by("section__position", "heading__position", "position").first()
    log_in(page, live_server)
    page.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    page.locator(f'#sheet a.part[data-ref="item-{item.pk}"]').first.click()
    form = page.locator(f'.ed-form[data-ref="item-{item.pk}"]')
    form.get_by_label("内容").fill("坚持学习。")
    target = page.locator("#check-panel a[data-open-part^='item-']").first
    ref = target.get_attribute("data-open-part")
    # A click the moment the saved sheet is shown, as a quick hand or a slow machine makes it.
    page.evaluate("""(ref) => {
        document.addEventListener("htmx:afterSwap", (event) => {
            if (event.target.id === "sheet") {
                setTimeout(() => document.querySelector(`#check-panel a[data-open-part="${ref}"]`).click(), 0);
            }
        }, {once: true});
    }""", ref)
    form.get_by_role("button", name="保存").click()
    expect(page.locator(f'.ed-form[data-ref="{ref}"]')).to_be_visible()
    assert page.url.endswith(f"/reports/{demo.pk}/edit/")
