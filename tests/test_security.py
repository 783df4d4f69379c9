"""Security: the deployment settings, the Content-Security-Policy, login throttling, sessions,
request limits, CSRF, and the trail (an approved report or its events never change without a
record, the admin included). Who may open which URL is tests/test_permission_matrix.py.
"""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.drafting import editing
from reports.drafting.editing import EditRefused, fingerprint, part_values
from reports.models import Comment, Heading, Item, Measure, MeasureValue, Reminder, Report, ReportEvent, Section, Submission
from reports.review import workflow
from reports.review.comments import add_comment
from tests.fixtures import LATE_REASON, PASSWORD, report_record

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#kq2-production-secret-" + "a1b2c3d4e5f6g7h8i9j0" * 3,
    "ALLOWED_HOSTS": "jibao.example.org",
}


# ---- Data ----------------------------------------------------------------------------------


@pytest.fixture
def approved(report_factory, measure_factory, tree, drafter, reviewer):
    """An approved report of 市政协党组 with a section, a heading, an item and a measure."""
    report = report_factory(
        tree["cppcc"],
        closing="特此报告。",
        signature_name="中共市政协党组",
        sections=[("主要做法", "practices", [("深化理论学习", ["认真学习。"])])],
    )
    measure_factory(report, "学习会议", value=Decimal("3"))
    workflow.submit(report, actor=drafter, notify=False, late_reason=LATE_REASON)
    workflow.approve(report, actor=reviewer, notify=False)
    report.refresh_from_db()
    return report


@pytest.fixture
def root(make_user):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


# ---- Production settings -------------------------------------------------------------------


