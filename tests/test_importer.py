"""The importer: Word files and pasted text → the report's structure, counts → measures."""

import io
import os
import zipfile
from pathlib import Path

import pytest
from docx import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.document.numbering import MAX_REPORT_PARTS
from reports.word.importing import ImportRefused, parse_docx, parse_text
from reports.word.importing.package import MAX_ELEMENTS
from reports.word.importing.patterns import fold
from reports.word.importing.reader_docx import MAX_CHARACTERS, MAX_PARAGRAPHS

SAMPLE = Path(__file__).resolve().parent / "sample" / "quarterly-report-2023Q1.txt"
SAMPLE_MEASURES = [
    ("理论学习中心组学习会议", "次"), ("集体交流研讨", "次"), ("廉政谈话", "人次"), ("常委会协商", "次"),
    ("双月协商", "次"), ("专题调研", "次"), ("民主监督", "次"), ("提案", "件"),
]


def sample_text():
    return SAMPLE.read_text(encoding="utf-8")


# Building Word files -----------------------------------------------------------------------------


def word_file(paragraphs, *, numbering=None):
    """A .docx from (text, options) pairs; options: style, num=(numId, ilvl), font, runs=[(text, font)], breaks."""
    document = WordDocument()
    if numbering:
        add_numbering(document, numbering)
    for entry in paragraphs:
        text, options = (entry, {}) if isinstance(entry, str) else entry
        paragraph = document.add_paragraph(style=options.get("style"))
        runs = options.get("runs") or [(text, options.get("font"))]
        for run_text, font in runs:
            lines = run_text.split("\n")
            run = paragraph.add_run(lines[0])
            for line in lines[1:]:
                run.add_break()  # a soft line break (Shift+Enter)
                run.add_text(line)
            if font:
                run.font.size = Pt(16)
                fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
                fonts.set(qn("w:eastAsia"), font)
        if "num" in options:
            num_id, ilvl = options["num"]
            ppr = paragraph._element.get_or_add_pPr()
            ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def add_numbering(document, definitions):
    """definitions: {num_id: ([(numFmt, lvlText, start)…], {ilvl: startOverride})}."""
    numbering = document.part.numbering_part.element
    for num_id, (levels, overrides) in definitions.items():
        abstract_id = 100 + num_id
        lvls = "".join(
            f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
            for ilvl, (fmt, text, start) in enumerate(levels)
        )
        numbering.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>'))
        override = "".join(
            f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
            for ilvl, start in overrides.items()
        )
        numbering.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'
        ))


# The sample ---------------------------------------------------------------------------------------


def test_the_sample_text_imports_to_its_exact_structure():
    parsed = parse_text(sample_text())
    data = parsed.as_dict()
    assert list(data) == ["title", "addressee", "opening", "sections", "closing", "measures", "placeholders", "signature", "date",
                          "document_number", "not_imported"]
    assert [(s["kind"], s["title"]) for s in data["sections"]] == [
        ("practices", "主要做法"), ("problems", "存在的主要问题"), ("next_steps", "下一步的打算"),
    ]
    practices, problems, next_steps = data["sections"]
    assert [h["title"] for h in practices["headings"]] == [
        "深化理论学习，把准正确方向", "坚持党的领导，压实主体责任",
        "加强思想政治引领，把牢意识形态工作主动权", "大兴调查研究，助推全面振兴",
    ]
    assert [len(h["items"]) for h in practices["headings"]] == [3, 6, 4, 3]
    assert practices["items"] == [] and practices["lead"] is None
    assert all(h["lead"] is None for h in practices["headings"])
    assert (len(problems["items"]), problems["headings"]) == (2, [])
    assert (len(next_steps["items"]), next_steps["headings"]) == (5, [])
    assert [(m["name"], m["unit"]) for m in data["measures"]] == SAMPLE_MEASURES
    assert all(m["value"] is None for m in data["measures"])
    # The title is named in the opening (现将……报告如下); the text has no signature or date.
    assert data["title"] == "市政协党组2023年第一季度履行全面从严治党主体责任情况报告"
    assert data["opening"] == "按要求，现将市政协党组2023年第一季度履行全面从严治党主体责任情况报告如下。"
    assert (data["addressee"], data["closing"], data["signature"], data["date"]) == (None, None, None, None)
    assert parsed.period() == (2023, 1)
    assert parsed.items_layout == "inline"


def test_sample_items_keep_their_text_without_ordinals_and_counts_become_tokens():
    data = parse_text(sample_text()).as_dict()
    first = data["sections"][0]["headings"][0]["items"]
    assert first[0].startswith("坚持把全面学习、把握、落实党的二十大精神作为首要政治任务")
    assert first[1].endswith(
        "一季度共召开市政协党组理论学习中心组学习会议{{measure:理论学习中心组学习会议}}，集体交流研讨{{measure:集体交流研讨}}。"
    )
    assert "开展廉政谈话{{measure:廉政谈话}}。" in data["sections"][0]["headings"][1]["items"][2]
    assert (
        "全年安排常委会协商{{measure:常委会协商}}、双月协商{{measure:双月协商}}、"
        "专题调研{{measure:专题调研}}、民主监督{{measure:民主监督}}，"
    ) in data["sections"][0]["headings"][3]["items"][0]
    # **件提案: the token takes the count and unit; the noun stays in the text.
    assert "形成了包括{{measure:提案}}提案的《政协**市委员会" in data["sections"][0]["headings"][3]["items"][2]
    # Nothing is lost: the items put back together are the sample's paragraphs.
    text = sample_text()
    for item in first + data["sections"][1]["items"] + data["sections"][2]["items"]:
        assert item.replace("{{measure:理论学习中心组学习会议}}", "*次").replace("{{measure:集体交流研讨}}", "*次") in text


