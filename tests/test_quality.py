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


# Copied text, stale references and figures (reports.quality.copies, .figures) -----------------

from datetime import date  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from reports.document.model import build_document  # noqa: E402
from reports.document.parts import parts_by_label  # noqa: E402
from reports.drafting.starting import start_report  # noqa: E402
from reports.models import Measure, MeasureRule, MeasureValue, ReportQuality  # noqa: E402
from reports.quality import copies  # noqa: E402
from reports.review import workflow  # noqa: E402

REWRITTEN = "一、（二）一是"


@pytest.fixture
def copied(demo, demo_drafter, django_capture_on_commit_callbacks):
    """The sample report copied to Q2 by its drafter, one paragraph rewritten."""
    with django_capture_on_commit_callbacks(execute=True):
        report = start_report(user=demo_drafter, organization=demo.organization, year=2023, quarter=2, copy_from=demo)
    part = parts_by_label(build_document(report))[REWRITTEN]
    Item.objects.filter(pk=int(part.ref.removeprefix("item-"))).update(
        text="围绕市委中心工作，组织委员深入基层开展专题调研三次，形成调研报告两篇，报送市委主要领导参阅。")
    return Report.objects.get(pk=report.pk)


def written_labels(report):
    return [part.label for part in copies_module_parts(report)]


def copies_module_parts(report):
    return [part for part in parts_by_label(build_document(report)).values()
            if copies.written(part) and len(copies.StockPhrases().removed(copies.normalised(part.text))) >= 20]


def test_a_copy_of_last_quarter_is_copied_everywhere_but_where_rewritten(copied):
    findings = check_report(copied).as_json()["findings"]
    previous = {finding["part"]: finding for finding in findings if finding["kind"] == "copied_previous"}
    expected = [label for label in written_labels(copied) if label != REWRITTEN]
    assert len(expected) > 20 and list(previous) == expected
    assert REWRITTEN not in previous
    assert all(finding["source"] == "2023年第一季度" and finding["similarity"] >= 0.8 for finding in previous.values())
    # Each 一季度 the copy kept is a stale period, where it stands.
    stale = [(finding["part"], finding["text"]) for finding in findings if finding["kind"] == "stale_period"]
    texts = parts_by_label(build_document(copied))
    kept = [label for label, part in texts.items() if "一季度" in part.text and label != "开头"]
    assert kept and {label for label, text in stale if text.endswith("一季度")} == set(kept)
    assert not [finding for finding in findings if finding["kind"] == "copied_peer"]


def test_a_peer_sharing_one_paragraph_is_one_copy(demo, report_factory):
    from reports.models import Organization

    shared = demo.sections.get(kind="practices").items.order_by("heading__position", "position").first().text
    other = "组织开展机关作风建设专项整治，查摆问题十二项并逐项整改到位。"
    body = Organization.objects.create(name="市文联党组", parent=demo.organization.parent)
    peer = report_factory(body, year=2023, quarter=1, sections=[("主要做法", "practices", [shared, other])])
    unrelated = Report.objects.get(organization__name="市人大常委会党组", year=2023, quarter=1)
    copies.refresh(peer)
    for report in (demo, unrelated):
        copies.refresh(report)
    [finding] = [f for f in check_report(peer).findings if f.kind == "copied_peer"]
    assert finding.as_json() == {"kind": "copied_peer", "part": "一、一是", "similarity": 1.0, "blocking": False}
    assert finding.copy.source.report_id == demo.pk
    [back] = [f for f in check_report(demo).findings if f.kind == "copied_peer"]
    assert back.copy.source.report_id == peer.pk
    assert not [f for f in check_report(unrelated).findings if f.kind.startswith("copied")]


def test_stock_phrases_and_short_parts_are_not_copies(report_factory, tree):
    phrase = "深入学习贯彻习近平新时代中国特色社会主义思想"
    first = report_factory(tree["cppcc"], quarter=1, sections=[("主要做法", "practices", [phrase + "。", "召开会议。"])])
    second = report_factory(tree["congress"], quarter=1, sections=[("主要做法", "practices", [phrase + "。", "召开会议。"])])
    copies.refresh(first)
    assert not check_report(second).copies


