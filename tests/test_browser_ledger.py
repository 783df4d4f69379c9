"""The 问题整改台账 in Chromium, as its users meet it."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from reports.models import Problem, Report
from reports.tracking import ledger
from tests.browser import copy_to_next_quarter, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_problems_of_an_approved_quarter_show_in_the_next_quarters_editor(page, live_server, demo, artifacts_dir):
    # The sample still has places to fill: approved here as the approval itself would leave it
    # (tests/test_ledger.py takes reports through the workflow).
    Report.objects.filter(pk=demo.pk).update(status="approved")
    ledger.record_problems(demo, actor=get_user_model().objects.get(username="reviewer"))
    problems = list(Problem.objects.filter(organization=demo.organization, found_year=2023).order_by("id"))
    assert len(problems) == 2
    # The demo's 2022 Q4 report, approved, left two entries of its own.
    still_open = Problem.objects.filter(organization=demo.organization).exclude(status="closed").count()

    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/")
    copy_to_next_quarter(page, demo)
    panel = page.get_by_test_id("ledger-panel")
    expect(panel.get_by_role("heading")).to_contain_text("问题整改台账")
    entries = panel.locator(".ledger-entry")
    expect(entries).to_have_count(still_open)
    found = entries.filter(has_text=problems[0].text)
    expect(found).to_contain_text("未整改")
    expect(found).to_contain_text("2023年第一季度发现")
    panel.screenshot(path=artifacts_dir / "editor-ledger-panel.png")