def test_sample_placeholders_are_the_six_redacted_names():
    assert parse_text(sample_text()).placeholders == [
        "制定印发《**廉洁自律规范》", "围绕发挥***文化资源", "将**作为全国小型垃圾", "提案的《政协**市委员会2023",
        "继续开展讲好“**故事”", "建设好具有**特色的协商议事工",
    ]


def test_the_demo_sample_report_is_the_import_of_the_sample(demo):
    parsed = parse_text(sample_text())
    expected = [
        (s.kind, s.title, [(h.title, h.items) for h in s.headings], s.items) for s in parsed.sections
    ]
    names = dict(demo.measure_values.values_list("measure_id", "measure__name"))

    def named(text):
        import re

        return re.sub(r"\{\{measure:(\d+)\}\}", lambda m: "{{measure:%s}}" % names[int(m[1])], text)

    actual = [
        (s.kind, s.title, [(h.title, [named(i.text) for i in h.items.order_by("position")]) for h in s.headings.all()],
         [named(i.text) for i in s.items.filter(heading=None).order_by("position")])
        for s in demo.sections.all()
    ]
    assert actual == expected
    assert demo.title == parsed.title and demo.opening == parsed.opening
    assert sorted(demo.measure_values.values_list("measure__name", "measure__unit")) == sorted(SAMPLE_MEASURES)


# Items, lists, headings ---------------------------------------------------------------------------


def one_section(text, title="一、主要做法"):
    return parse_text(f"{title}\n{text}").sections[0]


def test_items_split_only_after_a_sentence_boundary_and_in_sequence():
    section = one_section("一是思想统一是前提，把思想统一到决策部署上来。二是压实责任；三是强化监督！四是二是重复。")
    assert section.items == ["思想统一是前提，把思想统一到决策部署上来。", "压实责任；", "强化监督！", "二是重复。"]


def test_an_item_out_of_sequence_is_text():
    section = one_section("全年工作有序推进。二是这不是第二项。")
    assert section.items == [] and section.lead == "全年工作有序推进。二是这不是第二项。"
    section = one_section("一是第一项。三是跳过了二。")
    assert section.items == ["第一项。三是跳过了二。"]


def test_chinese_ordinals_beyond_ten():
    items = "".join(f"{ordinal}是第{n}项。" for n, ordinal in enumerate(
        ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "二十"][:12], 1))
    assert len(one_section(items).items) == 12


def test_text_before_the_first_item_is_the_lead_and_items_continue_across_paragraphs():
    section = one_section("今年以来，主要做了以下工作：一是学习。\n二是调研。\n调研形成报告三篇。")
    assert section.lead == "今年以来，主要做了以下工作："
    assert section.items == ["学习。", "调研。\n调研形成报告三篇。"]


def test_numbered_lists_are_items_and_a_decimal_is_not():
    section = one_section("1.5亿元资金全部到位。\n1.加强学习。\n2、压实责任。\n3．强化监督。\n（1）其中一点。")
    assert section.lead == "1.5亿元资金全部到位。"
    assert section.items == ["加强学习。", "压实责任。", "强化监督。\n（1）其中一点。"]
    assert one_section("（1）第一点。\n(2)第二点。\n①第三点。").items == ["第一点。", "第二点。", "第三点。"]


def test_headings_in_full_and_half_width_forms_with_run_in_text():
    parsed = parse_text(
        "一．主要做法\n"
        "(一)深化理论学习。一是学习。\n"
        "（二）压实责任\n"
        "全年召开会议。一是开会。\n"
        "二，存在的问题\n"
        "一是不足。"
    )
    practices, problems = parsed.sections
    assert [(h.title, h.lead, h.items) for h in practices.headings] == [
        ("深化理论学习", None, ["学习。"]), ("压实责任", "全年召开会议。", ["开会。"]),
    ]
    assert (problems.kind, problems.title, problems.items) == ("problems", "存在的问题", ["不足。"])


def test_a_section_ordinal_out_of_sequence_is_text():
    parsed = parse_text("一、主要做法\n一是学习。\n三、不是第三部分，只是文字。")
    assert len(parsed.sections) == 1
    assert parsed.sections[0].items == ["学习。\n三、不是第三部分，只是文字。"]


