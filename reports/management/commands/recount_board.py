from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from reports.tracking import tallies


class Command(BaseCommand):
    help = "重新统计督办看板各级单位的汇总数（批量导入或直接改动数据库之后运行）。"

    def handle(self, *args, **options):
        self.stdout.write(_("已重新统计 %(count)d 个有下级单位的单位。") % {"count": tallies.recount()})