def test_the_check_panel_takes_as_many_queries_with_one_peer_as_with_ten(client, report_factory, tree, drafter):
    from django.urls import reverse

    from reports.models import Organization

    text = "组织开展机关作风建设专项整治，查摆问题十二项并逐项整改到位，建立长效机制五项。"
    report = report_factory(tree["cppcc"], quarter=1, sections=[("主要做法", "practices", [text])])
    client.force_login(drafter)

    def queries():
        """The panel as the editor reloads it after a save (htmx), and what it says."""
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("reports:check", args=[report.pk]), headers={"HX-Request": "true"})
        return len(captured), page.content.decode()

    peer = report_factory(tree["congress"], quarter=1, sections=[("主要做法", "practices", [text])])
    copies.refresh(peer)
    one, said = queries()
    for number in range(9):
        body = Organization.objects.create(name=f"第{number}党组", parent=tree["city"])
        copies.refresh(report_factory(body, quarter=1, sections=[("主要做法", "practices", [text])]))
    ten, said_ten = queries()
    assert ten == one
    # One copy a part, whatever the number of peers alike, and never which body.
    assert "与本期其他单位报告相同 <strong>100%</strong>" in said_ten
    assert said_ten.count("与本期其他单位报告的文字 100% 相同") == 1 and "市人大" not in said_ten
    assert len([f for f in check_report(report).findings if f.kind == "copied_peer"]) == 1


def test_a_write_refreshes_the_fingerprints_and_the_overseers_figures(complete_report, drafter,
                                                                      django_capture_on_commit_callbacks):
    from reports.drafting import editing

    item = Item.objects.filter(section__report=complete_report).first()
    with django_capture_on_commit_callbacks(execute=True):
        editing.save_part(user=drafter, report=complete_report, kind="item", obj=item, base_version=complete_report.version,
                          base_fingerprint=editing.fingerprint(editing.part_values(item, "item")),
                          values={"text": "组织开展机关作风建设专项整治，查摆问题十二项并逐项整改到位。"})
    stored = complete_report.prints.values_list("text", flat=True)
    assert "组织开展机关作风建设专项整治，查摆问题十二项并逐项整改到位。" in stored and "认真学习。" not in stored
    assert ReportQuality.objects.get(report=complete_report).previous_share == 0


@pytest.fixture
def history(report_factory, tree):
    """市政协党组's 廉政谈话 over 2022: 26 a quarter; 2023 Q1 asks for its own figure."""
    measure = Measure.objects.create(name="廉政谈话", unit="人次")
    for quarter, value in ((1, 26), (2, 24), (3, 30), (4, 28)):
        report = report_factory(tree["cppcc"], year=2022, quarter=quarter, sections=[("主要做法", "practices", ["谈话。"])])
        MeasureValue.objects.create(report=report, measure=measure, value=Decimal(value))
    now = report_factory(tree["cppcc"], year=2023, quarter=1, sections=[("主要做法", "practices", ["谈话。"])])
    return now, MeasureValue.objects.create(report=now, measure=measure)


def figure_findings(report):
    return [f.as_json() for f in check_report(Report.objects.get(pk=report.pk)).figures]


def test_a_figure_ten_times_last_years_is_an_outlier(history):
    report, value = history
    for typed, expected in ((Decimal(260), [{"kind": "measure_outlier", "measure": "廉政谈话", "value": 260, "reference": 26,
                                             "blocking": False}]),
                            (Decimal(2), [{"kind": "measure_outlier", "measure": "廉政谈话", "value": 2, "reference": 26,
                                           "blocking": False}]),
                            (Decimal(40), [])):
        value.value = typed
        value.save()
        assert figure_findings(report) == expected


