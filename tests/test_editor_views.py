"""The editor's views: who may write, bad input, stale forms, with and without htmx."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.document.tokens import token
from reports.drafting.editing import fingerprint, part_values
from reports.models import Item, Membership, Report

HTMX = {"HTTP_HX_REQUEST": "true"}


def visible_text(response):
    """What the user reads: the HTML without its tags."""
    return re.sub(r"<[^>]+>", "", response.content.decode())


@pytest.fixture
def report(report_factory, measure_factory, tree):
    report = report_factory(
        tree["cppcc"],
        sections=[
            ("主要做法", "practices", [("深化理论学习", ["学习甲。", "学习乙。"])]),
            ("存在的主要问题", "problems", ["问题甲。"]),
        ],
    )
    measure_factory(report, "学习会议", value=Decimal("3"))
    return report


def first_item(report):
    return Item.objects.filter(section__report=report, heading__isnull=False).order_by("position").first()


def item_post(report, item, text, **extra):
    return {"text": text, "base_version": report.version, "base_fingerprint": fingerprint(part_values(item, "item")), **extra}


def edit_url(report, kind, part_id=None):
    kwargs = {"pk": report.pk, "kind": kind, **({"part_id": part_id} if part_id else {})}
    return reverse("reports:part_edit", kwargs=kwargs)


def write_requests(report):
    """Every write the editor makes, as (url, data)."""
    item = first_item(report)
    value = report.measure_values.get()
    return [
        (edit_url(report, "item", item.pk), item_post(report, item, "改。")),
        (edit_url(report, "title"), {"title": "新标题", "base_version": report.version,
                                     "base_fingerprint": fingerprint({"title": report.title})}),
        (reverse("reports:part_move", kwargs={"pk": report.pk, "kind": "item", "part_id": item.pk}), {"step": "1"}),
        (reverse("reports:part_delete", kwargs={"pk": report.pk, "kind": "item", "part_id": item.pk}), {}),
        (reverse("reports:part_add", kwargs={"pk": report.pk, "kind": "item"}), {"section": item.section_id}),
        (reverse("reports:part_add", kwargs={"pk": report.pk, "kind": "section"}), {}),
        (reverse("reports:items_layout", args=[report.pk]), {"items_layout": "paragraphs"}),
        (reverse("reports:measure_add", args=[report.pk]), {"name": "新指标", "unit": "次"}),
        (reverse("reports:measure_value", args=[report.pk, value.pk]), {"value": "9"}),
        (reverse("reports:measure_remove", args=[report.pk, value.pk]), {}),
    ]


def snapshot(report):
    report.refresh_from_db()
    return (report.version, report.title, report.items_layout,
            sorted(Item.objects.filter(section__report=report).values_list("id", "text", "position")),
            sorted(report.measure_values.values_list("measure_id", "value")))


@pytest.mark.parametrize(
    "role, body, status, expected",
    [
        ("drafter", "cppcc", "submitted", 403),
        ("drafter", "cppcc", "approved", 403),
        ("reviewer", "cppcc", "draft", 403),
        ("overseer", "city", "draft", 403),
        ("drafter", "congress", "draft", 404),
        ("reviewer", "congress", "draft", 404),
    ],
)
def test_writes_are_refused_and_change_nothing(client, make_user, tree, report, role, body, status, expected):
    Report.objects.filter(pk=report.pk).update(status=status)
    client.force_login(make_user(organization=tree[body], role=role))
    before = snapshot(report)
    for url, data in write_requests(report):
        for headers in ({}, HTMX):
            response = client.post(url, data, **headers)
            assert response.status_code == expected, (url, headers)
            if expected == 403:
                assert "修改" in response.content.decode()  # a message, not an empty page
    assert snapshot(report) == before


def test_the_drafter_can_make_every_write(client, drafter, report):
    client.force_login(drafter)
    for url, data in write_requests(report):
        report.refresh_from_db()
        response = client.post(url, data, **HTMX)
        assert response.status_code in (200, 422), url  # 422: removing a measure the text uses
    report.refresh_from_db()
    assert report.version > 5


def test_non_editors_get_the_read_only_page(client, reviewer, report):
    client.force_login(reviewer)
    response = client.get(reverse("reports:edit", args=[report.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[report.pk])
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "学习甲。" in page and reverse("reports:edit", args=[report.pk]) not in page


def test_htmx_gets_fragments_and_plain_browsers_get_pages(client, drafter, report):
    client.force_login(drafter)
    item = first_item(report)
    fragment = client.get(edit_url(report, "item", item.pk), **HTMX).content.decode()
    assert "<html" not in fragment and 'name="text"' in fragment and "学习甲。" in fragment
    page = client.get(edit_url(report, "item", item.pk)).content.decode()
    assert "<html" in page and 'name="text"' in page

    response = client.post(edit_url(report, "item", item.pk), item_post(report, item, "不用脚本也能保存。"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:edit", args=[report.pk]) + f"#item-{item.pk}"
    response = client.post(edit_url(report, "item", item.pk), item_post(report, Item.objects.get(pk=item.pk), "用 htmx 保存。"),
                           **HTMX)
    assert response.status_code == 200
    assert 'id="sheet"' in response.content.decode() and "一是用 htmx 保存。" in visible_text(response)
    assert "reportChanged" in response["HX-Trigger"]


def test_control_characters_are_removed_and_the_user_is_told(client, drafter, report):
    client.force_login(drafter)
    item = first_item(report)
    response = client.post(edit_url(report, "item", item.pk), item_post(report, item, "学习\x00甲\x07\u202e。"), follow=True)
    item.refresh_from_db()
    assert item.text == "学习甲。"
    assert "已删除 3 个无法打印的控制字符" in response.content.decode()


def test_text_over_the_limit_is_refused_with_a_clear_message_and_nothing_lost(client, drafter, report):
    client.force_login(drafter)
    item = first_item(report)
    response = client.post(edit_url(report, "item", item.pk), item_post(report, item, "长" * 20_001), **HTMX)
    assert response.status_code == 422
    content = response.content.decode()
    assert "最多 20000 个字符，现有 20001 个" in content
    assert "长" * 20_001 in content  # what was typed is still in the form
    item.refresh_from_db()
    assert item.text == "学习甲。"


def test_no_text_box_of_the_editor_cuts_what_is_pasted(client, drafter, report):
    """A maxlength attribute makes the browser drop the end of a paste without a word: the limit
    is the server's, said in a message."""
    client.force_login(drafter)
    section = report.sections.first()
    for url in (edit_url(report, "item", first_item(report).pk), edit_url(report, "section", section.pk),
                edit_url(report, "title"), edit_url(report, "opening")):
        assert "maxlength" not in client.get(url, **HTMX).content.decode(), url


