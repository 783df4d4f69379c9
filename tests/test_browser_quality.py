"""The quality check in Chromium: the drafter of a copy sees how much was copied and the old
periods, each linked to its part; the reviewer sees the share and never the other body; a figure
far from last year's is submitted only with its 说明, which the reviewer reads beside it."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from reports.models import Measure, MeasureValue, Organization, Report
from reports.quality import copies, jobs
from tests.browser import copy_to_next_quarter, log_in
from tests.fixtures import answer_plans

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_drafter_sees_the_copied_share_and_the_old_periods_linked(page, live_server, demo, artifacts_dir):
    log_in(page, live_server)
    copy = copy_to_next_quarter(page, demo)
    panel = page.locator("#check-panel")
    copied = panel.get_by_test_id("check-copied")
    expect(copied).to_contain_text("正文与本单位以前报告相同 100%")
    expect(copied).to_contain_text("与本期其他单位报告相同 0%")
    expect(panel.get_by_test_id("check-warnings")).to_contain_text("“一季度”不是本报告的期间（2023年第二季度）")
    panel.screenshot(path=artifacts_dir / "check-panel-copied.png")

    # Each copied part is a link to it; rewritten, it leaves the list and the share drops.
    copied.locator("summary").click()
    entry = copied.get_by_role("link", name="一、（一）一是：与2023年第一季度报告的文字 100% 相同")
    ref = entry.get_attribute("data-open-part")
    entry.click()
    form = page.locator(f'.ed-form[data-ref="{ref}"]')
    expect(form).to_be_visible()
    form.get_by_label("内容").fill("围绕市委中心工作，组织委员深入基层开展专题调研三次，形成调研报告两篇，报送市委主要领导参阅。")
    form.get_by_role("button", name="保存").click()
    expect(copied).not_to_contain_text("一、（一）一是：与2023年第一季度报告")
    expect(copied).not_to_contain_text("相同 100%，")
    assert Report.objects.get(pk=copy.pk).prints.filter(ref=ref, text__startswith="围绕市委中心工作").exists()


def test_the_reviewer_sees_the_share_but_not_the_other_body(page, live_server, demo):
    body = Organization.objects.create(name="市文联党组", parent=demo.organization.parent)
    shared = demo.sections.get(kind="practices").items.order_by("heading__position", "position").first().text
    peer = Report.objects.create(organization=body, year=2023, quarter=1, title="市文联党组报告")
    peer.sections.create(title="主要做法", kind="practices", position=1).items.create(text=shared, position=1)
    copies.refresh(peer)
    jobs.refresh_all([demo])
    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/reports/{demo.pk}/review/")
    quality = page.get_by_test_id("quality-panel")
    expect(quality).to_contain_text("与本期其他单位报告相同")
    expect(quality).to_contain_text("与本期其他单位报告的文字 100% 相同")
    expect(quality).not_to_contain_text("市文联党组")
    expect(quality.get_by_test_id("quality-detail")).to_have_count(0)

    # The overseer above sees which body, and both texts with the shared runs marked.
    log_in(page, live_server, "overseer")
    page.goto(f"{live_server.url}/tracking/quality/{demo.pk}/")
    pair = page.get_by_test_id("quality-pair").filter(has_text="市文联党组")
    expect(pair.get_by_test_id("quality-source")).to_contain_text("市文联党组 · 2023年第一季度")
    expect(pair.locator("mark.shared-run").first).to_be_visible()


def test_a_figure_far_from_last_years_asks_for_a_note(page, live_server, demo, artifacts_dir):
    talks = Measure.objects.get(name="廉政谈话")
    last_year = int(MeasureValue.objects.get(report__organization=demo.organization, report__year=2022, report__quarter=2,
                                             measure=talks).value)
    report = Report.objects.create(organization=demo.organization, year=2023, quarter=2, title="2023年第二季度报告",
                                   signature_name=demo.organization.name, signature_date=date(2023, 6, 28))
    report.sections.create(title="主要做法", kind="practices", position=1).items.create(text="开展廉政谈话。", position=1)
    value = MeasureValue.objects.create(report=report, measure=talks)
    answer_plans(report, get_user_model().objects.get(username="drafter"))

    log_in(page, live_server)
    page.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    notes = page.get_by_test_id("figure-notes")
    expect(notes).to_have_count(0)
    # The figure typed, the panel asks for its 说明 at once.
    page.get_by_label("廉政谈话", exact=True).fill(str(last_year * 10 + 5))
    page.get_by_label("廉政谈话", exact=True).press("Tab")
    expect(notes).to_contain_text("统计数“廉政谈话”")
    expect(notes).to_contain_text("去年同期为")
    late = page.get_by_test_id("late-submit")
    if late.count():
        late.get_by_role("textbox").fill("系统上线前未能按时报送。")
    page.get_by_test_id("submit-report").click()
    expect(page.locator(".alert")).to_contain_text("请为以下统计数填写说明后再提交：廉政谈话")
    assert Report.objects.get(pk=report.pk).status == "draft"

    # The note is kept as its box is left, and stays while another figure changes.
    explanation = "本季度开展集中谈话月活动，党组成员逐一谈话。"
    box = notes.get_by_role("textbox")
    box.fill(explanation)
    with page.expect_response(lambda response: response.url.endswith(f"/measures/{value.pk}/note/")):
        box.press("Tab")
    assert MeasureValue.objects.get(pk=value.pk).note == explanation
    page.get_by_label("廉政谈话", exact=True).fill(str(last_year * 10 + 6))
    page.get_by_label("廉政谈话", exact=True).press("Tab")
    expect(notes).to_contain_text(f"为 {last_year * 10 + 6}")
    expect(box).to_have_value(explanation)
    notes.screenshot(path=artifacts_dir / "figure-notes.png")
    late = page.get_by_test_id("late-submit")
    if late.count():
        late.get_by_role("textbox").fill("系统上线前未能按时报送。")
    page.get_by_test_id("submit-report").click()
    expect(page.locator(".alert")).to_contain_text("已提交，等待审核。")
    assert MeasureValue.objects.get(pk=value.pk).note == explanation

    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/reports/{report.pk}/review/")
    expect(page.get_by_test_id("figure-note")).to_contain_text("说明：本季度开展集中谈话月活动")