@pytest.mark.parametrize("title, kind", [
    ("主要做法", "practices"), ("主要工作", "practices"), ("工作开展情况", "practices"),
    ("存在的问题", "problems"), ("存在的主要问题", "problems"), ("存在的不足", "problems"),
    ("下一步打算", "next_steps"), ("下一步工作打算", "next_steps"), ("下一步工作计划", "next_steps"),
    ("整改措施", "next_steps"), ("其他事项", "other"),
])
def test_section_kind_from_its_title(title, kind):
    assert parse_text(f"一、{title}\n正文。").sections[0].kind == kind


def test_title_over_two_lines_addressee_closing_signature_and_date():
    parsed = parse_text(
        "市政协党组2023年第一季度\n履行全面从严治党主体责任情况报告\n市纪委监委：\n按要求，现将有关情况报告如下。\n"
        "一、主要做法\n一是学习。\n特此报告。\n市政协党组\n2023年4月10日\n"
    )
    assert parsed.title == "市政协党组2023年第一季度履行全面从严治党主体责任情况报告"
    assert parsed.addressee == "市纪委监委："
    assert parsed.opening == "按要求，现将有关情况报告如下。"
    assert (parsed.closing, parsed.signature, parsed.date) == ("特此报告。", "市政协党组", "2023-04-10")
    assert parsed.sections[0].items == ["学习。"]


def test_a_date_in_chinese_numerals():
    assert parse_text("一、主要做法\n一是学习。\n市政协党组\n二〇二三年四月十日").date == "2023-04-10"


def test_pdf_line_breaks_join_up_again():
    wrapped = (
        "按要求，现将市政协党组2023年第一季度履行全面从严治党主体责\n任情况报告如下。\n"
        "一、主要做法\n（一）深化理论学习，把准正确方向。一是坚持把全面学习、把握、落实党的二十\n"
        "大精神作为首要政治任务。二是跟进学习习近平总书记重要讲话精神，共召开学习会议3\n次。\n"
    )
    parsed = parse_text(wrapped)
    assert parsed.opening.endswith("主体责任情况报告如下。")
    assert parsed.sections[0].headings[0].items == [
        "坚持把全面学习、把握、落实党的二十大精神作为首要政治任务。",
        "跟进学习习近平总书记重要讲话精神，共召开学习会议{{measure:学习会议}}。",
    ]


def test_full_width_indentation_and_blank_lines_do_not_matter():
    parsed = parse_text("\u3000\u3000一、主要做法\n\n\u3000\u3000一是学习。\r\n\r\n\u3000\u3000二是调研。")
    assert parsed.sections[0].items == ["学习。", "调研。"]


def test_items_one_a_paragraph_choose_that_layout():
    parsed = parse_text("一、主要做法\n一是学习。\n二是调研。\n三是监督。")
    assert parsed.items_layout == "paragraphs"
    assert parse_text("一、主要做法\n一是学习。二是调研。三是监督。").items_layout == "inline"


# Counts -------------------------------------------------------------------------------------------


def measures(text):
    parsed = parse_text(f"一、主要做法\n{text}")
    return [(m.name, m.unit, m.value) for m in parsed.measures], parsed.sections[0]


def test_counts_with_digits_placeholders_and_approximations():
    found, section = measures(
        "召开党组会议3次，开展谈心谈话26人次，组织专题培训xx场，举办读书班××期，收到意见建议100余条，"
        "走访企业20多家，投入资金2.5万元。"
    )
    assert found == [("党组会议", "次", 3), ("谈心谈话", "人次", 26), ("专题培训", "场", None), ("读书班", "期", None),
                     ("意见建议", "余条", 100), ("企业", "多家", 20), ("资金", "万元", 2.5)]
    assert section.lead.startswith("召开党组会议{{measure:党组会议}}，开展谈心谈话{{measure:谈心谈话}}，")


def test_chinese_numerals_ordinals_and_spans_are_not_counts():
    found, section = measures(
        "深刻领悟“两个确立”，落实“三会一课”，参加十四届一次会议，召开第3次党组会议，用时3个月，组织千名干部进千企。"
    )
    assert found == []
    assert "{{" not in section.lead


def test_the_noun_after_the_unit_names_the_count_when_none_comes_before():
    found, section = measures("形成了包括**件提案的名单，印发12份文件。")
    assert found == [("提案", "件", None)]
    assert section.lead == "形成了包括{{measure:提案}}提案的名单，印发12份文件。"


def test_the_same_count_twice_is_one_measure_and_a_body_name_is_not_part_of_it():
    found, section = measures("一是召开市政协党组理论学习中心组学习会议3次。二是党组理论学习中心组学习会议3次，其中集体研讨2次。")
    assert found == [("理论学习中心组学习会议", "次", 3), ("集体研讨", "次", 2)]
    assert [item.count("{{measure:理论学习中心组学习会议}}") for item in section.items] == [1, 1]
    # A short name keeps its body: 党组会议 is a kind of meeting, not a meeting of 党组.
    assert measures("召开党组会议3次。")[0] == [("党组会议", "次", 3)]


def test_one_name_in_two_units_gets_two_names():
    found, _section = measures("开展培训3场，培训干部120人。开展培训2次。")
    assert found == [("培训", "场", 3), ("培训干部", "人", 120), ("培训（次）", "次", 2)]


