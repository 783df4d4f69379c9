"""Starting a quarter: the standard skeleton, a copy of an earlier quarter, never a duplicate."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.document.model import build_document
from reports.drafting.starting import ReportExists, default_quarter, previous_problems, start_report
from reports.models import Measure, MeasureValue, Report


def test_the_skeleton_has_the_standard_title_opening_and_three_sections(drafter, tree):
    report = start_report(user=drafter, organization=tree["cppcc"], year=2024, quarter=3)
    texts = [p.text for p in build_document(report).paragraphs]
    assert texts == [
        "市政协党组2024年第三季度履行全面从严治党主体责任情况报告",
        "按要求，现将市政协党组2024年第三季度履行全面从严治党主体责任情况报告如下。",
        "一、主要做法", "二、存在的主要问题", "三、下一步的打算",
        "市政协党组",
    ]
    assert [s.kind for s in report.sections.all()] == ["practices", "problems", "next_steps"]
    assert report.created_by == drafter and report.status == "draft"


def test_a_copy_takes_text_structure_and_measures_without_values(demo, demo_drafter):
    demo.signature_date = date(2023, 4, 10)
    demo.save()
    copy = start_report(user=demo_drafter, organization=demo.organization, year=2023, quarter=2, copy_from=demo)
    original, copied = build_document(demo), build_document(copy)
    assert copied.paragraphs[0].text == "市政协党组2023年第二季度履行全面从严治党主体责任情况报告"
    assert copied.paragraphs[1].text == "按要求，现将市政协党组2023年第二季度履行全面从严治党主体责任情况报告如下。"
    assert [p.kind for p in copied.paragraphs] == [p.kind for p in original.paragraphs][:-1]  # no date yet
    copied_missing, original_missing = (
        [run for paragraph in document.paragraphs for run in paragraph.runs if run.missing] for document in (copied, original))
    assert len(copied_missing) == 8 and not original_missing
    assert set(copy.measure_values.values_list("measure_id", flat=True)) == set(
        demo.measure_values.values_list("measure_id", flat=True))
    assert not copy.measure_values.exclude(value=None).exists()
    assert copy.signature_date is None
    # The original is untouched.
    assert demo.measure_values.filter(value__isnull=False).count() == 8


def test_a_quarter_that_exists_is_opened_not_duplicated(demo, demo_drafter, client):
    with pytest.raises(ReportExists) as exists:
        start_report(user=demo_drafter, organization=demo.organization, year=2023, quarter=1)
    assert exists.value.report == demo
    client.force_login(demo_drafter)
    response = client.post(reverse("reports:create"), {"organization": demo.organization_id, "year": 2023, "quarter": 1},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:edit", args=[demo.pk])
    assert "已经存在，已为您打开" in response.content.decode()
    assert Report.objects.filter(organization=demo.organization, year=2023, quarter=1).count() == 1


def test_the_new_report_page_offers_only_the_drafters_bodies_and_their_reports(client, drafter, report_factory, tree):
    own = report_factory(tree["cppcc"], quarter=1, title="本单位一季度")
    report_factory(tree["congress"], quarter=1, title="别的单位一季度")
    client.force_login(drafter)
    page = client.get(reverse("reports:create")).content.decode()
    assert "市政协党组" in page and "市人大常委会党组" not in page
    assert "复制 本单位一季度" in page and "别的单位一季度" not in page
    response = client.post(reverse("reports:create"),
                           {"organization": tree["cppcc"].id, "year": 2023, "quarter": 2, "copy_from": own.id})
    new = Report.objects.get(organization=tree["cppcc"], quarter=2)
    assert response.status_code == 302 and response["Location"] == reverse("reports:edit", args=[new.pk])


def test_a_body_or_source_that_is_not_the_drafters_is_refused(client, drafter, report_factory, tree):
    other = report_factory(tree["congress"], quarter=1)
    client.force_login(drafter)
    response = client.post(reverse("reports:create"), {"organization": tree["congress"].id, "year": 2023, "quarter": 2})
    assert response.status_code == 422 and "选择一个有效的选项" in response.content.decode()
    response = client.post(reverse("reports:create"),
                           {"organization": tree["cppcc"].id, "year": 2023, "quarter": 2, "copy_from": other.id})
    assert response.status_code == 422
    response = client.post(reverse("reports:create"), {"organization": tree["cppcc"].id, "year": 1900, "quarter": 7})
    assert response.status_code == 422
    assert Report.objects.count() == 1


def test_people_who_draft_nowhere_cannot_start_a_report(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("reports:create"), follow=True)
    assert "您不是任何单位的起草人" in response.content.decode()
    assert not Report.objects.exists()


def test_previous_problems_are_last_quarters_problems_with_measure_names(demo, demo_drafter):
    copy = start_report(user=demo_drafter, organization=demo.organization, year=2023, quarter=2, copy_from=demo)
    previous, texts = previous_problems(copy)
    assert previous == demo
    assert len(texts) == 2 and texts[0].startswith("在党的组织对党员委员全覆盖")
    first_of_next_year = start_report(user=demo_drafter, organization=demo.organization, year=2024, quarter=1)
    assert previous_problems(first_of_next_year) == (None, [])


def test_copy_is_all_or_nothing(demo, demo_drafter, monkeypatch):
    """A failure in the middle of a copy leaves no half-made report behind."""
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(MeasureValue.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        start_report(user=demo_drafter, organization=demo.organization, year=2023, quarter=2, copy_from=demo)
    assert not Report.objects.filter(organization=demo.organization, year=2023, quarter=2).exists()
    assert Measure.objects.count() == 8 and MeasureValue.objects.filter(value=Decimal("3")).exists()


@pytest.mark.parametrize(
    "today, expected",
    [(date(2026, 1, 8), (2025, 4)), (date(2026, 3, 30), (2026, 1)), (date(2026, 4, 2), (2026, 1)),
     (date(2026, 11, 26), (2026, 4)), (date(2026, 10, 5), (2026, 3))],
)
def test_the_new_report_form_suggests_the_quarter_being_reported(today, expected):
    assert default_quarter(today) == expected


def start_or_import(path, *, user, organization, year, quarter, copy_from=None):
    """A quarter's report made the way a drafter makes one: started (maybe as a copy) or imported."""
    from reports.word.importing import create_report, parse_text

    if path == "import":
        parsed = parse_text("一、主要做法\n一是召开理论学习中心组学习会议3次。")
        return create_report(parsed, organization=organization, year=year, quarter=quarter, user=user)
    return start_report(user=user, organization=organization, year=year, quarter=quarter, copy_from=copy_from)


