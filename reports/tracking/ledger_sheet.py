"""The 问题整改台账 as an .xlsx: the entries the ledger page lists (with its filters), in its order
and its three colours, ready to print on landscape A4.

The sheet is laid out by summary.py's write_sheet (title, bold frozen header, every text a text
cell, never a formula); this module adds what a ledger needs on top: the colours and their
legend, wrapped long texts, real dates and the page setup.
"""

from collections.abc import Sequence
from datetime import date

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from reports.document.text import without_forbidden
from reports.labels import day_name, person_name
from reports.tracking import ledger
from reports.tracking.ledger import Entry
from reports.tracking.summary import write_sheet

# The light shades of the page's 三色 (static/css/jibao.css: red, blue, green).
FILLS = {
    ledger.OVERDUE: PatternFill("solid", fgColor="FDE2E2"),
    ledger.SOON: PatternFill("solid", fgColor="DBEAFE"),
    ledger.CLOSED_COLOUR: PatternFill("solid", fgColor="DCFCE7"),
}
DATE_FORMAT = "yyyy-mm-dd"

# (width, wrapped) of each column, in the order of _headers().
COLUMNS = [
    (6, False),    # 序号
    (18, True),    # 单位
    (42, True),    # 问题
    (14, False),   # 发现于
    (32, True),    # 整改措施
    (11, True),    # 责任领导
    (14, True),    # 责任部门
    (12, False),   # 整改时限
    (10, False),   # 状态
    (10, False),   # 连续提到（季度）
    (32, True),    # 整改情况
    (32, True),    # 最新进展
    (12, True),    # 提请销号人
]
DEADLINE_COLUMN = 8


def _headers() -> list[str]:
    # 单位 and 状态 read "body" and "status" in the catalogue (field names): capitalised as on the page.
    return [
        _("序号"), capfirst(_("单位")), _("问题"), _("发现于"), _("整改措施"), _("责任领导"), _("责任部门"),
        _("整改时限"), capfirst(_("状态")), _("连续提到（季度）"), _("整改情况"), _("最新进展"), _("提请销号人"),
    ]


def _text(value: str) -> str | None:
    """A text for a cell; None (an empty cell, not an empty text) for nothing. What cannot go into a
    Word file cannot go into the sheet's XML either (openpyxl refuses it)."""
    return without_forbidden(value or "") or None


def _row(number: int, entry: Entry) -> list:
    problem = entry.problem
    proposer = problem.closing_proposed_by
    return [
        number,
        _text(problem.organization.name),
        _text(problem.text),
        entry.found,
        _text(problem.measures),
        _text(problem.leader),
        _text(problem.department),
        problem.deadline or _("未定"),
        problem.get_status_display(),
        entry.quarters,
        _text(problem.outcome),
        _text(f"{entry.progress_period}：{entry.progress}") if entry.progress else None,
        _text(person_name(proposer)) if proposer else None,
    ]


def _legend(counts: dict[str, int]) -> list[tuple[str, str]]:
    """(colour, text) of each colour, as the page's legend reads."""
    overdue, soon, closed = counts[ledger.OVERDUE], counts[ledger.SOON], counts[ledger.CLOSED_COLOUR]
    return [
        (ledger.OVERDUE, ngettext("逾期 %(counter)s 项", "逾期 %(counter)s 项", overdue) % {"counter": overdue}),
        (ledger.SOON, ngettext("%(days)s 天内到期 %(counter)s 项", "%(days)s 天内到期 %(counter)s 项", soon)
         % {"days": ledger.soon_days(), "counter": soon}),
        (ledger.CLOSED_COLOUR, ngettext("已整改 %(counter)s 项", "已整改 %(counter)s 项", closed) % {"counter": closed}),
    ]


def ledger_workbook(rows: Sequence[Entry], *, today: date, filters: Sequence[str] = ()) -> Workbook:
    """One sheet 问题整改台账: a title (as of `today`, whose date decides the colours), the header,
    one row per entry in the order given (the page's), each coloured as on the page; under the
    table the legend of the colours and the filters the entries were chosen by (`filters`, each
    already worded, e.g. "只看逾期"; none for the whole ledger)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("问题整改台账")
    headers = _headers()
    write_sheet(
        sheet,
        _("问题整改台账（截至%(day)s）") % {"day": day_name(today)},
        headers,
        [_row(number, entry) for number, entry in enumerate(rows, 1)],
        [width for width, _wrapped in COLUMNS],
    )
    sheet.row_dimensions[2].height = 30  # 连续提到（季度） on two lines

    top = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    for row_number, entry in enumerate(rows, 3):
        fill = FILLS.get(entry.colour)
        for column, (_width, wraps) in enumerate(COLUMNS, 1):
            cell = sheet.cell(row=row_number, column=column)
            cell.alignment = wrapped if wraps else top
            if fill is not None:
                cell.fill = fill
        deadline = sheet.cell(row=row_number, column=DEADLINE_COLUMN)
        if isinstance(deadline.value, date):
            deadline.number_format = DATE_FORMAT
    last = 2 + len(rows)
    if rows:
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{last}"

    # The legend, a row under the table: each colour's count in a cell of that colour.
    legend_row = last + 2
    for column, (colour, text) in enumerate(_legend(ledger.colour_counts(rows)), 2):
        cell = sheet.cell(row=legend_row, column=column, value=text)
        cell.fill = FILLS[colour]
        cell.alignment = wrapped
    if filters:
        # Starts with its label, so never taken for a formula whatever a body's name starts with.
        sheet.cell(row=legend_row + 1, column=2, value=_("筛选条件：%(filters)s") % {"filters": " · ".join(filters)})

    sheet.print_title_rows = "2:2"  # the header on every printed page
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.print_options.horizontalCentered = True
    return workbook
