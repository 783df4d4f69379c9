"""Data safety: a backup restores into a fresh database with every report as it was, and every
multi-row write is one transaction (a failure half-way leaves nothing half-made)."""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from reports.document.model import build_document
from reports.drafting import editing
from reports.drafting.editing import fingerprint, part_values
from reports.evidence.attach import attach
from reports.evidence.store import read
from reports.management import backup
from reports.models import Heading, Item, Measure, MeasureValue, Membership, Report, ReportEvent, Section
from reports.review import workflow
from reports.word.importing import create_report, parse_text
from tests.fixtures import LATE_REASON, report_record

ROOT = Path(__file__).resolve().parent.parent
# Printed by the restored database in a subprocess, compared with the test database's own.
DIGEST_COMMAND = "import json; from tests.test_backup import report_digest; print(json.dumps(report_digest(), sort_keys=True))"


def report_digest():
    """Every report as a reader would check it: the document's text paragraph by paragraph
    (reports.document.build_document), the measure values, the events, the submissions and
    comments, the edit trail; and the people and their roles."""
    from django.contrib.auth import get_user_model

    reports = []
    for report in Report.objects.select_related("organization", "created_by").order_by("organization__name", "year", "quarter"):
        reports.append({
            "body": report.organization.name,
            "period": [report.year, report.quarter],
            "fields": [report.title, report.status, report.version, report.items_layout, report.signature_layout,
                       str(report.signature_date), str(report.created_at), str(report.updated_at),
                       report.created_by.username if report.created_by else None],
            "document": [[p.kind, p.ref, p.text] for p in build_document(report).paragraphs],
            "measures": sorted([v.measure.name, v.measure.unit, str(v.value)]
                               for v in report.measure_values.select_related("measure")),
            "events": [[e.action, e.from_status, e.to_status, e.actor.username if e.actor else None, e.comment, str(e.created_at)]
                       for e in report.events.select_related("actor").order_by("created_at", "id")],
            "submissions": [[s.number, s.paragraphs, s.measures, str(s.submitted_at)]
                            for s in report.submissions.order_by("number")],
            "comments": [[c.ref, c.text, str(c.created_at)] for c in report.comments.order_by("created_at", "id")],
            "trail": [Report.history.filter(id=report.pk).count(),
                      Section.history.filter(report_id=report.pk).count(),
                      Item.history.filter(section_id__in=report.sections.values("id")).count()],
        })
    people = [[u.username, u.password, u.is_active, u.is_superuser,
               sorted([m.organization.name, m.role] for m in Membership.objects.filter(user=u).select_related("organization"))]
              for u in get_user_model().objects.order_by("username")]
    return {"reports": reports, "people": people}


def manage(*args, env):
    not_inherited = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "SQLITE_PATH",
                     "MEDIA_ROOT"}
    environment = {k: v for k, v in os.environ.items() if k not in not_inherited}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=300)


def restored_digest(env):
    result = manage("shell", "-c", DIGEST_COMMAND, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def postgres_url(settings_dict, name):
    return (f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}@{settings_dict['HOST'] or '127.0.0.1'}"
            f":{settings_dict['PORT'] or 5432}/{name}")


@pytest.mark.django_db(transaction=True)  # committed: pg_dump reads through its own connection
def test_a_backup_of_the_demo_restores_into_a_fresh_database_with_every_report(demo, tmp_path):
    """SQLite (the default): an online backup, restored into a new file by `manage.py restore`.
    On PostgreSQL (CI's second pass) the same with pg_dump into a new database."""
    expected = report_digest()
    assert len(expected["reports"]) == 9 and any(r["events"] for r in expected["reports"])
    target = tmp_path / ("jibao.sqlite3" if connection.vendor == "sqlite" else "jibao.dump")
    out = StringIO()
    call_command("backup", str(target), stdout=out)
    assert target.is_file() and "报告 9" in out.getvalue()

    if connection.vendor == "sqlite":
        env = {"SQLITE_PATH": str(tmp_path / "restored.sqlite3"), "MEDIA_ROOT": str(tmp_path / "restored-media")}
        restored = manage("restore", str(target), env=env)
        assert restored.returncode == 0, restored.stderr
        assert "报告 9" in restored.stdout
        assert restored_digest(env) == expected
        # A restore never overwrites a database that holds data.
        again = manage("restore", str(target), env=env)
        assert again.returncode != 0 and "已有用户或报告" in again.stderr
        return

    fresh = connection.settings_dict["NAME"] + "_restored"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env = {"DATABASE_URL": postgres_url(connection.settings_dict, fresh), "MEDIA_ROOT": str(tmp_path / "restored-media")}
        restored = manage("restore", str(target), env=env)
        assert restored.returncode == 0, restored.stderr
        assert restored_digest(env) == expected
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}"')