PATHS = ["start", "copy", "import"]


@pytest.mark.parametrize("path", PATHS)
def test_every_way_of_making_a_report_refuses_a_quarter_that_exists(drafter, tree, report_factory, path):
    earlier = report_factory(tree["cppcc"], year=2024, quarter=1)
    existing = report_factory(tree["cppcc"], year=2024, quarter=2, title="已有的二季度")
    with pytest.raises(ReportExists) as raised:
        start_or_import(path, user=drafter, organization=tree["cppcc"], year=2024, quarter=2,
                        copy_from=earlier if path == "copy" else None)
    assert raised.value.report == existing
    assert Report.objects.filter(organization=tree["cppcc"]).count() == 2
    assert not Measure.objects.exists(), "an import refused leaves no measure behind"


def someone_creates_it_first(monkeypatch, *, organization, year, quarter):
    """Between the check that the quarter is free and the insert, a colleague's request creates
    the same quarter's report: the check finds nothing, the insert meets the unique constraint."""
    real_filter = Report.objects.filter

    def filter_(*args, **kwargs):
        if not args and set(kwargs) == {"organization", "year", "quarter"} and not raced:
            raced.append(Report.objects.create(organization=organization, year=year, quarter=quarter, title="同事刚建的报告"))
            return real_filter(*args, **kwargs).none()
        return real_filter(*args, **kwargs)

    raced = []
    monkeypatch.setattr(Report.objects, "filter", filter_)
    return raced


@pytest.mark.parametrize("path", PATHS)
def test_a_quarter_created_meanwhile_by_someone_else_is_reported_as_existing(drafter, tree, report_factory, monkeypatch, path):
    earlier = report_factory(tree["cppcc"], year=2024, quarter=1)
    raced = someone_creates_it_first(monkeypatch, organization=tree["cppcc"], year=2024, quarter=2)
    with pytest.raises(ReportExists) as raised:
        start_or_import(path, user=drafter, organization=tree["cppcc"], year=2024, quarter=2,
                        copy_from=earlier if path == "copy" else None)
    assert raced and raised.value.report.title == "同事刚建的报告"


def test_the_new_report_page_opens_a_quarter_created_meanwhile_instead_of_failing(client, drafter, tree, monkeypatch):
    raced = someone_creates_it_first(monkeypatch, organization=tree["cppcc"], year=2024, quarter=2)
    client.force_login(drafter)
    response = client.post(reverse("reports:create"), {"organization": tree["cppcc"].id, "year": 2024, "quarter": 2})
    # (The colleague's row is rolled back with the refused start here; theirs would be committed.)
    assert response.status_code == 302 and response["Location"] == reverse("reports:edit", args=[raced[0].pk])
