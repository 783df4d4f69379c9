"""What a Word file holds around the report's body, set aside before the body is read (GB/T 9704):

- the 版头 above the title (§7.2): 份号, 密级和保密期限, 紧急程度, 发文机关标志, 发文字号, 签发人 (its red
  rule is a border or a shape, with no text); the 发文字号 is kept, the rest is listed;
- the 版记 at the end (§7.4): 抄送 and 印发机关和印发日期;
- the 附件 pages after the signature and date (§8): each listed by its label and title (and the
  附件说明's lines above the signature, which reports.word.importing.parser takes out);
- tables: a table of counts (项目 / 次数, units in the header or the cells) gives measures with their
  values; any other is listed with its first row;
- the text of text boxes and shapes: 草稿 and 内部资料 stamps, 密级 marks.

Each entry of `ParsedReport.not_imported` is {"kind": one of NOT_IMPORTED_KINDS, "text": …}.
"""

import re

from django.utils.translation import gettext_lazy as _

from reports.document.units import COUNT_UNIT_PATTERN
from reports.word.importing.blocks import BOX, TABLE, Block, title_like
from reports.word.importing.patterns import CLAUSE_PUNCTUATION, fold, parse_date

FRAME, RECORD, ATTACHMENT = "frame", "record", "attachment"
# In the order of the page: the 版头, what stands in the body, the 附件 pages, the 版记.
NOT_IMPORTED_KINDS = {
    FRAME: _("版头"), TABLE: _("表格"), BOX: _("文本框或图形"), ATTACHMENT: _("附件"), RECORD: _("版记"),
}


def in_page_order(found: list[dict]) -> list[dict]:
    order = list(NOT_IMPORTED_KINDS)
    return sorted(found, key=lambda entry: order.index(entry["kind"]))

# The 版头's lines (folded text, whole line). 份号: six digits; 密级: 绝密/机密/秘密, perhaps ★ and its
# term; 紧急程度; 发文机关标志: a body's name and 文件; 签发人.
COPY_NUMBER_RE = re.compile(r"\s*\d{6}\s*")
SECRECY_RE = re.compile(r"\s*(?:绝\s*密|机\s*密|秘\s*密)\s*(?:★.{0,10})?\s*")
URGENCY_RE = re.compile(r"\s*(?:特\s*急|加\s*急|特\s*提|平\s*急)\s*")
ISSUER_RE = re.compile(r"\s*.{2,30}文\s*件\s*")
SIGNER_RE = re.compile(r".{0,40}签\s*发\s*人\s*:.{0,20}")
# 发文字号: the issuer's short name, the year in 〔〕 (or [] or ()), the number, 号: 某党组〔2023〕5号.
DOCUMENT_NUMBER_RE = re.compile(r"[^\s:]{1,20}?[〔\[(]\s*\d{4}\s*[〕\])]\s*\d{1,4}\s*号")
FRAME_LINES_MAX = 10  # a 版头 is a few lines: past this, nothing is taken for one

# The 版记: 抄送：… and 某某办公室 2023年4月10日印发 (perhaps with the copies printed, (共印10份)).
CC_RE = re.compile(r"\s*抄\s*送\s*:.*")
PRINTED_RE = re.compile(r".{0,40}\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印\s*发\s*(?:\(共印\d+份\))?\s*")
# An 附件 page begins with its label alone on the first line: 附件, 附件1, 附件 2.
ATTACHMENT_LABEL_RE = re.compile(r"\s*附\s*件\s*\d{0,2}\s*")

# A table of counts: a header naming the item and the count, rows of a name and a number.
NAME_HEADERS = ("项目", "名称", "指标", "内容", "事项", "类别", "工作")
VALUE_HEADERS = ("次数", "数量", "数值", "数据", "人次", "件数", "个数", "场次", "完成情况", "合计")
UNIT_HEADERS = ("单位", "计量单位")
UNIT_IN_HEADER_RE = re.compile(rf"[(\[]\s*({COUNT_UNIT_PATTERN})\s*[)\]]")
VALUE_RE = re.compile(rf"\s*(\d+(?:\.\d+)?)\s*({COUNT_UNIT_PATTERN})?\s*")
HEADER_UNITS = {"次数": "次", "人次": "人次", "件数": "件", "个数": "个", "场次": "场"}


def entry(kind: str, text: str) -> dict:
    # A tab (our own 附件说明's hanging indent) reads as a space in a list.
    return {"kind": kind, "text": re.sub(r"[ \t]+", " ", text).strip()}