@pytest.mark.django_db
def test_a_backup_never_overwrites_and_a_restore_takes_only_a_backup(tmp_path, settings):
    existing = tmp_path / "taken.sqlite3"
    existing.write_text("something else")
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", str(existing))
    assert existing.read_text() == "something else"
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("这不是数据库")
    with pytest.raises(CommandError, match="不是"):
        call_command("restore", str(not_a_backup))
    with pytest.raises(CommandError, match="找不到"):
        call_command("restore", str(tmp_path / "missing.sqlite3"))


@pytest.mark.django_db(transaction=True)  # a backup is made from outside any transaction
def test_a_backup_is_readable_by_its_owner_only(tmp_path, demo, monkeypatch):
    """It holds the sessions and the password hashes: mode 0600, whatever the umask, on SQLite and
    on PostgreSQL (pg_dump writes the file there), also when it overwrites a readable file."""
    previous = os.umask(0o022)  # the usual umask, under which new files are 0644
    try:
        target = tmp_path / "jibao.backup"
        backup.backup(target)
        assert target.stat().st_mode & 0o777 == 0o600
        target.chmod(0o644)
        backup.backup(target, overwrite=True)
        assert target.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(previous)


@pytest.mark.django_db(transaction=True)  # a backup is made from outside any transaction
def test_a_sqlite_backup_is_one_checked_file(tmp_path, demo):
    if connection.vendor != "sqlite":  # the PostgreSQL pass runs pg_dump instead: see above
        return
    import sqlite3

    target = tmp_path / "jibao.sqlite3"
    outcome = backup.backup(target)
    db = sqlite3.connect(target)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete", "self-contained, no -wal beside it"
    assert db.execute("SELECT COUNT(*) FROM reports_report").fetchone()[0] == outcome.counts["报告"] == 9
    assert not list(tmp_path.glob(".*partial")), "no temporary file left behind"
    with transaction.atomic(), pytest.raises(backup.BackupError, match="事务"):
        backup.backup(tmp_path / "inside.sqlite3")


def test_the_postgresql_commands_keep_the_password_off_the_command_line():
    settings_dict = {"NAME": "jibao", "USER": "jibao", "PASSWORD": "s3cret", "HOST": "db.internal", "PORT": "5432"}
    dump = backup.pg_dump_command("/backups/jibao.dump", settings_dict)
    assert dump[0] == "pg_dump" and "--format=custom" in dump and dump[-1] == "jibao"
    assert "s3cret" not in " ".join(dump) and "s3cret" not in backup.shell_line(dump, settings_dict)
    assert backup.shell_line(dump, settings_dict).startswith("PGPASSWORD='…' pg_dump ")
    restore = backup.pg_restore_command("/backups/jibao.dump", settings_dict)
    assert "--single-transaction" in restore and "--dbname=jibao" in restore
    assert backup._pg_environment(settings_dict)["PGPASSWORD"] == "s3cret"


# ---- The evidence files go with the database -----------------------------------------------

# Run in the restored application: each file of the evidence as the report's reader downloads it.
SERVED_COMMAND = """
import hashlib, json
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from reports.models import Evidence
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(get_user_model().objects.get(username="drafter"))
served = []
for evidence in Evidence.objects.order_by("title"):
    response = client.get(reverse("reports:evidence_file", args=[evidence.report_id, evidence.pk]))
    served.append([evidence.title, response.status_code, hashlib.sha256(b"".join(response.streaming_content)).hexdigest()])
print(json.dumps(served))
"""


def small_photo():
    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(output, "JPEG")
    return output.getvalue()


@pytest.fixture
def evidence(report_factory, tree, drafter):
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["认真学习。"])])
    return [attach(report, target="", name=name, data=data, actor=drafter)
            for name, data in (("会议通知.pdf", b"%PDF-1.4 notice\n%%EOF"), ("照片.jpg", small_photo()))]


def stored_names(evidence):
    """The names in the storage: each file, and the photo's thumbnail."""
    return sorted(name for item in evidence for name in (item.file.storage_name, item.file.thumbnail_name) if name)


def media_files(media):
    return sorted(path.relative_to(media).as_posix() for path in media.rglob("*") if path.is_file())


