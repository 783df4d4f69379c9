from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from reports.models import Report
from reports.quality import jobs


class Command(BaseCommand):
    help = "重新计算各报告的文字指纹和质量检查结果（批量导入数据或修改常用语列表之后运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只处理这一年度的报告")

    def handle(self, *args, year=None, **options):
        reports = Report.objects.select_related("organization").order_by("year", "period_order", "pk")
        if year:
            reports = reports.filter(year=year)
        self.stdout.write(_("已检查 %(count)d 份报告。") % {"count": jobs.refresh_all(reports)})
