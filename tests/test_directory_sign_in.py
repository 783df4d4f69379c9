"""Directory sign-in against a real slapd that the test starts (tests/directory.py): an imported
person signs in with their directory password; a wrong or unknown account gets the login page's
message; a directory account without a role in 季报 is told whom to ask."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reports.models import Membership
from tests.directory import PEOPLE, running_directory

pytestmark = pytest.mark.django_db

DIRECTORY = [("wangxn", "王晓宁", "wangxn@example.gov.cn", "目录-密码-2026"),
             ("zhaom", "赵敏", "zhaom@example.gov.cn", "另一个-密码-2026")]


@pytest.fixture
def directory(settings, tmp_path):
    with running_directory(tmp_path, DIRECTORY) as url:
        settings.JIBAO_LDAP_URL = url
        settings.LDAP_AUTH_URL = [url]
        settings.LDAP_AUTH_SEARCH_BASE = PEOPLE
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "django_python3_ldap.auth.LDAPBackend"]
        yield url


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_an_imported_person_signs_in_with_the_directory_password(client, directory, tree):
    person = get_user_model().objects.create(username="wangxn", first_name="王晓宁")
    person.set_unusable_password()
    person.save()
    Membership.objects.create(user=person, organization=tree["cppcc"], role="drafter")
    answer = sign_in(client, "wangxn", "目录-密码-2026")
    assert answer.status_code == 302 and answer.url == reverse("reports:list")
    page = client.get(reverse("reports:list")).content.decode()
    assert "王晓宁" in page and "您的账号还没有开通季报" not in page
    assert get_user_model().objects.filter(username="wangxn").count() == 1  # the same user, not a second one
    assert get_user_model().objects.get(username="wangxn").email == "wangxn@example.gov.cn"  # from the directory


def test_a_wrong_password_or_an_unknown_account_gets_the_login_page(client, directory):
    for username, password in (("wangxn", "错误的密码"), ("nobody", "目录-密码-2026")):
        answer = sign_in(client, username, password)
        assert answer.status_code == 200
        assert "用户名或密码不正确，请重新输入。" in answer.content.decode()
    assert not get_user_model().objects.filter(username="nobody").exists()


def test_a_directory_account_without_a_role_is_told_whom_to_ask(client, directory):
    answer = sign_in(client, "zhaom", "另一个-密码-2026")
    assert answer.status_code == 302
    page = client.get(answer.url).content.decode()
    assert "您的账号还没有开通季报" in page and "您已用账号 zhaom 登录" in page


def test_with_a_directory_the_import_mails_no_password_link(directory, mailoutbox, django_capture_on_commit_callbacks):
    import tablib

    from reports.onboarding.bodies import BodyResource
    from reports.onboarding.people import PersonResource

    BodyResource().import_data(tablib.Dataset(["市政协党组", "", ""], headers=["单位名称", "简称", "上级单位"]))
    with django_capture_on_commit_callbacks(execute=True):
        PersonResource().import_data(tablib.Dataset(
            ["王晓宁", "wangxn", "wangxn@example.gov.cn", "", "市政协党组", "起草人"],
            headers=["姓名", "用户名", "电子邮箱", "手机", "单位", "角色"]))
    assert get_user_model().objects.filter(username="wangxn").exists() and mailoutbox == []