def test_placeholders_other_than_counts_are_listed_to_fill():
    parsed = parse_text("一、主要做法\n一是学习《××规定》。二是召开会议*次，表彰***同志。")
    assert [(m.name, m.value) for m in parsed.measures] == [("会议", None)]
    assert parsed.placeholders == ["学习《××规定》", "表彰***同志"]


def test_fold_keeps_the_length_of_the_text():
    text = "（一）１．ｘｘ次：“…”㈠"
    assert len(fold(text)) == len(text)
    assert fold(text).startswith("(一)1.xx次:")


# Word files ---------------------------------------------------------------------------------------

TYPED = [
    "市政协党组2023年第一季度履行全面从严治党主体责任情况报告",
    "按要求，现将有关情况报告如下。",
    "一、主要做法",
    "（一）深化理论学习。一是召开学习会议3次。二是开展研讨2次。",
    "（二）压实主体责任",
    "严格落实责任制。一是开展廉政谈话12人次。",
    "二、存在的主要问题",
    "一是学习不够深入。二是监督不够有力。",
    "三、下一步的打算",
    "1.强化理论武装。",
    "2.压实主体责任。",
    "市政协党组",
    "2023年4月10日",
]


def auto_numbered_file():
    """The same report, its ordinals made by Word's numbering instead of typed."""
    headings = {1: ([("chineseCounting", "%1、", 1), ("chineseCounting", "（%2）", 1)], {}),
                2: ([("decimal", "%1.", 1)], {})}
    paragraphs = [
        TYPED[0], TYPED[1],
        ("主要做法", {"num": (1, 0)}),
        ("深化理论学习。一是召开学习会议3次。二是开展研讨2次。", {"num": (1, 1)}),
        ("压实主体责任", {"num": (1, 1)}),
        TYPED[5],
        ("存在的主要问题", {"num": (1, 0)}),
        TYPED[7],
        ("下一步的打算", {"num": (1, 0)}),
        ("强化理论武装。", {"num": (2, 0)}),
        ("压实主体责任。", {"num": (2, 0)}),
        TYPED[11], TYPED[12],
    ]
    return word_file(paragraphs, numbering=headings)


def test_a_word_file_reads_like_its_text():
    assert parse_docx(word_file(TYPED)).as_dict() == parse_text("\n".join(TYPED)).as_dict()


def test_word_auto_numbering_imports_the_same_as_typed_numbering():
    typed = parse_docx(word_file(TYPED)).as_dict()
    auto = parse_docx(auto_numbered_file()).as_dict()
    assert auto == typed
    assert [s["title"] for s in auto["sections"]] == ["主要做法", "存在的主要问题", "下一步的打算"]
    assert [h["title"] for h in auto["sections"][0]["headings"]] == ["深化理论学习", "压实主体责任"]
    assert auto["sections"][2]["items"] == ["强化理论武装。", "压实主体责任。"]


def test_word_numbering_start_and_override():
    # A list that starts at 三 (start 3), and a second instance restarting its level at 一.
    numbering = {5: ([("chineseCounting", "%1、", 3)], {}), 6: ([("chineseCounting", "（%1）", 1)], {0: 1})}
    data = word_file([
        ("一、主要做法", {}), ("二、存在的主要问题", {}),
        ("下一步的打算", {"num": (5, 0)}),
        ("加强学习", {"num": (6, 0)}), ("一是学习。", {}),
    ], numbering=numbering)
    parsed = parse_docx(data)
    assert [s.title for s in parsed.sections] == ["主要做法", "存在的主要问题", "下一步的打算"]
    assert [(h.title, h.items) for h in parsed.sections[2].headings] == [("加强学习", ["学习。"])]


def test_word_soft_line_breaks_tables_and_fonts():
    document = WordDocument()
    document.add_paragraph("一、主要做法")
    document.add_paragraph().add_run("一是坚持把全面学习、把握、落实党的二")
    run = document.paragraphs[-1].runs[0]
    run.add_break()
    run.add_text("十大精神作为首要政治任务。")
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "二是表格里的一项。"
    heading = document.add_paragraph()
    for text, font in (("深化理论学习", "楷体_GB2312"),):
        heading.add_run(text).font.name = font
        heading.runs[-1]._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    document.add_paragraph("一是学习。")
    stream = io.BytesIO()
    document.save(stream)
    parsed = parse_docx(stream.getvalue())
    practices = parsed.sections[0]
    # The soft break is inside the paragraph; a table holds no items, and is listed as not imported.
    assert practices.items == ["坚持把全面学习、把握、落实党的二十大精神作为首要政治任务。"]
    assert parsed.not_imported == [{"kind": "table", "text": "二是表格里的一项。"}]
    # A short 楷体 paragraph with no ordinal is a level-2 heading.
    assert [(h.title, h.items) for h in practices.headings] == [("深化理论学习", ["学习。"])]