def production_settings(tmp_path, *names):
    """The values of settings `names` as a production start (DEBUG=false, nothing else set) reads them."""
    script = ("import json; from django.conf import settings as s; "
              f"print(json.dumps({{k: getattr(s, k, None) for k in {list(names)!r}}}, default=str))")
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "TRUSTED_PROXY_COUNT"}}
    env.update(PRODUCTION_ENV, SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_are_hardened(tmp_path):
    """DEBUG=false: HTTPS only, HSTS, secure cookies, CSP, throttled logins (check --deploy is
    tests/test_settings.py)."""
    values = production_settings(
        tmp_path, "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY", "X_FRAME_OPTIONS",
        "SECURE_CONTENT_TYPE_NOSNIFF", "SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "MIDDLEWARE",
        "AUTHENTICATION_BACKENDS", "CONTENT_SECURITY_POLICY", "DATA_UPLOAD_MAX_MEMORY_SIZE", "AXES_FAILURE_LIMIT",
        "SECURE_PROXY_SSL_HEADER",
    )
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["X_FRAME_OPTIONS"] == "DENY" and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["SESSION_COOKIE_AGE"] <= 8 * 3600 and values["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert values["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert "csp.middleware.CSPMiddleware" in values["MIDDLEWARE"]
    assert values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["script-src"] == ["'self'"]
    assert values["DATA_UPLOAD_MAX_MEMORY_SIZE"] <= 10 * 1024 * 1024
    assert 3 <= values["AXES_FAILURE_LIMIT"] <= 10


def test_weak_passwords_are_refused(make_user):
    user = make_user("zhangsan", first_name="张三")
    for weak in ("12345678901", "password123", "zhangsan2024", "短密码"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("Jibao-季报-2024-稳妥", user)


# ---- Headers and the Content-Security-Policy -----------------------------------------------


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_sends_a_strict_content_security_policy(client, drafter):
    for url, login in ((reverse("login"), None), (reverse("reports:list"), drafter)):
        if login:
            client.force_login(login)
        response = client.get(url)
        assert response.status_code == 200
        policy = csp_directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"], "no inline script, no eval, no other origin"
        assert policy["style-src"] == ["'self'"]
        assert policy["style-src-attr"] == ["'unsafe-inline'"], "only style= attributes (the signature's indent)"
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


class ScriptFinder(HTMLParser):
    """Inline script in any form: <script> with code, on* handlers, javascript: URLs, <style>."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            kind = (attrs.get("type") or "").lower()
            self._in_script = None if ("src" in attrs or kind == "application/json") else tag
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def inline_script(html):
    finder = ScriptFinder()
    finder.feed(html)
    return finder.problems


def test_no_page_holds_inline_script(client, approved, drafter, overseer, root, report_factory, tree):
    """Every kind of page, the admin's included: what the CSP would block is not there."""
    draft = report_factory(tree["cppcc"], year=2023, quarter=2, sections=[("主要做法", "practices", ["一项。"])])
    item = Item.objects.get(section__report=draft)
    pages = {
        None: [reverse("login")],
        drafter: [
            reverse("reports:list"), reverse("reports:inbox"), reverse("reports:create"), reverse("reports:import"),
            reverse("reports:detail", args=[approved.pk]), reverse("reports:review", args=[approved.pk]),
            reverse("reports:timeline", args=[approved.pk]), reverse("reports:check", args=[approved.pk]),
            reverse("reports:measures", args=[approved.pk]), reverse("reports:edit", args=[draft.pk]),
            reverse("reports:part_edit", kwargs={"pk": draft.pk, "kind": "item", "part_id": item.pk}),
        ],
        overseer: [reverse("tracking:board"), reverse("tracking:summary") + "?year=2023"],
        root: [
            reverse("admin:index"), reverse("admin:reports_report_changelist"),
            reverse("admin:reports_report_change", args=[approved.pk]),
            reverse("admin:reports_report_change", args=[draft.pk]),
            reverse("admin:reports_report_history", args=[approved.pk]),
            reverse("admin:reports_item_change", args=[item.pk]), reverse("admin:auth_user_add"),
            reverse("admin:reports_reportevent_changelist"),
        ],
    }
    found = []
    for user, urls in pages.items():
        client.logout()
        if user:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            found += [f"{url}: {problem}" for problem in inline_script(response.content.decode())]
    assert not found, "\n".join(found)


# ---- Login throttling ----------------------------------------------------------------------


def attempt(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_repeated_wrong_passwords_lock_the_login_with_a_chinese_message(client, drafter, make_user):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = attempt(client, "drafter", "wrong")
        assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    locked = attempt(client, "drafter", "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "登录已暂时锁定" in page and f"连续 {limit} 次" in page and "分钟后再试" in page
    assert not inline_script(page)
    # Even the right password is refused now, from this address…
    refused = attempt(client, "drafter", PASSWORD)
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    # …but not from another address, and not for another user from this one.
    assert attempt(Client(), "drafter", PASSWORD, REMOTE_ADDR="10.1.2.3").status_code == 302
    make_user("colleague")
    assert attempt(Client(), "colleague", PASSWORD).status_code == 302
    # After the cool-off time the user may try again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
    assert attempt(Client(), "drafter", PASSWORD).status_code == 302


@pytest.mark.parametrize(("language", "said"), [
    ("en", "Too many failed logins: signing in is locked for a while. Please try again later, "
           "or ask an administrator to unlock it."),
    ("zh-hans", "登录失败次数过多，已暂时锁定。请稍后再试，或联系管理员解锁。"),
], ids=["en", "zh-hans"])
def test_the_lockout_reason_is_in_the_readers_language(client, rf, drafter, language, said):
    """The reason django-axes hands to whoever asks authenticate() why a locked-out login failed."""
    from django.contrib.auth import authenticate
    from django.utils import translation

    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "drafter", "wrong")
    answer = {}
    with translation.override(language):
        assert authenticate(rf.post(reverse("login")), username="drafter", password=PASSWORD, response_context=answer) is None
        assert str(answer["error"]) == said


def test_the_admin_login_is_throttled_too(client, root):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("admin:login"), {"username": "root", "password": "wrong"})
    assert response.status_code == 429 and "登录已暂时锁定" in response.content.decode()
    assert client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD}).status_code == 429


def test_a_successful_login_resets_the_count(client, drafter):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "drafter", "wrong")
    assert attempt(client, "drafter", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "drafter", "wrong").status_code == 200
    assert attempt(client, "drafter", PASSWORD).status_code == 302