def test_without_last_years_quarter_the_median_is_the_reference(history, report_factory, tree):
    report, value = history
    Report.objects.filter(organization=tree["cppcc"], year=2022, quarter=1).delete()
    value.value = Decimal(300)
    value.save()
    [finding] = check_report(report).figures
    assert (finding.reference, "以往通常为 28人次" in finding.message) == (28, True)  # of 24, 30 and 28


def test_small_counts_are_not_judged(history):
    report, value = history
    MeasureValue.objects.filter(report__year=2022).update(value=Decimal(1))
    value.value = Decimal(9)
    value.save()
    assert figure_findings(report) == []


def test_a_rule_between_figures(history):
    report, value = history
    talks = Measure.objects.create(name="专题学习", unit="次")
    meetings = Measure.objects.create(name="理论学习中心组学习会议", unit="次")
    MeasureValue.objects.create(report=report, measure=talks, value=Decimal(5))
    meetings_value = MeasureValue.objects.create(report=report, measure=meetings, value=Decimal(3))
    MeasureRule.objects.create(left=talks, operator=MeasureRule.Operator.AT_MOST, right=meetings)
    assert figure_findings(report) == [{"kind": "measure_rule", "measure": "专题学习",
                                        "text": "专题学习 ≤ 理论学习中心组学习会议", "value": 5, "reference": 3,
                                        "blocking": False}]
    meetings_value.value = Decimal(5)
    meetings_value.save()
    assert figure_findings(report) == []


def test_an_outlier_is_submitted_only_with_its_note(history, drafter):
    report, value = history
    value.value = Decimal(260)
    value.save()
    with pytest.raises(workflow.ExplanationRequired) as refused:
        workflow.submit(report, actor=drafter, late_reason="系统上线前未能按时报送。")
    assert "廉政谈话" in refused.value.message
    assert Report.objects.get(pk=report.pk).status == Report.Status.DRAFT
    # The note typed with a refused submission is kept; given, the submission goes through.
    with pytest.raises(workflow.WorkflowError):
        workflow.submit(report, actor=drafter, late_reason="", notes={value.measure_id: "开展集中谈话月活动。"})
    assert MeasureValue.objects.get(pk=value.pk).note == "开展集中谈话月活动。"
    workflow.submit(report, actor=drafter, late_reason="系统上线前未能按时报送。")
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED
    [finding] = check_report(report).figures
    assert finding.explained and finding.figure.value.note == "开展集中谈话月活动。"


