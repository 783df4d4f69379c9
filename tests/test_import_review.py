"""A leader's edited Word file read back as suggestions and comments (reports.word.importing.review).

Every file here starts as our own export of the report (render_docx) and is edited the way Word
saves a leader's work: runs split where the change starts, w:del around the removed runs with
w:delText, w:ins around new runs, an inserted paragraph's mark in w:pPr/w:rPr, a comment as
w:commentRangeStart … w:commentRangeEnd and a reference run, its text in word/comments.xml
with a relationship and a content type.
"""

import io
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from lxml import etree

from reports.document.model import build_document
from reports.document.parts import parts_by_label
from reports.models import Comment, Heading, Item, Report, Section, Submission, Suggestion
from reports.word.importing.review import MAX_REVISIONS, ReviewFileRefused, alignment, marks, read_review
from reports.word.writer import render_docx
from tests.leader_edit import LEADER, LeaderEdit, W, run_text

ROOT = Path(__file__).resolve().parent.parent
def submit_as_is(report, number=1):
    """Freeze the report as it stands into a submission, as the workflow's submit does."""
    document = build_document(report)
    return Submission.objects.create(
        report=report, number=number, submitted_at=timezone.now(),
        paragraphs=[{"kind": p.kind, "ref": p.ref,
                     "runs": [{"text": r.text, "role": r.role, "kind": r.kind, "ref": r.ref} for r in p.runs]}
                    for p in document.paragraphs])


def expected(report, base="当前文本", suggestions=(), comments=(), unmatched=()):
    return {"report": report.pk, "base": base, "suggestions": list(suggestions), "comments": list(comments),
            "unmatched": list(unmatched)}


def suggestion(part, before, after, author=LEADER, tracked=True):
    return {"part": part, "before": before, "after": after, "author": author, "tracked": tracked}


# Tracked changes ---------------------------------------------------------------------------------


def test_nothing_changed_reads_as_nothing(small):
    reading = read_review(small, render_docx(small))
    assert reading.as_json() == expected(small)
    assert reading.accepted_authors == ()


def test_tracked_insertion_deletion_and_replacement_in_one_run_and_across_runs(small):
    edit = LeaderEdit(render_docx(small))
    edit.insert_after("认真学习", "和贯彻落实")  # inside one run: 一、（一）一是
    edit.delete("专题")  # 一、（一）二是
    edit.replace("集中", "全覆盖")  # 一、（一）三是
    # Right after the heading's title, its own run (楷体), before the next ordinal: still the title's.
    edit.insert_after("深化理论学习。", "筑牢思想根基。")
    # Runs Word split (three here), changed across the splits.
    edit.runs("调查研究")
    edit.runs("不够")
    edit.replace("研究不够深", "研究还不够深")
    edit.delete("执行", within="制度执行不够")
    edit.insert_before("不够严格", "落实")
    reading = read_review(small, edit.save())
    assert reading.as_json() == expected(small, suggestions=[
        suggestion("一、（一）", "深化理论学习。", "深化理论学习。筑牢思想根基。"),
        suggestion("一、（一）一是", "认真学习党的二十大精神。", "认真学习和贯彻落实党的二十大精神。"),
        suggestion("一、（一）二是", "召开专题研讨会。", "召开研讨会。"),
        suggestion("一、（一）三是", "开展集中宣讲。", "开展全覆盖宣讲。"),
        suggestion("二、一是", "调查研究不够深入。", "调查研究还不够深入。"),
        suggestion("二、二是", "制度执行不够严格。", "制度落实不够严格。"),
    ])
    first = reading.suggestions[1]
    assert (first.ref, first.field) == (f"item-{Item.objects.get(text='认真学习党的二十大精神。').pk}", "text")


def test_several_authors_of_one_part_are_named_in_order(small):
    edit = LeaderEdit(render_docx(small))
    edit.replace("调查研究", "调研", author="王副书记")
    edit.insert_after("不够深入", "，成效不明显", author="王副书记")
    edit.insert_after("深入", "、不够扎实", author=LEADER)  # before 王副书记's insertion
    reading = read_review(small, edit.save())
    assert reading.as_json() == expected(small, suggestions=[
        suggestion("二、一是", "调查研究不够深入。", "调研不够深入、不够扎实，成效不明显。", author="王副书记、李建国"),
    ])


