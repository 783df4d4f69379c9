from django.core.management.base import BaseCommand, CommandError

from reports.management import backup


class Command(BaseCommand):
    help = (
        "备份数据库到一个文件。SQLite：在线备份（应用无需停止），写成一个独立的 .sqlite3 文件；"
        "PostgreSQL：运行 pg_dump（custom 格式，用 restore 或 pg_restore 恢复）。"
        "佐证文件（MEDIA_ROOT/evidence/）写入旁边的 FILE.files.tar；存放在对象存储中时不复制，需另行备份存储桶。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件，如 backups/jibao-2024-04-10.sqlite3（PostgreSQL：.dump）")
        parser.add_argument("--overwrite", action="store_true", help="覆盖已存在的同名文件")
        parser.add_argument("--print-command", action="store_true",
                            help="PostgreSQL：只显示 pg_dump 命令，不运行（在另一台机器上备份时）")

    def handle(self, *args, file, overwrite=False, print_command=False, **options):
        if print_command:
            if backup.vendor() != "postgresql":
                raise CommandError("--print-command 只用于 PostgreSQL；SQLite 的备份由本命令在线完成。")
            self.stdout.write(backup.shell_line(backup.pg_dump_command(file)))
            return
        try:
            outcome = backup.backup(file, overwrite=overwrite)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"已备份到 {outcome.path}"))
        if outcome.command:
            self.stdout.write("命令：" + backup.shell_line(outcome.command))
        self.stdout.write("，".join(f"{label} {count}" for label, count in outcome.counts.items()))
        files = outcome.files
        if files.path:
            self.stdout.write(f"佐证文件 {files.count} 个（{files.size / 1e6:.1f} MB）已备份到 {files.path}")
        else:
            self.stdout.write(self.style.WARNING(files.note))
