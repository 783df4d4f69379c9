"""通知: the in-app notices page, opening a notice, 全部标为已读, and the count in the navigation bar."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.context_processors import awaiting
from reports.models import Notice
from reports.review import notices

LIST = "/reports/notices/"


def open_url(notice):
    return reverse("reports:notice_open", args=[notice.pk])


def read_all_url():
    return reverse("reports:notices_read_all")


@pytest.fixture
def reader(make_user):
    return make_user("reader")


@pytest.fixture
def inbox(reader, make_user):
    """Three notices of the reader, the newest unread; one of somebody else's."""
    now = timezone.now()
    made = {}
    for subject, hours_ago, read in (("【季报】待审核：甲报告", 3, True), ("【季报】已退回：乙报告", 2, False),
                                     ("【季报】即将到期：丙报告", 1, False)):
        notice = Notice.objects.create(user=reader, subject=subject, body=f"{subject}的内容。\n第二行。",
                                       link=reverse("reports:inbox"))
        Notice.objects.filter(pk=notice.pk).update(created_at=now - timedelta(hours=hours_ago),
                                                    read_at=now if read else None)
        made[subject] = notice
    made["others"] = Notice.objects.create(user=make_user("someone"), subject="【季报】别人的通知", link="/reports/")
    return made


def nav_badge(html):
    """The number on the navigation bar's 通知 link, None without a badge."""
    link = re.search(r'<a [^>]*data-testid="nav-notices">(.*?)</a>', html, re.S)
    assert link, "the navigation bar has a 通知 link"
    badge = re.search(r'<span class="badge[^"]*">(\d+)</span>', link.group(1))
    return int(badge.group(1)) if badge else None


def rows(html):
    """(subject, shown as unread) of each notice on the page, top to bottom: unread is bold and
    carries a 未读 badge, both or neither."""
    found = []
    for link, subject, rest in re.findall(r'<li [^>]*data-testid="notice"[^>]*>.*?<a ([^>]*)>([^<]+)</a>(.*?)</li>', html, re.S):
        bold, badge = "fw-bold" in link, "未读" in rest
        assert bold == badge, f"{subject}: bold and the 未读 badge disagree"
        found.append((subject, bold))
    return found


# ---- Who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("method, url", [
    ("get", LIST), ("get", "/reports/notices/1/open/"), ("post", "/reports/notices/read-all/"),
])
def test_anonymous_users_are_sent_to_the_login_page(client, db, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_someone_elses_notice_is_not_found_and_stays_unread(client, reader, inbox):
    client.force_login(reader)
    assert client.get(open_url(inbox["others"])).status_code == 404
    assert Notice.objects.get(pk=inbox["others"].pk).read_at is None
    assert "别人的通知" not in client.get(LIST).content.decode()


def test_the_pages_take_only_their_methods(client, reader, inbox):
    client.force_login(reader)
    assert client.post(LIST).status_code == 405
    assert client.post(open_url(inbox["【季报】已退回：乙报告"])).status_code == 405
    assert client.get(read_all_url()).status_code == 405
    assert Notice.objects.filter(user=reader, read_at=None).count() == 2


# ---- The list -------------------------------------------------------------------------------


def test_the_list_shows_ones_own_notices_newest_first_the_unread_marked(client, reader, inbox):
    client.force_login(reader)
    html = client.get(LIST).content.decode()
    assert "<title>通知 · 季报</title>" in html
    assert rows(html) == [("【季报】即将到期：丙报告", True), ("【季报】已退回：乙报告", True), ("【季报】待审核：甲报告", False)]
    assert "【季报】已退回：乙报告的内容。<br>第二行。" in html
    assert "全部标为已读" in html


def test_nothing_to_show(client, reader):
    client.force_login(reader)
    html = client.get(LIST).content.decode()
    assert "暂无通知。" in html and "全部标为已读" not in html and nav_badge(html) is None


def test_the_list_is_paged_by_fifty(client, reader):
    Notice.objects.bulk_create(Notice(user=reader, subject=f"通知{number:02d}") for number in range(51))
    client.force_login(reader)
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    assert len(rows(first)) == 50 and len(rows(second)) == 1
    assert "1 / 2" in first and "2 / 2" in second


# ---- Opening, reading -------------------------------------------------------------------------


def test_opening_a_notice_marks_it_read_and_goes_to_its_link(client, reader, inbox):
    notice = inbox["【季报】已退回：乙报告"]
    client.force_login(reader)
    response = client.get(open_url(notice))
    assert (response.status_code, response["Location"]) == (302, "/reports/inbox/")
    first_read = Notice.objects.get(pk=notice.pk).read_at
    assert first_read is not None
    client.get(open_url(notice))  # opened again: still read since the first time
    assert Notice.objects.get(pk=notice.pk).read_at == first_read
    html = client.get(LIST).content.decode()
    assert ("【季报】已退回：乙报告", False) in rows(html)
    assert nav_badge(html) == 1


@pytest.mark.parametrize("link", [
    "https://evil.example/", "//evil.example/reports/", "/\\evil.example/", "javascript:alert(1)", "",
])
def test_a_notice_never_leads_off_the_site(client, reader, link):
    notice = Notice.objects.create(user=reader, subject="链接不在本站", link=link)
    client.force_login(reader)
    response = client.get(open_url(notice))
    assert (response.status_code, response["Location"]) == (302, LIST)
    assert Notice.objects.get(pk=notice.pk).read_at is not None


def test_mark_all_read_reads_only_ones_own(client, reader, inbox):
    client.force_login(reader)
    response = client.post(read_all_url(), follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(LIST, 302)]
    assert "已将全部通知标为已读。" in html
    assert [unread for _subject, unread in rows(html)] == [False, False, False]
    assert nav_badge(html) is None and "全部标为已读" not in html
    assert Notice.objects.get(pk=inbox["others"].pk).read_at is None


def test_mark_all_read_needs_the_csrf_token(reader, inbox):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert client.post(read_all_url()).status_code == 403
    assert Notice.objects.filter(user=reader, read_at=None).count() == 2


# ---- The navigation bar ------------------------------------------------------------------------


def test_the_bar_counts_the_unread_notices_on_every_page(client, reader, inbox):
    client.force_login(reader)
    assert nav_badge(client.get("/reports/inbox/").content.decode()) == 2
    notices.deliver([reader], "【季报】催报：丁报告", "请尽快提交。", reverse("reports:list"))
    assert nav_badge(client.get("/reports/inbox/").content.decode()) == 3
    Notice.objects.filter(user=reader).update(read_at=timezone.now())
    assert nav_badge(client.get("/reports/inbox/").content.decode()) is None


def test_the_count_is_one_query_and_only_when_the_bar_asks(reader, inbox):
    request = RequestFactory().get("/")
    request.user = reader
    with CaptureQueriesContext(connection) as queries:
        context = awaiting(request)
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        assert str(context["unread_notices"]) == "2"
    assert len(queries) == 1 and "COUNT" in queries[0]["sql"].upper()
