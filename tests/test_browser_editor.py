"""The drafter's job in a real Chromium: start a quarter, edit in place, numbering that fixes itself."""

import re

import pytest
from playwright.sync_api import expect

from reports.models import Item
from tests.browser import copy_to_next_quarter, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_part(page, ref):
    page.locator(f'#sheet a.part[data-ref="{ref}"]').first.click()
    form = page.locator(f'.ed-form[data-ref="{ref}"]')
    expect(form).to_be_visible()
    return form


def heading_paragraph(page, ordinal):
    return page.locator("#sheet .doc-heading").filter(has_text=ordinal)


def test_drafter_copies_last_quarter_and_edits_in_place(page, live_server, demo, artifacts_dir):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, live_server)

    # A new quarter, copied from the first.
    q2 = copy_to_next_quarter(page, demo)
    expect(page.locator("#sheet .doc-title")).to_have_text("市政协党组2023年第二季度履行全面从严治党主体责任情况报告")
    # Last quarter's problems are in the ledger (its drafter entered them): the panel lists them.
    expect(page.get_by_test_id("ledger-panel")).to_contain_text("在党的组织对党员委员全覆盖")
    page.screenshot(path=artifacts_dir / "editor.png")

    # Edit a heading.
    second_heading = q2.sections.get(position=1).headings.get(position=2)
    form = open_part(page, f"heading-{second_heading.id}")
    form.get_by_label("小标题").fill("坚持党的领导，压实管党治党主体责任")
    form.get_by_role("button", name="保存").click()
    expect(heading_paragraph(page, "（二）")).to_contain_text("（二）坚持党的领导，压实管党治党主体责任。一是严格执行")

    # Add an item between the first and second items of （一）: 二是 becomes 三是.
    first_heading = q2.sections.get(position=1).headings.get(position=1)
    first_item, second_item = first_heading.items.order_by("position")[:2]
    expect(page.locator(f'#sheet a.part[data-ref="item-{second_item.id}"] .run-ordinal')).to_have_text("二是")
    form = open_part(page, f"item-{first_item.id}")
    form.get_by_role("button", name="在后面插入一项").click()
    expect(page.locator(f'.ed-form[data-ref="item-{first_item.id}"]')).to_have_count(0)
    new_form = page.locator(".ed-form")
    expect(new_form).to_be_visible()
    new_form.get_by_label("内容").fill("组织专题读书班，集中研读党的二十大报告。")
    new_form.get_by_role("button", name="保存").click()
    expect(page.locator(f'#sheet a.part[data-ref="item-{second_item.id}"] .run-ordinal')).to_have_text("三是")
    expect(heading_paragraph(page, "（一）")).to_contain_text("二是组织专题读书班，集中研读党的二十大报告。三是跟进学习")

    # Move the second problem up.
    problems = q2.sections.get(position=2)
    problem_one, problem_two = problems.items.order_by("position")
    form = open_part(page, f"item-{problem_two.id}")
    form.get_by_role("button", name="上移").click()
    expect(page.locator("#sheet .ed-block").nth(2)).to_contain_text("一是意识形态和网络意识形态领域")

    # A new measure, inserted into an item's text, then its value filled in the panel.
    panel = page.locator("#measures-panel")
    panel.get_by_text("添加统计数").click()
    panel.get_by_label("或新建：名称").fill("专题党课")
    panel.get_by_label("单位").fill("次")
    panel.get_by_role("button", name="添加").click()
    expect(panel.get_by_role("textbox", name="专题党课")).to_be_visible()
    third_heading_first = q2.sections.get(position=1).headings.get(position=3).items.get(position=4)
    form = open_part(page, f"item-{third_heading_first.id}")
    box = form.get_by_label("内容")
    box.press("End")
    box.press("ControlOrMeta+End")
    box.type("讲授专题党课")
    form.get_by_label("插入统计数").select_option(label="专题党课（次）")
    box.type("。")
    expect(box).to_have_value(re.compile(r"讲授专题党课｛专题党课｝。$"))
    form.get_by_role("button", name="保存").click()
    sheet = page.get_by_test_id("editor-sheet")
    expect(sheet).to_contain_text("讲授专题党课未填写次。")
    panel.get_by_role("textbox", name="专题党课").fill("5")
    panel.get_by_role("textbox", name="专题党课").press("Tab")
    expect(sheet).to_contain_text("讲授专题党课5次。")
    expect(page.locator("#check-panel")).not_to_contain_text("专题党课")

    # Delete an item: the next ones move up.
    next_steps = q2.sections.get(position=3)
    doomed = next_steps.items.get(position=2)
    form = open_part(page, f"item-{doomed.id}")
    form.get_by_role("button", name="删除").click()
    expect(page.locator(f'#sheet a.part[data-ref="item-{doomed.id}"]')).to_have_count(0)
    expect(page.locator("#sheet .ed-block").nth(3)).to_contain_text("二是坚持以人民为中心的发展思想")
    page.screenshot(path=artifacts_dir / "editor-after-edits.png", full_page=True)

    # Everything is still there after a reload.
    page.reload()
    expect(heading_paragraph(page, "（二）")).to_contain_text("坚持党的领导，压实管党治党主体责任。")
    expect(heading_paragraph(page, "（一）")).to_contain_text("二是组织专题读书班，集中研读党的二十大报告。三是跟进学习")
    expect(page.locator("#sheet .ed-block").nth(2)).to_contain_text("一是意识形态和网络意识形态领域")
    expect(sheet).to_contain_text("讲授专题党课5次。")
    expect(page.locator("#sheet .ed-block").nth(3)).to_contain_text("二是坚持以人民为中心的发展思想")
    assert not Item.objects.filter(pk=doomed.pk).exists()
    page.locator("#check-panel").screenshot(path=artifacts_dir / "check-panel.png")


