"""Quarters in words and numbers (reports/labels.py): the report's own text, the interface around it."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from reports.labels import period_name, period_text, quarter_name, quarter_text
from reports.models import QUARTERS, DueDate
from reports.tracking.deadlines import due_dates


def test_quarter_labels():
    """A quarter is Chinese in the report's own text, and in the user's language around it."""
    chinese = ["第一季度", "第二季度", "第三季度", "第四季度"]
    with translation.override("en"):
        assert [quarter_text(q) for q in (1, 2, 3, 4)] == chinese
        assert period_text(2023, 1) == "2023年第一季度"
        assert [quarter_name(q) for q in (1, 2, 3, 4)] == ["Q1", "Q2", "Q3", "Q4"]
        assert period_name(2023, 1) == "Q1 2023"
        assert [(value, str(label)) for value, label in QUARTERS] == [(1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")]
    with translation.override("zh-hans"):
        assert [quarter_name(q) for q in (1, 2, 3, 4)] == chinese
        assert period_name(2023, 1) == "2023年第一季度"
        assert [(value, str(label)) for value, label in QUARTERS] == list(zip((1, 2, 3, 4), chinese, strict=True))


@pytest.mark.django_db
def test_the_quarters_offered_tracked_and_exported_are_the_same_four_and_the_year(client, make_user):
    assert [value for value, _label in QUARTERS] == [1, 2, 3, 4]  # and None: the annual report
    assert list(due_dates(2023)) == [1, 2, 3, 4, None]
    client.force_login(make_user())
    assert [client.get(f"/reports/export/2023/{quarter}.zip").status_code for quarter in (0, 1, 4, 5, "annual", "None")] == [
        404, 200, 200, 404, 200, 404]
    assert reverse("reports:export_zip", args=[2023, None]) == "/reports/export/2023/annual.zip"
    with pytest.raises(CommandError, match="invalid choice: 5"):
        call_command("import_report", "report.txt", "--quarter", "5")


def test_the_interface_names_a_quarter_one_way_wherever_it_shows_one(client, overseer):
    """A due date in the admin, the summary's columns and its chart: the quarter's name from
    reports.labels, never 第2季度 spelled by hand (2023年第二季度 in Chinese, Q2 2023 in English)."""
    due = DueDate(year=2023, quarter=2, due_date=date(2023, 7, 10))
    with translation.override("zh-hans"):
        assert str(due) == "2023年第二季度：2023-07-10"
    with translation.override("en"):
        assert str(due) == "Q2 2023: 2023-07-10"
    client.force_login(overseer)
    page = client.get(reverse("tracking:summary") + "?year=2023", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.context["quarter_names"] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert page.context["chart"]["labels"] == ["一季度", "二季度", "三季度", "四季度"]
