import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.drafting.starting import ReportExists
from reports.labels import QUARTER_NUMBERS
from reports.models import Organization
from reports.word.importing import MAX_UPLOAD_BYTES, ImportRefused, create_report, parse_file
from reports.word.importing.errors import TOO_LARGE

# A file that cannot be imported (bad, unsafe, too large) exits with 2, as the README says.
BAD_FILE = 2


class Command(BaseCommand):
    help = (
        "导入 Word 文件（.docx）或 UTF-8 文本文件（.txt），建立一份报告草稿。"
        "--dry-run 不建立任何内容，只把解析结果以 JSON 打印到标准输出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".docx 或 .txt 文件")
        parser.add_argument("--organization", help="单位的 ID 或全称")
        parser.add_argument("--year", type=int, help="年度（默认取标题中的年度）")
        parser.add_argument("--quarter", type=int, choices=QUARTER_NUMBERS, help="季度 1-4（默认取标题中的季度）")
        parser.add_argument("--dry-run", action="store_true", help="只解析并打印 JSON，不建立报告")

    def handle(self, *args, file, organization=None, year=None, quarter=None, dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}", returncode=BAD_FILE)
        # Refuse a huge file before reading it into memory.
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise CommandError(f"{path.name}：{TOO_LARGE}", returncode=BAD_FILE)
        try:
            parsed = parse_file(path.name, path.read_bytes())
        except ImportRefused as refused:
            raise CommandError(f"{path.name}：{refused.message}", returncode=BAD_FILE) from None
        if dry_run:
            self.stdout.write(json.dumps(parsed.as_dict(), ensure_ascii=False, indent=2))
            return

        body = self._organization(organization)
        period = parsed.period() or (None, None)
        year, quarter = year or period[0], quarter or period[1]
        if not year or not quarter:
            raise CommandError("标题中没有年度和季度，请用 --year 和 --quarter 指定。")
        try:
            report = create_report(parsed, organization=body, year=year, quarter=quarter)
        except ReportExists as exists:
            raise CommandError(f"{exists.report.title}（编号 {exists.report.pk}）已经存在，未导入。") from None
        self.stdout.write(self.style.SUCCESS(f"已创建：{report.title}（编号 {report.pk}）"))
        self.stdout.write(
            f"{len(parsed.sections)} 个部分，{parsed.heading_count} 个小标题，{parsed.item_count} 项，"
            f"{len(parsed.measures)} 个统计数，{len(parsed.placeholders)} 处待填写。"
        )

    def _organization(self, value):
        if not value:
            raise CommandError("请用 --organization 指定单位（ID 或全称）；只想看解析结果可加 --dry-run。")
        found = Organization.objects.filter(pk=int(value)) if value.isdigit() else Organization.objects.filter(name=value)
        body = found.first()
        if body is None:
            raise CommandError(f"没有这个单位：{value}")
        return body
