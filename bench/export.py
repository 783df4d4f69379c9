"""Export benchmark: the Word writer against the floor, and the quarter's .zip.

    SQLITE_PATH=/tmp/load.sqlite3 python bench/export.py

On the database of `generate_load_data` (the .zip needs its approved reports), in one run:
  * the sample report (fixtures/, loaded as by `load_demo`) and a synthetic ≈ 60-page report,
    each exported with reports.word.writer.render_docx, side by side with the floor: a bare
    python-docx script writing the same paragraphs' text, one plain paragraph each, no styles,
    no fonts, no page set-up. Targets: within 1.5× the floor; the large report under 2 s.
  * the .zip of a quarter's approved reports (reports.exporting.stream_zip, as the view streams
    it to the overseer): total time and time to the first chunk. Target: under 30 s, streaming
    from the first second.
  * 佐证材料, through the views as a logged-in drafter uses them: uploading a 20 MB PDF (the
    largest file taken: sniffed, hashed, stored, its thumbnail tried), and the .zip of a report
    with 50 files (photos, PDFs, text): time to the first byte and in all.
Results go to bench/out/export.json; pyinstrument profiles to bench/out/profile-export-*.txt.
"""

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import format_breakdown, profile, save, setup_django, timed  # noqa: E402

setup_django()

import docx  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.client import encode_multipart  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from reports.document.model import build_document, text_width  # noqa: E402
from reports.drafting.structure import create_report_from_structure  # noqa: E402
from reports.evidence.attach import attach  # noqa: E402
from reports.evidence.claims import report_claims  # noqa: E402
from reports.management.commands.generate_load_data import MEASURES, PRACTICE_HEADINGS, item_text  # noqa: E402
from reports.models import Evidence, Measure, Membership, Organization, Report  # noqa: E402
from reports.word.archive import approved_reports, stream_zip  # noqa: E402
from reports.word.writer import render_docx, write_document  # noqa: E402

LARGE_BODY = "基准测试长报告单位党组"
EVIDENCE_BODY = "基准测试佐证材料单位党组"
UPLOAD_BYTES = 20 * 1024 * 1024
ZIP_FILES = 50
CHARS_PER_LINE, LINES_PER_PAGE = 28, 22


def sample_report():
    """The sample report of the demo data (市政协党组, 2023 Q1), loaded if it is not there yet."""
    from reports.management.demo import load_demo_data

    # The demo sets nine passwords; PBKDF2 would spend seconds on users nobody logs in as here.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        load_demo_data()
    return Report.objects.get(organization__name="市政协党组", year=2023, quarter=1)


def large_report(headings=16, items_per_heading=20, problems=20, next_steps=30):
    """A ≈ 60-page report: the generator's phrases, 370 items of 100–200 characters, measures in
    the text, approved (no 草稿 mark), made once and kept in the benchmark database."""
    organization, _ = Organization.objects.get_or_create(name=LARGE_BODY)
    existing = Report.objects.filter(organization=organization, year=2000, quarter=1).first()
    if existing:
        return existing
    rng = random.Random("bench/large-report")
    names = [name for name, _unit, _range in MEASURES]
    measures = {name: Measure.objects.get_or_create(name=name, unit=unit, organization=None)[0] for name, unit, _ in MEASURES}
    titles = (PRACTICE_HEADINGS * 2)[:headings]
    data = {
        "title": f"{LARGE_BODY}2000年第一季度履行全面从严治党主体责任情况报告",
        "opening": f"按要求，现将{LARGE_BODY}2000年第一季度履行全面从严治党主体责任情况报告如下。",
        "closing": "特此报告。",
        "signature": LARGE_BODY,
        "date": "2000-04-08",
        "sections": [
            {"kind": "practices", "title": "主要做法", "headings": [
                {"title": title, "items": [item_text(rng, "基准测试单位", names) for _ in range(items_per_heading)]}
                for title in titles]},
            {"kind": "problems", "title": "存在的主要问题",
             "items": [item_text(rng, "基准测试单位", []) for _ in range(problems)]},
            {"kind": "next_steps", "title": "下一步的打算",
             "items": [item_text(rng, "基准测试单位", []) for _ in range(next_steps)]},
        ],
    }
    with transaction.atomic():
        report = create_report_from_structure(
            organization=organization, year=2000, quarter=1, data=data, measures_by_name=measures,
            values_by_name={name: rng.randint(1, 30) for name in measures},
        )
        Report.objects.filter(pk=report.pk).update(status="approved")
    return Report.objects.get(pk=report.pk)


