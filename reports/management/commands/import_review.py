import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.models import Report
from reports.review.suggestions import import_reading
from reports.word.importing import MAX_UPLOAD_BYTES
from reports.word.importing.review import ReviewFileRefused, read_review
from reports.word.importing.review.errors import TOO_LARGE

# A file that cannot be read, or a report or file that is not there, exits with 2 (as import_report).
BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "读取领导修改后的 Word 文件（修订和批注），作为报告的修改建议和批注导入。"
        "--dry-run 不建立任何内容，只把读取结果以 JSON 打印到标准输出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("report", help="报告的 ID")
        parser.add_argument("file", help="领导修改后的 .docx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只读取并打印 JSON，不建立修改建议和批注")

    def handle(self, *args, report, file, dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件：%(file)s") % {"file": file}, returncode=BAD_INPUT)
        found = Report.objects.filter(pk=int(report)).first() if report.isdigit() else None
        if found is None:
            raise CommandError(_("没有这份报告：%(report)s") % {"report": report}, returncode=BAD_INPUT)
        # Refuse a huge file before reading it into memory.
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise CommandError(f"{path.name}：{TOO_LARGE}", returncode=BAD_INPUT)
        try:
            reading = read_review(found, path.read_bytes())
        except ReviewFileRefused as refused:
            raise CommandError(f"{path.name}：{refused.message}", returncode=BAD_INPUT) from None
        if dry_run:
            self.stdout.write(json.dumps(reading.as_json(), ensure_ascii=False, indent=2))
            return
        suggestions, comments = import_reading(found, reading, user=None)
        summary = _("已导入 %(suggestions)d 条修改建议、%(comments)d 条批注，%(unmatched)d 处未能对应") % {
            "suggestions": suggestions, "comments": comments, "unmatched": len(reading.unmatched)}
        self.stdout.write(self.style.SUCCESS(summary))