def test_adding_after_a_part_of_another_list_answers_400_and_writes_nothing(client, drafter, report):
    """A crafted `after` (another heading's item, another section's heading) is refused, not a 500."""
    client.force_login(drafter)
    practices, problems = report.sections.order_by("position")
    heading = practices.headings.get()
    item = first_item(report)
    add = lambda kind: reverse("reports:part_add", kwargs={"pk": report.pk, "kind": kind})  # noqa: E731
    crafted = [
        (add("item"), {"section": problems.pk, "after": item.pk}),
        (add("item"), {"section": problems.pk, "heading": heading.pk}),
        (add("heading"), {"section": problems.pk, "after": heading.pk}),
    ]
    before = snapshot(report)
    for url, data in crafted:
        for headers in ({}, HTMX):
            response = client.post(url, data, **headers)
            assert response.status_code == 400, (data, headers)
            assert "请刷新页面后重试" in response.content.decode()
    assert snapshot(report) == before


def test_html_is_stored_and_shown_as_plain_text(client, drafter, report):
    client.force_login(drafter)
    item = first_item(report)
    client.post(edit_url(report, "item", item.pk), item_post(report, item, "<script>alert(1)</script><b>加粗</b>"))
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;加粗&lt;/b&gt;" in page
    assert "<script>alert(1)" not in page


def test_required_title_and_unknown_measure_names_are_explained(client, drafter, report):
    client.force_login(drafter)
    response = client.post(edit_url(report, "title"), {"title": "  ", "base_version": report.version,
                                                        "base_fingerprint": fingerprint({"title": report.title})}, **HTMX)
    assert response.status_code == 422 and "这个字段是必填项" in response.content.decode()
    item = first_item(report)
    response = client.post(edit_url(report, "item", item.pk), item_post(report, item, "召开｛不存在的指标｝。"), **HTMX)
    assert response.status_code == 422
    assert "没有名为“不存在的指标”的统计数" in response.content.decode()
    report.refresh_from_db()
    assert report.version == 1