def test_the_json_of_a_copied_report_exactly(demo, demo_drafter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        copy = start_report(user=demo_drafter, organization=demo.organization, year=2023, quarter=2, copy_from=demo)
    Item.objects.filter(section__report=copy).exclude(pk=Item.objects.filter(section__report=copy, section__position=1)
                                                       .order_by("heading__position", "position").first().pk).delete()
    Heading.objects.filter(section__report=copy).exclude(items__isnull=False).delete()
    copy = Report.objects.get(pk=copy.pk)
    copy.signature_date = date(2023, 3, 28)
    copy.save()
    data = check_report(copy).as_json()
    assert data["findings"][0] == {"kind": "copied_previous", "part": "一、（一）一是", "similarity": 1.0,
                                   "source": "2023年第一季度", "blocking": False}
    assert {"kind": "stale_date", "part": "成文日期", "text": "2023年3月28日", "blocking": False} in data["findings"]
    assert (data["blocking"], data["warnings"]) == (len([f for f in data["findings"] if f["blocking"]]),
                                                    len([f for f in data["findings"] if not f["blocking"]]))


STUDY = "组织党组理论学习中心组围绕党的建设专题开展集中学习研讨，班子成员逐一交流发言并形成学习体会。"
VISITS = "党组成员带队深入基层单位开展调研走访，收集意见建议并逐条建立整改台账，推动问题解决落地。"


def test_the_command_prints_every_kind_exactly(report_factory, tree, capsys):
    """`check_report --json` on a report copied from last quarter, sharing a paragraph with a peer,
    naming the quarter before and with a figure ten times last year's: the whole output."""
    talks = Measure.objects.create(name="廉政谈话", unit="人次")
    last_year = report_factory(tree["cppcc"], year=2022, quarter=2, sections=[("主要做法", "practices", ["谈话。"])])
    MeasureValue.objects.create(report=last_year, measure=talks, value=Decimal(26))
    earlier = report_factory(tree["cppcc"], year=2023, quarter=1, sections=[("主要做法", "practices", [STUDY])])
    peer = report_factory(tree["congress"], year=2023, quarter=2, sections=[("主要做法", "practices", [VISITS])])
    report = report_factory(tree["cppcc"], year=2023, quarter=2, sections=[
        ("主要做法", "practices", [("加强理论武装", [STUDY, "一季度以来召开会议**次。"]), VISITS])],
        signature_date=None)
    MeasureValue.objects.create(report=report, measure=talks, value=Decimal(260))
    for each in (last_year, earlier, peer, report):
        copies.refresh(each)
    call_command("check_report", str(report.pk), "--json")
    assert json.loads(capsys.readouterr().out) == {
        "report": report.pk, "blocking": 2, "warnings": 4,
        "findings": [
            {"kind": "copied_previous", "part": "一、（一）一是", "similarity": 1.0, "source": "2023年第一季度",
             "blocking": False},
            # The section's own item prints before its headings (reports.document.model).
            {"kind": "copied_peer", "part": "一、一是", "similarity": 1.0, "blocking": False},
            {"kind": "stale_period", "part": "一、（一）二是", "text": "一季度", "blocking": False},
            {"kind": "placeholder", "part": "一、（一）二是", "text": "**", "blocking": True},
            {"kind": "missing_date", "part": "成文日期", "blocking": True},
            {"kind": "measure_outlier", "measure": "廉政谈话", "value": 260, "reference": 26, "blocking": False},
        ]}


def test_the_board_shows_the_shares_as_a_column_in_as_many_queries(client, demo):
    """?quality=1: each report's cell says how much of its text is the body's earlier text and
    other bodies', linked to the two texts; the board reads it in the same queries."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    client.force_login(get_user_model().objects.get(username="overseer"))
    url = reverse("tracking:board") + "?year=2023"
    with CaptureQueriesContext(connection) as plain:
        without = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as marked:
        page = client.get(url + "&quality=1").content.decode()
    assert len(plain) == len(marked)
    assert 'data-testid="board-quality"' not in without and "显示文字相同比例" in without
    kept = ReportQuality.objects.get(report=demo)
    link = reverse("tracking:quality_report", args=[demo.pk])
    assert f'<a href="{link}"' in page
    assert f"相同：以前 {kept.previous_percent}% · 他单位 {kept.peer_percent}%" in page
    assert page.count('data-testid="board-quality"') == ReportQuality.objects.filter(report__year=2023).count()


def test_the_overseers_list_opens_at_the_latest_period_most_copied_first(client, demo, demo_drafter,
                                                                       django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    with django_capture_on_commit_callbacks(execute=True):
        copy = start_report(user=demo_drafter, organization=demo.organization, year=2023, quarter=2, copy_from=demo)
    client.force_login(get_user_model().objects.get(username="overseer"))
    page = client.get(reverse("tracking:quality") + "?year=2023").content.decode()
    assert "2023年第二季度报告的文字质量" in page
    kept = ReportQuality.objects.get(report=copy)
    assert kept.previous_percent == 100
    rows = page.split('data-testid="quality-row"')[1:]
    assert len(rows) == Report.objects.filter(year=2023, quarter=2).count() == 2
    assert "市政协党组" in rows[0] and reverse("tracking:quality_report", args=[copy.pk]) in rows[0]
    assert '<td class="text-end text-danger fw-semibold" data-testid="previous-share">100%</td>' in rows[0]
    by_body = client.get(reverse("tracking:quality") + "?year=2023&quarter=2&sort=body").content.decode()
    from reports.models import Organization

    names = list(Organization.objects.filter(reports__year=2023, reports__quarter=2).order_by("name")
                 .values_list("name", flat=True))  # in the database's collation
    assert sorted(names, key=by_body.index) == names
