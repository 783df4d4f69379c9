"""The product's own error pages: in production (DEBUG off, Django's handlers) and on the
development server of `make run` (DEBUG on), where Django would show its technical pages."""

import logging

import pytest
from django.urls import reverse

from reports.models import Membership

TECHNICAL = ("URLconf", "Django", "Traceback", "DEBUG = True")


@pytest.fixture
def other_drafter(make_user, tree):
    return make_user("drafter2", organization=tree["congress"], role=Membership.Role.DRAFTER)


def assert_not_technical(page):
    for word in TECHNICAL:
        assert word not in page, word


@pytest.mark.parametrize("debug", [True, False], ids=["make run", "production"])
def test_a_refused_link_and_an_unknown_address_show_the_products_404(client, settings, report_factory, tree,
                                                                    other_drafter, debug):
    settings.DEBUG = debug
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["学习。"])])
    client.force_login(other_drafter)
    for url in (reverse("reports:detail", args=[report.pk]), "/no-such-page/"):
        response = client.get(url)
        assert response.status_code == 404, url
        page = response.content.decode()
        assert "找不到页面" in page and "这个页面不存在，或者您无权查看。" in page, url
        assert_not_technical(page)


@pytest.mark.parametrize("debug", [True, False], ids=["make run", "production"])
def test_a_server_error_shows_the_products_500_and_logs_the_traceback(client, settings, drafter, monkeypatch, caplog,
                                                                     debug):
    import reports.views.report_pages

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(reports.views.report_pages, "render", broken)
    settings.DEBUG = debug
    client.raise_request_exception = False
    client.force_login(drafter)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(reverse("reports:list"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错" in page and "没有做任何修改" not in page
    assert_not_technical(page)
    assert any(record.exc_info and "a bug" in str(record.exc_info[1]) for record in caplog.records), "the traceback is logged"


def test_technical_pages_can_be_asked_for(client, settings, drafter):
    """A developer who wants Django's debug pages back sets TECHNICAL_ERROR_PAGES=true."""
    settings.DEBUG = True
    settings.TECHNICAL_ERROR_PAGES = True
    client.force_login(drafter)
    assert "URLconf" in client.get("/no-such-page/").content.decode()