@pytest.mark.parametrize("invisible", ["\u2060", "\u3164", "\u200e\u200f", "\u00ad", "\u200b\u202e"])
def test_a_title_of_invisible_characters_only_is_refused_as_empty(client, drafter, report, invisible):
    client.force_login(drafter)
    response = client.post(edit_url(report, "title"), {"title": invisible, "base_version": report.version,
                                                        "base_fingerprint": fingerprint({"title": report.title})}, **HTMX)
    assert response.status_code == 422 and "这个字段是必填项" in response.content.decode()
    report.refresh_from_db()
    assert report.version == 1 and report.title != invisible


def test_measure_names_in_the_form_become_tokens(client, drafter, report):
    client.force_login(drafter)
    item = first_item(report)
    measure_id = report.measure_values.get().measure_id
    client.post(edit_url(report, "item", item.pk), item_post(report, item, "召开学习会议｛学习会议｝。"))
    item.refresh_from_db()
    assert item.text == f"召开学习会议{token(measure_id)}。"
    # Shown by name when the form opens again; printed as its value with the unit.
    assert "召开学习会议｛学习会议｝。</textarea>" in client.get(edit_url(report, "item", item.pk), **HTMX).content.decode()
    assert "一是召开学习会议3次。" in visible_text(client.get(reverse("reports:detail", args=[report.pk])))


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_saving_a_part_a_colleague_just_deleted_shows_the_conflict_with_the_text_kept(client, drafter, report, headers):
    client.force_login(drafter)
    item = first_item(report)
    typed, url = item_post(report, item, "我刚写好的一段文字。"), edit_url(report, "item", item.pk)
    Item.objects.filter(pk=item.pk).delete()
    response = client.post(url, typed, **headers)
    assert response.status_code == 409
    text = visible_text(response)
    assert "这部分已被他人删除，您的修改没有保存" in text and "我刚写好的一段文字。" in text
    assert ("<html" in response.content.decode()) == (not headers)


@pytest.fixture
def private_measure(tree):
    """Another body's own measure: its name is that body's business."""
    from reports.models import Measure

    return Measure.objects.create(name="人大专属指标", unit="次", organization=tree["congress"])


def test_a_token_of_a_measure_the_report_may_not_use_is_refused_when_saved(client, drafter, report, private_measure):
    client.force_login(drafter)
    item = first_item(report)
    for headers in ({}, HTMX):
        response = client.post(edit_url(report, "item", item.pk),
                               item_post(report, item, f"召开会议{token(private_measure.pk)}。"), **headers)
        assert response.status_code == 422
        content = response.content.decode()
        assert "不在本报告的统计数中" in content and "人大专属指标" not in content
        assert f"召开会议{token(private_measure.pk)}。" in content  # what was typed is still in the form
    item.refresh_from_db()
    report.refresh_from_db()
    assert item.text == "学习甲。" and report.version == 1


def test_the_check_panel_never_names_a_measure_the_report_may_not_use(client, drafter, report, private_measure):
    """A token written another way (a data load, an old draft) is shown as a blank to fill, not by name."""
    Item.objects.filter(pk=first_item(report).pk).update(text=f"召开会议{token(private_measure.pk)}。")
    client.force_login(drafter)
    for url in (reverse("reports:check", args=[report.pk]), reverse("reports:edit", args=[report.pk]),
                reverse("reports:detail", args=[report.pk])):
        assert "人大专属指标" not in client.get(url).content.decode(), url


def test_a_stale_form_is_refused_with_both_texts(client, drafter, make_user, tree, report):
    colleague = make_user(organization=tree["cppcc"], role=Membership.Role.DRAFTER)
    item = first_item(report)
    stale = item_post(report, item, "我的版本。")
    other = client.__class__()
    other.force_login(colleague)
    other.post(edit_url(report, "item", item.pk), item_post(report, item, "同事的版本。"))
    client.force_login(drafter)
    response = client.post(edit_url(report, "item", item.pk), stale, **HTMX)
    assert response.status_code == 409
    content = response.content.decode()
    assert "同事的版本。" in content and "我的版本。" in content and "其他人已修改" in content
    item.refresh_from_db()
    assert item.text == "同事的版本。"
    # Saving again from the conflict form is a deliberate overwrite, based on the new version.
    report.refresh_from_db()
    again = client.post(edit_url(report, "item", item.pk), item_post(report, item, "我的版本。"), **HTMX)
    assert again.status_code == 200
    item.refresh_from_db()
    assert item.text == "我的版本。"


