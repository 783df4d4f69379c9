"""Backups: an online copy of the database, and putting one back into a fresh database.

SQLite (the default): sqlite3's online backup API (`Connection.backup`) copies the live
database while the application keeps running. In WAL mode writers are not held up, and the
copy is one consistent state of the database (a single step, inside one read transaction).
The copy is written beside the target under a temporary name, switched to an ordinary
rollback journal (one self-contained file), checked with `PRAGMA integrity_check`, and only
then renamed to the target: a failed backup never leaves a half-written file under that name.

PostgreSQL: `pg_dump` in its custom format, restored with `pg_restore --single-transaction`
(all or nothing). The commands are built from DATABASES; the password travels in the
PGPASSWORD environment variable, never on the command line. Both commands can print the
command instead of running it, for an operator who backs up from another machine.

A backup holds the sessions and the password hashes: it is created readable and writable by
its owner only (0600) before anything is written into it, whatever the umask, and set so again
just before it is renamed to the target (pg_dump, or a file being overwritten, could differ).

`restore` refuses a database that already holds users or reports unless told to replace it:
a restore is for a new, empty database (after a loss, or to check a backup).

The evidence files (佐证材料) are not in the database: with the file system storage they go into a
tar beside the backup and come back with it; in object storage they stay in the bucket, which is
backed up on its own ("Evidence files" below).
"""

import hashlib
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection

# What a backup of this application must contain to be restored.
REQUIRED_TABLES = ("django_migrations", "auth_user", "reports_report", "reports_reportevent")
# Counted after a backup or restore, so the operator sees at a glance that it holds the data.
COUNTED_TABLES = {
    "auth_user": "用户",
    "reports_organization": "单位",
    "reports_report": "报告",
    "reports_item": "条目",
    "reports_reportevent": "流程记录",
    "reports_submission": "提交记录",
}
PG_TIMEOUT_SECONDS = 60 * 60
PRIVATE_MODE = 0o600  # owner only: a backup holds sessions and password hashes


class BackupError(Exception):
    """A backup or restore that did not happen; the message says why, for the operator."""


@dataclass
class FilesOutcome:
    """The evidence files of a backup or restore, as the operator is told of them."""

    path: Path | None = None  # the tar beside the database backup; None when no files were copied
    count: int = 0  # files copied (backup) or written into MEDIA_ROOT (restore)
    size: int = 0
    kept: int = 0  # restore: already in MEDIA_ROOT with the same bytes
    damaged: list = field(default_factory=list)  # restore: names whose bytes do not match their hash
    note: str = ""  # why no files were copied: they are in the bucket, the backup has none


@dataclass
class Outcome:
    path: Path
    counts: dict = field(default_factory=dict)  # {"报告": 4, …}
    command: list | None = None  # the pg_dump / pg_restore command, when PostgreSQL
    files: FilesOutcome | None = None


def vendor():
    return connection.vendor


def _new_private_file(path):
    """Create `path` empty with PRIVATE_MODE, so that nothing is ever written to a readable file."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_MODE))


def _put_in_place(temporary, target):
    os.chmod(temporary, PRIVATE_MODE)  # the umask could only take bits away; another writer could add them
    os.replace(temporary, target)


# ---- SQLite --------------------------------------------------------------------------------


def _sqlite_counts(db):
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {label: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608 - fixed names
            for table, label in COUNTED_TABLES.items() if table in tables}


def _check_sqlite_file(db, path):
    result = db.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} 已损坏（integrity_check：{result}）。")
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [table for table in REQUIRED_TABLES if table not in tables]
    if missing:
        raise BackupError(f"{path} 不是季报的数据库备份（缺少数据表：{'、'.join(missing)}）。")


def backup_sqlite(target, *, overwrite=False):
    """Copy the live SQLite database to `target` (a new file). Returns an Outcome."""
    target = Path(target).resolve()
    if target.exists() and not overwrite:
        raise BackupError(f"{target} 已存在。请换一个文件名，或加 --overwrite 覆盖。")
    if not target.parent.is_dir():
        raise BackupError(f"目录 {target.parent} 不存在。")
    if connection.in_atomic_block:
        # The source connection's own open transaction would hold the lock the backup waits
        # for (sqlite3 retries a locked backup for ever): back up from outside any transaction.
        raise BackupError("不能在数据库事务中进行在线备份。")
    connection.ensure_connection()
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    _new_private_file(temporary)  # SQLite keeps an existing file's mode, and gives its journal the same
    copy = sqlite3.connect(temporary)
    try:
        connection.connection.backup(copy)  # one step: one consistent state of the database
        copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        _check_sqlite_file(copy, target)
        counts = _sqlite_counts(copy)
        copy.close()
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        _put_in_place(temporary, target)
    except BaseException:
        copy.close()
        temporary.unlink(missing_ok=True)
        raise
    return Outcome(path=target, counts=counts)


def _django_database_is_fresh():
    """No users and no reports (or no tables at all): nothing a restore would overwrite."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in ("auth_user", "reports_report"):
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                if cursor.fetchone()[0]:
                    return False
    return True


