"""Onboarding a province from .xlsx (issue 20): BENCH_ONBOARD_BODIES bodies (30,000) in a tree of
province → cities → counties → bodies, and BENCH_ONBOARD_PEOPLE people (70,000) with their roles,
through the same resources the admin uses (reports.onboarding), on its own SQLite file: the preview
(a dry run) and the import, each timed, the workbooks written and read back as an administrator's
would be. Prints the times and rows per second; bench/out/onboarding.json."""

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import own_sqlite, save, setup_django  # noqa: E402

own_sqlite("onboarding")
# 70,000 sign-in links are mailed by the import: into memory here, not onto the console.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

BODIES = int(os.environ.get("BENCH_ONBOARD_BODIES", "30000"))
PEOPLE = int(os.environ.get("BENCH_ONBOARD_PEOPLE", "70000"))


def workbook(headers, rows):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def tree_rows(count):
    """(name, short name, code, parent): 1 province, 15 cities, 10 counties each, the bodies below them;
    every body with a 单位代码, the body above named by its name."""
    cities = [f"第{c}市" for c in range(1, 16)]
    counties = [f"{city}第{k}县" for city in cities for k in range(1, 11)]
    names = [("某某省", ""), *((city, "某某省") for city in cities),
             *((county, county[:county.rindex("第")]) for county in counties)]
    names += [(f"{counties[n % len(counties)]}第{n}单位党组", counties[n % len(counties)])
              for n in range(1, count - len(names) + 1)]
    return [(name, "", f"D{position:07d}", parent) for position, (name, parent) in enumerate(names)]


def people_rows(count, bodies):
    roles = ("起草人", "审核人", "起草人")
    return [(f"人员{n}", f"user{n}", f"user{n}@example.org", "", bodies[n % len(bodies)][0], roles[n % 3])
            for n in range(count)]


def timed_import(kind, data, user):
    """Through the admin's path (reports.onboarding.jobs): the upload kept and previewed by its
    task, every row's result written to the record, then the import once confirmed. The tasks run
    in-process, as without configuration, so each call returns when its task is done."""
    import resource as rusage

    from django.core.files.uploadedfile import SimpleUploadedFile

    from reports.models import SheetImport
    from reports.onboarding import jobs

    started = time.perf_counter()
    sheet = jobs.request_import(user, kind, SimpleUploadedFile(f"{kind}.xlsx", data))
    previewed = time.perf_counter() - started
    sheet.refresh_from_db()
    assert sheet.status == SheetImport.Status.PREVIEWED, (sheet.status, sheet.error)
    started = time.perf_counter()
    assert jobs.confirm(sheet)
    imported = time.perf_counter() - started
    sheet.refresh_from_db()
    assert sheet.status == SheetImport.Status.IMPORTED, (sheet.status, sheet.error)
    return {"preview": previewed, "import": imported, "rows": sheet.rows.count(),
            "peak_rss_mb": rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss // 1024}


def main():
    setup_django()
    from django.core.management import call_command

    from reports.onboarding.bodies import BodyResource
    from reports.onboarding.people import PersonResource

    def headers(resource):
        return [field.column_name for field in resource().get_import_fields()]

    call_command("migrate", "--noinput", "-v0")
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("bench-admin")
    bodies = tree_rows(BODIES)
    result = {"bodies": timed_import("bodies", workbook(headers(BodyResource), bodies), admin)}
    print(f"bodies: {BODIES:,} rows, preview {result['bodies']['preview']:.0f} s, import {result['bodies']['import']:.0f} s",
          flush=True)
    result["people"] = timed_import("people", workbook(headers(PersonResource), people_rows(PEOPLE, bodies[166:])), admin)
    print(f"people: {PEOPLE:,} rows, preview {result['people']['preview']:.0f} s, import {result['people']['import']:.0f} s, "
          f"peak memory {result['people']['peak_rss_mb']} MB")
    save("onboarding", result)


if __name__ == "__main__":
    main()