def test_titles_the_addressee_the_signature_and_the_date(small):
    edit = LeaderEdit(render_docx(small))
    edit.replace("第1季度", "第一季度")
    edit.replace("市纪委监委：", "市委：")
    edit.insert_after("主要", "工作")  # 一、主要做法 → 一、主要工作做法
    edit.replace("深化理论学习", "强化理论武装")
    edit.replace("2023年3月28日", "2023年4月10日")
    edit.insert_before("特此报告。", "以上，")  # at a paragraph's very start: its first part's
    reading = read_review(small, edit.save())
    assert reading.as_json() == expected(small, suggestions=[
        suggestion("标题", small.title, small.title.replace("第1季度", "第一季度")),
        suggestion("主送机关", "市纪委监委：", "市委："),
        suggestion("一、", "主要做法", "主要工作做法"),
        suggestion("一、（一）", "深化理论学习。", "强化理论武装。"),
        suggestion("结束语", "特此报告。", "以上，特此报告。"),
        suggestion("成文日期", "2023年3月28日", "2023年4月10日"),
    ])


def test_two_paragraphs_of_the_opening_run_together(small):
    small.opening = "第一段开头。\n第二段开头。"
    small.save()
    edit = LeaderEdit(render_docx(small))
    edit.join_with_next("第一段开头。")
    reading = read_review(small, edit.save())
    assert reading.as_json() == expected(small, suggestions=[
        suggestion("开头", "第一段开头。\n第二段开头。", "第一段开头。第二段开头。"),
    ])


# Comments ----------------------------------------------------------------------------------------


def test_comments_are_placed_where_their_range_starts_or_their_reference_stands(small):
    edit = LeaderEdit(render_docx(small))
    # From the heading's title (one run) into its first item (another run).
    edit.comment("理论学习", "认真学习", "请写明具体整改措施。\n并注明完成时限。")
    edit.comment("制度执行", "制度执行", "哪些制度？", author="王副书记", reference_only=True)
    edit.unanchored_comment("总体较好。")
    edit.comment("特此报告", "特此报告", "  ")  # empty: nothing to import
    reading = read_review(small, edit.save())
    assert reading.as_json() == expected(small, comments=[
        {"part": "一、（一）", "text": "请写明具体整改措施。\n并注明完成时限。", "author": LEADER},
        {"part": "二、二是", "text": "哪些制度？", "author": "王副书记"},
    ], unmatched=[{"text": "总体较好。", "reason": "批注没有标在报告正文的文字上，无法对应到某一处"}])


# Edits without Track Changes, figures, whole items, new paragraphs -----------------------------------


def test_an_edit_without_track_changes_is_found_by_comparing_the_text(small):
    edit = LeaderEdit(render_docx(small))
    edit.retype("召开专题研讨会", "召开两次专题研讨会")
    edit.retype("特此报告", "专此报告")
    edit.insert_after("开展集中宣讲", "并形成报告")  # a tracked change beside it, in another part
    reading = read_review(small, edit.save())
    assert reading.as_json() == expected(small, suggestions=[
        suggestion("一、（一）二是", "召开专题研讨会。", "召开两次专题研讨会。", author="", tracked=False),
        suggestion("一、（一）三是", "开展集中宣讲。", "开展集中宣讲并形成报告。"),
        suggestion("结束语", "特此报告。", "专此报告。", author="", tracked=False),
    ])


def test_a_changed_figure_in_the_sample_report(demo):
    base = parts_by_label(build_document(demo))
    before = base["一、（一）二是"].text
    assert "学习会议3次，集体交流研讨2次" in before
    edit = LeaderEdit(render_docx(demo))
    edit.replace("3", "5", within="学习会议3次")
    reading = read_review(demo, edit.save())
    assert reading.as_json() == expected(demo, suggestions=[
        suggestion("一、（一）二是", before, before.replace("学习会议3次", "学习会议5次")),
    ])


