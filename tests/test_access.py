"""Login is required everywhere but the login page; a user sees only their bodies' reports."""

import io
import re

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from reports import urls as report_urls
from reports.evidence.store import store
from reports.models import Evidence, Membership
from tests.fixtures import PASSWORD


def report_urls_for(report):
    """Every URL of the reports app that names one report, filled in with one of its parts:
    a new URL is covered automatically."""
    from reports.models import Evidence, Item, MeasureValue

    item = Item.objects.filter(section__report=report).first()
    problem_item = Item.objects.filter(section__report=report, section__kind="problems").first() or item
    value = MeasureValue.objects.filter(report=report).first()
    evidence = Evidence.objects.filter(report=report).first()
    samples = {"kind": "item", "part_id": item.pk if item else 1, "value_id": value.pk if value else 1, "action": "submit",
               "problem_id": 1, "position": 1, "item_id": problem_item.pk if problem_item else 1,
               "evidence_id": evidence.pk if evidence else 1, "ref": f"item-{item.pk if item else 1}",
               "suggestion_id": 1, "key": "no-such-import"}
    found = []
    for pattern in report_urls.urlpatterns:
        converters = pattern.pattern.converters
        if isinstance(pattern, URLPattern) and "pk" in converters:
            kwargs = {"pk": report.pk, **{name: samples[name] for name in converters if name != "pk"}}
            if "kind" in kwargs and "part_id" not in kwargs:
                kwargs["kind"] = "title"  # a part of the report itself…
            try:
                found.append(reverse(f"reports:{pattern.name}", kwargs=kwargs))
            except NoReverseMatch:  # …unless the pattern only takes parts it can add, or generated parts
                try:
                    found.append(reverse(f"reports:{pattern.name}", kwargs={**kwargs, "kind": "item"}))
                except NoReverseMatch:
                    found.append(reverse(f"reports:{pattern.name}", kwargs={**kwargs, "kind": "rectification"}))
    assert len(found) > 10, "the reports app has report URLs"
    return sorted(set(found))


def fetch(client, url):
    """GET, or POST for the URLs that only take POST: what a user's browser could send."""
    response = client.get(url)
    return client.post(url) if response.status_code == 405 else response


def all_page_urls(report):
    return [reverse("reports:list"), *report_urls_for(report), "/", reverse("admin:index")]


@pytest.fixture
def full_report(report_factory, measure_factory, tree):
    def make(organization):
        report = report_factory(organization, sections=[("主要做法", "practices", [("学习", ["一项。"])]),
                                                   ("存在的主要问题", "problems", [("问题", ["学习不够深入。"])])])
        measure_factory(report, "学习会议", value=1)
        photo = io.BytesIO()
        Image.new("RGB", (20, 10), "red").save(photo, "PNG")  # a picture: it has a thumbnail too
        Evidence.objects.create(report=report, title="签到表", file=store("签到表.png", photo.getvalue()))
        return report

    return make