def test_word_heading_styles_give_the_level_when_the_text_has_no_ordinal():
    data = word_file([
        ("主要做法", {"style": "Heading 1"}),
        ("深化理论学习", {"style": "Heading 2"}),
        "一是学习。",
        ("存在的问题", {"style": "Heading 1"}),
        "一是不足。",
    ])
    practices, problems = parse_docx(data).sections
    assert [(h.title, h.items) for h in practices.headings] == [("深化理论学习", ["学习。"])]
    assert (problems.kind, problems.items) == ("problems", ["不足。"])


def test_a_last_short_item_is_no_signature():
    parsed = parse_text("一、主要做法\n一是加强学习\n二是压实责任")
    assert parsed.signature is None
    assert parsed.sections[0].items == ["加强学习", "压实责任"]


def test_text_boxes_are_no_body_text_and_listed_once():
    document = WordDocument()
    document.add_paragraph("一、主要做法")
    anchor = document.add_paragraph()
    box = (
        f'<w:r {nsdecls("w")} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
        '<wps:txbx><w:txbxContent><w:p><w:r><w:t>一是文本框里的一项。</w:t></w:r></w:p></w:txbxContent></wps:txbx>'
        '</w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>一是文本框里的一项。</w:t></w:r>'
        '</w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>'
    )
    anchor._element.append(parse_xml(box))
    stream = io.BytesIO()
    document.save(stream)
    parsed = parse_docx(stream.getvalue())
    assert parsed.sections[0].items == []
    assert parsed.not_imported == [{"kind": "box", "text": "一是文本框里的一项。"}]  # its Fallback not again


def test_deleted_and_hidden_text_is_not_read():
    document = WordDocument()
    document.add_paragraph("一、主要做法")
    paragraph = document.add_paragraph()
    paragraph.add_run("一是学习。")
    paragraph._element.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="1" w:author="a"><w:r><w:delText>二是删掉的。</w:delText></w:r></w:del>'
    ))
    hidden = paragraph.add_run("二是隐藏的。")
    hidden.font.hidden = True
    stream = io.BytesIO()
    document.save(stream)
    assert parse_docx(stream.getvalue()).sections[0].items == ["学习。"]


# Round trip: our own Word export reads back as the same structure ---------------------------------
# (reports/word/writer.py writes the styles of reports/word/styles.py: 公文标题, 一级标题 … that the importer reads)

# What each kind of paragraph we write is read back as, from its style alone (an opening and a
# lead both print as 正文, so both come back as body text).
READ_BACK_AS = {
    "title": "title", "addressee": "addressee", "opening": "body", "section": "h1", "heading": "h2",
    "body": "body", "item": "item", "closing": "closing", "attachments": "attachments", "signature": "signature",
    "date": "date",
}


def test_every_kind_of_paragraph_we_write_is_read_back_by_its_style():
    from reports.document.model import Document, Kind, Paragraph, Run
    from reports.word.importing.reader_docx import read_docx
    from reports.word.writer import write_document

    kinds = [value for name, value in vars(Kind).items() if name.isupper()]
    assert sorted(kinds) == sorted(READ_BACK_AS), "a new kind of paragraph needs a style the importer reads"
    # Plain words without ordinals or dates: only the style can tell what each paragraph is.
    texts = {kind: f"段落内容{chr(0x4e00 + index)}" for index, kind in enumerate(kinds)}
    document = Document([Paragraph(kind, (Run(texts[kind]),)) for kind in kinds])
    blocks = read_docx(write_document(document))
    assert [(block.text, block.role) for block in blocks] == [(texts[kind], READ_BACK_AS[kind]) for kind in kinds]


def test_the_styles_the_importer_knows_are_the_styles_the_writer_adds(demo):
    from reports.word.importing.blocks import STYLE_ROLES
    from reports.word.styles import OWN_STYLE_NAMES
    from reports.word.writer import render_docx

    def paragraph_styles(data):
        return {style.name for style in WordDocument(io.BytesIO(data)).styles if style.type == WD_STYLE_TYPE.PARAGRAPH}

    blank = io.BytesIO()
    WordDocument().save(blank)
    added = paragraph_styles(render_docx(demo)) - paragraph_styles(blank.getvalue())
    assert set(STYLE_ROLES) == added
    # 正文 is also what Word and WPS call their Normal style, and 附件说明 a name other templates may
    # use: neither marks a file as ours.
    assert set(OWN_STYLE_NAMES) == added - {"正文", "附件说明"}


