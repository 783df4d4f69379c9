"""E-mail outside the request: each notice (通知) with an address is mailed by a task, after the
transaction that wrote it has committed, never while a row lock is held; a failure is recorded on
the notice and the mail tried again, so a mail outage loses nothing and fails no user's action.

The task runs where settings.TASKS puts it: in the same process by default, or on the database
queue that `manage.py db_worker` processes take (JIBAO_TASKS=database). On a queue that can
defer, a failed mail is enqueued again for later (settings.JIBAO_MAIL_RETRY_SECONDS); on one that cannot (the
in-process default), the scheduled `send_due_reminders` run picks up what is still unsent.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from reports.models import Notice

logger = logging.getLogger(__name__)

# A notice's mail is tried at most this many times; the waits between are JIBAO_MAIL_RETRY_SECONDS.
MAX_ATTEMPTS = 6
MAIL_ERROR_CHARS = 300
# A task that has held notices this long without finishing is taken to have died.
CLAIM_SECONDS = 600


# A task mails at most this many notices: an import's 70,000 sign-in links are many tasks that
# workers share, each one connection to the relay, and none holding an IN list of 70,000.
TASK_NOTICES = 500


def mail_after_commit(notice_ids: list[int]) -> None:
    """Queue the mail of these notices once the current transaction commits."""
    for start in range(0, len(notice_ids), TASK_NOTICES):
        batch = list(notice_ids[start:start + TASK_NOTICES])
        transaction.on_commit(lambda batch=batch: send_notice_mail.enqueue(batch), robust=True)


def unsent(notice_ids=None):
    """The notices with an address that have not been mailed and may be tried again."""
    notices = Notice.objects.filter(mailed_at__isnull=True, mail_attempts__lt=MAX_ATTEMPTS).exclude(email="")
    return notices if notice_ids is None else notices.filter(pk__in=notice_ids)


@task()
def send_notice_mail(notice_ids: list[int]) -> dict:
    """Mail each of these notices still unsent. The notices of one delivery (the same subject,
    text and link: a body's drafters told the same thing) go as one message to all their
    addresses, as a colleague would write to them. Returns {"sent": n, "failed": n} in notices."""
    messages: dict[tuple[str, str, str], list[Notice]] = {}
    for notice in claim(notice_ids).order_by("id"):
        messages.setdefault((notice.subject, notice.body, notice.link), []).append(notice)
    sent, failed = [], []
    if messages:
        try:
            connection = get_connection(fail_silently=False)
            connection.open()
        except Exception as error:  # the relay is unreachable: every notice waits for the next attempt
            logger.warning("mail relay unreachable: %s", error)
            failed = [(notice, error) for group in messages.values() for notice in group]
            connection = None
        if connection is not None:
            try:
                for group in messages.values():
                    try:
                        connection.send_messages([message_for(group)])
                        sent += [notice.pk for notice in group]
                    except Exception as error:
                        failed += [(notice, error) for notice in group]
            finally:
                connection.close()
    now = timezone.now()
    done = {"mail_attempts": F("mail_attempts") + 1, "mail_claim": "", "mail_claimed_at": None}
    Notice.objects.filter(pk__in=sent).update(mailed_at=now, mail_error="", **done)
    for notice, error in failed:
        logger.warning("mail of notice %s failed: %s", notice.pk, error)
        Notice.objects.filter(pk=notice.pk).update(mail_error=str(error)[:MAIL_ERROR_CHARS] or type(error).__name__,
                                                   **done)
    if failed:
        _retry_later([notice.pk for notice, _error in failed])
    return {"sent": len(sent), "failed": len(failed)}


def claim(notice_ids: list[int]):
    """Take these notices, those still unsent and not taken by another task, for this one: one
    conditional UPDATE, so of two tasks given the same notice only one gets it. A claim older
    than CLAIM_SECONDS is a task that died while sending: its notices may be taken again."""
    token, now = uuid.uuid4().hex, timezone.now()
    free = Q(mail_claimed_at__isnull=True) | Q(mail_claimed_at__lt=now - timedelta(seconds=CLAIM_SECONDS))
    unsent(notice_ids).filter(free).update(mail_claim=token, mail_claimed_at=now)
    return Notice.objects.filter(mail_claim=token)


def message_for(notices: list[Notice]) -> EmailMessage:
    first = notices[0]
    text = f"{first.body}\n{settings.SITE_URL}{first.link}" if first.link else first.body
    return EmailMessage(first.subject, text, settings.DEFAULT_FROM_EMAIL, [notice.email for notice in notices])


def _retry_later(notice_ids: list[int]) -> None:
    backend = send_notice_mail.get_backend()
    if not backend.supports_defer:
        return  # send_due_reminders (retry_unsent) tries them on its next run
    waiting = list(unsent(notice_ids).values_list("pk", "mail_attempts"))
    if not waiting:
        return
    delays = settings.JIBAO_MAIL_RETRY_SECONDS
    attempts = min(attempts for _pk, attempts in waiting)
    delay = delays[min(attempts, len(delays)) - 1]
    send_notice_mail.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue([pk for pk, _a in waiting])


def retry_unsent() -> int:
    """Queue every notice still unsent (the scheduled run's sweep). Returns how many."""
    ids = list(unsent().values_list("pk", flat=True))
    if ids:
        send_notice_mail.enqueue(ids)
    return len(ids)