def test_a_tampered_form_without_its_version_is_refused(client, drafter, report):
    client.force_login(drafter)
    item = first_item(report)
    response = client.post(edit_url(report, "item", item.pk), {"text": "没有版本号。"}, **HTMX)
    assert response.status_code == 422
    item.refresh_from_db()
    assert item.text == "学习甲。"


@pytest.mark.parametrize("bad, message", [("abc", "请输入数字"), ("-1", "大于或等于"), ("1" * 20, "数值太大")])
def test_bad_measure_values_are_explained(client, drafter, report, bad, message):
    client.force_login(drafter)
    value = report.measure_values.get()
    response = client.post(reverse("reports:measure_value", args=[report.pk, value.pk]), {"value": bad}, **HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    value.refresh_from_db()
    assert value.value == Decimal("3")


def test_editor_queries_do_not_grow_with_the_report(client, drafter, report_factory, tree):
    client.force_login(drafter)
    counts = []
    for quarter, size in ((1, 10), (3, 200)):  # neither has a previous quarter
        items = [f"第{n}项工作。" for n in range(size)]
        report = report_factory(tree["cppcc"], quarter=quarter, sections=[
            ("主要做法", "practices", [("学习", items[: size // 2]), ("责任", items[size // 2:])]),
            ("存在的主要问题", "problems", ["问题。"]),
        ])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("reports:edit", args=[report.pk]))
        assert response.status_code == 200
        assert f"第{size - 1}项工作。" in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_write_refused_after_the_views_check_is_answered_like_the_check(client, drafter, report, monkeypatch):
    """The report is submitted between the view's check and the write's locked re-check: the
    write's refusal reaches the user as the view's own would, where they are looking."""
    import reports.views.access

    # The view reads the report just before the submission commits; the write locks it after.
    read_before = Report.objects.select_related("organization").get(pk=report.pk)
    monkeypatch.setattr(reports.views.access, "visible_report", lambda request, pk: read_before)
    Report.objects.filter(pk=report.pk).update(status="submitted")
    client.force_login(drafter)
    before = snapshot(report)
    for url, data in write_requests(report)[:-1]:  # removing a measure answers in the panel
        response = client.post(url, data, **HTMX)
        assert response.status_code == 403, url
        assert response["HX-Retarget"] == "#editor-messages" and response["HX-Reswap"] == "innerHTML"
        assert "不能再修改" in visible_text(response)
        assert "起草人" not in visible_text(response), "the user is the drafter: the reason is the status"
        assert client.post(url, data).status_code == 403
    assert snapshot(report) == before


@pytest.mark.parametrize("status", ["submitted", "approved"])
@pytest.mark.parametrize("role", ["drafter", "reviewer"])
def test_a_report_past_drafting_is_refused_for_its_status_whoever_asks(make_user, tree, report, status, role):
    """The status comes first: a drafter whose save lost the race to the submission is told the
    report was submitted, not that only drafters may edit it; nor is anyone else."""
    from reports.drafting.editing import edit_refusal

    Report.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    message, code = edit_refusal(user=make_user(organization=tree["cppcc"], role=role), report=report)
    assert code == "not_editable" and report.get_status_display() in message and "起草人" not in message
    assert "已已" not in message


@pytest.mark.parametrize(
    "role, body, status",
    [
        ("drafter", "cppcc", "submitted"),
        ("drafter", "cppcc", "approved"),
        ("reviewer", "cppcc", "draft"),
        ("overseer", "city", "returned"),
    ],
)
def test_the_view_and_the_write_give_the_same_reason_for_a_refusal(client, make_user, tree, report, role, body, status):
    from reports.drafting import editing
    from reports.drafting.editing import EditRefused

    Report.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    user = make_user(organization=tree[body], role=role)
    item = first_item(report)
    with pytest.raises(EditRefused) as refused:
        editing.save_part(user=user, report=report, kind="item", obj=item, values={"text": "改。"},
                          base_version=report.version, base_fingerprint=fingerprint(part_values(item, "item")))
    client.force_login(user)
    response = client.post(edit_url(report, "item", item.pk), item_post(report, item, "改。"), **HTMX)
    assert response.status_code == 403
    assert visible_text(response).strip() == refused.value.message


@pytest.mark.parametrize("kind", ["item", "heading", "section"])
def test_the_actions_of_a_part_form_never_reach_into_another_report(report, report_factory, tree, kind):
    """A ref names a part by id: the actions are those of that part in this report only. The id
    of another report's part gives no actions, never buttons that add into the other report."""
    from reports.templatetags.jibao import part_actions

    other = report_factory(tree["cppcc"], quarter=2, sections=[("主要做法", "practices", [("学习", ["别人的一项。"])])])
    theirs = {"item": first_item(other), "heading": first_item(other).heading, "section": first_item(other).section}[kind]
    actions = part_actions(report, f"{kind}-{theirs.pk}")
    assert set(actions) == {"edit"}
    assert actions["edit"] == edit_url(report, kind, theirs.pk)  # this report's URL: it answers 404
    mine = {"item": first_item(report), "heading": first_item(report).heading, "section": first_item(report).section}[kind]
    actions = part_actions(report, f"{kind}-{mine.pk}")
    assert f"section={mine.section_id if kind != 'section' else mine.pk}" in actions["add_item"]


# Where a drafter may put a count, and where a token is only text: (place, holds a token).
TOKEN_PLACES = [
    ("addressee", True), ("opening", True), ("section lead", True), ("heading lead", True), ("item", True),
    ("title", False), ("closing", False), ("section title", False), ("heading title", False),
]


@pytest.mark.parametrize("place, holds", TOKEN_PLACES)
def test_the_texts_that_may_hold_a_measure_are_the_same_for_print_forms_and_removal(report, drafter, place, holds):
    """A token stands in a text either as a count (printed as its value, shown by name in the
    form, keeping the measure in the panel) or as plain text everywhere: never one in print and
    the other in the form or the panel."""
    from reports.document.model import build_document, load_measures
    from reports.drafting import editing
    from reports.drafting.editing import EditRefused
    from reports.drafting.forms import PART_FORMS

    value = report.measure_values.get()
    item = first_item(report)
    kind, obj, field = {
        "addressee": ("addressee", report, "addressee"), "opening": ("opening", report, "opening"),
        "title": ("title", report, "title"), "closing": ("closing", report, "closing"),
        "section lead": ("section", item.section, "lead"), "section title": ("section", item.section, "title"),
        "heading lead": ("heading", item.heading, "lead"), "heading title": ("heading", item.heading, "title"),
        "item": ("item", item, "text"),
    }[place]
    setattr(obj, field, "共召开{{measure:%d}}" % value.measure_id)
    obj.save()
    report.refresh_from_db()
    printed = build_document(report).text
    assert ("共召开3次" in printed) == holds
    assert ("{{measure:%d}}" % value.measure_id in printed) == (not holds)
    form = PART_FORMS[kind].for_part(obj, report, measures=list(load_measures(report, []).values()))
    assert form.initial[field] == ("共召开｛学习会议｝" if holds else "共召开{{measure:%d}}" % value.measure_id)
    if holds:
        with pytest.raises(EditRefused):
            editing.remove_measure(user=drafter, report=report, measure_value=value)
    else:
        editing.remove_measure(user=drafter, report=report, measure_value=value)
    assert report.measure_values.exists() == holds


@pytest.mark.parametrize("kind", ["title", "addressee", "opening", "closing", "signature"])
@pytest.mark.parametrize("action", ["move", "delete"])
def test_a_part_of_the_report_itself_cannot_be_moved_or_deleted(client, drafter, report, kind, action):
    """Moving and deleting are for sections, headings and items. A crafted request naming the
    title (with a valid fingerprint of it) is not found, and the report stays whole."""
    client.force_login(drafter)
    before = snapshot(report)
    data = {"step": "1", "base_version": report.version, "base_fingerprint": fingerprint(part_values(report, kind))}
    response = client.post(f"/reports/{report.pk}/edit/{kind}/{report.pk}/{action}/", data)
    assert response.status_code == 404
    assert Report.objects.filter(pk=report.pk).exists()
    assert snapshot(report) == before
