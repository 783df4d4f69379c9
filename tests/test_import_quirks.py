"""The Word files bodies really have (issue 19): each file is built at the XML level the way Word
(zh-CN), WPS or LibreOffice write it, beside a control file that differs only by the quirk, and
`import_report --dry-run` must print the control's JSON, with only what the quirk adds (a
发文字号, what is listed as not imported, a table's measures)."""

import io
import json
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.management import call_command

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NAMESPACES = (
    f'xmlns:w="{W}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
)
TITLE = "市政协党组2023年第一季度履行全面从严治党主体责任情况报告"
OPENING = "按要求，现将市政协党组2023年第一季度履行全面从严治党主体责任情况报告如下。"

# The control report's paragraphs: what every file below holds as its body.
HEADING = "（一）深化理论学习，把准正确方向。一是召开理论学习中心组学习会议3次。二是开展专题研讨2次。"
BODY = [TITLE, "市纪委监委：", OPENING, "一、主要做法", HEADING, "二、存在的主要问题", "一是学习不够深入。"]
TAIL = ["市政协党组", "2023年4月10日"]

CONTROL = {
    "title": TITLE,
    "addressee": "市纪委监委：",
    "opening": OPENING,
    "sections": [
        {"kind": "practices", "title": "主要做法", "lead": None,
         "headings": [{"title": "深化理论学习，把准正确方向", "lead": None,
                       "items": ["召开理论学习中心组学习会议{{measure:理论学习中心组学习会议}}。",
                                 "开展专题研讨{{measure:专题研讨}}。"]}],
         "items": []},
        {"kind": "problems", "title": "存在的主要问题", "lead": None, "headings": [], "items": ["学习不够深入。"]},
    ],
    "closing": None,
    "measures": [{"name": "理论学习中心组学习会议", "unit": "次", "value": 3},
                 {"name": "专题研讨", "unit": "次", "value": 2}],
    "placeholders": [],
    "signature": "市政协党组",
    "date": "2023-04-10",
    "document_number": None,
    "not_imported": [],
}


def run(text, props=""):
    return f"<w:r>{props}<w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r>"


def paragraph(text="", *, style=None, inner=None, ppr=""):
    style_xml = f'<w:pStyle w:val="{style}"/>' if style else ""
    properties = f"<w:pPr>{style_xml}{ppr}</w:pPr>" if style_xml or ppr else ""
    return f"<w:p>{properties}{inner if inner is not None else run(text) if text else ''}</w:p>"


def table(rows):
    cells = "".join("<w:tr>" + "".join(f"<w:tc><w:tcPr/>{paragraph(cell)}</w:tc>" for cell in row) + "</w:tr>"
                    for row in rows)
    return f"<w:tbl><w:tblPr/><w:tblGrid/>{cells}</w:tbl>"


def text_box(text):
    """A text box as Word 2010+ writes it: a wps shape, with the VML Fallback for older readers."""
    content = f"<w:txbxContent>{paragraph(text)}</w:txbxContent>"
    return (f"<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wp:anchor><a:graphic><a:graphicData>"
            f"<wps:wsp><wps:txbx>{content}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
            f"</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>{content}</v:textbox></v:shape></w:pict>"
            f"</mc:Fallback></mc:AlternateContent></w:r>")


def word_art(text):
    """A WordArt stamp (VML, as WPS writes a 草稿 watermark): its text is an attribute."""
    return f'<w:r><w:pict><v:shape><v:textpath string="{escape(text)}"/></v:shape></w:pict></w:r>'


STYLES_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles {NAMESPACES}>'


def style(style_id, name, *, based=None, outline=None, kind="paragraph"):
    based_xml = f'<w:basedOn w:val="{based}"/>' if based else ""
    outline_xml = f'<w:pPr><w:outlineLvl w:val="{outline}"/></w:pPr>' if outline is not None else ""
    return f'<w:style w:type="{kind}" w:styleId="{style_id}"><w:name w:val="{name}"/>{based_xml}{outline_xml}</w:style>'