def test_two_pages_saving_the_same_item_the_second_is_refused_with_both_texts(page, live_server, demo, context):
    log_in(page, live_server)
    other = context.new_page()
    item = Item.objects.filter(section__report=demo, heading__isnull=True).order_by("section__position", "position").first()
    url = f"{live_server.url}/reports/{demo.pk}/edit/"
    page.goto(url)
    other.goto(url)

    mine = open_part(page, f"item-{item.id}")
    theirs = open_part(other, f"item-{item.id}")
    mine.get_by_label("内容").fill("第一个页面保存的文字。")
    mine.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("editor-sheet")).to_contain_text("一是第一个页面保存的文字。")

    theirs.get_by_label("内容").fill("第二个页面保存的文字。")
    theirs.get_by_role("button", name="保存").click()
    conflict = other.get_by_test_id("conflict")
    expect(conflict).to_be_visible()
    expect(other.get_by_test_id("conflict-theirs")).to_contain_text("第一个页面保存的文字。")
    expect(other.get_by_test_id("conflict-yours")).to_contain_text("第二个页面保存的文字。")
    expect(other.locator(".ed-form").get_by_label("内容")).to_have_value("第二个页面保存的文字。")
    item.refresh_from_db()
    assert item.text == "第一个页面保存的文字。"


def test_leaving_with_unsaved_text_asks_first(page, live_server, demo):
    log_in(page, live_server)
    page.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    item = Item.objects.filter(section__report=demo, heading__isnull=True).order_by("section__position", "position").first()
    form = open_part(page, f"item-{item.id}")
    form.get_by_label("内容").fill("还没保存的文字。")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.once("dialog", answer)
    page.get_by_role("link", name="全部报告").click()
    expect(page).to_have_url(re.compile(r"/edit/$"))
    assert asked == ["beforeunload"]
    expect(form.get_by_label("内容")).to_have_value("还没保存的文字。")


def test_saving_asks_nothing_and_opening_another_part_asks_first(page, live_server, demo):
    """The unsaved-text question is for what would lose text: never for the save itself, nor for
    the check panel that refreshes after it; opening another part with unsaved text does ask."""
    log_in(page, live_server)
    page.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    checks = []
    page.on("requestfinished", lambda request: checks.append(request.url) if "/check/" in request.url else None)
    first, second = Item.objects.filter(section__report=demo).order_by("section__position", "heading__position", "position")[:2]
    form = open_part(page, f"item-{first.id}")
    form.get_by_label("内容").fill("保存时不该有任何提问。")
    with page.expect_response(lambda response: response.request.method == "POST"):
        form.get_by_role("button", name="保存").click()
    expect(page.locator(f'#sheet a.part[data-ref="item-{first.id}"]')).to_contain_text("保存时不该有任何提问。")
    assert asked == []
    page.wait_for_load_state("networkidle")
    assert len(checks) == 1  # and the check panel was brought up to date, not held back by a question
    assert Item.objects.get(pk=first.id).text == "保存时不该有任何提问。"

    form = open_part(page, f"item-{first.id}")
    form.get_by_label("内容").fill("还没保存。")
    page.locator(f'#sheet a.part[data-ref="item-{second.id}"]').first.click()
    expect(page.locator(f'.ed-form[data-ref="item-{second.id}"]')).to_have_count(0)  # dismissed: nothing opened
    assert asked == ["有尚未保存的修改，继续将丢失这些修改。确定继续吗？"]
    expect(form.get_by_label("内容")).to_have_value("还没保存。")


