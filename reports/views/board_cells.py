"""The board's cells (bodies × 4 quarters) as HTML, built in Python.

Through the template engine each cell cost about 20 nodes, a `{% url %}`, two `|date` filters and
a translated status, and a board has hundreds of cells (docs/PERFORMANCE.md has the figures). Here
every string that repeats — labels, the due dates, the URLs, the CSRF field — is made once per
request, and a cell is a few `format_html` calls. The markup is the one the template had.
"""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports.labels import PERIODS, period_key, quarter_name
from reports.models import Report
from reports.tracking.deadlines import REPORTING_TZ, TIMELINESS_LABELS


class CellRenderer:
    def __init__(self, request, group=None):
        self.status_labels = {value: str(label) for value, label in Report.Status.choices}
        self.timeliness_labels = {key: str(label) for key, label in TIMELINESS_LABELS.items()}
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

    def date(self, value):
        if value not in self._dates:
            self._dates[value] = value.strftime("%Y-%m-%d")
        return self._dates[value]

    def cell(self, cell):
        head = format_html('<span class="badge timeliness-badge timeliness-{}">{}</span>', cell.timeliness,
                           self.timeliness_labels[cell.timeliness])
        if cell.report:
            status = format_html('<a href="{}{}/" class="board-status" title="{}">{}</a>', self.detail_prefix,
                                 cell.report.pk, cell.report.title, self.status_labels[cell.report.status])
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
        form = ""
        if cell.can_remind:
            label = self.remind_label % {"body": cell.organization.name, "quarter": self.quarter_names[cell.quarter]}
            form = format_html(
                '<form method="post" action="{}" class="board-remind">{}{}'
                '<input type="hidden" name="organization" value="{}">'
                '<input type="hidden" name="year" value="{}">'
                '<input type="hidden" name="quarter" value="{}">'
                '<button type="submit" class="btn btn-outline-danger btn-sm" aria-label="{}">{}</button></form>',
                self.remind_url, self.csrf, self.group_field, cell.organization.pk, cell.year, self.keys[cell.quarter], label,
                self.remind)
        return format_html(
            '<td class="board-cell cell-{}" data-quarter="{}" data-timeliness="{}">'
            '<div class="board-cell-head">{}{}</div><div class="board-dates">{}</div>{}</td>',
            cell.timeliness, self.keys[cell.quarter], cell.timeliness, head, status, mark_safe("".join(dates)), form)

    def rows(self, board):
        """Each row with its cells, ready for the template."""
        return [(row, format_html_join("", "{}", ((self.cell(cell),) for cell in row.cells))) for row in board.rows]