def test_with_the_default_settings_a_new_forwarded_address_per_attempt_is_still_locked_out(client, drafter, settings,
                                                                                          tmp_path):
    """gunicorn reached directly: X-Forwarded-For is whatever the client writes, so by default
    (in production too) it is not trusted and attempts are counted by the connection's address."""
    settings.TRUSTED_PROXY_COUNT = production_settings(tmp_path, "TRUSTED_PROXY_COUNT")["TRUSTED_PROXY_COUNT"]
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "drafter", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    assert attempt(client, "drafter", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.200").status_code == 429
    assert "_auth_user_id" not in client.session


def test_behind_the_load_balancer_attempts_are_counted_by_the_client_address(rf, settings):
    from axes.helpers import get_client_ip_address

    request = rf.post("/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert get_client_ip_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    # The balancer appended the real address; what the client wrote before it is not trusted.
    assert get_client_ip_address(request) == "203.0.113.7"
    assert get_client_ip_address(rf.post("/login/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 2  # two proxies: the address the first one appended
    assert get_client_ip_address(request) == "1.1.1.1"


# ---- Sessions, request limits, CSRF --------------------------------------------------------


def test_a_session_ends_with_the_browser_and_after_a_working_day(client, drafter):
    response = attempt(client, "drafter", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"], "a browser-session cookie"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    session = Session.objects.get(session_key=cookie.value)
    assert session.expire_date <= timezone.now() + timedelta(hours=8, minutes=1)
    assert client.get(reverse("reports:list")).status_code == 200
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = client.get(reverse("reports:list"))
    assert expired.status_code == 302 and expired["Location"].startswith(reverse("login"))


def test_oversized_requests_are_refused(client, approved, reviewer):
    client.force_login(reviewer)
    url = reverse("reports:comment", args=[approved.pk])
    too_big = "批" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 10)  # three bytes each in UTF-8
    assert client.post(url, {"text": too_big}).status_code == 400
    files = {f"file{n}": BytesIO(b"x") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)}
    for name, handle in files.items():
        handle.name = f"{name}.txt"
    assert client.post(url, files).status_code == 400
    assert not Comment.objects.exists()


def test_writes_need_the_csrf_token(approved, drafter, report_factory, tree):
    draft = report_factory(tree["cppcc"], year=2023, quarter=2, sections=[("主要做法", "practices", ["一项。"])])
    client = Client(enforce_csrf_checks=True)
    client.force_login(drafter)
    layout = reverse("reports:items_layout", args=[draft.pk])
    assert client.post(layout, {"items_layout": "paragraphs"}).status_code == 403
    assert client.post(reverse("reports:import"), {"text": "一、主要做法"}).status_code == 403
    assert client.post(reverse("logout")).status_code == 403
    stale = client.post(reverse("login"), {"username": "drafter", "password": "x"}).content.decode()
    assert "页面已过期" in stale and "刷新后再试" in stale and "DEBUG" not in stale
    page = client.get(reverse("reports:edit", args=[draft.pk])).content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)  # htmx sends it from <body hx-headers>
    assert client.post(layout, {"items_layout": "paragraphs"}, HTTP_X_CSRFTOKEN=token).status_code == 302
    draft.refresh_from_db()
    assert draft.items_layout == "paragraphs"


# ---- The trail: no path changes an approved report without a record ------------------------


def editing_calls(report, drafter):
    """Every write of reports/drafting/editing.py, each aimed at the report (or its first part)."""
    section = Section.objects.filter(report=report).first()
    heading = Heading.objects.filter(section=section).first()
    item = Item.objects.filter(section=section).first()
    value = MeasureValue.objects.filter(report=report).first()
    measure = Measure.objects.create(name="新指标", unit="次")
    base = {"base_version": report.version}
    return {
        "save_part title": lambda: editing.save_part(user=drafter, report=report, kind="title", obj=report,
                                                     values={"title": "改"},
                                                     base_fingerprint=fingerprint(part_values(report, "title")), **base),
        "save_part item": lambda: editing.save_part(user=drafter, report=report, kind="item", obj=item, values={"text": "改"},
                                                    base_fingerprint=fingerprint(part_values(item, "item")), **base),
        "delete_part": lambda: editing.delete_part(user=drafter, report=report, kind="item", obj=item,
                                                   base_fingerprint=fingerprint(part_values(item, "item")), **base),
        "move_part": lambda: editing.move_part(user=drafter, report=report, kind="section", obj=section, step=1),
        "add_section": lambda: editing.add_section(user=drafter, report=report),
        "add_heading": lambda: editing.add_heading(user=drafter, report=report, section=section),
        "add_item": lambda: editing.add_item(user=drafter, report=report, section=section, heading=heading),
        "set_items_layout": lambda: editing.set_items_layout(user=drafter, report=report, layout="paragraphs"),
        "add_measure": lambda: editing.add_measure(user=drafter, report=report, measure=measure),
        "set_measure_value": lambda: editing.set_measure_value(user=drafter, report=report, measure_value=value, value=9),
        "remove_measure": lambda: editing.remove_measure(user=drafter, report=report, measure_value=value),
    }


WRITE_RE = re.compile(r'^\s*(INSERT|UPDATE|DELETE)\b', re.IGNORECASE)


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_no_edit_of_a_submitted_or_approved_report_writes_anything(approved, drafter, reviewer, status):
    if status == "submitted":
        workflow.reopen(approved, actor=reviewer, reason="补充。")
        workflow.submit(approved, actor=drafter, notify=False, late_reason=LATE_REASON)
    approved.refresh_from_db()
    before = report_record(approved)
    for name, call in editing_calls(approved, drafter).items():
        with CaptureQueriesContext(connection) as queries, pytest.raises(EditRefused):
            call()
        writes = [q["sql"] for q in queries.captured_queries if WRITE_RE.match(q["sql"])]
        assert not writes, f"{name} wrote {writes}"
    assert report_record(approved) == before


def test_every_change_of_status_is_an_event(approved, drafter, reviewer):
    """Reopening and resubmitting: each step one event, the events replay the status."""
    workflow.reopen(approved, actor=reviewer, reason="数据有误。")
    workflow.submit(approved, actor=drafter, notify=False, late_reason=LATE_REASON)
    workflow.return_for_revision(approved, actor=reviewer, comment="再改。")
    events = list(ReportEvent.objects.filter(report=approved).order_by("created_at", "id"))
    assert [e.action for e in events] == ["submit", "approve", "reopen", "submit", "return"]
    status = "draft"
    for event in events:
        assert event.from_status == status
        status = event.to_status
    assert Report.objects.get(pk=approved.pk).status == status == "returned"


def test_only_the_workflow_writes_events():
    """Events and submissions are append-only: besides the workflow, only the demo loader (which
    dates its sample history) and the benchmark's data generator write them. A new writer is
    caught here and must say why it may."""
    allowed = {"reports/review/workflow.py", "reports/management/demo.py", "reports/management/commands/generate_load_data.py"}
    writes = re.compile(r"(ReportEvent|Submission)(\.objects\.[^\n]*\.(update|delete|create|bulk_create|bulk_update)\(|\()")
    found = []
    for path in (ROOT / "reports").rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative or relative in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            if writes.search(code) and "class " not in code and "isinstance" not in code:
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


# The admin ------------------------------------------------------------------------------------


def parts_of(report):
    section = Section.objects.get(report=report)
    heading = Heading.objects.get(section=section)
    return {
        "report": report,
        "section": section,
        "heading": heading,
        "item": Item.objects.get(heading=heading),
        "measurevalue": MeasureValue.objects.get(report=report),
    }


@pytest.mark.parametrize("status", ["submitted", "approved"])
@pytest.mark.parametrize("model", ["report", "section", "heading", "item", "measurevalue"])
def test_a_frozen_report_and_its_parts_are_read_only_in_the_admin(admin_client, approved, drafter, reviewer, status, model):
    if status == "submitted":
        workflow.reopen(approved, actor=reviewer, reason="补充。")
        workflow.submit(approved, actor=drafter, notify=False, late_reason=LATE_REASON)
    obj = parts_of(approved)[model]
    before = report_record(approved)
    change = reverse(f"admin:reports_{model}_change", args=[obj.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode(), "shown read-only"
    assert admin_client.post(change, {"title": "改了", "text": "改了", "value": "9"}).status_code == 403
    delete = reverse(f"admin:reports_{model}_delete", args=[obj.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse(f"admin:reports_{model}_changelist")
    admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    history = type(obj).history.filter(id=obj.pk).order_by("history_id").first()
    if history is not None:  # an old version is not brought back either
        revert = reverse(f"admin:reports_{model}_simple_history", args=[obj.pk, history.history_id])
        assert admin_client.post(revert, {"title": "旧", "text": "旧"}).status_code == 403
    assert report_record(approved) == before


def test_nothing_is_added_to_or_moved_into_a_frozen_report_in_the_admin(admin_client, approved, report_factory, tree):
    draft = report_factory(tree["cppcc"], year=2023, quarter=2, sections=[("草稿部分", "other", ["草稿的一项。"])])
    section = Section.objects.get(report=approved)
    draft_section = Section.objects.get(report=draft)
    before = report_record(approved)
    response = admin_client.post(reverse("admin:reports_section_add"), {
        "report": approved.pk, "kind": "other", "title": "加进来", "lead": "", "position": 9,
        "headings-TOTAL_FORMS": 0, "headings-INITIAL_FORMS": 0, "items-TOTAL_FORMS": 0, "items-INITIAL_FORMS": 0,
    })
    assert response.status_code == 200 and "report" in response.context["adminform"].form.errors
    response = admin_client.post(reverse("admin:reports_item_add"), {"section": section.pk, "text": "加进来", "position": 9})
    assert response.status_code == 200 and "section" in response.context["adminform"].form.errors
    # A draft's section cannot be moved into the approved report either.
    response = admin_client.post(reverse("admin:reports_section_change", args=[draft_section.pk]), {
        "report": approved.pk, "kind": "other", "title": "草稿部分", "lead": "", "position": 1,
        "headings-TOTAL_FORMS": 0, "headings-INITIAL_FORMS": 0, "items-TOTAL_FORMS": 1, "items-INITIAL_FORMS": 1,
        "items-0-id": Item.objects.get(section=draft_section).pk, "items-0-section": draft_section.pk,
        "items-0-position": 1, "items-0-text": "草稿的一项。",
    })
    assert response.status_code == 200 and "report" in response.context["adminform"].form.errors
    assert report_record(approved) == before


def report_form(report, **changes):
    data = {
        "organization": report.organization_id, "year": report.year, "quarter": report.quarter, "title": report.title,
        "addressee": report.addressee, "opening": report.opening, "closing": report.closing,
        "signature_name": report.signature_name, "signature_date": "", "items_layout": report.items_layout,
        "signature_layout": report.signature_layout,
        "sections-TOTAL_FORMS": 0, "sections-INITIAL_FORMS": 0, "measure_values-TOTAL_FORMS": 0,
        "measure_values-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_a_draft_changed_in_the_admin_is_recorded_and_keeps_its_status(admin_client, root, report_factory, tree):
    draft = report_factory(tree["cppcc"], year=2023, quarter=2)
    url = reverse("admin:reports_report_change", args=[draft.pk])
    response = admin_client.post(url, report_form(draft, title="改过\x07的\u202e标题", status="approved"))
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.status == "draft", "the status moves only through the workflow"
    assert draft.title == "改过的标题", "text is cleaned as in the editor"
    last = Report.history.filter(id=draft.pk).latest("history_date")
    assert last.history_user == root and last.title == "改过的标题"


def test_a_report_with_a_trail_cannot_be_deleted_in_the_admin(admin_client, approved, reviewer, report_factory, tree):
    workflow.reopen(approved, actor=reviewer, reason="补充。")  # returned: editable, but it has events
    assert admin_client.get(reverse("admin:reports_report_delete", args=[approved.pk])).status_code == 403
    admin_client.post(reverse("admin:reports_report_changelist"),
                      {"action": "delete_selected", "_selected_action": [approved.pk], "post": "yes"})
    assert Report.objects.filter(pk=approved.pk).exists() and ReportEvent.objects.filter(report=approved).count() == 3
    never_submitted = report_factory(tree["cppcc"], year=2023, quarter=3, sections=[("部分", "other", ["一项。"])])
    response = admin_client.post(reverse("admin:reports_report_delete", args=[never_submitted.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Report.objects.filter(pk=never_submitted.pk).exists()


@pytest.mark.parametrize("model", ["reportevent", "submission", "comment", "reminder"])
def test_the_record_is_append_only_in_the_admin(admin_client, approved, drafter, reviewer, overseer, tree, model):
    workflow.reopen(approved, actor=reviewer, reason="补充。")
    workflow.submit(approved, actor=drafter, notify=False, late_reason=LATE_REASON)
    add_comment(user=reviewer, report=approved, text="请核实。")
    Reminder.objects.create(organization=tree["cppcc"], year=2023, quarter=1, sent_by=overseer, recipients="d@example.org")
    obj = {"reportevent": ReportEvent, "submission": Submission, "comment": Comment, "reminder": Reminder}[model].objects.first()
    before = report_record(approved), Reminder.objects.count()
    assert admin_client.get(reverse(f"admin:reports_{model}_change", args=[obj.pk])).status_code == 200  # shown
    assert admin_client.get(reverse(f"admin:reports_{model}_add")).status_code == 403
    assert admin_client.post(reverse(f"admin:reports_{model}_add"), {"comment": "x", "text": "x"}).status_code == 403
    assert admin_client.post(reverse(f"admin:reports_{model}_change", args=[obj.pk]), {"comment": "改"}).status_code == 403
    assert admin_client.post(reverse(f"admin:reports_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    admin_client.post(reverse(f"admin:reports_{model}_changelist"),
                      {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    assert (report_record(approved), Reminder.objects.count()) == before


def test_people_named_in_the_trail_cannot_be_deleted(admin_client, approved, drafter, make_user):
    assert admin_client.get(reverse("admin:auth_user_delete", args=[drafter.pk])).status_code == 403
    admin_client.post(reverse("admin:auth_user_changelist"),
                      {"action": "delete_selected", "_selected_action": [drafter.pk], "post": "yes"})
    assert get_user_model().objects.filter(pk=drafter.pk).exists()
    assert ReportEvent.objects.filter(actor=drafter).exists()
    newcomer = make_user("newcomer")
    response = admin_client.post(reverse("admin:auth_user_delete", args=[newcomer.pk]), {"post": "yes"})
    assert response.status_code == 302 and not get_user_model().objects.filter(pk=newcomer.pk).exists()


def test_a_measure_printed_by_an_approved_report_keeps_its_name_and_unit(admin_client, approved):
    measure = Measure.objects.get(values__report=approved)
    url = reverse("admin:reports_measure_change", args=[measure.pk])
    response = admin_client.post(url, {"name": "改名", "unit": "人", "organization": "", "active": ""})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.name, measure.unit, measure.active) == ("学习会议", "次", False)  # only "active" changed


# ---- Formula injection in the measures summary (fixed in reports/tracking/summary.py _write_sheet) -----------


def test_the_summary_spreadsheet_holds_no_formula_from_user_text(client, tree, drafter, reviewer, overseer, report_factory):
    from openpyxl import load_workbook

    report = report_factory(tree["cppcc"], closing="特此报告。", signature_name="中共市政协党组",
                            sections=[("主要做法", "practices", ["一项。"])])
    client.force_login(drafter)
    client.post(reverse("reports:measure_add", args=[report.pk]),
                {"name": '=HYPERLINK("http://example.org","点击")', "unit": "=1+1"})
    value = MeasureValue.objects.get(report=report)
    client.post(reverse("reports:measure_value", args=[report.pk, value.pk]), {"value": "1"})
    workflow.submit(report, actor=drafter, notify=False, late_reason=LATE_REASON)
    workflow.approve(report, actor=reviewer, notify=False)
    client.force_login(overseer)
    response = client.get(reverse("tracking:summary_xlsx") + "?year=2023")
    workbook = load_workbook(BytesIO(response.getvalue()))
    formulas = [cell.coordinate for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert not formulas, f"cells holding a formula: {formulas}"


# ---- In a browser: the policy blocks nothing the pages need ---------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_work_under_the_policy_in_a_browser(page, live_server, demo):
    """htmx editing, the chart, the admin: Chromium reports no Content-Security-Policy violation."""
    from playwright.sync_api import expect

    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)

    def log_in(username):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill("jibao-demo")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", name="报告")).to_be_visible()

    log_in("drafter")
    page.goto(f"{live_server.url}/reports/{demo.pk}/edit/")
    page.locator("#sheet a.part").nth(2).click()  # htmx swaps the part's form in
    expect(page.locator(".ed-form")).to_be_visible()
    page.goto(f"{live_server.url}/reports/{demo.pk}/")
    expect(page.get_by_test_id("report-sheet")).to_be_visible()

    log_in("overseer")
    page.goto(f"{live_server.url}/tracking/measures/?year=2023")
    canvas = page.locator("canvas[data-measure-chart]").first
    expect(canvas).to_be_visible()
    assert page.evaluate("() => !!Chart.getChart(document.querySelector('canvas[data-measure-chart]'))"), "the chart ran"

    log_in("admin")
    page.goto(f"{live_server.url}/admin/reports/report/{demo.pk}/change/")
    expect(page.locator("#report_form")).to_be_visible()
    page.goto(f"{live_server.url}/admin/reports/item/add/")
    expect(page.locator("#item_form")).to_be_visible()
    assert not violations, violations

    # The listener does hear a violation: an inline script added now is refused and reported.
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; "
                      "document.body.append(s); }")
    assert violations and page.evaluate("() => window.ran") is None
