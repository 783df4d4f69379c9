"""A form posted with a stale or missing CSRF token: a login page left open while the person signed in
or out in another tab, a session that expired under an open page. The product's own 403 page says
what to do, in place of Django's technical one; nothing was saved."""

from django.shortcuts import render
from django.utils.translation import gettext as _


def csrf_failure(request, reason=""):
    return render(request, "403.html", {"heading": _("页面已过期"),
                                        "exception": _("可能已在其他页面登录或退出。请返回上一页，刷新后再试。")}, status=403)