def tables_of(path):
    if not path.exists():
        return set()
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@pytest.mark.django_db(transaction=True)  # a backup is made from outside any transaction
def test_a_backup_takes_the_evidence_files_and_a_restore_puts_them_back(evidence, tmp_path, settings):
    if connection.vendor != "sqlite":  # the files are copied the same way beside a pg_dump
        return
    media, names = Path(settings.MEDIA_ROOT), stored_names(evidence)
    assert len(names) == 3 and media_files(media) == names
    target = tmp_path / "jibao.sqlite3"
    out = StringIO()
    call_command("backup", str(target), stdout=out)
    files = Path(f"{target}.files.tar")
    assert "佐证文件 3 个" in out.getvalue() and str(files) in out.getvalue()
    assert files.stat().st_mode & 0o777 == 0o600, "private, like the database backup"
    with tarfile.open(files) as tar:
        assert sorted(tar.getnames()) == names
    expected = [[item.title, 200, hashlib.sha256(read(item.file)).hexdigest()]
                for item in sorted(evidence, key=lambda item: item.title)]

    shutil.rmtree(media)  # the machine lost: the media folder, and the database (restored into a new file)
    env = {"SQLITE_PATH": str(tmp_path / "restored.sqlite3"), "MEDIA_ROOT": str(media)}
    restored = manage("restore", str(target), env=env)
    assert restored.returncode == 0, restored.stderr
    assert "佐证文件 3 个" in restored.stdout
    assert media_files(media) == names
    served = manage("shell", "-c", SERVED_COMMAND, env=env)
    assert served.returncode == 0, served.stderr
    assert json.loads(served.stdout.strip().splitlines()[-1]) == expected


@pytest.mark.django_db(transaction=True)
def test_a_restore_never_overwrites_a_differing_file(evidence, tmp_path, settings):
    if connection.vendor != "sqlite":
        return
    media = Path(settings.MEDIA_ROOT)
    target = tmp_path / "jibao.sqlite3"
    backup.backup(target)
    notice = media / evidence[0].file.storage_name
    original = notice.read_bytes()
    notice.write_bytes(b"%PDF-1.4 another file under the same name")
    fresh = tmp_path / "fresh.sqlite3"
    env = {"SQLITE_PATH": str(fresh), "MEDIA_ROOT": str(media)}
    refused = manage("restore", str(target), env=env)
    assert refused.returncode != 0 and "内容与备份不同" in refused.stderr
    assert notice.read_bytes() == b"%PDF-1.4 another file under the same name"
    assert "reports_report" not in tables_of(fresh), "refused before the database was touched"

    notice.write_bytes(original)  # the same bytes under the same name: kept, the rest restored
    (media / evidence[1].file.storage_name).unlink()
    restored = manage("restore", str(target), env=env)
    assert restored.returncode == 0, restored.stderr
    assert "佐证文件 1 个" in restored.stdout and "2 个已有且相同" in restored.stdout
    assert media_files(media) == stored_names(evidence)


def test_a_restore_takes_only_evidence_files_and_leaves_out_damaged_ones(tmp_path, settings):
    media = Path(settings.MEDIA_ROOT)
    damaged = "evidence/ab/ab" + "0" * 62 + ".pdf"  # a name the store could write, bytes of another hash

    def tar_beside(target, name):
        with tarfile.open(backup.files_path(target), "w") as tar:
            member = tarfile.TarInfo(name)
            member.size = 9
            tar.addfile(member, io.BytesIO(b"%PDF-1.4\n"))

    tar_beside(tmp_path / "a.sqlite3", "../../outside.txt")
    with pytest.raises(backup.BackupError, match="不是季报的佐证文件备份"):
        backup.plan_files_restore(tmp_path / "a.sqlite3")
    tar_beside(tmp_path / "b.sqlite3", damaged)
    outcome = backup.restore_files(backup.plan_files_restore(tmp_path / "b.sqlite3"))
    assert outcome.damaged == [damaged] and outcome.count == 0
    assert media_files(media) == [] and not (tmp_path.parent / "outside.txt").exists()
    assert "未恢复" in backup.plan_files_restore(tmp_path / "none.sqlite3").note


