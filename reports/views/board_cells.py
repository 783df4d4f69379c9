"""The board's cells (bodies × 4 quarters) as HTML, built in Python.

Through the template engine each cell cost about 20 nodes, a `{% url %}`, two `|date` filters and
a translated status, and a board has hundreds of cells (docs/PERFORMANCE.md has the figures). Here
every string that repeats — labels, the due dates, the URLs, the CSRF field — is made once per
request, and a cell is a few `format_html` calls. The markup is the one the template had.
"""

from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from reports.labels import PERIODS, period_key, quarter_name
from reports.models import Report
from reports.review.comments import MAX_COMMENT
from reports.tracking.deadlines import LATE, REPORTING_TZ, TIMELINESS_LABELS
from reports.tracking.extensions import MAX_EXTENSION_DAYS

# What a cell shows of a 迟报说明: enough to tell "机构调整" from "材料延误" at a glance; the whole
# text is in the marker's title (and on the report's page).
LATE_REASON_CHARS = 14
# The date the 准予延期 form proposes: a week, time enough to finish a report already begun.
DEFAULT_EXTENSION_DAYS = 7
DUE_SOON = "due_soon"  # the badge of a pending cell within the warning days (not a timeliness)


def kept_quality(report):
    """The report's last quality check (ReportQuality), None before its first."""
    try:
        return report.quality
    except ObjectDoesNotExist:
        return None


