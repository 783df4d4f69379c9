import os
import shutil
import threading
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the live server's database
# access from that thread is safe here because the tests drive one page at a time.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
# The project's fontconfig: stand-ins for the official faces, no tiny embedded bitmaps.
FONTCONFIG_FILE = ROOT / "fonts" / "fonts.conf"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytest_plugins = ["tests.fixtures"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a browser downloaded by Playwright.
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium") or "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
        "env": {**os.environ, "FONTCONFIG_FILE": str(FONTCONFIG_FILE)},
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


class _Answering:
    """The requests Django is still answering, from its own signals: request_started when one comes
    in, request_finished when its response is closed, which is when it is done with the database."""

    def __init__(self):
        self.active = 0
        self.idle = threading.Condition()

    def started(self, **kwargs):
        with self.idle:
            self.active += 1

    def finished(self, **kwargs):
        with self.idle:
            self.active -= 1
            self.idle.notify_all()

    def wait_idle(self, timeout):
        with self.idle:
            return self.idle.wait_for(lambda: self.active <= 0, timeout)


@pytest.fixture(autouse=True)
def page_settled_before_flush(request):
    """A browser test ends as soon as what it checks is shown, while the page may still be fetching
    (a thumbnail, a poll). The live server would then answer with the test's settings already put
    back, and hold the database while it is flushed, and the flush fails. So the page is closed and the
    server's last answers are waited for, before the database is emptied."""
    if "page" not in request.fixturenames or "live_server" not in request.fixturenames:
        yield
        return
    from django.core.signals import request_finished, request_started

    # Set up before, so torn down after, this fixture: the database and the test's settings.
    request.getfixturevalue("transactional_db")
    request.getfixturevalue("settings")
    request.getfixturevalue("live_server")
    answering = _Answering()
    request_started.connect(answering.started, weak=False)
    request_finished.connect(answering.finished, weak=False)
    page = request.getfixturevalue("page")
    try:
        yield
        # Closed, not sent elsewhere: leaving a page with unsaved edits would ask first.
        page.close()
        if not answering.wait_idle(timeout=30):
            pytest.fail("the live server was still answering the page 30 s after the test ended")
    finally:
        request_started.disconnect(answering.started)
        request_finished.disconnect(answering.finished)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo data sets several passwords; the production hasher would dominate test time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the product's language. A request in English activates English for the
    thread and nothing deactivates it, so the next test's messages would read English."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def evidence_media(settings, tmp_path_factory):
    """Every test stores its evidence files in a folder of its own, never in the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` need a real PostgreSQL server (row locks, concurrent sessions).
    They run in CI's PostgreSQL pass and are left out of the SQLite pass (not skipped there)."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    kept = [item for item in items if "postgresql" not in item.keywords]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if "postgresql" in item.keywords])
        items[:] = kept


def pytest_sessionfinish(session, exitstatus):
    """Under CI a skipped test is a failure: a missing browser or database must not pass quietly."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI=true: {len(skipped)} test(s) skipped; a skip is a failure in CI.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
