"""Notices' e-mail as a task (reports.mail): after the commit, in-process without configuration,
through a real `db_worker` process on the database queue; a relay that is down fails no action,
loses no notice, and the mail goes out when it is back."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from reports.mail import retry_unsent
from reports.models import Membership, Notice
from tests.fixtures import LATE_REASON

ROOT = Path(__file__).resolve().parent.parent
DRAFTER = Membership.Role.DRAFTER


@pytest.fixture
def office_drafters(tree, make_user):
    make_user("d1", organization=tree["office"], role=DRAFTER, email="d1@example.org")
    make_user("d2", organization=tree["office"], role=DRAFTER, email="")  # no address: the app's notice only
    return tree["office"]


def remind(client, overseer, office, callbacks):
    client.force_login(overseer)
    with callbacks(execute=True):
        return client.post(reverse("tracking:remind"), {"organization": office.pk, "year": 2023, "quarter": 1}, follow=True)


def test_mail_goes_in_process_after_the_commit_without_configuration(client, overseer, office_drafters, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    response = remind(client, overseer, office_drafters, django_capture_on_commit_callbacks)
    assert "已向市政协机关党组发送催报邮件（1 人）" in response.content.decode()
    assert [message.to for message in mailoutbox] == [["d1@example.org"]]
    mailed = Notice.objects.get(email="d1@example.org")
    assert mailed.mailed_at is not None and mailed.mail_attempts == 1 and mailed.mail_error == ""
    assert Notice.objects.get(email="").mailed_at is None  # nothing to mail, nothing to retry
    assert retry_unsent() == 0


def test_a_relay_that_is_down_fails_no_action_and_loses_no_notice(client, settings, overseer, office_drafters, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.mail_backends.DownBackend"
    response = remind(client, overseer, office_drafters, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and "已向市政协机关党组发送催报邮件" in response.content.decode()
    waiting = Notice.objects.get(email="d1@example.org")
    assert waiting.mailed_at is None and waiting.mail_attempts == 1 and "连接邮件服务器失败" in waiting.mail_error
    assert mailoutbox == []
    # The drafter still has it in the app.
    assert "催报" in waiting.subject and waiting.read_at is None

    # The relay is back: the scheduled run sends what is waiting, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_unsent() == 1
    assert [message.to for message in mailoutbox] == [["d1@example.org"]]
    waiting.refresh_from_db()
    assert waiting.mailed_at is not None and waiting.mail_attempts == 2 and waiting.mail_error == ""
    assert retry_unsent() == 0 and len(mailoutbox) == 1


def test_a_submission_is_saved_when_the_relay_is_down(client, settings, tree, drafter, make_user, complete_report,
                                                      django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.mail_backends.DownBackend"
    make_user("reviewer1", organization=tree["cppcc"], role=Membership.Role.REVIEWER, email="r@example.org")
    report = complete_report
    client.force_login(drafter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:act", args=[report.pk, "submit"]),
                               {"comment": LATE_REASON}, follow=True)
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == "submitted"
    assert Notice.objects.filter(email="r@example.org", mailed_at__isnull=True, mail_attempts=1).exists()


# ---- A real worker on the database queue ---------------------------------------------------------

SETUP = """
from django.contrib.auth import get_user_model
from reports.models import Membership, Organization
from reports.review.notices import deliver
from django.db import transaction
body = Organization.objects.create(name="市政协党组")
users = [get_user_model().objects.create_user(name, email=f"{name}@example.org") for name in ("d1", "d2")]
for user in users:
    Membership.objects.create(user=user, organization=body, role="drafter")
with transaction.atomic():
    deliver(users, "【季报】催报：市政协党组2023年第一季度报告", "请尽快完成并提交。", "/reports/")
"""

CHECK = """
from reports.models import Notice
from django_tasks_db.models import DBTaskResult
notices = Notice.objects.order_by("id")
print([(n.mailed_at is not None, n.mail_attempts, bool(n.mail_error)) for n in notices], [n.mail_error for n in notices])
print(sorted(str(t.status) for t in DBTaskResult.objects.all()))
"""


def manage(environment, *arguments):
    done = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_worker_process_sends_the_mail_and_retries_when_the_relay_was_down(tmp_path):
    """JIBAO_TASKS=database: the request only enqueues; `manage.py db_worker` (its own process,
    as on another machine) sends; a failed attempt waits on the queue for its retry."""
    down = tmp_path / "relay-down"
    outbox = tmp_path / "outbox"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "true",
                   "JIBAO_TASKS": "database", "EMAIL_BACKEND": "tests.mail_backends.DownWhileMarkedBackend",
                   "JIBAO_TEST_OUTBOX": str(outbox), "JIBAO_TEST_MAIL_DOWN": str(down),
                   "JIBAO_MAIL_RETRY_SECONDS": "3600"}
    manage(environment, "migrate", "--noinput")
    manage(environment, "shell", "-c", SETUP)
    # Enqueued, not sent: nobody has worked on the queue yet.
    notices, tasks = manage(environment, "shell", "-c", CHECK).splitlines()[-2:]
    assert notices.startswith("[(False, 0, False), (False, 0, False)]") and tasks == "['READY']"

    down.touch()
    manage(environment, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
    notices, tasks = manage(environment, "shell", "-c", CHECK).splitlines()[-2:]
    assert notices.startswith("[(False, 1, True), (False, 1, True)]")  # kept, with why
    assert tasks == "['READY', 'SUCCESSFUL']"  # the retry waits its hour on the queue
    assert not outbox.exists() or not any(path.read_text() for path in outbox.iterdir())  # nothing written

    down.unlink()
    manage(environment, "send_due_reminders")  # the scheduled run queues what is unsent
    manage(environment, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
    notices, _tasks = manage(environment, "shell", "-c", CHECK).splitlines()[-2:]
    assert notices.startswith("[(True, 2, False), (True, 2, False)]"), notices
    written = [text for text in (path.read_text() for path in outbox.iterdir()) if text]
    assert len(written) == 1 and "d1@example.org, d2@example.org" in written[0]


def test_a_notice_taken_by_one_task_is_not_mailed_by_another(office_drafters, mailoutbox):
    """A retry and the scheduled sweep may both be given a notice: the one that takes it mails it."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from reports.mail import CLAIM_SECONDS, claim, send_notice_mail

    user = get_user_model().objects.get(username="d1")
    notice = Notice.objects.create(user=user, subject="【季报】催报", body="请尽快提交。", email=user.email)
    taken = list(claim([notice.pk]))  # a task that is still sending it
    assert taken == [notice]
    assert send_notice_mail.call([notice.pk]) == {"sent": 0, "failed": 0}
    assert mailoutbox == []
    # A task that died while sending holds it no longer than CLAIM_SECONDS.
    Notice.objects.filter(pk=notice.pk).update(mail_claimed_at=timezone.now() - timedelta(seconds=CLAIM_SECONDS + 1))
    assert send_notice_mail.call([notice.pk]) == {"sent": 1, "failed": 0}
    notice.refresh_from_db()
    assert notice.mailed_at is not None and notice.mail_claim == "" and len(mailoutbox) == 1