def take_frame(blocks: list[Block], report) -> None:
    """The 版头 above the title: up to its 发文字号 (or 签发人) when it has one, else its leading
    lines of the forms above. Its 发文字号 is kept in `report.document_number`."""
    head = blocks[:FRAME_LINES_MAX]
    last = None
    for index, block in enumerate(head):
        folded = fold(block.text)
        if block.role in (None, BOX) and (DOCUMENT_NUMBER_RE.search(folded) or SIGNER_RE.fullmatch(folded)) \
                and len(folded) <= 60 and "。" not in folded:
            last = index
            found = DOCUMENT_NUMBER_RE.search(folded)
            if found and not report.document_number:
                report.document_number = block.text[found.start():found.end()].strip()
    if last is None:
        last = -1
        for index, block in enumerate(head):
            if block.role is None and _frame_line(block):
                last = index
            else:
                break
        # A title printed in red, with no title under it, is the title: red alone is no frame then.
        while last >= 0 and blocks[last].red and not (last + 1 < len(blocks) and title_like(blocks[last + 1].text)):
            last -= 1
    for block in blocks[:last + 1]:
        report.not_imported.append(entry(FRAME, block.text))
    del blocks[:last + 1]


def _frame_line(block):
    folded = fold(block.text)
    if CLAUSE_PUNCTUATION & set(folded):
        return False
    # A red line above the title is the 发文机关标志, 文件 or not (中共某某市委员会).
    return block.red or any(pattern.fullmatch(folded) for pattern in (COPY_NUMBER_RE, SECRECY_RE, URGENCY_RE, ISSUER_RE))


def take_record(blocks: list[Block], report) -> None:
    """The 版记 at the very end: its 抄送 and 印发 lines."""
    taken = []
    while blocks and blocks[-1].role in (None, BOX) and (
            CC_RE.fullmatch(fold(blocks[-1].text)) or PRINTED_RE.fullmatch(fold(blocks[-1].text))):
        taken.append(blocks.pop())
    report.not_imported += [entry(RECORD, block.text) for block in reversed(taken)]


def take_attachment_pages(blocks: list[Block], report) -> None:
    """The 附件 pages after the signature and date: from the first label standing alone right
    after a date, each label with the line under it (the attachment's title)."""
    for index in range(1, len(blocks)):
        before = next((block for block in reversed(blocks[:index]) if block.role != BOX), None)  # a seal between
        if ATTACHMENT_LABEL_RE.fullmatch(fold(blocks[index].text)) and before and parse_date(fold(before.text)):
            pages = blocks[index:]
            del blocks[index:]
            for at, block in enumerate(pages):
                if ATTACHMENT_LABEL_RE.fullmatch(fold(block.text)):
                    title = pages[at + 1].text if at + 1 < len(pages) and pages[at + 1].role != TABLE else ""
                    report.not_imported.append(entry(ATTACHMENT, f"{block.text.strip()} {title}"))
            return


def take_tables_and_boxes(blocks: list[Block], report) -> list[tuple[str, str, int | float]]:
    """Tables and text boxes out of the body. Returns the measures a table of counts gives
    (name, unit, value), in their order."""
    measures, kept = [], []
    for block in blocks:
        if block.role == BOX:
            report.not_imported.append(entry(BOX, block.text))
        elif block.role == TABLE:
            found = table_counts(block.cells or [])
            if found:
                measures += found
            else:
                report.not_imported.append(entry(TABLE, "｜".join(cell for cell in (block.cells or [[]])[0])))
        else:
            kept.append(block)
    blocks[:] = kept
    return measures


def table_counts(rows: list[list[str]]) -> list[tuple[str, str, int | float]] | None:
    """A table whose cells say unambiguously that it counts: a header with the item's name and
    its count (项目 | 次数, 名称 | 数量（人次）, 项目 | 单位 | 数量), every row below a name and a
    number, each with its unit (in the cell, its own column or the header). Else None."""
    if len(rows) < 2:
        return None
    header = [fold(cell).replace(" ", "") for cell in rows[0]]
    name_at = next((i for i, cell in enumerate(header) if cell.startswith(NAME_HEADERS)), None)
    value_at = next((i for i, cell in enumerate(header) if cell.startswith(VALUE_HEADERS)), None)
    unit_at = next((i for i, cell in enumerate(header) if cell in UNIT_HEADERS), None)
    if name_at is None or value_at is None or len(header) - (unit_at is not None) != 2:
        return None
    in_header = UNIT_IN_HEADER_RE.search(header[value_at])
    header_unit = in_header[1] if in_header else HEADER_UNITS.get(header[value_at][:2])
    found = []
    for row in rows[1:]:
        if len(row) != len(header):
            return None
        name, value = row[name_at].strip(), VALUE_RE.fullmatch(fold(row[value_at]))
        unit = (value[2] if value else None) or (fold(row[unit_at]).strip() if unit_at is not None else None) or header_unit
        if not name or not value or not unit or not re.fullmatch(COUNT_UNIT_PATTERN, unit):
            return None
        number = float(value[1])
        found.append((name, unit, int(number) if number.is_integer() else number))
    return found