def test_an_inserted_item_cancelled_before_any_text_leaves_nothing_behind(page, live_server, demo):
    """＋ 在后面插入一项, then 取消 without typing: no bare 二是 stays in the report. An item that
    already has text is only closed by 取消."""
    log_in(page, live_server)
    page.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    first = Item.objects.filter(section__report=demo).order_by("section__position", "heading__position", "position").first()
    count = Item.objects.filter(section__report=demo).count()
    form = open_part(page, f"item-{first.id}")
    form.get_by_role("button", name="在后面插入一项").click()
    new_form = page.locator(".ed-form").filter(has=page.get_by_label("内容", exact=True)).last
    expect(new_form.get_by_label("内容")).to_have_value("")
    assert Item.objects.filter(section__report=demo).count() == count + 1
    cancel = new_form.locator("[data-cancel]")
    expect(cancel).to_have_text("取消")
    cancel.click()
    expect(page.locator(".ed-form")).to_have_count(0)
    assert Item.objects.filter(section__report=demo).count() == count
    form = open_part(page, f"item-{first.id}")
    form.locator("[data-cancel]").click()
    expect(page.locator(".ed-form")).to_have_count(0)
    assert Item.objects.filter(pk=first.id).exists()


def test_a_part_clicked_while_the_sheet_refreshes_opens_in_the_new_sheet(page, live_server, demo):
    """A changed figure reloads the sheet in the background; a click on a part meanwhile is not lost."""
    log_in(page, live_server)
    page.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    held = []
    # Hold the sheet's refresh until the part has been clicked, as a slow network would.
    page.route(re.compile(r"/edit/sheet/$"), lambda route: held.append(route))
    value = demo.measure_values.select_related("measure").order_by("id").first()
    box = page.locator("#measures-panel").get_by_role("textbox", name=value.measure.name)
    box.fill(str(int(value.value) + 1))
    with page.expect_request(re.compile(r"/edit/sheet/$")):
        box.press("Tab")  # the panel's answer arrives, then the sheet asks to be refreshed
    item = Item.objects.filter(section__report=demo, heading__isnull=True).order_by("section__position", "position").first()
    asked = []
    page.on("request", lambda request: asked.append(request.url) if f"/item/{item.id}/" in request.url else None)
    # htmx asks htmx:confirm before it sends a part's request; the editor answers "not now"
    # (preventDefault) while the sheet is loading. A listener added after the editor's sees
    # that answer: the moment the click was decided, with no time to wait out.
    page.evaluate("""() => {
        window.confirmed = [];
        document.addEventListener("htmx:confirm", (event) => {
            window.confirmed.push([event.detail.elt.dataset.ref, event.defaultPrevented]);
        });
        // Another element settling between the new sheet's swap and its settle (the check
        // panel's answer arriving in those milliseconds, as it does on a slow server): the
        // held click must still wait for the sheet itself.
        document.addEventListener("htmx:afterRequest", (event) => {
            if (event.detail.requestConfig.elt.id === "sheet") {
                document.getElementById("check-panel").dispatchEvent(new CustomEvent("htmx:afterSettle", {bubbles: true}));
            }
        });
    }""")
    page.locator(f'#sheet a.part[data-ref="item-{item.id}"]').first.click()
    page.wait_for_function("() => window.confirmed.length > 0")
    assert held, "the sheet's refresh was held"
    # Held: its form would open in the old sheet, then vanish with it.
    assert page.evaluate("() => window.confirmed") == [[f"item-{item.id}", True]]
    assert asked == []
    held[0].continue_()
    form = page.locator(f'.ed-form[data-ref="item-{item.id}"]')
    expect(form).to_be_visible()
    expect(form.get_by_label("内容")).to_be_focused()
    assert len(asked) == 1  # the form was asked for once, by the new sheet
    expect(page.get_by_test_id("editor-sheet")).to_contain_text(f"{int(value.value) + 1}")


