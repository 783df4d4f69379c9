"""通知 in Chromium: the count in the navigation bar, the list, and a notice opened."""

from datetime import date

import pytest
from playwright.sync_api import expect

from reports.models import Membership
from reports.review import notices
from tests.browser import log_in
from tests.fixtures import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_drafter_opens_an_unread_notice_from_the_bar(page, live_server, tree, make_user, artifacts_dir):
    make_user("notified", organization=tree["office"], role=Membership.Role.DRAFTER, first_name="起草人甲")
    # A 催报 that came by itself: a notice (no address, so no e-mail) that links to the report list.
    notices.remind(organization=tree["office"], year=2023, quarter=1, due_date=date(2023, 4, 10), sender=None)

    log_in(page, live_server, "notified", PASSWORD)
    bar_link = page.get_by_test_id("nav-notices")
    expect(bar_link).to_have_text("通知 1")
    bar_link.click()
    expect(page.get_by_role("heading", name="通知")).to_be_visible()
    notice = page.get_by_test_id("notice")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("未读")
    expect(notice).to_contain_text("应于2023年4月10日前报送")
    page.screenshot(path=artifacts_dir / "notices.png")

    notice.get_by_role("link", name="【季报】催报：市政协机关党组2023年第一季度报告").click()
    expect(page).to_have_url(f"{live_server.url}/reports/")
    expect(bar_link).to_have_text("通知")
    expect(bar_link.locator(".badge")).to_have_count(0)
    bar_link.click()
    expect(page.get_by_test_id("notice")).not_to_contain_text("未读")