@pytest.mark.django_db(transaction=True)
def test_with_object_storage_a_backup_says_the_files_stay_in_the_bucket(evidence, tmp_path, settings):
    settings.JIBAO_S3_BUCKET = "jibao-evidence"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": "jibao-evidence", "endpoint_url": "http://127.0.0.1:9"},  # never contacted
    }}
    out = StringIO()
    call_command("backup", str(tmp_path / "jibao.backup"), stdout=out)
    assert "对象存储桶 jibao-evidence" in out.getvalue() and "aws s3 sync" in out.getvalue()
    assert not Path(f"{tmp_path / 'jibao.backup'}.files.tar").exists()


# ---- Every multi-row write is one transaction ----------------------------------------------


def explode(*args, **kwargs):
    raise RuntimeError("disk full")


def everything(report):
    """The report's record (tests.fixtures.report_record) and what a half-made write would leave
    elsewhere: history rows and catalogue measures."""
    return report_record(report), [
        Item.history.count(), Section.history.count(), Heading.history.count(), Report.history.count(),
        Measure.objects.count(),
    ]


@pytest.fixture
def draft(report_factory, measure_factory, tree, drafter):
    report = report_factory(tree["cppcc"], closing="特此报告。", signature_name="中共市政协党组", sections=[
        ("主要做法", "practices", [("深化理论学习", ["第一项。", "第二项。", "第三项。"])]),
        ("下一步的打算", "next_steps", ["打算。"]),
    ])
    measure_factory(report, "学习会议", value=3)
    return report


def failing_writes(report, drafter):
    """Each multi-row write, with the step that fails half-way through it."""
    item = Item.objects.filter(heading__isnull=False, section__report=report).order_by("position").first()
    heading = item.heading
    item_print = fingerprint(part_values(item, "item"))
    return [
        # Deleted the item, then renumbering the rest fails.
        ("delete_part", "reports.drafting.ordering.close_gap", lambda: editing.delete_part(
            user=drafter, report=report, kind="item", obj=item, base_version=report.version, base_fingerprint=item_print)),
        # Inserted the item and lifted its siblings, then writing the new order fails.
        ("add_item", (Item.objects, "bulk_update"), lambda: editing.add_item(
            user=drafter, report=report, section=heading.section, heading=heading, after=item, text="新的一项。")),
        ("move_part", (Item.objects, "bulk_update"), lambda: editing.move_part(
            user=drafter, report=report, kind="item", obj=item, step=1)),
        ("add_section", (Section.objects, "bulk_update"), lambda: editing.add_section(
            user=drafter, report=report, after=Section.objects.filter(report=report).order_by("position").first())),
        # Saved the text, then the report's version bump fails.
        ("save_part", "reports.drafting.editing._touch", lambda: editing.save_part(
            user=drafter, report=report, kind="item", obj=item, values={"text": "改了。"},
            base_version=report.version, base_fingerprint=item_print)),
        # Froze the submission and changed the status, then writing the event fails.
        ("submit", (ReportEvent.objects, "create"), lambda: workflow.submit(report, actor=drafter, notify=False,
                                                                          late_reason=LATE_REASON)),
    ]


@pytest.mark.parametrize("name", ["delete_part", "add_item", "move_part", "add_section", "save_part", "submit"])
def test_a_failure_in_the_middle_of_an_edit_or_a_transition_leaves_nothing(draft, drafter, monkeypatch, name):
    cases = {case[0]: case for case in failing_writes(draft, drafter)}
    _name, target, call = cases[name]
    before = everything(draft)
    if isinstance(target, str):
        monkeypatch.setattr(target, explode)
    else:
        monkeypatch.setattr(*target, explode)
    with pytest.raises(RuntimeError, match="disk full"):
        call()
    monkeypatch.undo()
    assert everything(draft) == before


def test_a_failure_in_the_middle_of_an_import_leaves_nothing(tree, drafter, monkeypatch):
    parsed = parse_text(
        "市政协党组2023年第二季度履行全面从严治党主体责任情况报告\n"
        "一、主要做法\n（一）深化理论学习。一是召开理论学习中心组学习会议3次。二是开展廉政谈话26人次。\n"
        "二、存在的主要问题\n一是学习不够深入。\n"
    )
    assert parsed.measures, "the sample names counts, which become catalogue measures"
    measures_before, reports_before = Measure.objects.count(), Report.objects.count()
    monkeypatch.setattr(MeasureValue.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        create_report(parsed, organization=tree["cppcc"], year=2023, quarter=2, user=drafter)
    assert Report.objects.count() == reports_before
    assert Measure.objects.count() == measures_before, "the measures it added to the catalogue went too"
    assert not Section.objects.exists() and not Item.objects.exists()