@pytest.mark.parametrize("block_chars", [alignment.BLOCK_CHARS, 0])
def test_the_sample_report_edited_with_and_without_track_changes(demo, monkeypatch, block_chars):
    """With a block size of 0 every differing stretch is aligned paragraph by paragraph first, as a
    long report edited all over without Track Changes is."""
    monkeypatch.setattr(alignment, "BLOCK_CHARS", block_chars)
    base = parts_by_label(build_document(demo))
    edit = LeaderEdit(render_docx(demo))
    assert len(edit.paragraph("履行全面从严治党主体责任情况报告").findall(f"{W}r")) == 1, "the title's second line"
    edit.retype("履行", "落实", within="履行全面从严治党主体责任情况报告")
    edit.retype("专题宣讲会", "专题宣讲会议")
    edit.replace("3", "5", within="学习会议3次")
    reading = read_review(demo, edit.save())
    assert reading.as_json() == expected(demo, suggestions=[
        suggestion("标题", demo.title, demo.title.replace("履行", "落实"), author="", tracked=False),
        suggestion("一、（一）一是", base["一、（一）一是"].text,
                   base["一、（一）一是"].text.replace("专题宣讲会", "专题宣讲会议"), author="", tracked=False),
        suggestion("一、（一）二是", base["一、（一）二是"].text,
                   base["一、（一）二是"].text.replace("学习会议3次", "学习会议5次")),
    ])


def test_a_deleted_item_and_the_items_renumbered_after_it(small):
    edit = LeaderEdit(render_docx(small))
    edit.delete("二是召开专题研讨会。")
    edit.replace("三", "二", within="三是开展")  # 三是 → 二是: an ordinal is no text
    edit.delete("二是制度执行不够严格。")  # the last item of a section's paragraph
    reading = read_review(small, edit.save())
    assert reading.as_json() == expected(small, suggestions=[
        suggestion("一、（一）二是", "召开专题研讨会。", ""),
        suggestion("二、二是", "制度执行不够严格。", ""),
    ])


def test_items_one_paragraph_each_a_deleted_paragraph_and_a_new_one(report_factory, tree):
    report = report_factory(tree["cppcc"], items_layout="paragraphs", sections=[
        ("主要做法", "practices", [("深化理论学习", ["认真学习。", "召开研讨会。", "开展宣讲。"])])])
    edit = LeaderEdit(render_docx(report))
    edit.delete_paragraph("二是召开研讨会。")
    edit.new_paragraph_after("三是开展宣讲。", "同时做好宣传报道。")  # no ordinal: the item before's text
    edit.new_paragraph_after("同时做好宣传报道。", "四是加强督促检查。")  # a new item: only the editor adds one
    reading = read_review(report, edit.save())
    assert reading.as_json() == expected(report, suggestions=[
        suggestion("一、（一）二是", "召开研讨会。", ""),
        suggestion("一、（一）三是", "开展宣讲。", "开展宣讲。同时做好宣传报道。"),
    ], unmatched=[{"text": "四是加强督促检查。", "reason": "新增条目：请在编辑器中添加"}])


def test_a_new_paragraph_after_an_inline_item_and_in_a_lead(small):
    heading = Heading.objects.get(title="压实主体责任")
    heading.lead = "第一段导语。\n第二段导语。"
    heading.save()
    edit = LeaderEdit(render_docx(small))
    edit.new_paragraph_after("开展集中宣讲。", "各支部同步开展学习。")
    edit.new_paragraph_after("第一段导语。", "插入的导语。")
    edit.insert_after("制度执行不够严格。", "三是考核不够有力。")  # a new item typed inline
    edit.add_paragraph_after("特此报告。", "（此页无正文）")  # no revision marks, nothing like the report
    reading = read_review(small, edit.save())
    assert reading.as_json() == expected(small, suggestions=[
        suggestion("一、（一）三是", "开展集中宣讲。", "开展集中宣讲。各支部同步开展学习。"),
        suggestion("一、（二）导语", "第一段导语。\n第二段导语。", "第一段导语。\n插入的导语。\n第二段导语。"),
    ], unmatched=[
        {"text": "三是考核不够有力。", "reason": "新增条目：请在编辑器中添加"},
        {"text": "（此页无正文）", "reason": "无法对应到报告中的任何部分"},
    ])


