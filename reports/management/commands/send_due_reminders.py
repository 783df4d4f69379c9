import argparse
from datetime import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports import exports
from reports.labels import period_name
from reports.mail import retry_unsent
from reports.tracking.deadlines import REPORTING_TZ
from reports.tracking.reminders import OVERDUE_CATCH_UP_DAYS, send_due_reminders


def moment(text: str) -> datetime:
    """--now: an ISO date and time, in Beijing time unless it names its own offset."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--now 应为 ISO 格式的日期时间，如 2024-04-11T09:00，而不是 {text!r}") from None
    return value if timezone.is_aware(value) else value.replace(tzinfo=REPORTING_TZ)


class Command(BaseCommand):
    help = (
        "发送自动提醒：向有起草人、尚未提交报告的单位的起草人发送“即将到期”提醒（截止日期前，督办单位设定的提前提醒天数内）"
        f"和“逾期催报”（截止日期次日；当天未运行的，截止后 {OVERDUE_CATCH_UP_DAYS} 天内补发；已截止填报的不发）。"
        "范围为本年度和上一年度的各季度及年度报告；每种提醒每个单位每期只发一次，每个单位每天最多一条（含督办人催报）。"
        "请用 cron 每小时运行一次，重复运行不会重复发送。每次运行也会重发此前因邮件服务器故障未能发出的通知邮件，"
        "并删除 7 天前生成的导出文件（PDF、压缩包）。"
        "测试或补发时可用 --now 2024-04-11T09:00 指定当前时间（北京时间），提醒按该时间记录。"
    )

    def add_arguments(self, parser):
        # Hidden from the option list (for tests and replaying a missed run); described in help above.
        parser.add_argument("--now", type=moment, default=None, help=argparse.SUPPRESS)

    def handle(self, *args, now=None, **options):
        sent = send_due_reminders(now or timezone.now())
        for reminder in sent:
            to = f"邮件发至 {reminder.recipients}" if reminder.recipients else "起草人均未设邮箱，仅发站内通知"
            self.stdout.write(f"{reminder.organization.name} {period_name(reminder.year, reminder.quarter)}："
                              f"{reminder.get_kind_display()}，{to}")
        self.stdout.write(self.style.SUCCESS(f"共发送 {len(sent)} 条提醒。") if sent else "没有需要发送的提醒。")
        retried = retry_unsent()
        if retried:
            self.stdout.write(f"重发此前未能发出的通知邮件 {retried} 封。")
        purged = exports.purge(now)
        if purged:
            self.stdout.write(f"删除 {exports.KEEP_DAYS} 天前生成的导出文件 {purged} 个。")
