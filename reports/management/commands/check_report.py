import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.models import Report
from reports.quality.check import check_report

# An unknown report exits with 2, as import_report and import_review do.
BAD_INPUT = 2


class Command(BaseCommand):
    help = "检查报告：待填写的内容（提交前必须处理）和需要核对的文字（提醒）。--json 以稳定的 JSON 格式输出。"

    def add_arguments(self, parser):
        parser.add_argument("report", help="报告的 ID")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出检查结果")

    def handle(self, *args, report, json=False, **options):
        found = Report.objects.filter(pk=int(report)).first() if report.isdigit() else None
        if found is None:
            raise CommandError(_("没有这份报告：%(report)s") % {"report": report}, returncode=BAD_INPUT)
        quality = check_report(found)
        if json:
            self.stdout.write(_dumps(quality.as_json()))
            return
        self.stdout.write(_("%(title)s：%(blocking)d 处必须处理，%(warnings)d 处提醒") % {
            "title": found.title, "blocking": len(quality.blocking), "warnings": len(quality.warnings)})
        for finding in quality.findings:
            mark = _("必须处理") if finding.blocking else _("提醒")
            self.stdout.write(f"  [{mark}] {finding.message}")


def _dumps(data):
    return json.dumps(data, ensure_ascii=False, indent=2)