def test_what_other_writers_put_around_the_text(small):
    """Markup Word and WPS also write: a move (w:moveFrom, w:moveTo), deleted text in w:t, a
    paragraph in a content control, runs in a hyperlink, a comment whose range starts between
    paragraphs, a table the leader added."""
    edit = LeaderEdit(render_docx(small))
    deletion = edit.delete("专题")
    deletion[0].find(f"{W}delText").tag = f"{W}t"
    moved = edit.delete("集中")
    moved.tag = f"{W}moveFrom"
    edit.insert_after("召开", "集中").tag = f"{W}moveTo"
    closing = edit.paragraph("特此报告。")
    control = etree.Element(f"{W}sdt")
    closing.addprevious(control)
    etree.SubElement(control, f"{W}sdtContent").append(closing)
    edit.replace("特此", "专此")
    edit.comment("制度执行", "制度执行", "哪些制度？")
    link = etree.Element(f"{W}hyperlink")
    run = edit.runs("制度执行")[0]
    run.addprevious(link)
    link.append(run)
    signature = next(p for p in edit.body.iter(f"{W}p") if "".join(map(run_text, p.iter(f"{W}r"))) == "市政协党组")
    start = etree.Element(f"{W}commentRangeStart")
    start.set(f"{W}id", "7")
    signature.addprevious(start)
    edit.comments.append(("7", LEADER, "署名请用全称。"))
    table = etree.Element(f"{W}tbl")
    cell = etree.SubElement(etree.SubElement(table, f"{W}tr"), f"{W}tc")
    etree.SubElement(etree.SubElement(etree.SubElement(cell, f"{W}p"), f"{W}r"), f"{W}t").text = "附表：学习情况统计"
    signature.addprevious(table)
    reading = read_review(small, edit.save())
    assert reading.as_json() == expected(small, suggestions=[
        suggestion("一、（一）二是", "召开专题研讨会。", "召开集中研讨会。"),
        suggestion("一、（一）三是", "开展集中宣讲。", "开展宣讲。"),
        suggestion("结束语", "特此报告。", "专此报告。"),
    ], comments=[
        {"part": "二、二是", "text": "哪些制度？", "author": LEADER},
        {"part": "署名", "text": "署名请用全称。", "author": LEADER},
    ], unmatched=[{"text": "附表：学习情况统计", "reason": "表格或文本框中的文字，无法对应到报告中的任何部分"}])


# The base: the latest submission, and a 审阅稿's own marks -----------------------------------------


def test_the_base_is_the_latest_submission(small):
    submit_as_is(small, 1)
    item = Item.objects.get(text="召开专题研讨会。")
    item.text = "召开两次专题研讨会。"
    item.save()
    submit_as_is(small, 2)
    edit = LeaderEdit(render_docx(small))
    edit.retype("两次", "三次")  # without Track Changes
    # The report awaits review: the file is read against what was submitted (a report being
    # revised is also read against its text as it stands: tests/test_review_import_pages.py).
    Report.objects.filter(pk=small.pk).update(status="submitted")
    small.refresh_from_db()
    reading = read_review(small, edit.save())
    assert reading.base == small.submissions.get(number=2)
    assert reading.as_json() == expected(small, base="第2次提交", suggestions=[
        suggestion("一、（一）二是", "召开两次专题研讨会。", "召开三次专题研讨会。", author="", tracked=False),
    ])


def test_the_review_copys_own_marks_are_taken_as_the_base(small):
    """A 审阅稿 marks the last round against the one before; accepted, its marks give the base.
    Only the leader's are suggestions."""
    edit = LeaderEdit(render_docx(small))
    edit.as_review_copy("制定责任清单。", "制定工作方案。", author="起草人")
    edit.replace("不够深入", "不深入")
    reading = read_review(small, edit.save())
    assert reading.accepted_authors == ("起草人",)
    assert reading.as_json() == expected(small, suggestions=[
        suggestion("二、一是", "调查研究不够深入。", "调查研究不深入。"),
    ])