def estimated_pages(document):
    """Pages on the 22 × 28 grid, from the characters of each paragraph (the title counts as 2
    lines of 2号 plus the blank line): a lower bound, as a line's end is never wasted here."""
    lines = 3
    for paragraph in document.paragraphs[1:]:
        lines += max(1, -(-int(text_width(paragraph.text) + 2) // CHARS_PER_LINE))
    return lines / LINES_PER_PAGE


def printed_pages(data):
    """Pages as LibreOffice lays the .docx out, where it is installed (None otherwise)."""
    if not shutil.which("pdfinfo"):
        return None
    from reports.word.pdf import PdfUnavailable, convert_docx_to_pdf, pdf_available

    if not pdf_available():
        return None
    try:
        pdf = convert_docx_to_pdf(data)
    except PdfUnavailable:
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
    return next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None)


def bare_docx(texts):
    """The floor: python-docx writing the same paragraphs' text, without any styling."""
    word = docx.Document()
    for text in texts:
        word.add_paragraph(text)
    stream = io.BytesIO()
    word.save(stream)
    return stream.getvalue()


def bare_docx_runs(paragraphs):
    """A second floor, for reference: the same paragraphs made of the same runs, still unstyled.
    It shows what python-docx itself costs per run, styling aside."""
    word = docx.Document()
    for runs in paragraphs:
        paragraph = word.add_paragraph()
        for text in runs:
            paragraph.add_run(text)
    stream = io.BytesIO()
    word.save(stream)
    return stream.getvalue()


def measure_report(label, report, *, repeat, pages):
    document = build_document(report)
    texts = [paragraph.text for paragraph in document.paragraphs]
    runs = [[run.text for run in paragraph.runs if run.text] for paragraph in document.paragraphs]
    data = render_docx(report)
    result = {
        "label": label,
        "paragraphs": len(document.paragraphs),
        "runs": sum(len(paragraph.runs) for paragraph in document.paragraphs),
        "characters": len(document.text),
        "estimated_pages": round(estimated_pages(document), 1),
        "printed_pages": printed_pages(data) if pages else None,
        "bytes": len(data),
        # The whole download: load from the database, compose, write the Word file.
        "render_docx": timed(lambda: render_docx(report), repeat=repeat),
        "build_document": timed(lambda: build_document(report), repeat=repeat),
        # The writer alone, on the document already built, against the floor on the same text.
        "write_document": timed(lambda: write_document(document), repeat=repeat),
        "floor": timed(lambda: bare_docx(texts), repeat=repeat),
        "floor_runs": timed(lambda: bare_docx_runs(runs), repeat=repeat),
    }
    result["ratio"] = result["render_docx"]["median"] / result["floor"]["median"]
    result["writer_ratio"] = result["write_document"]["median"] / result["floor"]["median"]
    result["profile"] = profile(lambda: render_docx(report), label=f"export-{label}", repeat=max(3, repeat // 2))
    return result


def measure_zip():
    """The view's path: the overseer's visible reports, approved, of the quarter with the most."""
    overseer = get_user_model().objects.get(username="load-overseer")
    visible = Report.objects.visible_to(overseer)
    busiest = (visible.filter(status="approved").values("year", "quarter").annotate(n=Count("id"))
               .order_by("-n", "year", "quarter").first())
    reports = approved_reports(visible, busiest["year"], busiest["quarter"])
    count = reports.count()
    started = time.perf_counter()
    first_chunk, size, chunks = None, 0, 0
    for chunk in stream_zip(reports.iterator(chunk_size=50)):
        if chunk and first_chunk is None:
            first_chunk = time.perf_counter() - started
        size += len(chunk)
        chunks += 1
    total = time.perf_counter() - started
    return {"year": busiest["year"], "quarter": busiest["quarter"], "reports": count, "bytes": size,
            "chunks": chunks, "first_chunk": first_chunk, "total": total, "per_report": total / count}


def evidence_drafter():
    """The body whose reports get the evidence, and its drafter (logged in, never with a password)."""
    organization, _ = Organization.objects.get_or_create(name=EVIDENCE_BODY)
    user, _ = get_user_model().objects.get_or_create(username="bench-evidence-drafter")
    Membership.objects.get_or_create(user=user, organization=organization, role=Membership.Role.DRAFTER)
    return organization, user


def draft_report(organization, quarter):
    """A draft of 10 items under two headings (evidence is attached while a report is a draft)."""
    existing = Report.objects.filter(organization=organization, year=2000, quarter=quarter).first()
    if existing:
        return existing
    rng = random.Random(f"bench/evidence-{quarter}")
    data = {
        "title": f"{EVIDENCE_BODY}2000年第{quarter}季度报告", "signature": EVIDENCE_BODY, "date": "2000-06-28",
        "sections": [{"kind": "practices", "title": "主要做法", "headings": [
            {"title": title, "items": [item_text(rng, "基准测试单位", []) for _ in range(5)]}
            for title in PRACTICE_HEADINGS[:2]]}],
    }
    return create_report_from_structure(organization=organization, year=2000, quarter=quarter, data=data,
                                        measures_by_name={})


def large_pdf(size):
    """A PDF as the sniffing knows one (its magic), padded with random bytes: new bytes each time,
    so that every upload is stored anew; pdftoppm cannot draw it and it gets no thumbnail."""
    head, tail = b"%PDF-1.4\n", b"\n%%EOF"
    return head + os.urandom(size - len(head) - len(tail)) + tail


def noise_photo(size=(2000, 1500)):
    """A phone-sized JPEG that compresses as badly as a real photo (≈ 2 MB)."""
    from PIL import Image

    bands = [Image.effect_noise(size, sigma) for sigma in (30, 40, 50)]
    output = io.BytesIO()
    Image.merge("RGB", bands).save(output, "JPEG", quality=90)
    return output.getvalue()


def measure_upload(report, user, *, repeat):
    """POST one 20 MB PDF to the upload view as the browser's script does (JSON answer); the
    multipart body is made beforehand, so only the server's work is timed."""
    client = Client()
    client.force_login(user)
    url = reverse("reports:evidence_upload", args=[report.pk])
    boundary = "bench-evidence-boundary"
    times = []
    for _ in range(repeat + 1):  # the first warms
        Evidence.objects.filter(report=report).delete()  # room under the report's limit; its file goes too
        upload = io.BytesIO(large_pdf(UPLOAD_BYTES))
        upload.name = "工作资料汇编.pdf"
        body = encode_multipart(boundary, {"files": upload, "target": ""})
        started = time.perf_counter()
        response = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                               headers={"accept": "application/json"})
        times.append(time.perf_counter() - started)
        assert response.status_code == 200 and response.json() == {"ok": True}, response.content[:500]
    times = times[1:]
    return {"bytes": UPLOAD_BYTES, "median": statistics.median(times), "min": min(times), "runs": repeat}


def evidence_for_zip(report, user):
    """50 files over the report's claims: 30 photos, 15 PDFs of 1–3 MB, 5 text files."""
    if report.evidence.count() >= ZIP_FILES:
        return
    rng = random.Random("bench/evidence-zip")
    targets = [claim.target for claim in report_claims(report)]
    for number in range(ZIP_FILES):
        if number % 10 < 6:
            name, data = f"活动照片{number:02d}.jpg", noise_photo()
        elif number % 10 < 9:
            name, data = f"会议材料{number:02d}.pdf", large_pdf(rng.randint(1, 3) * 1024 * 1024)
        else:
            name, data = f"情况说明{number:02d}.txt", item_text(rng, "基准测试单位", []).encode() * 40
        attach(report, target=targets[number % len(targets)], name=name, data=data, actor=user)


def measure_evidence_zip(report, user, *, repeat):
    """GET the report's .zip with its evidence through the view, read to its end: time to the
    first non-empty chunk and in all."""
    client = Client()
    client.force_login(user)
    url = reverse("reports:export_evidence_zip", args=[report.pk])
    runs = []
    for _ in range(repeat + 1):  # the first warms (the page cache)
        started = time.perf_counter()
        first, size = None, 0
        for chunk in client.get(url).streaming_content:
            if chunk and first is None:
                first = time.perf_counter() - started
            size += len(chunk)
        runs.append((first, time.perf_counter() - started, size))
    runs = runs[1:]
    return {"files": report.evidence.count(), "bytes": runs[0][2], "runs": repeat,
            "first_byte": statistics.median(run[0] for run in runs), "total": statistics.median(run[1] for run in runs)}


def measure_evidence(*, repeat):
    organization, user = evidence_drafter()
    zipped = draft_report(organization, 2)
    evidence_for_zip(zipped, user)
    return {
        "upload": measure_upload(draft_report(organization, 1), user, repeat=repeat),
        "zip": measure_evidence_zip(zipped, user, repeat=repeat),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per measurement (median reported)")
    parser.add_argument("--no-pages", action="store_true", help="skip counting pages with LibreOffice")
    parser.add_argument("--no-zip", action="store_true", help="skip the .zip (no generated data set)")
    parser.add_argument("--no-evidence", action="store_true", help="skip the evidence upload and .zip")
    args = parser.parse_args()

    results = {
        "sample": measure_report("sample", sample_report(), repeat=args.repeat, pages=not args.no_pages),
        "large": measure_report("large", large_report(), repeat=args.repeat, pages=not args.no_pages),
    }
    if not args.no_zip:
        results["zip"] = measure_zip()
    if not args.no_evidence:
        results["evidence"] = measure_evidence(repeat=max(3, args.repeat // 2))
    save("export", results)

    for key in ("sample", "large"):
        r = results[key]
        pages = r["printed_pages"] or f"≈{r['estimated_pages']}"
        print(f"{key:>6}: {pages} pages, {r['paragraphs']} paragraphs, {r['runs']} runs | "
              f"render_docx {r['render_docx']['median'] * 1000:.0f} ms (build {r['build_document']['median'] * 1000:.0f}, "
              f"write {r['write_document']['median'] * 1000:.0f}) | floor {r['floor']['median'] * 1000:.0f} ms "
              f"(with the same runs {r['floor_runs']['median'] * 1000:.0f} ms) | "
              f"ratio {r['ratio']:.2f}× (writer alone {r['writer_ratio']:.2f}×) | {format_breakdown(r['profile'])}")
    if "zip" in results:
        z = results["zip"]
        print(f"   zip: {z['reports']} approved reports of {z['year']} Q{z['quarter']}, {z['bytes'] / 1e6:.1f} MB: "
              f"first chunk {z['first_chunk'] * 1000:.0f} ms, total {z['total']:.1f} s ({z['per_report'] * 1000:.0f} ms/report)")
    if "evidence" in results:
        u, z = results["evidence"]["upload"], results["evidence"]["zip"]
        print(f"upload: a {u['bytes'] / 2**20:.0f} MB PDF in {u['median'] * 1000:.0f} ms (median of {u['runs']}) | "
              f"zip of the report and {z['files']} files, {z['bytes'] / 1e6:.1f} MB: first byte {z['first_byte'] * 1000:.0f} ms, "
              f"total {z['total']:.2f} s")


if __name__ == "__main__":
    main()