def restore_sqlite(source, *, replace=False):
    """Put the backup `source` in place of the configured SQLite database (which must be empty
    unless `replace`). Returns an Outcome with what the restored database holds."""
    source = Path(source).resolve()
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}。")
    try:
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        _check_sqlite_file(backup, source)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} 不是 SQLite 数据库备份：{error}") from None
    try:
        if not replace and not _django_database_is_fresh():
            raise BackupError(
                "目标数据库中已有用户或报告。恢复只用于新建的空数据库；确需整体替换现有数据，请加 --replace。"
            )
        name = connection.settings_dict["NAME"]
        connection.close()  # the restore writes through its own connection
        target = sqlite3.connect(name, timeout=20)
        try:
            backup.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # as the application runs it (settings.py)
            _check_sqlite_file(target, name)
            counts = _sqlite_counts(target)
        finally:
            target.close()
    finally:
        backup.close()
    return Outcome(path=Path(name), counts=counts)


# ---- PostgreSQL ----------------------------------------------------------------------------


def _pg_connection_arguments(settings_dict):
    arguments = []
    if settings_dict.get("HOST"):
        arguments += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        arguments += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        arguments += ["--username", str(settings_dict["USER"])]
    return arguments


def _pg_environment(settings_dict):
    environment = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return environment


def pg_dump_command(target, settings_dict=None):
    settings_dict = settings_dict or connection.settings_dict
    return ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}",
            *_pg_connection_arguments(settings_dict), str(settings_dict["NAME"])]


def pg_restore_command(source, settings_dict=None):
    settings_dict = settings_dict or connection.settings_dict
    return ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
            *_pg_connection_arguments(settings_dict), f"--dbname={settings_dict['NAME']}", str(source)]


def shell_line(command, settings_dict=None):
    """The command as an operator would type it, the password left for them to fill in."""
    settings_dict = settings_dict or connection.settings_dict
    prefix = "PGPASSWORD='…' " if settings_dict.get("PASSWORD") else ""
    return prefix + shlex.join(command)


def _run_pg(command, what):
    if shutil.which(command[0]) is None:
        raise BackupError(f"没有找到 {command[0]}（Debian：apt-get install postgresql-client）。"
                          "可加 --print-command 只显示命令。")
    completed = subprocess.run(command, env=_pg_environment(connection.settings_dict), capture_output=True,
                               text=True, timeout=PG_TIMEOUT_SECONDS)
    if completed.returncode != 0:
        raise BackupError(f"{what}失败：{completed.stderr.strip()[-2000:]}")


def _pg_counts():
    tables = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table, label in COUNTED_TABLES.items():
            if table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                counts[label] = cursor.fetchone()[0]
    return counts


def backup_postgresql(target, *, overwrite=False):
    target = Path(target).resolve()
    if target.exists() and not overwrite:
        raise BackupError(f"{target} 已存在。请换一个文件名，或加 --overwrite 覆盖。")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    _new_private_file(temporary)  # pg_dump truncates an existing file and keeps its mode
    command = pg_dump_command(temporary)
    try:
        _run_pg(command, "pg_dump ")
        _put_in_place(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return Outcome(path=target, counts=_pg_counts(), command=pg_dump_command(target))


def restore_postgresql(source):
    """pg_restore into the configured database, which must be new (createdb, no migrate)."""
    source = Path(source).resolve()
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}。")
    with open(source, "rb") as handle:
        if handle.read(5) != b"PGDMP":
            raise BackupError(f"{source} 不是 pg_dump 的备份（custom 格式，由 backup 命令写出）。")
    if not _django_database_is_fresh():
        raise BackupError(
            "目标数据库中已有用户或报告。PostgreSQL 的备份只恢复到新建的空数据库"
            "（createdb 新库，把 DATABASE_URL 指向它，再运行 restore）。"
        )
    tables = set(connection.introspection.table_names())
    if tables:
        # `migrate` was run on the new database: its empty tables would clash with the dump's.
        raise BackupError("目标数据库中已有数据表。请恢复到 createdb 新建、尚未 migrate 的空数据库。")
    command = pg_restore_command(source)
    _run_pg(command, "pg_restore ")
    connection.close()
    return Outcome(path=source, counts=_pg_counts(), command=command)


