"""The sheet of due dates: 年度, 期间 (第一季度 … 第四季度, or 年度 for the annual report), 报送截止日期.
One row a period; a period already set is updated when its date changed."""

from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from reports.labels import QUARTER_NAMES, QUARTER_SHORT_NAMES, quarter_name
from reports.models import DueDate
from reports.onboarding.sheets import SheetResource, check_cells

YEAR, PERIOD, DUE = gettext_lazy("年度"), gettext_lazy("期间"), gettext_lazy("报送截止日期")
ANNUAL_WORDS = ("年度", "年度报告", "全年")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


class PeriodWidget(widgets.Widget):
    """第一季度, 一季度, 1 or Q1; 年度 (the annual report: no quarter)."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip().upper().removeprefix("Q")
        if text in ANNUAL_WORDS:
            return None
        for quarter in QUARTER_NAMES:
            if text in (str(quarter), str(QUARTER_NAMES[quarter]), str(QUARTER_SHORT_NAMES[quarter])):
                return quarter
        raise ValueError(_("期间“%(period)s”应为第一季度至第四季度，或“年度”。") % {"period": value})

    def render(self, value, obj=None, **kwargs):
        return quarter_name(value)


class DueDateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value or "").strip()
        for layout in DATE_FORMATS:
            try:
                return datetime.strptime(text, layout).date()
            except ValueError:
                continue
        raise ValueError(_("报送截止日期“%(date)s”不是日期，应写作 2023-04-10。") % {"date": text})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class DueDateResource(SheetResource):
    year = fields.Field(attribute="year", column_name=str(YEAR), widget=widgets.IntegerWidget())
    quarter = fields.Field(attribute="quarter", column_name=str(PERIOD), widget=PeriodWidget())
    due_date = fields.Field(attribute="due_date", column_name=str(DUE), widget=DueDateWidget())

    class Meta:
        model = DueDate
        fields = ("year", "quarter", "due_date")
        import_id_fields = ("year", "quarter")
        skip_unchanged = True
        report_skipped = True
        store_row_values = True  # a refused row's cells, for its preview
        skip_html_diff = True  # the changed columns are what the preview shows (sheets.SheetResource)
        clean_model_instances = True
        verbose_name = gettext_lazy("报送期限")

    def before_import_row(self, row, **kwargs):
        """The period finds the row's due date: a bad one (or a bad date) is the row's reason."""
        super().before_import_row(row, **kwargs)
        from django.core.exceptions import ValidationError

        try:
            year = int(str(row.get(str(YEAR)) or "").strip())
        except ValueError:
            raise ValidationError(_("年度“%(year)s”应为四位数字。") % {"year": row.get(str(YEAR))}) from None
        row[str(YEAR)] = year
        check_cells(row, [(PeriodWidget(), PERIOD), (DueDateWidget(), DUE)])  # the period finds the row