def test_our_review_copy_read_back_with_a_leaders_changes(small, drafter, reviewer):
    """The 审阅稿 marks round 2 against round 1 in the drafter's name and shows the comments made
    so far: read back, neither is the leader's; the leader's own change and comment are."""
    from reports.word.review_copy import render_review_docx

    first = submit_as_is(small, 1)
    Submission.objects.filter(pk=first.pk).update(submitted_by=drafter)
    Comment.objects.create(report=small, submission=first, text="请补充数据。", author=reviewer)
    item = Item.objects.get(text="召开专题研讨会。")
    item.text = "召开两次专题研讨会。"
    item.save()
    Item.objects.filter(text="开展集中宣讲。").delete()
    second = submit_as_is(small, 2)
    Submission.objects.filter(pk=second.pk).update(submitted_by=drafter)
    Comment.objects.create(report=small, submission=second, ref=f"item-{item.pk}", place="一、（一）二是",
                           text="写明次数。", author=reviewer)
    edit = LeaderEdit(render_review_docx(small))
    edit.replace("调查研究", "调研")
    edit.comment("制度执行", "严格", "哪些制度？")
    reading = read_review(small, edit.save())
    assert reading.accepted_authors == ("drafter",)
    assert [(comment.part, comment.text) for comment in reading.repeated] == [
        ("标题", "（第1次提交时）请补充数据。"), ("一、（一）二是", "写明次数。")]
    assert reading.as_json() == expected(small, base="第2次提交", suggestions=[
        suggestion("二、一是", "调查研究不够深入。", "调研不够深入。"),
    ], comments=[{"part": "二、二是", "text": "哪些制度？", "author": LEADER}])


# Refusals ----------------------------------------------------------------------------------------


def test_another_reports_file_is_refused(small, report_factory, tree):
    other = report_factory(tree["congress"], quarter=2, sections=[
        ("工作开展情况", "practices", [("加强组织建设", ["完善组织体系，健全工作机制，配齐配强干部。"])]),
        ("下步打算", "next_steps", ["持续推进各项任务落实落地。"])])
    with pytest.raises(ReviewFileRefused) as refused:
        read_review(small, render_docx(other))
    assert refused.value.code == "not_this_report"
    assert "对不上" in refused.value.message


def test_the_sample_report_is_not_the_small_one(demo, report_factory):
    small = report_factory(demo.organization, quarter=2, sections=[("主要做法", "practices", ["认真学习。"])])
    with pytest.raises(ReviewFileRefused) as refused:
        read_review(small, render_docx(demo))
    assert refused.value.code == "not_this_report"
    with pytest.raises(ReviewFileRefused) as refused:
        read_review(demo, render_docx(small))
    assert refused.value.code == "not_this_report"


@pytest.mark.parametrize(("data", "code", "words"), [
    (b"%PDF-1.7\n...", "pdf", "PDF"),
    (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 512, "doc", ".doc"),
    (b"not a word file at all", "not_docx", "不是 Word 文档"),
    (b"", "empty", "空"),
    (b"PK\x03\x04" + b"\x00" * 64, "corrupt", "损坏"),
])
def test_what_is_not_a_word_file_is_refused(small, data, code, words):
    with pytest.raises(ReviewFileRefused) as refused:
        read_review(small, data)
    assert refused.value.code == code
    assert words in refused.value.message


def test_a_file_over_the_limit_is_refused_before_it_is_opened(small):
    with pytest.raises(ReviewFileRefused) as refused:
        read_review(small, b"PK\x03\x04" + b"\x00" * (10 * 1024 * 1024))
    assert refused.value.code == "too_large"
    assert "10 MB" in refused.value.message


def test_a_file_with_far_more_text_than_the_report_is_refused(small):
    edit = LeaderEdit(render_docx(small))
    edit.add_paragraph_after("特此报告。", "长" * 30_000)
    with pytest.raises(ReviewFileRefused) as refused:
        read_review(small, edit.save())
    assert refused.value.code == "too_much_text"
    assert "多出数倍" in refused.value.message