def docx(body, *, styles=None, numbering=None):
    """A .docx of these body elements (XML strings), with styles.xml and numbering.xml if given."""
    parts = {
        "word/document.xml": (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NAMESPACES}>'
                              f"<w:body>{''.join(body)}<w:sectPr/></w:body></w:document>"),
    }
    overrides = ['<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'wordprocessingml.document.main+xml"/>']
    relations = []
    if styles is not None:
        parts["word/styles.xml"] = STYLES_HEAD + "".join(styles) + "</w:styles>"
        overrides.append('<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.styles+xml"/>')
        relations.append('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                         'relationships/styles" Target="styles.xml"/>')
    if numbering is not None:
        parts["word/numbering.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering '
                                       f'{NAMESPACES}>{numbering}</w:numbering>')
        overrides.append('<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.numbering+xml"/>')
        relations.append('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                         'relationships/numbering" Target="numbering.xml"/>')
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>")
    parts["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.'
        'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    parts["word/_rels/document.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.'
        'org/package/2006/relationships">' + "".join(relations) + "</Relationships>")
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            archive.writestr(name, xml)
    return stream.getvalue()


def dry_run(data, tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_report", str(path), "--dry-run", stdout=out)
    return json.loads(out.getvalue())


def plain(texts):
    return [paragraph(text) for text in texts]


def expected(**changes):
    return {**json.loads(json.dumps(CONTROL)), **changes}


pytestmark = pytest.mark.django_db


def test_the_control_file(tmp_path):
    assert dry_run(docx(plain(BODY + TAIL)), tmp_path) == CONTROL


# 1. The page's frame ----------------------------------------------------------------------------

RED_RULE = paragraph(ppr='<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="1" w:color="FF0000"/></w:pBdr>')


def test_a_banner_above_the_title_is_the_frame_and_its_document_number_kept(tmp_path):
    banner = ["000123", "秘密★1年", "特急", "中共某某市政协党组文件", "某政党〔2023〕5号"]
    body = [*plain(banner), RED_RULE, *plain(BODY + TAIL)]
    assert dry_run(docx(body), tmp_path) == expected(
        document_number="某政党〔2023〕5号",
        not_imported=[{"kind": "frame", "text": text} for text in banner])


def test_a_banner_with_its_signer_and_an_issuer_in_a_text_box(tmp_path):
    """发文机关标志 as WordArt in a text box (WPS's 红头), the 发文字号 and 签发人 on one line."""
    body = [paragraph(inner=text_box("中共某某市政协党组文件")), paragraph("某政党〔2023〕5号　　签发人：张三"), RED_RULE,
            *plain(BODY + TAIL)]
    assert dry_run(docx(body), tmp_path) == expected(
        document_number="某政党〔2023〕5号",
        not_imported=[{"kind": "frame", "text": "中共某某市政协党组文件"},
                      {"kind": "frame", "text": "某政党〔2023〕5号　　签发人：张三"}])


def red(text, size=44):
    return paragraph(inner=run(text, f'<w:rPr><w:color w:val="FF0000"/><w:sz w:val="{size}"/></w:rPr>'))


def test_a_red_issuer_without_文件_or_a_number_is_the_frame_and_a_red_title_the_title(tmp_path):
    body = [red("中共某某市政协党组"), RED_RULE, *plain(BODY + TAIL)]
    assert dry_run(docx(body), tmp_path) == expected(not_imported=[{"kind": "frame", "text": "中共某某市政协党组"}])
    # A body that prints its title in red has no frame: the title stays.
    assert dry_run(docx([red(TITLE), *plain(BODY[1:] + TAIL)]), tmp_path) == CONTROL


def test_the_record_at_the_end_is_no_signature_or_date(tmp_path):
    record = ["抄送：市委办公室，市政府办公室。", "市政协办公室　　　　2023年4月11日印发"]
    body = plain(BODY + TAIL) + [RED_RULE] + plain(record)
    assert dry_run(docx(body), tmp_path) == expected(
        not_imported=[{"kind": "record", "text": text} for text in record])


def test_attachment_pages_after_the_date_are_no_sections(tmp_path):
    pages = ["附件1", "市政协党组2023年第一季度学习安排", "一、学习内容", "1.学习党的二十大精神。", "附件2", "参加人员名单",
             "张三、李四"]
    assert dry_run(docx(plain(BODY + TAIL + pages)), tmp_path) == expected(
        not_imported=[{"kind": "attachment", "text": "附件1 市政协党组2023年第一季度学习安排"},
                      {"kind": "attachment", "text": "附件2 参加人员名单"}])


# 2. Tables ----------------------------------------------------------------------------------------


def test_a_table_of_counts_gives_measures_with_their_values(tmp_path):
    counts = table([["项目", "次数"], ["理论学习中心组学习会议", "3"], ["廉政谈话", "26人次"]])
    result = dry_run(docx(plain(BODY) + [counts] + plain(TAIL)), tmp_path)
    assert result == expected(measures=CONTROL["measures"] + [{"name": "廉政谈话", "unit": "人次", "value": 26}])


def test_any_other_table_is_listed_with_its_first_row(tmp_path):
    people = table([["姓名", "职务"], ["张三", "党组书记"]])
    header_only = table([["一、主要做法"], ["（一）表格里的标题"]])
    body = plain(BODY) + [people] + plain(TAIL) + [header_only]
    assert dry_run(docx(body), tmp_path) == expected(
        not_imported=[{"kind": "table", "text": "姓名｜职务"}, {"kind": "table", "text": "一、主要做法"}])


def test_a_table_of_counts_with_a_unit_column_or_unit_in_its_header(tmp_path):
    with_column = table([["项目", "单位", "数量"], ["廉政谈话", "人次", "26"], ["专题党课", "次", "2"]])
    in_header = table([["指标名称", "数量（件）"], ["提案", "10"]])
    result = dry_run(docx(plain(BODY + TAIL) + [with_column, in_header]), tmp_path)
    assert result["measures"][2:] == [{"name": "廉政谈话", "unit": "人次", "value": 26},
                                      {"name": "专题党课", "unit": "次", "value": 2},
                                      {"name": "提案", "unit": "件", "value": 10}]
    assert result == expected(measures=result["measures"])


# 3. What is no body text --------------------------------------------------------------------------


def test_a_text_box_in_the_title_and_a_stamp_are_not_body_text(tmp_path):
    title = paragraph(inner=run(TITLE) + text_box("内部资料"))
    body = [title, *plain(BODY[1:3]), paragraph(inner=word_art("草稿") + run(BODY[3])), *plain(BODY[4:] + TAIL)]
    assert dry_run(docx(body), tmp_path) == expected(
        not_imported=[{"kind": "box", "text": "内部资料"}, {"kind": "box", "text": "草稿"}])


def test_comments_footnotes_and_deleted_text_are_not_read(tmp_path):
    marked = (f'<w:commentRangeStart w:id="0"/>{run("一是学习不够深入。")}<w:commentRangeEnd w:id="0"/>'
              f'<w:r><w:commentReference w:id="0"/></w:r><w:r><w:footnoteReference w:id="1"/></w:r>'
              f'<w:del w:id="2" w:author="李建国"><w:r><w:delText>删去的话。</w:delText></w:r></w:del>')
    body = plain(BODY[:-1]) + [paragraph(inner=marked)] + plain(TAIL)
    assert dry_run(docx(body), tmp_path) == CONTROL


# 4. Soft line breaks ------------------------------------------------------------------------------


def test_a_heading_broken_by_hand_is_one_heading(tmp_path):
    broken = (run("（一）深化理论学习，") + "<w:r><w:br/></w:r>" + run("把准正确方向。一是召开理论学习中心组学习会议3次。")
              + "<w:r><w:br/></w:r>" + run("二是开展专题研讨2次。"))
    body = plain(BODY[:4]) + [paragraph(inner=broken)] + plain(BODY[5:] + TAIL)
    assert dry_run(docx(body), tmp_path) == CONTROL


def test_a_soft_break_before_a_section_still_starts_it(tmp_path):
    """Pasted text often keeps each paragraph as a line of one Word paragraph."""
    joined = run(HEADING) + "<w:r><w:br/></w:r>" + run("二、存在的主要问题") + "<w:r><w:br/></w:r>" + run("一是学习不够深入。")
    body = plain(BODY[:4]) + [paragraph(inner=joined)] + plain(TAIL)
    assert dry_run(docx(body), tmp_path) == CONTROL


# 5. Every ordinal Word can write ------------------------------------------------------------------

NUMBERED_CONTROL = ["1.召开理论学习中心组学习会议3次。", "2.开展专题研讨2次。"]


def numbered_report(items, **kwargs):
    heading = "（一）深化理论学习，把准正确方向"
    return docx(plain(BODY[:4]) + [paragraph(heading)] + items + plain(BODY[5:] + TAIL), **kwargs)


def test_typed_enclosed_and_full_width_numerals_are_ordinals(tmp_path):
    control = dry_run(numbered_report(plain(NUMBERED_CONTROL)), tmp_path)
    assert control == expected()  # items one a paragraph, numbered 1. 2.
    for first, second in (("⒈", "⒉"), ("①", "②"), ("⑴", "⑵"), ("１．", "２．"), ("（1）", "（2）")):
        items = plain([f"{first}召开理论学习中心组学习会议3次。", f"{second}开展专题研讨2次。"])
        assert dry_run(numbered_report(items), tmp_path) == control, first


def numbering(fmt, text):
    return (f'<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>')


@pytest.mark.parametrize("fmt, text", [
    ("decimal", "%1."), ("decimalEnclosedFullstop", "%1"), ("decimalEnclosedCircle", "%1"),
    ("decimalEnclosedParen", "%1"), ("decimalFullWidth", "%1．"), ("decimal", "（%1）"),
])
def test_every_automatic_number_format_reads_as_typed(tmp_path, fmt, text):
    listed = '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
    items = [paragraph(text=t.split(".", 1)[1], ppr=listed) for t in NUMBERED_CONTROL]
    assert dry_run(numbered_report(items, numbering=numbering(fmt, text)), tmp_path) == expected(), fmt


def test_a_chinese_counting_list_numbers_the_sections(tmp_path):
    listed = '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
    body = (plain(BODY[:3]) + [paragraph("主要做法", ppr=listed), paragraph(HEADING),
                               paragraph("存在的主要问题", ppr=listed), paragraph(BODY[6])] + plain(TAIL))
    assert dry_run(docx(body, numbering=numbering("chineseCounting", "%1、")), tmp_path) == CONTROL


# 6. Localized and odd styles ----------------------------------------------------------------------

ZH_CN_STYLES = [
    style("a", "Normal"),
    style("1", "heading 1", based="a", outline=0),
    style("2", "heading 2", based="a", outline=1),
    style("a3", "Title", based="a", outline=0),  # zh-CN Word's 标题 carries outline level 0
]


def styled_report(styles, *, title, heading1, heading2):
    body = [paragraph(TITLE, style=title), *plain(BODY[1:3]), paragraph("主要做法", style=heading1),
            paragraph("深化理论学习，把准正确方向", style=heading2),
            *plain(["一是召开理论学习中心组学习会议3次。二是开展专题研讨2次。"]),
            paragraph("存在的主要问题", style=heading1), *plain([BODY[6], *TAIL])]
    return docx(body, styles=styles)


def test_zh_cn_word_style_ids_and_a_title_with_an_outline_level(tmp_path):
    assert dry_run(styled_report(ZH_CN_STYLES, title="a3", heading1="1", heading2="2"), tmp_path) == CONTROL


def test_styles_inherited_through_based_on_chains(tmp_path):
    styles = ZH_CN_STYLES + [style("10", "报告标题", based="a3"), style("11", "部分标题", based="1"),
                             style("12", "小标题", based="11", outline=1)]
    assert dry_run(styled_report(styles, title="10", heading1="11", heading2="12"), tmp_path) == CONTROL


@pytest.mark.parametrize("names", [
    ("Title", "Heading 1", "Heading 2"),  # LibreOffice
    ("标题", "标题 1", "标题 2"),  # WPS
])
def test_libreoffice_and_wps_style_names_without_outline_levels(tmp_path, names):
    styles = [style("Normal", "Normal")] + [style(f"s{i}", name, based="Normal") for i, name in enumerate(names)]
    assert dry_run(styled_report(styles, title="s0", heading1="s1", heading2="s2"), tmp_path) == CONTROL


# 7. Fields, content controls, numbering overrides -------------------------------------------------


def test_a_date_field_and_a_page_field_print_their_result_only(tmp_path):
    field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> DATE \\@ '
             '"yyyy年M月d日" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>' + run("2023年4月10日")
             + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    simple = f'<w:fldSimple w:instr=" SIGNATURE ">{run("市政协党组")}</w:fldSimple>'
    body = plain(BODY) + [paragraph(inner=simple), paragraph(inner=field)]
    assert dry_run(docx(body), tmp_path) == CONTROL


def test_content_controls_around_paragraphs_and_runs(tmp_path):
    """A unit's template keeps its addressee and date in content controls (Word's 格式文本内容控件)."""
    block = f'<w:sdt><w:sdtPr><w:alias w:val="主送机关"/></w:sdtPr><w:sdtContent>{paragraph(BODY[1])}</w:sdtContent></w:sdt>'
    inline = paragraph(inner=f'<w:sdt><w:sdtPr/><w:sdtContent>{run(TAIL[1])}</w:sdtContent></w:sdt>')
    body = plain(BODY[:1]) + [block] + plain(BODY[2:] + TAIL[:1]) + [inline]
    assert dry_run(docx(body), tmp_path) == CONTROL


def test_a_list_restarted_by_a_numbering_override(tmp_path):
    """A template's section list defined to start at 三 (left over from another document), its
    instance restarted at 一 by a lvlOverride: the sections are numbered 一、二、 as Word shows them."""
    definitions = (
        '<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="3"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/>'
        '</w:lvlOverride></w:num>')
    listed = '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
    body = (plain(BODY[:3]) + [paragraph("主要做法", ppr=listed), paragraph(HEADING),
                               paragraph("存在的主要问题", ppr=listed), paragraph(BODY[6])] + plain(TAIL))
    assert dry_run(docx(body, numbering=definitions), tmp_path) == CONTROL


@pytest.mark.parametrize("fmt, printed", [
    ("decimal", "12"), ("decimalZero", "12"), ("decimalFullWidth", "１２"), ("decimalFullWidth2", "１２"),
    ("decimalEnclosedCircle", "⑫"), ("decimalEnclosedCircleChinese", "⑫"), ("decimalEnclosedFullstop", "⒓"),
    ("decimalEnclosedParen", "⑿"), ("chineseCounting", "十二"), ("chineseCountingThousand", "十二"),
    ("ideographDigital", "一二"), ("chineseLegalSimplified", "壹贰"), ("ideographTraditional", "乙"),
    ("ideographZodiac", "子"), ("upperRoman", "XII"), ("lowerLetter", "l"), ("numberInDash", "- 12 -"),
])
def test_each_number_format_prints_as_word_prints_it(fmt, printed):
    from reports.word.importing.wordnumbering import format_number

    assert format_number(13 if fmt == "ideographZodiac" else 12, fmt) == printed