def test_a_long_pasted_item_is_saved_whole_and_one_over_the_limit_is_refused_with_the_text_kept(page, live_server, demo):
    """The browser never cuts what was pasted: a long item is saved whole, one over the limit is
    refused with a message that names the limit, and the text stays in the box."""
    log_in(page, live_server)
    page.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    item = Item.objects.filter(section__report=demo, heading__isnull=True).order_by("section__position", "position").first()
    long_text = "加强学习" * 2358 + "完。"  # 9,434 characters
    form = open_part(page, f"item-{item.id}")
    form.get_by_label("内容").fill(long_text)
    form.get_by_role("button", name="保存").click()
    expect(page.locator(f'#sheet a.part[data-ref="item-{item.id}"]')).to_contain_text("加强学习完。")
    item.refresh_from_db()
    assert item.text == long_text

    too_long = "长" * 20_001
    form = open_part(page, f"item-{item.id}")
    form.get_by_label("内容").fill(too_long)
    form.get_by_role("button", name="保存").click()
    expect(form).to_contain_text("最多 20000 个字符，现有 20001 个")
    expect(form.get_by_label("内容")).to_have_value(too_long)
    item.refresh_from_db()
    assert item.text == long_text


def test_saving_an_item_a_colleague_just_deleted_shows_the_conflict_with_the_text_kept(page, live_server, demo, context,
                                                                                      artifacts_dir):
    log_in(page, live_server)
    item = Item.objects.filter(section__report=demo, heading__isnull=True).order_by("section__position", "position").first()
    page.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    form = open_part(page, f"item-{item.id}")
    form.get_by_label("内容").fill("同事删除前我写好的文字。")

    colleague = context.new_page()
    colleague.on("dialog", lambda dialog: dialog.accept())
    colleague.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    open_part(colleague, f"item-{item.id}").get_by_role("button", name="删除").click()
    expect(colleague.locator(f'#sheet a.part[data-ref="item-{item.id}"]')).to_have_count(0)

    form.get_by_role("button", name="保存").click()
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("这部分已被他人删除，您的修改没有保存。")
    expect(page.get_by_test_id("conflict-yours")).to_contain_text("同事删除前我写好的文字。")
    expect(page.locator("#editor-messages")).not_to_contain_text("服务器出错")
    conflict.screenshot(path=artifacts_dir / "editor-deleted-part.png")


def test_figures_typed_one_after_another_are_all_kept(page, live_server, demo):
    """The drafter types a figure, goes on to the next with Enter and types before the first
    is saved (a slow network): the first one's answer must not replace the box being typed in,
    and the sheet, still refreshing for the first figure, must come to show the second too."""
    from reports.models import MeasureValue

    log_in(page, live_server)
    page.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    boxes = page.locator("#measures-panel").get_by_role("textbox")
    first, second = boxes.nth(0), boxes.nth(1)
    first_url = first.locator("xpath=ancestor::form").get_attribute("hx-post")
    second_url = second.locator("xpath=ancestor::form").get_attribute("hx-post")
    held = {}

    def hold(name):
        # Answered by the server now, delivered when the test says so.
        def handler(route):
            if name in held:
                return route.continue_()
            held[name] = (route, route.fetch())
        return handler

    page.route(f"**{first_url}", hold("first"))
    page.route(f"**{second_url}", hold("second"))
    page.route("**/edit/sheet/", hold("sheet"))

    def deliver(name):
        for _ in range(500):  # the handler fetches the answer in Playwright's event loop
            if name in held:
                break
            page.wait_for_timeout(10)
        route, response = held[name]
        route.fulfill(response=response)

    first.fill("41")
    with page.expect_request(f"**{first_url}"):
        page.keyboard.press("Enter")
    expect(second).to_be_focused()
    page.keyboard.type("42")  # over the old figure: the box's text is selected
    with page.expect_request("**/edit/sheet/"):
        deliver("first")  # the first figure's answer; the sheet asks to be refreshed
    expect(first).to_have_value("41")
    expect(second).to_have_value("42")
    expect(second).to_be_focused()

    with page.expect_request(f"**{second_url}"):
        page.keyboard.press("Enter")
    # The second figure's answer asks for a refresh while the first one's is still on its way.
    deliver("second")
    page.wait_for_function("() => !document.querySelector('#measures-panel .htmx-request')")
    deliver("sheet")
    expect(page.locator("#sheet")).to_contain_text("集体交流研讨42次")
    expect(page.locator("#sheet")).to_contain_text("学习会议41次")
    assert "/edit/" in page.url  # Enter never sent a box as a page of its own
    names = [first.get_attribute("aria-label"), second.get_attribute("aria-label")]
    saved = {value.measure.name: value.value for value in MeasureValue.objects.filter(report=demo).select_related("measure")}
    assert [saved[name] for name in names] == [41, 42]