class CellRenderer:
    def __init__(self, request, today, group=None, *, quality=False):
        # The 文字质量 column: each report's shares of text copied, a link to the two texts.
        self.quality = quality
        self.quality_prefix = reverse("tracking:quality_report", args=[0]).removesuffix("0/")
        self.quality_label = _("相同：以前 %(previous)d%% · 他单位 %(peer)d%%")
        self.quality_title = _("正文与本单位以前报告相同 %(previous)d%%，与本期其他单位报告相同 %(peer)d%%：点击对照查看")
        self.unexplained_label = _("数字未说明 %(count)d")
        self.not_checked = _("尚未检查")
        self.status_labels = {value: str(label) for value, label in Report.Status.choices}
        # The states of the hierarchy in words of the board: 审定 is 报送 to the supervising body,
        # and a report returned says by whom.
        self.status_labels[Report.Status.APPROVED] = _("已审定·已报送")
        self.returned_labels = {True: _("退回（上级）"), False: _("退回（本单位）")}
        self.waiting_label = _("待审（第%(number)d环节·%(step)s）")
        self.timeliness_labels = {key: str(label) for key, label in TIMELINESS_LABELS.items()}
        self.timeliness_labels[DUE_SOON] = _("即将到期")
        self.late_reason = _("迟报说明")
        self.closed = _("已截止")
        self.extended = _("延期至")
        self.not_started = _("未起草")
        self.sent = _("报送")
        self.due = _("截止")
        self.reminded = _("已催报")
        self.remind = _("催报")
        self.remind_label = _("催报：%(body)s%(quarter)s")
        self.quarter_names = {quarter: quarter_name(quarter) for quarter in PERIODS}
        self.keys = {quarter: period_key(quarter) for quarter in PERIODS}
        self.detail_prefix = reverse("reports:detail", args=[0]).removesuffix("0/")
        self.remind_url = reverse("tracking:remind")
        self.csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
        # The group page the 催报 form was sent from, so that its answer comes back to it.
        self.group_field = format_html('<input type="hidden" name="group" value="{}">', group.pk) if group else ""
        self._dates = {}
        self.extend_url = reverse("tracking:extend")
        self.extend = _("准予延期")
        self.extend_label = _("准予延期：%(body)s%(quarter)s")
        self.extend_fields = format_html(
            '<label class="form-label">{}<input type="date" name="until" value="{}" min="{}" max="{}" required '
            'class="form-control form-control-sm"></label>'
            '<label class="form-label">{}<input type="text" name="reason" maxlength="{}" required '
            'class="form-control form-control-sm"></label>'
            '<button type="submit" class="btn btn-primary btn-sm">{}</button>',
            self.extended, self.date(today + timedelta(days=DEFAULT_EXTENSION_DAYS)),
            self.date(today + timedelta(days=1)), self.date(today + timedelta(days=MAX_EXTENSION_DAYS)),
            _("理由"), MAX_COMMENT, _("确定延期"))

    def date(self, value):
        if value not in self._dates:
            self._dates[value] = value.strftime("%Y-%m-%d")
        return self._dates[value]

    def status(self, cell):
        """The report's state in the board's words (see __init__)."""
        status = cell.report.status
        if status == Report.Status.SUBMITTED and cell.step is not None:
            return self.waiting_label % {"number": cell.step.number, "step": cell.step.name}
        if status == Report.Status.RETURNED:
            return self.returned_labels[cell.returned_from_above]
        return self.status_labels[status]

    def hidden_fields(self, cell):
        return format_html(
            '{}{}<input type="hidden" name="organization" value="{}">'
            '<input type="hidden" name="year" value="{}">'
            '<input type="hidden" name="quarter" value="{}">',
            self.csrf, self.group_field, cell.organization.pk, cell.year, self.keys[cell.quarter])

    def cell(self, cell):
        badge = DUE_SOON if cell.due_soon else cell.timeliness
        head = format_html('<span class="badge timeliness-badge timeliness-{}">{}</span>', badge,
                           self.timeliness_labels[badge])
        if cell.report:
            status = format_html('<a href="{}{}/" class="board-status" title="{}">{}</a>', self.detail_prefix,
                                 cell.report.pk, cell.report.title, self.status(cell))
        else:
            status = format_html('<span class="board-status text-secondary">{}</span>', self.not_started)
        dates = []
        if cell.submitted_on:
            dates.append(format_html("<span>{} {}</span>", self.sent, self.date(cell.submitted_on)))
        dates.append(format_html("<span>{} {}</span>", self.due, self.date(cell.due)))
        if cell.last_reminder:
            sent_at = cell.last_reminder.sent_at.astimezone(REPORTING_TZ)  # dates on the board are Beijing dates
            dates.append(format_html('<span class="board-reminded" title="{} → {}">{} {}</span>',
                                     sent_at.strftime("%Y-%m-%d %H:%M"), cell.last_reminder.recipients,
                                     self.reminded, self.date(sent_at.date())))
        if cell.extended_until:
            dates.append(format_html('<span class="board-extended" title="{}">{} {}</span>',
                                     cell.deadline.extension_reason, self.extended, self.date(cell.extended_until)))
        elif cell.closed:
            dates.append(format_html('<span class="board-closed">{}</span>', self.closed))
        notes = ""
        if cell.timeliness == LATE and cell.report.late_reason:
            notes = format_html(
                '<div class="board-late-reason" title="{}"><span class="board-late-label">{}</span>{}</div>',
                cell.report.late_reason, self.late_reason,
                Truncator(cell.report.late_reason).chars(LATE_REASON_CHARS, truncate="…"))
        return format_html(
            '<td class="board-cell cell-{}" data-quarter="{}" data-timeliness="{}">'
            '<div class="board-cell-head">{}{}</div><div class="board-dates">{}</div>{}{}{}</td>',
            cell.timeliness, self.keys[cell.quarter], cell.timeliness, head, status, mark_safe("".join(dates)), notes,
            self.quality_line(cell), self.forms(cell))

    def quality_line(self, cell):
        if not self.quality or not cell.report:
            return ""
        kept = kept_quality(cell.report)
        if kept is None:
            return format_html('<div class="board-quality text-secondary">{}</div>', self.not_checked)
        shares = {"previous": kept.previous_percent, "peer": kept.peer_percent}
        high = " board-quality-high" if kept.previous_high or kept.peer_high else ""
        unexplained = ""
        if kept.unexplained:
            unexplained = format_html('<span class="board-quality-figures">{}</span>',
                                      self.unexplained_label % {"count": kept.unexplained})
        return format_html('<div class="board-quality{}" data-testid="board-quality"><a href="{}{}/" title="{}">{}</a>{}</div>',
                           high, self.quality_prefix, cell.report.pk, self.quality_title % shares,
                           self.quality_label % shares, unexplained)

    def forms(self, cell):
        """催报 while the drafters can still report; once input has closed, 准予延期 for who may grant it."""
        quarter = self.quarter_names[cell.quarter]
        if cell.can_remind:
            label = self.remind_label % {"body": cell.organization.name, "quarter": quarter}
            return format_html(
                '<form method="post" action="{}" class="board-remind">{}'
                '<button type="submit" class="btn btn-outline-danger btn-sm" aria-label="{}">{}</button></form>',
                self.remind_url, self.hidden_fields(cell), label, self.remind)
        if cell.can_extend:
            label = self.extend_label % {"body": cell.organization.name, "quarter": quarter}
            return format_html(
                '<details class="board-extend"><summary aria-label="{}">{}</summary>'
                '<form method="post" action="{}">{}{}</form></details>',
                label, self.extend, self.extend_url, self.hidden_fields(cell), self.extend_fields)
        return ""

    def rows(self, board):
        """Each row with its cells, ready for the template."""
        return [(row, format_html_join("", "{}", ((self.cell(cell),) for cell in row.cells))) for row in board.rows]