# ---- Evidence files ------------------------------------------------------------------------
#
# With the file system storage the files under MEDIA_ROOT/evidence/ go into one tar beside the
# database backup, FILE.files.tar. One file rather than a folder: like the database backup it is
# written under a temporary name and renamed only when complete (a failed backup never leaves a
# half-copied set under the name), it is private (0600), and it travels to another machine as one
# file. Not compressed: photos, PDF and Office files are compressed already.
#
# The files are copied after the database: a file is stored before the row naming it is written,
# so every file the database backup names is there to copy (unless deleted in the seconds between).
# A restore checks every file of the tar against MEDIA_ROOT before the database is touched: a file
# already there under the same name must hold the same bytes (the names are the bytes' SHA-256),
# otherwise nothing is restored.
#
# In object storage (S3, JIBAO_S3_BUCKET) the files stay in the bucket and are not copied: the
# bucket is backed up on its own (versioning, or `aws s3 sync`; README), and both commands say so.

EVIDENCE_FOLDER = "evidence"
# The only names the store writes (reports/evidence/store.py): a file under its hash, its thumbnail.
EVIDENCE_NAME = re.compile(r"evidence/(?P<head>[0-9a-f]{2})/(?P=head)[0-9a-f]{62}(?P<suffix>\.thumb\.png|\.[a-z]{3,4})")
COPY_CHUNK = 1024 * 1024


def files_path(target) -> Path:
    return Path(str(Path(target).resolve()) + ".files.tar")


def local_media() -> Path | None:
    """MEDIA_ROOT, when the evidence is kept on this machine's disk; None for object storage."""
    return Path(default_storage.location) if isinstance(default_storage, FileSystemStorage) else None


def bucket_note(action) -> str:
    where = f"对象存储桶 {settings.JIBAO_S3_BUCKET}" if settings.JIBAO_S3_BUCKET else "对象存储"
    return f"佐证文件保存在{where}中，{action}。请另行备份该存储桶（开启版本控制，或用 aws s3 sync 复制）。"


def evidence_files(media: Path) -> list[tuple[str, Path]]:
    """(name, path) of every evidence file under MEDIA_ROOT, by name; links are never followed."""
    folder = media / EVIDENCE_FOLDER
    if not folder.is_dir():
        return []
    found = ((path.relative_to(media).as_posix(), path) for path in folder.rglob("*"))
    return sorted((name, path) for name, path in found
                  if EVIDENCE_NAME.fullmatch(name) and path.is_file() and not path.is_symlink())


def backup_files(target: Path, *, overwrite=False) -> FilesOutcome:
    """Copy MEDIA_ROOT's evidence into the tar `target`; only a note with object storage."""
    media = local_media()
    if media is None:
        return FilesOutcome(note=bucket_note("未复制到备份"))
    if target.exists() and not overwrite:
        raise BackupError(f"{target} 已存在。请换一个文件名，或加 --overwrite 覆盖。")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    _new_private_file(temporary)
    outcome = FilesOutcome(path=target)
    try:
        with tarfile.open(temporary, "w", format=tarfile.PAX_FORMAT) as tar:
            for name, path in evidence_files(media):
                tar.add(path, arcname=name, recursive=False)
                outcome.count += 1
                outcome.size += path.stat().st_size
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        _put_in_place(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return outcome


@dataclass
class FilesRestore:
    """What a restore will write into MEDIA_ROOT, checked before the database is touched."""

    source: Path | None = None
    media: Path | None = None
    new: list = field(default_factory=list)  # names of the tar to write
    kept: int = 0
    note: str = ""


def _same_bytes(path: Path, member_file) -> bool:
    mine, theirs = hashlib.sha256(), hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(COPY_CHUNK), b""):
            mine.update(chunk)
    for chunk in iter(lambda: member_file.read(COPY_CHUNK), b""):
        theirs.update(chunk)
    return mine.digest() == theirs.digest()