def test_a_third_level_style_in_someone_elses_file_is_read_by_its_ordinal():
    document = WordDocument()
    document.styles.add_style("三级标题", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("一、主要做法")
    document.add_paragraph("（一）深化理论学习")
    document.add_paragraph("1.学习党的二十大精神。", style="三级标题")
    document.add_paragraph("2.开展专题研讨。", style="三级标题")
    stream = io.BytesIO()
    document.save(stream)
    heading = parse_docx(stream.getvalue()).sections[0].headings[0]
    assert (heading.title, heading.items) == ("深化理论学习", ["学习党的二十大精神。", "开展专题研讨。"])



def test_the_sample_report_reads_back_from_its_word_export(demo):
    from reports.word.writer import render_docx

    parsed = parse_docx(render_docx(demo))
    expected = parse_text(sample_text()).as_dict()
    values = {name: int(value) for name, value in demo.measure_values.values_list("measure__name", "value")}
    expected["measures"] = [{**m, "value": values[m["name"]]} for m in expected["measures"]]
    expected.update(signature="市政协党组", date="2023-04-10")
    assert parsed.as_dict() == expected
    assert parsed.items_layout == "inline"


def test_the_sample_with_one_paragraph_per_item_reads_back_the_same(demo):
    from reports.word.writer import render_docx

    inline = parse_docx(render_docx(demo))
    demo.items_layout = "paragraphs"
    demo.addressee = "市纪委监委："
    demo.closing = "特此报告。"
    demo.save()
    parsed = parse_docx(render_docx(demo))
    assert parsed.items_layout == "paragraphs"
    assert (parsed.addressee, parsed.closing) == ("市纪委监委：", "特此报告。")
    assert parsed.as_dict() == {**inline.as_dict(), "addressee": "市纪委监委：", "closing": "特此报告。"}


WORDS = ["学习", "贯彻", "精神", "党建", "监督", "机制", "制度", "建设", "作风", "纪律", "责任", "政治", "思想",
         "理论", "基层", "队伍", "干部", "群众", "服务", "发展", "改革", "创新", "协商", "履职", "宣传", "教育",
         "管理", "廉洁", "规范", "引领", "深化", "推进", "强化", "压实", "提升", "完善"]
# Phrases that look like structure or counts and are neither.
TRAPS = ["统一是前提", "两个确立", "十四届一次会议", "1.5亿元", "三会一课", "第3次会议", "3个月"]
MEASURE_KINDS = [("学习会议", "次"), ("廉政谈话", "人次"), ("专题调研", "次"), ("警示教育", "场"),
                 ("谈心谈话", "人次"), ("督导检查", "次"), ("专题党课", "次"), ("主题党日活动", "次")]
SECTION_TITLES = [("practices", "主要做法"), ("practices", "工作开展情况"), ("problems", "存在的主要问题"),
                  ("next_steps", "下一步的打算"), ("next_steps", "下一步工作计划"), ("other", "其他事项")]


def _strategies():
    phrase = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map("".join)
    clause = st.one_of(phrase, phrase, st.sampled_from(TRAPS))
    measure = st.tuples(st.sampled_from(["召开", "开展", "组织", "举办"]), st.sampled_from(MEASURE_KINDS))

    @st.composite
    def sentence(draw):
        parts = draw(st.lists(clause, min_size=1, max_size=2))
        text = "，".join(parts)
        if draw(st.booleans()) and draw(st.booleans()):
            verb, (name, _unit) = draw(measure)
            text += f"，{verb}{name}{{{{measure:{name}}}}}"
        return text + draw(st.sampled_from(["。", "。", "！"]))

    text = st.lists(sentence(), min_size=1, max_size=2).map("".join)
    lead = st.one_of(st.none(), st.lists(text, min_size=1, max_size=2).map("\n".join))
    heading_title = st.tuples(phrase, st.sampled_from(["", "", "", "？", "；"])).map("".join)
    heading = st.fixed_dictionaries({"title": heading_title, "lead": lead, "items": st.lists(text, max_size=3)})

    @st.composite
    def section(draw):
        kind, title = draw(st.sampled_from(SECTION_TITLES))
        return {"kind": kind, "title": title, "lead": draw(lead),
                "headings": draw(st.lists(heading, max_size=3)), "items": draw(st.lists(text, max_size=2))}

    return st.fixed_dictionaries({
        "title": st.lists(st.sampled_from(WORDS), min_size=2, max_size=12).map("".join).map(lambda t: t + "情况报告"),
        "addressee": st.one_of(st.none(), phrase.map(lambda p: p[:8] + "：")),
        "opening": st.one_of(st.none(), text),
        "sections": st.lists(section(), min_size=1, max_size=3),
        "closing": st.one_of(st.none(), st.just("特此报告。")),
        "signature": st.one_of(st.none(), phrase.map(lambda p: p[:10])),
        "date": st.one_of(st.none(), st.dates().filter(lambda d: d.year >= 2000).map(lambda d: d.isoformat())),
        "items_layout": st.sampled_from(["inline", "paragraphs"]),
        "values": st.fixed_dictionaries({name: st.one_of(st.none(), st.integers(0, 999)) for name, _u in MEASURE_KINDS}),
    })


def _expected(data):
    """The import of a report made from `data`: the data itself, its measures in print order."""
    import re

    texts = [data["opening"]]
    for section in data["sections"]:
        texts += [section["lead"], *section["items"]]
        for heading in section["headings"]:
            texts += [heading["lead"], *heading["items"]]
    units = dict(MEASURE_KINDS)
    names = list(dict.fromkeys(re.findall(r"\{\{measure:([^{}]+)\}\}", "\n".join(t for t in texts if t))))
    return {
        "title": data["title"], "addressee": data["addressee"], "opening": data["opening"],
        "sections": [{**s, "headings": [dict(h) for h in s["headings"]]} for s in data["sections"]],
        "closing": data["closing"],
        "measures": [{"name": name, "unit": units[name], "value": data["values"][name]} for name in names],
        "placeholders": [],
        "signature": data["signature"], "date": data["date"], "document_number": None, "not_imported": [],
    }


@pytest.mark.django_db
def test_generated_reports_read_back_from_their_word_export():
    from django.db import transaction

    from reports.drafting.structure import create_report_from_structure
    from reports.models import Measure, Organization
    from reports.word.writer import render_docx

    # ROUNDTRIP_EXAMPLES=500 for a longer search; no example database is written into the checkout.
    @settings(max_examples=int(os.environ.get("ROUNDTRIP_EXAMPLES", 40)), deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(_strategies())
    def round_trip(data):
        with transaction.atomic():
            body = Organization.objects.create(name="往返测试单位")
            measures = {name: Measure.objects.get_or_create(name=name, unit=unit, organization=None)[0]
                        for name, unit in MEASURE_KINDS}
            values = {name: value for name, value in data["values"].items() if value is not None}
            report = create_report_from_structure(organization=body, year=2023, quarter=2, data=data,
                                                  measures_by_name=measures, values_by_name=values)
            parsed = parse_docx(render_docx(report))
            transaction.set_rollback(True)
        assert parsed.as_dict() == _expected(data)
        has_items = any(s["items"] or any(h["items"] for h in s["headings"]) for s in data["sections"])
        # Without items, nothing on the page tells one layout from the other.
        assert parsed.items_layout == (data["items_layout"] if has_items else "inline")

    round_trip()


def test_an_approximate_count_keeps_its_qualifier_in_print(db, tree, drafter):
    """"100余条" must still print as "100余条": the qualifier travels with the unit."""
    from reports.document.model import build_document
    from reports.word.importing import create_report

    parsed = parse_text("一、主要做法\n一是收集意见建议100余条，开展谈心谈话20多人次。")
    assert [(m["name"], m["unit"], m["value"]) for m in parsed.as_dict()["measures"]] == [
        ("收集意见建议", "余条", 100), ("谈心谈话", "多人次", 20)]
    report = create_report(parsed, organization=tree["cppcc"], year=2023, quarter=3, user=drafter)
    assert "一是收集意见建议100余条，开展谈心谈话20多人次。" in build_document(report).text


def test_a_file_of_another_quarter_is_imported_with_the_chosen_quarter_in_title_and_opening(db, tree, drafter):
    """Last quarter's file as this quarter's draft: the period moves as in a copy."""
    from reports.word.importing import create_report

    parsed = parse_text("市政协党组2023年第一季度履行全面从严治党主体责任情况报告\n"
                        "按要求，现将市政协党组2023年第一季度履行全面从严治党主体责任情况报告如下。\n"
                        "一、主要做法\n一是一季度召开学习会议3次。")
    assert parsed.period() == (2023, 1)
    report = create_report(parsed, organization=tree["cppcc"], year=2023, quarter=2, user=drafter)
    assert report.title == "市政协党组2023年第二季度履行全面从严治党主体责任情况报告"
    assert report.opening == "按要求，现将市政协党组2023年第二季度履行全面从严治党主体责任情况报告如下。"
    # The body's own words are the drafter's to check (the check panel names them).
    assert report.sections.get().items.get().text.startswith("一季度召开学习会议")


# Bounded work: hostile files are refused while being read, long before they cost much --------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def hostile_docx(body, *, parts=None):
    """A minimal .docx whose body is `body` (XML text), built in memory; `parts` adds more members."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/word/document.xml" ContentType="{DOCX_MAIN_TYPE}"/></Types>'
        ))
        package.writestr("word/document.xml", f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>')
        for name, data in (parts or {}).items():
            package.writestr(name, data)
    return stream.getvalue()


@pytest.fixture
def inflated(monkeypatch):
    """How many bytes were unzipped: a refusal made early has read little of the file."""
    total = [0]
    read = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = read(self, n)
        total[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    return total


def refusal(make):
    with pytest.raises(ImportRefused) as refused:
        make()
    return refused.value


def test_millions_of_empty_paragraphs_are_refused_after_reading_a_little(inflated):
    data = hostile_docx("<w:p/>" * 7_500_000)  # 45 MB of XML in some 70 KB
    assert len(data) < 200_000
    refused = refusal(lambda: parse_docx(data))
    assert refused.code == "too_many_paragraphs"
    assert "段落" in str(refused.message) and str(MAX_PARAGRAPHS) in str(refused.message)
    assert inflated[0] < 2 * 1024 * 1024


def test_a_file_of_many_elements_in_few_paragraphs_is_refused_after_reading_a_little(inflated):
    data = hostile_docx("<w:p>" + "<w:r/>" * 3_000_000 + "</w:p>")
    refused = refusal(lambda: parse_docx(data))
    assert refused.code == "too_complex" and str(MAX_ELEMENTS) in str(refused.message)
    assert inflated[0] < 8 * 1024 * 1024


def test_a_paragraph_of_millions_of_characters_is_refused_before_its_text_is_worked_through():
    refused = refusal(lambda: parse_docx(hostile_docx("<w:p><w:r><w:t>" + "一是啊。" * 3_000_000 + "</w:t></w:r></w:p>")))
    assert refused.code == "too_much_text" and str(MAX_CHARACTERS) in str(refused.message)


def test_the_element_budget_covers_the_styles_too():
    styles = f'<w:styles xmlns:w="{W_NS}">' + "<w:style/>" * 600_000 + "</w:styles>"
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"'
            ' Target="styles.xml"/></Relationships>')
    data = hostile_docx("<w:p><w:r><w:t>一、主要做法</w:t></w:r></w:p>",
                        parts={"word/styles.xml": styles, "word/_rels/document.xml.rels": rels})
    assert refusal(lambda: parse_docx(data)).code == "too_complex"


def items_text(count):
    return "一、主要做法\n" + "\n".join("一是做了一项工作。" for _ in range(count))


def test_a_report_of_more_parts_than_a_report_holds_is_refused_naming_the_limit():
    assert MAX_REPORT_PARTS == 2000
    refused = refusal(lambda: parse_text(items_text(MAX_REPORT_PARTS)))  # the section is one more
    assert refused.code == "too_many_parts"
    assert str(MAX_REPORT_PARTS) in str(refused.message)
    parsed = parse_text(items_text(MAX_REPORT_PARTS - 1))
    assert len(parsed.sections) + parsed.heading_count + parsed.item_count == MAX_REPORT_PARTS


def test_a_word_file_of_more_parts_than_a_report_holds_is_refused_as_too_many_parts():
    paragraphs = "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in items_text(2500).split("\n"))
    assert refusal(lambda: parse_docx(hostile_docx(paragraphs))).code == "too_many_parts"


# The 附件说明 -------------------------------------------------------------------------------------

NOTE = ["附件：1.学习通知", "2.市政协党组理论学习中心组专题学习研讨会议记录及参会人员签到表", "3.会议照片"]
TAIL = TYPED[-2:]  # signature and date


def test_the_attachments_after_the_body_are_no_items_and_the_preview_says_so():
    from reports.word.importing.parser import ATTACHMENTS_NOT_IMPORTED

    without = parse_docx(word_file([*TYPED[:-2], "特此报告。", *TAIL]))
    parsed = parse_docx(word_file([*TYPED[:-2], "特此报告。", *NOTE, *TAIL]))
    # Listed as not imported, each line of it, and nothing else differs.
    assert parsed.as_dict() == {**without.as_dict(), "not_imported": [{"kind": "attachment", "text": line} for line in NOTE]}
    assert (parsed.closing, parsed.signature, parsed.date) == ("特此报告。", "市政协党组", "2023-04-10")
    assert parsed.sections[2].items == ["强化理论武装。", "压实主体责任。"]
    assert (without.notes, parsed.notes) == ([], [ATTACHMENTS_NOT_IMPORTED])


@pytest.mark.parametrize("note", [["附件：学习通知"], ["附件:1．学习通知", "2、会议照片"], NOTE])
def test_pasted_attachments_keep_the_signature_under_them(note):
    """Pasted lines of the 附件说明 end without punctuation: the signature is not read as more of the last name."""
    without = parse_text("\n".join([*TYPED[:-2], "特此报告。", *TAIL]))
    parsed = parse_text("\n".join([*TYPED[:-2], "特此报告。", *note, *TAIL]))
    assert parsed.as_dict() == {**without.as_dict(), "not_imported": [{"kind": "attachment", "text": line} for line in note]}
    assert parsed.notes


def test_a_long_name_wrapped_in_pasted_text_is_still_part_of_the_note():
    parsed = parse_text("\n".join([*TYPED[:-2], "附件：1.市政协党组理论学习中心组专题学习研讨", "会议记录", "2.会议照片", *TAIL]))
    assert (parsed.signature, parsed.date) == ("市政协党组", "2023-04-10")
    assert parsed.sections[2].items == ["强化理论武装。", "压实主体责任。"] and parsed.notes


def test_an_attachment_named_inside_the_body_stays_text():
    lines = [*TYPED[:9], "附件：实施方案已印发各单位。", *TYPED[9:]]
    parsed = parse_docx(word_file(lines))
    assert parsed.sections[2].lead == "附件：实施方案已印发各单位。"
    assert parsed.notes == []


def test_our_own_attachments_list_reads_back_as_nothing_of_the_report(report_factory, tree, drafter):
    from reports.evidence.attach import attach
    from reports.word.writer import render_docx

    report = report_factory(tree["cppcc"], closing="特此报告。",
                            sections=[("主要做法", "practices", ["召开学习会议。", "开展谈心谈话。"])])
    without = parse_docx(render_docx(report))
    report.lists_attachments = True
    report.save()
    for number, title in enumerate(["学习通知", "会议照片"], 1):
        attach(report, target="", name=f"{number}.txt", data=f"材料{number}".encode(), actor=drafter, title=title)
    parsed = parse_docx(render_docx(report))
    assert parsed.as_dict() == {**without.as_dict(), "not_imported": [
        {"kind": "attachment", "text": "附件：1. 学习通知"}, {"kind": "attachment", "text": "2. 会议照片"}]}
    assert parsed.notes
