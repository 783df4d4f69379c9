"""Mail backends for the tests of reports.mail: a relay that is down, and one that is down while a
file exists (for a worker in another process, which the test cannot patch)."""

import os
import smtplib
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class DownBackend(LocmemBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("连接邮件服务器失败")


class DownWhileMarkedBackend(FileBackend):
    """Writes messages to the folder JIBAO_TEST_OUTBOX, except while the file JIBAO_TEST_MAIL_DOWN exists."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, file_path=os.environ["JIBAO_TEST_OUTBOX"], **kwargs)

    def send_messages(self, messages):
        if Path(os.environ["JIBAO_TEST_MAIL_DOWN"]).exists():
            raise smtplib.SMTPServerDisconnected("连接邮件服务器失败")
        return super().send_messages(messages)