def _checked_member(tar, member, source):
    if not (member.isfile() and EVIDENCE_NAME.fullmatch(member.name)):
        raise BackupError(f"{source} 不是季报的佐证文件备份（其中有“{member.name}”）。")
    return tar.extractfile(member)


def plan_files_restore(source) -> FilesRestore:
    """The tar beside the backup `source`, checked against MEDIA_ROOT: BackupError if it holds
    anything but evidence files, or a file MEDIA_ROOT already has with other bytes."""
    media, tar_path = local_media(), files_path(source)
    if media is None:
        return FilesRestore(note=bucket_note("未从备份恢复"))
    if not tar_path.is_file():
        return FilesRestore(note=f"没有找到 {tar_path}：佐证文件未恢复。")
    plan = FilesRestore(source=tar_path, media=media)
    with tarfile.open(tar_path, "r:") as tar:
        for member in tar:
            member_file = _checked_member(tar, member, tar_path)
            existing = media / member.name
            if not existing.exists():
                plan.new.append(member.name)
            elif existing.stat().st_size == member.size and _same_bytes(existing, member_file):
                plan.kept += 1
            else:
                raise BackupError(f"{existing} 已存在且内容与备份不同，未恢复任何数据。请先移走该文件，或恢复到空的 MEDIA_ROOT。")
    return plan


def _matches_its_name(name: str, digest: str) -> bool:
    """An evidence file is named by its SHA-256; a thumbnail's name is its file's, so says nothing."""
    match = EVIDENCE_NAME.fullmatch(name)
    return match["suffix"] == ".thumb.png" or name.rsplit("/", 1)[1].startswith(digest)


def _write_member(member_file, target: Path, name: str) -> bool:
    """Write the file under a temporary name, renamed into place only if its bytes match its name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    try:
        with open(temporary, "wb") as handle:
            for chunk in iter(lambda: member_file.read(COPY_CHUNK), b""):
                handle.write(chunk)
                digest.update(chunk)
        if not _matches_its_name(name, digest.hexdigest()):
            return False
        if settings.FILE_UPLOAD_PERMISSIONS is not None:  # as the storage would have written it
            os.chmod(temporary, settings.FILE_UPLOAD_PERMISSIONS)
        os.replace(temporary, target)
        return True
    finally:
        temporary.unlink(missing_ok=True)


def restore_files(plan: FilesRestore) -> FilesOutcome:
    if plan.source is None:
        return FilesOutcome(note=plan.note)
    outcome = FilesOutcome(path=plan.source, kept=plan.kept)
    new = set(plan.new)
    with tarfile.open(plan.source, "r:") as tar:
        for member in tar:
            if member.name not in new:
                continue
            if _write_member(tar.extractfile(member), plan.media / member.name, member.name):
                outcome.count += 1
                outcome.size += member.size
            else:
                outcome.damaged.append(member.name)
    return outcome


# ---- Either --------------------------------------------------------------------------------


def _backup_database(target, *, overwrite):
    if vendor() == "sqlite":
        return backup_sqlite(target, overwrite=overwrite)
    if vendor() == "postgresql":
        return backup_postgresql(target, overwrite=overwrite)
    raise BackupError(f"不支持的数据库：{vendor()}")


def backup(target, *, overwrite=False):
    """The database into `target`, then the evidence files into the tar beside it."""
    files_target = files_path(target)
    if local_media() is not None and files_target.exists() and not overwrite:  # refused before anything is written
        raise BackupError(f"{files_target} 已存在。请换一个文件名，或加 --overwrite 覆盖。")
    outcome = _backup_database(target, overwrite=overwrite)
    outcome.files = backup_files(files_target, overwrite=overwrite)
    return outcome


def _restore_database(source, *, replace):
    if vendor() == "sqlite":
        return restore_sqlite(source, replace=replace)
    if vendor() == "postgresql":
        if replace:
            raise BackupError("PostgreSQL 不支持 --replace：请用 createdb 新建空数据库，把 DATABASE_URL 指向它后再恢复。")
        return restore_postgresql(source)
    raise BackupError(f"不支持的数据库：{vendor()}")


def restore(source, *, replace=False):
    """The evidence files checked against MEDIA_ROOT, the database restored, then the files written."""
    plan = plan_files_restore(source)
    outcome = _restore_database(source, replace=replace)
    outcome.files = restore_files(plan)
    return outcome
