"""Unified sign-on (统一身份认证) against a real CAS server that the test starts (tests/sign_on.py),
in Chromium: an imported person goes from the login page to the unit's sign-on and back, signed in;
an account without a role is told whom to ask; a wrong password stays at the sign-on, and no account
is made; without a CAS server the login page offers none."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from reports.models import Membership
from tests.sign_on import running_cas_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [("wangxn", "统一认证-密码-2026"), ("zhaom", "另一个-密码-2026")]


@pytest.fixture
def sign_on(settings, tmp_path):
    with running_cas_server(tmp_path, PEOPLE) as url:
        settings.JIBAO_CAS_URL = settings.CAS_SERVER_URL = url
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "django_cas_ng.backends.CASBackend"]
        yield url


def sign_in_through_the_unit(page, live_server, username, password, artifacts_dir=None):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    if artifacts_dir:
        page.screenshot(path=artifacts_dir / "sign-on-login-page.png")
    page.get_by_role("link", name="统一身份认证登录").click()
    # The unit's own sign-on page (django-cas-server's), not ours.
    if artifacts_dir:
        page.screenshot(path=artifacts_dir / "sign-on-unit-page.png")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form [type=submit]").first.click()


def test_an_imported_person_signs_in_through_the_units_sign_on(page, live_server, sign_on, tree, artifacts_dir):
    person = get_user_model().objects.create(username="wangxn", first_name="王晓宁")
    person.set_unusable_password()
    person.save()
    Membership.objects.create(user=person, organization=tree["cppcc"], role="drafter")
    sign_in_through_the_unit(page, live_server, "wangxn", "统一认证-密码-2026", artifacts_dir)
    expect(page.get_by_test_id("current-user")).to_contain_text("王晓宁")
    expect(page.get_by_role("link", name="新建报告").first).to_be_visible()
    page.screenshot(path=artifacts_dir / "sign-on-signed-in.png", full_page=True)
    assert get_user_model().objects.filter(username="wangxn").count() == 1  # the imported person, not a new one


def test_an_account_without_a_role_is_told_whom_to_ask(page, live_server, sign_on):
    sign_in_through_the_unit(page, live_server, "zhaom", "另一个-密码-2026")
    expect(page.locator("body")).to_contain_text("您的账号还没有开通季报")
    expect(page.locator("body")).to_contain_text("您已用账号 zhaom 登录")


def test_a_wrong_password_stays_at_the_sign_on_and_makes_no_account(page, live_server, sign_on):
    sign_in_through_the_unit(page, live_server, "zhaom", "错误的密码")
    assert page.url.startswith(sign_on)
    expect(page.locator("#id_password")).to_be_visible()
    assert not get_user_model().objects.filter(username="zhaom").exists()


def test_without_a_cas_server_the_login_page_offers_none(client):
    assert "统一身份认证登录" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("cas_login")).status_code == 404
