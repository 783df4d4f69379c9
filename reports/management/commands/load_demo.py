from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports.management.demo import load_demo_data


class Command(BaseCommand):
    help = "载入演示数据（单位、用户、2023年第一季度示例报告），可重复运行。仅限 DEBUG 开启时使用。"

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="重新创建已存在的演示报告（会丢弃对其所做的修改）。")

    def handle(self, *args, reset=False, **options):
        if not settings.DEBUG:
            # The demo users share a published password: never on a production server.
            raise CommandError("DEBUG 已关闭：演示账号使用公开密码，不能在生产环境载入演示数据。")
        result = load_demo_data(reset=reset)
        for report in result.created_reports:
            self.stdout.write(self.style.SUCCESS(f"已创建：{report.title}"))
        for report in result.kept_reports:
            self.stdout.write(f"已存在，保留不变：{report.title}（--reset 可重新创建）")
        self.stdout.write("\n演示账号（密码均为 %s）：" % result.password)
        for username, name, roles in result.users:
            self.stdout.write(f"  {username:<10} {name}  {'、'.join(roles)}")
