"""Helpers for the tests that click through pages in Chromium."""

from playwright.sync_api import expect

DEMO_PASSWORD = "jibao-demo"  # the demo users' (reports/management/demo.py)


def log_in(page, live_server, username="drafter", password=DEMO_PASSWORD):
    """Log in through the login form, as a person does, and wait for the logged-in page.
    Any earlier session in the page is dropped first."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def copy_to_next_quarter(page, report):
    """Start the next quarter's report (year and quarter after `report`'s, same year only) as a
    copy of `report`, through the new-report form, and wait for its editor; returns the copy."""
    from reports.labels import quarter_name
    from reports.models import Report

    quarter = report.quarter + 1
    page.get_by_role("link", name="新建报告").click()
    page.get_by_label("季度").select_option(label=quarter_name(quarter))
    page.get_by_label("年度").fill(str(report.year))
    page.get_by_label("起草方式").select_option(label=f"复制 {report.title}")
    page.get_by_role("button", name="开始起草").click()
    expect(page.get_by_test_id("editor-sheet")).to_be_visible()
    return Report.objects.get(organization=report.organization, year=report.year, quarter=quarter)
