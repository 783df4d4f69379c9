"""The quality check of one report against BENCH_QUALITY_PEERS (3,000) other bodies' reports of
the same period (issue 18: under 0.5 s), on its own SQLite file.

The peers' written parts are drawn from the sample report's sentences (two or three each, with a
sentence of the body's own), so that many share runs with the checked report, as formula-written
reports do: the candidates the LSH bands find are many, not none. Their fingerprints are stored as
`refresh` stores them. Prints the median time of the check and its queries; bench/out/quality.json.
"""

import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import own_sqlite, save, setup_django, timed  # noqa: E402

own_sqlite("quality")

PEERS = int(os.environ.get("BENCH_QUALITY_PEERS", "3000"))
PARTS = 20
TARGET_S = 0.5
SAMPLE = ROOT / "fixtures" / "quarterly-report-2023Q1.txt"


def main():
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.models import Item, Organization, Report, Section, TextBand, TextPrint
    from reports.quality import copies
    from reports.quality.check import check_report

    call_command("migrate", "--noinput", "-v0")
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if len(line) > 60]
    sentences = [s + "。" for line in lines for s in re.split("。", line) if len(s) > 15]
    rng = random.Random(1)
    bodies = Organization.objects.bulk_create(Organization(name=f"第{number}单位党组") for number in range(PEERS + 1))
    reports = Report.objects.bulk_create(Report(organization=body, year=2026, quarter=1, title=f"{body.name}报告")
                                         for body in bodies)
    checked, peers = reports[0], reports[1:]
    section = Section.objects.create(report=checked, title="主要做法", kind="practices", position=1)
    Item.objects.bulk_create(Item(section=section, text="".join(rng.sample(sentences, 2)), position=position)
                             for position in range(1, PARTS + 1))
    print(f"storing the fingerprints of {PEERS} peers × {PARTS} parts…", flush=True)
    for start in range(0, len(peers), 500):
        prints = TextPrint.objects.bulk_create([
            TextPrint(report=peer, organization_id=peer.organization_id, year=2026, period_order=1, ref=f"item-{part}",
                      field="text", text="".join(rng.sample(sentences, rng.randint(2, 3))) + f"{peer.pk}号文件已印发落实。")
            for peer in peers[start:start + 500] for part in range(PARTS)])
        TextBand.objects.bulk_create([
            TextBand(print=stored, organization_id=stored.organization_id, year=2026, period_order=1, key=key)
            for stored in prints for key in set(copies.band_keys(copies.normalised(stored.text)))], batch_size=5000)
    report = Report.objects.get(pk=checked.pk)
    quality = check_report(report)
    with CaptureQueriesContext(connection) as captured:
        check_report(report)
    result = timed(lambda: check_report(report), repeat=5)
    result.update(peers=PEERS, parts=PARTS, queries=len(captured), copies=len(quality.copies),
                  bands=TextBand.objects.count())
    verdict = "met" if result["median"] < TARGET_S else "**not met**"
    print(f"quality check of one report ({PARTS} parts) against {PEERS:,} peers: {result['median']:.3f} s median "
          f"(min {result['min']:.3f}), {result['queries']} queries, {result['copies']} copied parts found, "
          f"{result['bands']:,} bands stored; target < {TARGET_S} s: {verdict}")
    save("quality", result)


if __name__ == "__main__":
    main()
