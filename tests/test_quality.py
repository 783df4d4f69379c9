"""The report's quality check and `check_report --json` (reports.quality.check)."""

import json

import pytest
from django.core.management import CommandError, call_command

from reports.document.tokens import token
from reports.models import Heading, Item, Report
from reports.quality.check import check_report


@pytest.fixture
def blanks(report_factory, measure_factory, tree):
    """A Q2 report with a placeholder, an empty figure, last quarter's wording and no date."""
    report = report_factory(tree["cppcc"], quarter=2, sections=[
        ("主要做法", "practices", [("深化理论学习", ["认真学习。", "召开会议。"]), "开展监督检查。"]),
        ("存在的主要问题", "problems", ["一季度调研不够深入。"]),
    ], signature_date=None)
    measure = measure_factory(report, "集体交流研讨")
    Item.objects.filter(text="召开会议。").update(text=f"召开集体交流研讨{token(measure.pk)}，制定**规范。")
    heading = Heading.objects.get(title="深化理论学习")
    heading.lead = "2023年第一季度以来，持续推进。"
    heading.save()
    return Report.objects.get(pk=report.pk)


def test_the_findings_name_their_place_by_its_ordinals(blanks):
    assert check_report(blanks).as_json() == {
        "report": blanks.pk, "blocking": 3, "warnings": 2,
        "findings": [
            {"kind": "stale_period", "part": "一、（一）导语", "text": "2023年第一季度", "blocking": False},
            {"kind": "stale_period", "part": "二、一是", "text": "一季度", "blocking": False},
            {"kind": "placeholder", "part": "一、（一）二是", "text": "**", "blocking": True},
            {"kind": "missing_measure", "part": "一、（一）二是", "measure": "集体交流研讨", "blocking": True},
            {"kind": "missing_date", "part": "成文日期", "blocking": True},
        ]}


def test_a_finished_report_has_nothing_to_say(complete_report):
    assert check_report(complete_report).as_json() == {"report": complete_report.pk, "blocking": 0, "warnings": 0,
                                                       "findings": []}


def test_the_command_prints_the_json_and_says_the_rest_in_words(blanks, capsys):
    call_command("check_report", str(blanks.pk), "--json")
    assert json.loads(capsys.readouterr().out) == check_report(blanks).as_json()
    call_command("check_report", str(blanks.pk))
    said = capsys.readouterr().out
    assert "3 处必须处理，2 处提醒" in said and "[必须处理]" in said and "成文日期尚未填写" in said


def test_an_unknown_report_exits_with_2(db):
    with pytest.raises(CommandError) as refused:
        call_command("check_report", "999999", "--json")
    assert refused.value.returncode == 2 and "没有这份报告" in str(refused.value)
