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
