from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from reports.management import backup


class Command(BaseCommand):
    help = (
        "把 backup 命令做的备份恢复到当前配置的数据库（应为新建的空数据库），再补上更新的迁移。"
        "SQLite：SQLITE_PATH 指向新文件；PostgreSQL：DATABASE_URL 指向 createdb 新建的空库。"
        "备份旁边的 FILE.files.tar 中的佐证文件放回 MEDIA_ROOT（已有而内容不同的文件不覆盖，整个恢复不进行）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup 命令写出的备份文件")
        parser.add_argument("--replace", action="store_true",
                            help="SQLite：目标数据库已有数据时也整体替换（原有数据全部丢失）")
        parser.add_argument("--no-migrate", action="store_true", help="恢复后不运行 migrate")
        parser.add_argument("--print-command", action="store_true",
                            help="PostgreSQL：只显示 pg_restore 命令，不运行")

    def handle(self, *args, file, replace=False, no_migrate=False, print_command=False, **options):
        if print_command:
            if backup.vendor() != "postgresql":
                raise CommandError("--print-command 只用于 PostgreSQL。")
            self.stdout.write(backup.shell_line(backup.pg_restore_command(file)))
            return
        try:
            outcome = backup.restore(file, replace=replace)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        if not no_migrate:
            # A backup made by an older version gets this version's tables and columns.
            call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"已从 {file} 恢复"))
        self.stdout.write("，".join(f"{label} {count}" for label, count in outcome.counts.items()))
        self._report_files(outcome.files)

    def _report_files(self, files):
        if not files.path:
            self.stdout.write(self.style.WARNING(files.note))
            return
        self.stdout.write(f"佐证文件 {files.count} 个（{files.size / 1e6:.1f} MB）已从 {files.path} 恢复到 MEDIA_ROOT"
                          + (f"，{files.kept} 个已有且相同" if files.kept else ""))
        if files.damaged:
            # Everything else is in place; the exit status still tells a script that the backup was not whole.
            raise CommandError(f"{len(files.damaged)} 个佐证文件与其名称中的校验值不符（已损坏），未恢复："
                               + "、".join(files.damaged))
