"""The import pages: upload or paste → preview with numbering and measures → the draft.

Nothing is created before the drafter confirms; everything works as plain forms (no JavaScript).
"""

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from reports.document.model import Kind
from reports.document.numbering import MAX_REPORT_PARTS, chinese_number
from reports.models import Heading, Item, Measure, MeasureValue, Report, Section
from reports.word.importing.forms import MAX_PASTED_CHARACTERS, ImportSourceForm
from tests.browser import log_in
from tests.test_importer import SAMPLE, TYPED, hostile_docx, word_file

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def visible_text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def counts():
    return [model.objects.count() for model in (Report, Section, Heading, Item, Measure, MeasureValue)]


@pytest.fixture
def drafting(client, drafter):
    client.force_login(drafter)
    return client


def upload(client, **data):
    return client.post(reverse("reports:import"), data)


def preview_url(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    assert re.fullmatch(r"/reports/import/[\w-]+/", response.url)
    return response.url


def test_the_upload_page_offers_a_file_or_pasted_text(drafting):
    response = drafting.get(reverse("reports:import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html and "<textarea" in html
    assert "导入 Word 文件或文字" in html


def test_the_report_list_offers_the_import_to_drafters(drafting):
    assert "导入 Word" in drafting.get(reverse("reports:list")).content.decode()


def test_only_drafters_import(client, overseer):
    client.force_login(overseer)
    response = client.get(reverse("reports:import"))
    assert response.status_code == 302 and response.url == reverse("reports:list")
    response = client.post(reverse("reports:import"), {"text": SAMPLE.read_text(encoding="utf-8")})
    assert response.status_code == 302 and not Report.objects.exists()


def test_pasted_text_previews_with_numbering_measures_and_blanks_and_creates_nothing(drafting):
    before = counts()
    url = preview_url(upload(drafting, text=SAMPLE.read_text(encoding="utf-8")))
    response = drafting.get(url)
    assert response.status_code == 200
    assert counts() == before
    document = response.context["document"]
    sections = [p.text for p in document.paragraphs if p.kind == Kind.SECTION]
    assert sections == ["一、主要做法", "二、存在的主要问题", "三、下一步的打算"]
    headings = [p for p in document.paragraphs if p.kind == Kind.HEADING]
    assert [run.text for run in headings[1].runs if run.kind == "ordinal"] == [
        "（二）", "一是", "二是", "三是", "四是", "五是", "六是",
    ]
    text = visible_text(response)
    assert "（一）深化理论学习，把准正确方向。一是坚持把全面学习" in text
    assert "学习会议未填写次，集体交流研讨未填写次" in text
    for name in ("理论学习中心组学习会议", "集体交流研讨", "廉政谈话", "常委会协商", "双月协商", "专题调研", "民主监督", "提案"):
        assert name in text
    assert "统计数（8）" in text and "待填写（6）" in text and "制定印发《**廉洁自律规范》" in text
    assert "3 个部分 · 4 个小标题 · 23 项" in text
    # The period named in the title is suggested.
    form = response.context["form"]
    assert (form.initial["year"], form.initial["quarter"]) == (2023, 1)


def test_confirming_creates_the_draft_in_the_body_and_opens_the_editor(drafting, tree):
    common = Measure.objects.create(name="廉政谈话", unit="人次")
    url = preview_url(upload(drafting, text=SAMPLE.read_text(encoding="utf-8")))
    response = drafting.post(url, {"organization": tree["cppcc"].pk, "year": 2023, "quarter": 2})
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:edit", args=[report.pk])
    assert (report.organization, report.year, report.quarter, report.status) == (tree["cppcc"], 2023, 2, "draft")
    assert report.created_by.username == "drafter"
    assert [h.items.count() for h in report.sections.get(position=1).headings.all()] == [3, 6, 4, 3]
    scopes = dict(report.measure_values.values_list("measure__name", "measure__organization"))
    assert len(scopes) == 8 and scopes.pop("廉政谈话") is None  # the common measure is reused
    assert set(scopes.values()) == {tree["cppcc"].pk}
    assert report.measure_values.filter(measure=common).exists()
    editor = drafting.get(response.url)
    assert "坚持把全面学习" in visible_text(editor)
    # The import is used up: the same page again sends the user back to start over.
    again = drafting.get(url)
    assert again.status_code == 302 and again.url == reverse("reports:import")


def test_a_word_file_upload(drafting, tree):
    file = SimpleUploadedFile("报告.docx", word_file(TYPED), content_type=DOCX_TYPE)
    url = preview_url(upload(drafting, file=file))
    response = drafting.get(url)
    text = visible_text(response)
    assert "报告.docx" in text
    assert "（一）深化理论学习。一是召开学习会议3次。二是开展研讨2次。" in text
    assert "2023年4月10日" in text
    drafting.post(url, {"organization": tree["cppcc"].pk, "year": 2023, "quarter": 4})
    report = Report.objects.get()
    # Imported as the fourth quarter's draft, the title names the fourth quarter.
    assert report.title == "市政协党组2023年第四季度履行全面从严治党主体责任情况报告"
    assert dict(report.measure_values.values_list("measure__name", "value")) == {"学习会议": 3, "研讨": 2, "廉政谈话": 12}


def test_an_existing_quarter_is_named_with_a_link_and_not_created_again(drafting, tree, report_factory):
    existing = report_factory(tree["cppcc"], year=2023, quarter=1)
    url = preview_url(upload(drafting, text=SAMPLE.read_text(encoding="utf-8")))
    # Said before the click: the quarter the title names is taken.
    assert reverse("reports:detail", args=[existing.pk]) in drafting.get(url).content.decode()
    before = counts()
    response = drafting.post(url, {"organization": tree["cppcc"].pk, "year": 2023, "quarter": 1})
    assert response.status_code == 409
    assert "已经存在" in visible_text(response)
    assert reverse("reports:detail", args=[existing.pk]) in response.content.decode()
    assert counts() == before


def test_only_bodies_where_the_user_drafts_can_receive_the_import(drafting, tree):
    url = preview_url(upload(drafting, text=SAMPLE.read_text(encoding="utf-8")))
    response = drafting.post(url, {"organization": tree["congress"].pk, "year": 2023, "quarter": 2})
    assert response.status_code == 422
    assert not Report.objects.exists()
    assert [org.pk for org in response.context["form"].fields["organization"].queryset] == [tree["cppcc"].pk]


@pytest.mark.parametrize("name, data, message", [
    ("report.docx", b"%PDF-1.7 not really", "这是 PDF 文件"),
    ("old.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600, "旧版 Word 文档"),
    ("broken.docx", word_file(TYPED)[:2000], "不完整或已损坏"),
], ids=["a-pdf-named-docx", "an-old-doc", "a-broken-docx"])  # stable ids: the zip bytes carry a timestamp
def test_a_bad_file_shows_its_message_and_creates_nothing(drafting, name, data, message):
    before = counts()
    response = upload(drafting, file=SimpleUploadedFile(name, data))
    assert response.status_code == 422
    assert message in visible_text(response)
    assert counts() == before
    assert not drafting.session.get("jibao_imports")


def test_an_upload_over_10_mb_is_refused_with_a_message(drafting):
    big = SimpleUploadedFile("big.docx", b"PK\x03\x04" + b"\0" * (10 * 1024 * 1024), content_type=DOCX_TYPE)
    response = upload(drafting, file=big)
    assert response.status_code == 413
    assert "文件超过 10 MB" in visible_text(response)
    assert not Report.objects.exists()


def test_pasted_text_over_the_request_limit_is_refused_with_a_message(drafting, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    response = upload(drafting, text="一是学习。" * 1000)
    assert response.status_code == 413
    assert "粘贴的文字太长" in visible_text(response)


def test_pasted_text_has_one_limit_counted_as_the_browser_counts_it():
    """A form post sends each line break as \\r\\n: the limit counts it once, as the browser does,
    and the box has no maxlength that would cut a paste silently."""
    lines = "一是学习。\r\n" * (MAX_PASTED_CHARACTERS // 6)
    assert ImportSourceForm(data={"text": lines}).is_valid()
    over = ImportSourceForm(data={"text": lines + "多" * (MAX_PASTED_CHARACTERS % 6 + 1)})
    assert not over.is_valid()
    message = " ".join(over.errors["text"])
    assert f"最多 {MAX_PASTED_CHARACTERS} 个字符" in message and "该" not in message
    assert "maxlength" not in str(ImportSourceForm()["text"])


def test_pasted_text_over_the_limit_is_refused_and_kept_in_the_box(drafting):
    text = "一是学习。" * (MAX_PASTED_CHARACTERS // 5) + "多"
    response = upload(drafting, text=text)
    assert response.status_code == 422
    assert f"最多 {MAX_PASTED_CHARACTERS} 个字符" in visible_text(response)
    assert text in response.content.decode()
    assert not Report.objects.exists()


def test_pasted_text_of_more_parts_than_a_report_holds_is_refused_naming_the_limit_and_kept(drafting):
    text = "一、主要做法\n" + "\n".join("一是做了一项工作。" for _ in range(10_000))
    before = counts()
    response = upload(drafting, text=text)
    assert response.status_code == 422
    page = visible_text(response)
    assert f"超过 {MAX_REPORT_PARTS} 个部分" in page
    assert response.context["form"]["text"].value() == text  # what was pasted is still in the box
    assert counts() == before
    assert not drafting.session.get("jibao_imports")


def test_a_word_file_of_millions_of_paragraphs_is_refused_with_its_own_message(drafting):
    before = counts()
    response = upload(drafting, file=SimpleUploadedFile("big.docx", hostile_docx("<w:p/>" * 7_500_000), content_type=DOCX_TYPE))
    assert response.status_code == 422
    page = visible_text(response)
    assert "段落过多" in page and "解压后过大" not in page
    assert counts() == before
    assert not drafting.session.get("jibao_imports")


@pytest.mark.parametrize("members, body, message", [
    # 2,001 members in the zip: too many of them, though they unzip to almost nothing.
    ({f"word/media/image{n}.png": "x" for n in range(2001)}, "<w:p><w:r><w:t>一、主要做法</w:t></w:r></w:p>",
     "过多的部件组成（超过 2000 个）"),
    # A small file whose text makes more sections, headings and items than a report holds.
    ({}, "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in ["一、主要做法"] + ["一是做了工作。"] * 2500),
     f"超过 {MAX_REPORT_PARTS} 个部分"),
])
def test_a_file_of_too_many_parts_is_refused_as_that_not_as_too_large(drafting, members, body, message):
    response = upload(drafting, file=SimpleUploadedFile("parts.docx", hostile_docx(body, parts=members), content_type=DOCX_TYPE))
    assert response.status_code == 422
    page = visible_text(response)
    assert message in page and "解压后过大" not in page
    assert not Report.objects.exists() and not drafting.session.get("jibao_imports")


def test_an_import_kept_from_before_the_limit_is_refused_at_the_preview_with_the_message(drafting):
    session = drafting.session
    blocks = [{"text": "一、主要做法"}] + [{"text": "一是做了一项工作。"} for _ in range(2500)]
    session["jibao_imports"] = {"old": {"name": "", "at": time.time(), "blocks": blocks}}
    session.save()
    response = drafting.get(reverse("reports:import_preview", args=["old"]), follow=True)
    assert response.redirect_chain == [(reverse("reports:import"), 302)]
    assert f"超过 {MAX_REPORT_PARTS} 个部分" in visible_text(response)
    assert not drafting.session.get("jibao_imports") and not Report.objects.exists()


def test_the_largest_report_an_import_may_make_opens_in_the_editor(drafting, tree):
    # Two sections; the second holds a heading and the rest of the parts as its items.
    text = "一、主要做法\n一是学习。\n二、存在的问题\n（一）学习不够深入\n" + "\n".join(
        "一是做了一项工作。" for _ in range(MAX_REPORT_PARTS - 4))
    url = preview_url(upload(drafting, text=text))
    assert drafting.get(url).status_code == 200
    response = drafting.post(url, {"organization": tree["cppcc"].pk, "year": 2023, "quarter": 2})
    assert response.status_code == 302
    report = Report.objects.get()
    assert Section.objects.count() + Heading.objects.count() + Item.objects.count() == MAX_REPORT_PARTS
    editor = drafting.get(reverse("reports:edit", args=[report.pk]))
    assert editor.status_code == 200
    assert f"{chinese_number(MAX_REPORT_PARTS - 4)}是" in visible_text(editor)
    assert drafting.get(reverse("reports:detail", args=[report.pk])).status_code == 200
    word = drafting.get(reverse("reports:export_docx", args=[report.pk]))
    assert word.status_code == 200 and word.content.startswith(b"PK")


def test_an_empty_form_asks_for_a_file_or_text(drafting):
    response = upload(drafting, text="   ")
    assert response.status_code == 422
    assert "请选择一个 Word 文件，或粘贴报告的文字" in visible_text(response)


def test_the_upload_is_csrf_protected(drafter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(drafter)
    response = client.post(reverse("reports:import"), {"text": "一、主要做法\n一是学习。"})
    assert response.status_code == 403


def test_an_unknown_import_sends_the_user_back(drafting):
    response = drafting.get(reverse("reports:import_preview", args=["nope"]))
    assert response.status_code == 302 and response.url == reverse("reports:import")


def test_the_session_keeps_only_the_latest_imports(drafting):
    urls = [preview_url(upload(drafting, text=f"一、主要做法\n一是第{n}项。")) for n in range(5)]
    assert len(drafting.session["jibao_imports"]) == 3
    assert drafting.get(urls[-1]).status_code == 200
    assert drafting.get(urls[0]).status_code == 302


# In a real browser ---------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_drafter_imports_a_word_file_and_lands_in_the_editor(page, live_server, demo, artifacts_dir):
    log_in(page, live_server, "drafter")
    expect(page.get_by_role("heading", name="报告")).to_be_visible()

    page.get_by_role("link", name="导入 Word").click()
    page.get_by_label("Word 文件").set_input_files(
        files=[{"name": "2023年一季度报告.docx", "mimeType": DOCX_TYPE, "buffer": word_file(TYPED)}]
    )
    page.get_by_role("button", name="解析并预览").click()

    preview = page.get_by_test_id("import-preview")
    expect(preview.locator(".doc-section")).to_have_text(["一、主要做法", "二、存在的主要问题", "三、下一步的打算"])
    expect(preview.locator(".doc-heading").first).to_contain_text("（一）深化理论学习。一是召开学习会议3次。二是开展研讨2次。")
    expect(preview.locator(".run-measure")).to_have_count(3)
    measures = page.get_by_test_id("import-measures")
    expect(measures).to_contain_text("统计数（3）")
    expect(measures.locator("tbody tr")).to_have_text([re.compile("学习会议.*次.*3"), re.compile("研讨.*次.*2"),
                                                       re.compile("廉政谈话.*人次.*12")])
    # The title names 2023 Q1, which the demo already has: said before anything is created.
    expect(page.get_by_test_id("import-existing")).to_contain_text("已经存在")
    page.screenshot(path=artifacts_dir / "import-preview.png", full_page=True)
    assert Report.objects.filter(organization=demo.organization).count() == 6  # the demo's own: 2022's five, 2023 Q1

    page.get_by_label("季度").select_option(label="第三季度")
    page.get_by_role("button", name="建立草稿").click()
    sheet = page.get_by_test_id("editor-sheet")
    expect(sheet).to_be_visible()
    expect(sheet).to_contain_text("一是召开学习会议3次。二是开展研讨2次。")
    expect(page.get_by_role("alert").first).to_contain_text("已导入为草稿")
    report = Report.objects.get(organization=demo.organization, year=2023, quarter=3)
    assert page.url.endswith(reverse("reports:edit", args=[report.pk]))
    assert report.sections.count() == 3


def test_the_preview_lists_what_the_file_holds_beside_the_report(drafting, tree):
    """A file typed into the unit's 红头 template, with a stamp, a table of names and a table of
    counts: the 发文字号 and what was left out stand in their own list; the counts become figures."""
    from tests.test_import_quirks import BODY, TAIL, docx, paragraph, plain, table, word_art

    body = [*plain(["中共某某市政协党组文件", "某政党〔2023〕5号"]), paragraph(inner=word_art("草稿")), *plain(BODY),
            table([["姓名", "职务"], ["张三", "党组书记"]]), table([["项目", "次数"], ["廉政谈话", "26人次"]]),
            *plain([*TAIL, "抄送：市委办公室。"])]
    file = SimpleUploadedFile("红头.docx", docx(body), content_type=DOCX_TYPE)
    url = preview_url(upload(drafting, file=file))
    text = visible_text(drafting.get(url))
    assert "未导入的内容" in text and "发文字号：某政党〔2023〕5号（不作为正文导入）" in text
    for kind, shown in (("版头", "中共某某市政协党组文件"), ("文本框或图形", "草稿"), ("表格", "姓名｜职务"),
                        ("版记", "抄送：市委办公室。")):
        assert f"{kind}{shown}" in text.replace(" ", ""), kind
    drafting.post(url, {"organization": tree["cppcc"].pk, "year": 2023, "quarter": 1})
    report = Report.objects.get()
    assert report.title.startswith("市政协党组2023年第一季度") and "文件" not in report.title
    assert report.measure_values.get(measure__name="廉政谈话").value == 26