def test_a_file_with_thousands_of_revisions_is_refused_as_soon_as_the_limit_is_passed(small, monkeypatch):
    edit = LeaderEdit(render_docx(small))
    p = edit.paragraph(small.title)  # the body's first paragraph
    like = edit._plain(p)[-1]
    for _ in range(10_000):
        insertion = edit._revision("ins", LEADER)
        insertion.append(edit._new_run(like, "好"))
        p.append(insertion)
    read = []
    original = marks._Reader._block
    monkeypatch.setattr(marks._Reader, "_block", lambda self, element: read.append(element.tag) or original(self, element))
    with pytest.raises(ReviewFileRefused) as refused:
        read_review(small, edit.save())
    assert refused.value.code == "too_many_revisions"
    assert refused.value.message.startswith("修订过多")
    assert str(MAX_REVISIONS) in refused.value.message
    assert read == [], "refused while its first paragraph was still being parsed"


# The command -------------------------------------------------------------------------------------


def test_the_command_prints_the_reading_and_creates_nothing_with_dry_run(small, tmp_path):
    edit = LeaderEdit(render_docx(small))
    edit.delete("专题")
    edit.comment("制度执行", "严格", "哪些制度？")
    path = tmp_path / "领导修改.docx"
    path.write_bytes(edit.save())
    out = io.StringIO()
    call_command("import_review", str(small.pk), str(path), "--dry-run", stdout=out)
    assert json.loads(out.getvalue()) == expected(small, suggestions=[
        suggestion("一、（一）二是", "召开专题研讨会。", "召开研讨会。"),
    ], comments=[{"part": "二、二是", "text": "哪些制度？", "author": LEADER}])
    assert "召开研讨会" in out.getvalue(), "printed as Chinese, not \\u escapes"
    assert not Suggestion.objects.exists() and not Comment.objects.exists()


def test_the_command_imports_the_suggestions_and_comments(small, tmp_path):
    submit_as_is(small)
    edit = LeaderEdit(render_docx(small))
    edit.delete("专题")
    edit.comment("制度执行", "严格", "哪些制度？")
    edit.add_paragraph_after("特此报告。", "（此页无正文）")
    path = tmp_path / "领导修改.docx"
    path.write_bytes(edit.save())
    out = io.StringIO()
    call_command("import_review", str(small.pk), str(path), stdout=out)
    assert out.getvalue().strip() == "已导入 1 条修改建议、1 条批注，1 处未能对应"
    suggestion_made = Suggestion.objects.get()
    assert (suggestion_made.label, suggestion_made.after, suggestion_made.author_name, suggestion_made.source) == (
        "一、（一）二是", "召开研讨会。", LEADER, Suggestion.Source.WORD)
    comment = Comment.objects.get()
    assert (comment.place, comment.text, comment.author_name) == ("二、二是", "哪些制度？", LEADER)


def test_the_command_refuses_with_exit_status_2(small, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7\n...")
    for args, words in (((str(small.pk), str(path)), "PDF"),
                        (("999999", str(path)), "没有这份报告"),
                        ((str(small.pk), str(tmp_path / "missing.docx")), "找不到文件")):
        with pytest.raises(CommandError) as error:
            call_command("import_review", *args, "--dry-run")
        assert error.value.returncode == 2
        assert words in str(error.value)
    assert not Suggestion.objects.exists()


def test_the_command_exits_with_2_and_says_why_on_stderr(tmp_path):
    result = subprocess.run([sys.executable, "manage.py", "import_review", "1", str(tmp_path / "missing.docx"),
                             "--dry-run"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "找不到文件" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_a_figure_not_yet_filled_in(small, measure_factory):
    measure = measure_factory(small, "学习会议")
    item = Item.objects.get(text="认真学习党的二十大精神。")
    item.text = "召开学习会议{{measure:%d}}。" % measure.pk
    item.save()
    edit = LeaderEdit(render_docx(small))
    edit.replace("未填写", "4")
    reading = read_review(small, edit.save())
    assert reading.as_json() == expected(small, suggestions=[
        suggestion("一、（一）一是", "召开学习会议未填写次。", "召开学习会议4次。"),
    ])


def test_an_unchanged_report_with_a_figure_and_a_sections_lead_reads_as_nothing(small, measure_factory):
    measure_factory(small, "谈话", "人次", value=Decimal("26"))
    Section.objects.filter(report=small, title="存在的主要问题").update(lead="部分导语。")
    small.signature_date = date(2023, 4, 10)
    small.save()
    reading = read_review(small, render_docx(small))
    assert reading.as_json() == expected(small)
