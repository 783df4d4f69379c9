from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.models import Report
from reports.word.writer import docx_filename, render_docx


class Command(BaseCommand):
    help = "把一份报告导出为符合 GB/T 9704 的 Word 文件（.docx）。"

    def add_arguments(self, parser):
        parser.add_argument("report_id", type=int, help="报告编号")
        parser.add_argument("-o", "--output", help="输出文件；默认为“{标题}.docx”，写在当前目录")

    def handle(self, *args, report_id, output=None, **options):
        report = Report.objects.select_related("organization").filter(pk=report_id).first()
        if report is None:
            raise CommandError(f"没有编号为 {report_id} 的报告。")
        target = Path(output or docx_filename(report))
        try:
            target.write_bytes(render_docx(report))
        except OSError as error:
            raise CommandError(f"无法写入 {target}：{error.strerror}") from None
        self.stdout.write(self.style.SUCCESS(f"已导出：{target}"))