def test_every_page_but_login_redirects_anonymous_users_to_login(client, full_report, tree):
    report = full_report(tree["cppcc"])
    for url in all_page_urls(report):
        response = fetch(client, url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"], url


def test_login_page_is_in_chinese_and_logs_in(client, drafter):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "登录季报" in content and "用户名" in content and "密码" in content
    response = client.post(reverse("login"), {"username": "drafter", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("reports:list")
    assert client.get(reverse("reports:list")).status_code == 200


def test_wrong_password_gets_a_clear_chinese_message(client, drafter):
    response = client.post(reverse("login"), {"username": "drafter", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(client, drafter):
    client.force_login(drafter)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("reports:list")).status_code == 302


def test_logout_by_its_address_asks_in_the_products_words_and_logs_out_only_on_post(client, drafter):
    """An old bookmark or a typed /logout/: a page that says what will happen and offers the same
    POST as the navigation bar's 退出, not a blank 405; a GET itself changes nothing."""
    client.force_login(drafter)
    page = client.get(reverse("logout"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "确定要退出登录吗？" in content
    assert re.search(r'<form method="post" action="%s"' % reverse("logout"), content)
    assert client.get(reverse("reports:list")).status_code == 200, "a GET does not log out"
    client.post(reverse("logout"))
    assert client.get(reverse("logout"))["Location"].startswith(reverse("login")), "logged out: on to the login page"


@pytest.mark.parametrize(
    "who, sees",
    [
        ("drafter of the body", True),
        ("reviewer of the body", True),
        ("overseer above", True),
        ("overseer two levels above", True),
        ("drafter of another body", False),
        ("reviewer of a body below", False),
        ("overseer of another tree", False),
        ("user without a body", False),
    ],
)
def test_report_pages_are_404_for_everyone_outside_the_body(client, make_user, full_report, tree, who, sees):
    report = full_report(tree["office"])  # 市政协机关党组, under 市政协党组, under 市纪委监委
    members = {
        "drafter of the body": (tree["office"], Membership.Role.DRAFTER),
        "reviewer of the body": (tree["office"], Membership.Role.REVIEWER),
        "overseer above": (tree["cppcc"], Membership.Role.OVERSEER),
        "overseer two levels above": (tree["city"], Membership.Role.OVERSEER),
        "drafter of another body": (tree["congress"], Membership.Role.DRAFTER),
        "reviewer of a body below": (tree["cppcc"], Membership.Role.REVIEWER),
        "overseer of another tree": (tree["county"], Membership.Role.OVERSEER),
        "user without a body": (None, None),
    }
    organization, role = members[who]
    client.force_login(make_user(organization=organization, role=role))
    # The pages first, then the writes: a POST that deletes a file or submits the report must not
    # turn a later URL of the sweep into a 404 that has nothing to do with who is asking.
    urls = report_urls_for(report)
    statuses = {url: client.get(url).status_code for url in urls}
    statuses.update({url: client.post(url).status_code for url, status in statuses.items() if status == 405})
    for url, status in statuses.items():
        if sees:
            assert status != 404, url
        else:
            assert status == 404, url
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == (200 if sees else 404)
    listed = report.title in client.get(reverse("reports:list")).content.decode()
    assert listed == sees


def test_a_report_that_does_not_exist_is_404(client, drafter):
    client.force_login(drafter)
    assert client.get(reverse("reports:detail", kwargs={"pk": 999999})).status_code == 404


def test_no_url_is_left_without_a_login_rule():
    """Only the login page, the unified sign-on's way in and back (a 404 without a CAS server), the
    language switch and the pages that set a password (a first sign-in, a forgotten password) are
    open to anonymous users."""
    open_views = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif not getattr(pattern.callback, "login_required", True):
                open_views.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns)
    assert sorted(p for p in open_views if not p.startswith("admin/")) == [
        "i18n/setlang/", "login/", "login/cas/", "password/", "password/<uidb64>/<token>/", "password/done/", "password/sent/"]


def test_english_is_available_and_chinese_is_the_default(client, drafter):
    client.force_login(drafter)
    assert ">报告<" in client.get(reverse("reports:list")).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("reports:list")})
    assert response.status_code == 302
    page = client.get(reverse("reports:list")).content.decode()
    assert ">Reports<" in page and "Log out" in page


def nav_links(client):
    """The hrefs of the navigation bar of the report list, as the user sees it."""
    import re

    page = client.get(reverse("reports:list")).content.decode()
    nav = page[page.index("<nav"):page.index("</nav>")]
    return set(re.findall(r'href="([^"]+)"', nav))


@pytest.mark.parametrize(
    ("body", "sees_tracking"),
    [
        ("office", False),  # an overseer of a body with no bodies below has nothing to follow
        ("county_body", False),
        ("city", True),
        ("cppcc", True),  # one body below is enough
    ],
)
def test_the_tracking_link_shows_exactly_when_the_board_opens(client, make_user, tree, body, sees_tracking):
    client.force_login(make_user(organization=tree[body], role=Membership.Role.OVERSEER))
    links = nav_links(client)
    assert (reverse("tracking:board") in links) is sees_tracking
    assert (reverse("tracking:summary") in links) is sees_tracking
    assert client.get(reverse("tracking:board")).status_code == (200 if sees_tracking else 403)


def test_a_drafter_sees_no_tracking_link_and_a_superuser_does(client, make_user, tree):
    client.force_login(make_user(organization=tree["city"], role=Membership.Role.DRAFTER))
    assert reverse("tracking:board") not in nav_links(client)
    client.force_login(make_user(is_superuser=True, is_staff=True))
    assert reverse("tracking:board") in nav_links(client)


@pytest.mark.parametrize("status, editable", [("draft", True), ("returned", True), ("submitted", False), ("approved", False)])
def test_the_editor_and_the_admin_agree_which_reports_may_change(report_factory, tree, drafter, status, editable):
    """One rule (reports.access.EDITABLE_STATUSES): a report the drafter may edit is one the
    admin leaves open, and one the editor refuses is read-only in the admin."""
    from reports.access import can_edit
    from reports.admin import is_frozen
    from reports.drafting.editing import edit_refusal

    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["学习。"])], status=status)
    assert can_edit(drafter, report) == editable
    assert (edit_refusal(user=drafter, report=report) is None) == editable
    assert is_frozen(report) == (not editable)
    assert is_frozen(report.sections.get()) == (not editable)
