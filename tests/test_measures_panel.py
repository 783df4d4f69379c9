"""The measures panel: figures in the order the text first refers to them, whole counts whole."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from reports.document.tokens import token
from reports.drafting.starting import start_report
from reports.models import Item, Measure

HTMX = {"HTTP_HX_REQUEST": "true"}


def panel_names(response):
    return re.findall(r'<th scope="row" class="fw-normal">([^<]+)</th>', response.content.decode())


@pytest.fixture
def report(report_factory, measure_factory, tree):
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["甲。", "乙。"])])
    added = {name: measure_factory(report, name) for name in ("乙项", "丙项", "甲项")}
    first, second = Item.objects.filter(section__report=report).order_by("position")
    first.text = f"先召开{token(added['甲项'].id)}，再召开{token(added['丙项'].id)}。"
    first.save()
    second.text = f"又召开{token(added['甲项'].id)}。"
    second.save()
    return report


@pytest.mark.parametrize("url", ["reports:edit", "reports:measures"])
def test_the_panel_follows_the_text_then_lists_the_rest(client, drafter, report, url):
    client.force_login(drafter)
    assert panel_names(client.get(reverse(url, args=[report.pk]))) == ["甲项", "丙项", "乙项"]


def test_a_copy_lists_its_figures_in_the_order_of_the_text(client, drafter, report):
    report.signature_date = None
    copy = start_report(user=drafter, organization=report.organization, year=2023, quarter=2, copy_from=report)
    client.force_login(drafter)
    assert panel_names(client.get(reverse("reports:edit", args=[copy.pk]))) == ["甲项", "丙项", "乙项"]


@pytest.mark.parametrize("unit, whole", [("次", True), ("人次", True), ("件", True), ("名", True),
                                         ("万元", False), ("小时", False)])
def test_a_new_measure_knows_whether_it_counts_whole_numbers(client, drafter, report, unit, whole):
    client.force_login(drafter)
    client.post(reverse("reports:measure_add", args=[report.pk]), {"name": "新指标", "unit": unit}, **HTMX)
    assert Measure.objects.get(name="新指标").whole is whole


def test_a_fraction_of_a_count_is_refused_with_a_message(client, drafter, report):
    client.force_login(drafter)
    value = report.measure_values.get(measure__name="甲项")
    response = client.post(reverse("reports:measure_value", args=[report.pk, value.pk]), {"value": "3.5"}, **HTMX)
    assert response.status_code == 422
    assert "整数" in response.content.decode()
    value.refresh_from_db()
    assert value.value is None
    response = client.post(reverse("reports:measure_value", args=[report.pk, value.pk]), {"value": "3.0"}, **HTMX)
    value.refresh_from_db()
    assert response.status_code == 200 and value.value == Decimal("3")


def test_a_fractional_measure_takes_a_fraction(client, drafter, report, measure_factory):
    funds = measure_factory(report, "专项经费", unit="万元")
    funds.whole = False
    funds.save()
    client.force_login(drafter)
    value = report.measure_values.get(measure=funds)
    response = client.post(reverse("reports:measure_value", args=[report.pk, value.pk]), {"value": "3.5"}, **HTMX)
    value.refresh_from_db()
    assert response.status_code == 200 and value.value == Decimal("3.5")


def test_a_refused_submission_lists_each_place_once_as_a_link(client, drafter, report_factory, tree):
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["召开**会议，形成**意见，**。", "学习。"])],
                            signature_date=None)
    client.force_login(drafter)
    page = client.post(reverse("reports:act", args=[report.pk, "submit"]), follow=True).content.decode()
    listed = re.search(r'<ul class="incomplete-list[^>]*>(.*?)</ul>', page, re.S).group(1)
    lines = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', listed)
    item = Item.objects.get(section__report=report, position=1)
    edit = reverse("reports:edit", args=[report.pk])
    assert lines == [(f"{edit}#item-{item.id}", "一、主要做法 一是：有待填写的占位符“**”"),
                     (f"{edit}#signature", "落款：成文日期尚未填写")]
