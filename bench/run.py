"""`make bench`: every benchmark, from an empty database to one table.

  1. a temporary SQLite file, migrated, filled by `generate_load_data` (BENCH_BODIES bodies,
     BENCH_YEARS years; 300 and 3 by default: ≈ 3,600 reports, ≈ 100,000 items);
  2. bench/export.py: the Word writer against the floor, the quarter's .zip, the evidence upload
     and the .zip of a report with its evidence; bench/quality.py: the quality check of one
     report against 3,000 peers, and bench/onboarding.py: a province's bodies and people from
     .xlsx, each on its own SQLite file;
  3. bench/web.py: gunicorn (2 workers, DEBUG off) under locust (BENCH_USERS=8 users);
  4. bench/profile_pages.py: each page alone, its queries and where its time goes (pyinstrument);
  5. the table, printed and written to bench/out/summary.md (with the JSON results and profiles);
  6. bench/scale.py: the overseer's pages at each of BENCH_SIZES bodies (300,3000,30000 by
     default) on SQLite (up to BENCH_SQLITE_MAX, 3,000) and on PostgreSQL, side by side: service
     times and their growth, p50/p95, throughput, queries, the plans; bench/out/scale.md.
Each step runs in its own process (locust cannot share one with Django). The temporary files are
removed at the end unless BENCH_KEEP=1. BENCH_CLASSIC=0 skips steps 1–5, BENCH_SIZES= skips 6.
A quick run of everything: BENCH_SIZES=300 BENCH_PHASE_SECONDS=8 make bench.
"""

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import OUT  # noqa: E402
from bench.scale import run_scale  # noqa: E402

BODIES = int(os.environ.get("BENCH_BODIES", "300"))
YEARS = int(os.environ.get("BENCH_YEARS", "3"))
SEED = os.environ.get("BENCH_SEED", "1")
USERS = os.environ.get("BENCH_USERS", "8")
PHASE_SECONDS = os.environ.get("BENCH_PHASE_SECONDS", "15")
CLASSIC = os.environ.get("BENCH_CLASSIC", "1") != "0"

# Targets of issue 7.
P95_TARGET_MS = 150
CEILING_SHARE_TARGET = 0.25  # the board's pages and the list
EXPORT_RATIO_TARGET = 1.5
LARGE_EXPORT_TARGET_S = 2
ZIP_TARGET_S = 30
ZIP_FIRST_CHUNK_TARGET_S = 1
QUALITY_TARGET_S = 0.5  # issue 18
ONBOARDING_TARGET_S = 30 * 60  # issue 20: "minutes, not hours", read as under half an hour a sheet


def step(title, command, env):
    print(f"\n== {title}", flush=True)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def verdict(ok):
    return "met" if ok else "**not met**"


def evidence_rows(evidence):
    """The evidence upload and the report's .zip with its files, in the export table's columns."""
    if not evidence:
        return []
    u, z = evidence["upload"], evidence["zip"]
    ok = z["first_byte"] < ZIP_FIRST_CHUNK_TARGET_S
    return [
        f"| upload of a {u['bytes'] / 2**20:.0f} MB PDF (the upload view) | — | {u['median'] * 1000:.0f} ms | — | — | — | — |",
        f"| .zip of a report and {z['files']} evidence files ({z['bytes'] / 1e6:.1f} MB) | — | {z['total']:.2f} s in all, "
        f"first bytes after {z['first_byte'] * 1000:.0f} ms | — | — | streaming at once | {verdict(ok)} |",
    ]


def quality_rows():
    """The quality check of one report against the period's peers (bench/quality.py), in the
    export table's columns."""
    path = OUT / "quality.json"
    if not path.exists():
        return []
    q = json.loads(path.read_text(encoding="utf-8"))
    return [f"| quality check of one report ({q['parts']} parts) against {q['peers']:,} peers "
            f"({q['bands']:,} bands, {q['queries']} queries) | — | {q['median'] * 1000:.0f} ms | — | — | "
            f"< {QUALITY_TARGET_S * 1000:.0f} ms | {verdict(q['median'] < QUALITY_TARGET_S)} |"]


def onboarding_rows():
    """Onboarding a province from .xlsx (bench/onboarding.py): preview and import of each sheet."""
    path = OUT / "onboarding.json"
    if not path.exists():
        return []
    found = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for key, what in (("bodies", "bodies"), ("people", "people and their roles")):
        r = found[key]
        rows.append(f"| onboarding .xlsx: {r['rows']:,} {what} | — | preview {r['preview']:.0f} s, import {r['import']:.0f} s "
                    f"({r['rows'] / r['import']:.0f} rows/s) | — | — | minutes, not hours | "
                    f"{verdict(r['preview'] + r['import'] < ONBOARDING_TARGET_S)} |")
    return rows


def table(generated_seconds):
    export = json.loads((OUT / "export.json").read_text(encoding="utf-8"))
    web = json.loads((OUT / "web.json").read_text(encoding="utf-8"))
    pages = json.loads((OUT / "pages.json").read_text(encoding="utf-8"))
    from bench.targets import LABELS, PAGES

    lines = [
        f"Data set: {BODIES} bodies × {YEARS} years (seed {SEED}), generated in {generated_seconds:.0f} s. "
        f"Web: {web['users']} concurrent users, {web['workers']} gunicorn workers, {web['phase_seconds']:.0f} s per page "
        f"(first {web['warmup']:.0f} s not counted), DEBUG off, SQLite.",
        "",
        "| export | pages | render_docx | floor (bare python-docx) | ratio | target | verdict |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for key, name in (("sample", "sample report"), ("large", "large synthetic report")):
        r = export[key]
        render, floor = r["render_docx"]["median"], r["floor"]["median"]
        target = f"≤ {EXPORT_RATIO_TARGET}× floor" + (f"; < {LARGE_EXPORT_TARGET_S} s" if key == "large" else "")
        ok_ratio = r["ratio"] <= EXPORT_RATIO_TARGET
        ok = ok_ratio and (key != "large" or render < LARGE_EXPORT_TARGET_S)
        large_note = f"; < 2 s: {verdict(render < 2)}" if key == "large" else ""
        detail = "" if ok else f" (ratio: {verdict(ok_ratio)}{large_note})"
        pages_shown = r["printed_pages"] or f"≈{r['estimated_pages']:.0f}"
        lines.append(f"| {name} | {pages_shown} | {render * 1000:.0f} ms | {floor * 1000:.0f} ms | {r['ratio']:.1f}× | "
                     f"{target} | {verdict(ok)}{detail} |")
    z = export.get("zip")
    if z:
        ok = z["total"] < ZIP_TARGET_S and z["first_chunk"] < ZIP_FIRST_CHUNK_TARGET_S
        lines.append(f"| .zip of {z['reports']} approved reports ({z['bytes'] / 1e6:.1f} MB) | — | {z['total']:.1f} s in all, "
                     f"first chunk after {z['first_chunk'] * 1000:.0f} ms | — | — | < {ZIP_TARGET_S} s, streaming at once | "
                     f"{verdict(ok)} |")
    lines += evidence_rows(export.get("evidence"))
    lines += quality_rows()
    lines += onboarding_rows()
    lines += [
        "",
        "| page | p50 | p95 | req/s | ÷ ceiling | alone | queries | time goes to (profile) | target | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for name in PAGES:
        label = LABELS[name]
        r, alone = web["pages"].get(name, {}), pages.get(name, {})
        if not r.get("requests"):
            lines.append(f"| {label} | — | — | — | — | — | — | — | — | no successful request |")
            continue
        shares = ", ".join(f"{key} {value:.0%}" for key, value in list(alone.get("profile", {}).items())[:3])
        if name == "ping":
            target, ok = "(the ceiling)", True
        else:
            share_rule = name in ("board", "board_group", "list")
            target = f"p95 < {P95_TARGET_MS} ms" + (f", ≥ {CEILING_SHARE_TARGET:.0%} of ceiling" if share_rule else "")
            ok = r["p95"] < P95_TARGET_MS and (not share_rule or r.get("ceiling_share", 0) >= CEILING_SHARE_TARGET)
        failures = f" ({r['failures']} failed)" if r.get("failures") else ""
        lines.append(
            f"| {label} | {r['p50']:.0f} ms | {r['p95']:.0f} ms | {r['rps']:.1f}{failures} | {r.get('ceiling_share', 0):.1%} | "
            f"{alone.get('service', {}).get('median', 0) * 1000:.0f} ms | {alone.get('queries', '—')} | {shares} | "
            f"{target} | {'—' if name == 'ping' else verdict(ok)} |"
        )
    return "\n".join(lines)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    keep = os.environ.get("BENCH_KEEP") == "1"
    work = Path(tempfile.mkdtemp(prefix="jibao-bench-"))
    base = {**os.environ, "PYTHONPATH": str(ROOT), "SQLITE_PATH": str(work / "load.sqlite3"),
            "BENCH_STATIC_ROOT": str(work / "static"), "MEDIA_ROOT": str(work / "media"), "BENCH_OUT": str(OUT)}
    base.pop("DATABASE_URL", None)  # always the temporary SQLite file, never a configured server
    # Migrating and generating use the development settings (the generator refuses DEBUG off:
    # its users share a public password); the benchmarks use bench.settings (DEBUG off).
    dev = {**base, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true"}
    prod = {**base, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    prod.pop("DEBUG", None)
    python = sys.executable
    started = time.perf_counter()
    try:
        # Other work on the machine slows every figure down: the load average says how much there was.
        print(f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}, "
              f"load average {os.getloadavg()[0]:.2f}")
        print(f"Work files: {work}")
        step("collectstatic (DEBUG off needs the manifest)",
             [python, "manage.py", "collectstatic", "--noinput", "-v0"], prod)
        summary = None
        if CLASSIC:
            step("migrate", [python, "manage.py", "migrate", "--noinput", "-v0"], dev)
            generated = step(f"generate_load_data --bodies {BODIES} --years {YEARS} --seed {SEED}",
                             [python, "manage.py", "generate_load_data", "--bodies", str(BODIES), "--years", str(YEARS),
                              "--seed", SEED], dev)
            step("export benchmark", [python, "bench/export.py"], prod)
            step("quality check benchmark", [python, "bench/quality.py"],
                 {**prod, "SQLITE_PATH": str(work / "quality.sqlite3")})
            step("onboarding benchmark", [python, "bench/onboarding.py"],
                 {**prod, "SQLITE_PATH": str(work / "onboarding.sqlite3")})
            step("web benchmark", [python, "bench/web.py", "--users", USERS, "--phase-seconds", PHASE_SECONDS], prod)
            step("profiles of the pages", [python, "bench/profile_pages.py"], prod)
            os.environ.update(prod)
            from bench.common import setup_django

            setup_django()
            summary = table(generated)
            (OUT / "summary.md").write_text(summary + "\n", encoding="utf-8")
            print("\n" + summary)
        # The runs at several sizes, each on its own database (bench/scale.py).
        scale = run_scale(work=work, base={key: value for key, value in base.items() if key != "SQLITE_PATH"},
                          python=python, out=OUT)
        if summary and scale:
            print("\n" + summary)
        if scale:
            print("\n" + scale)
        print(f"\nmake bench took {time.perf_counter() - started:.0f} s (load average now {os.getloadavg()[0]:.2f}); "
              f"results, profiles and logs in {OUT}")
    finally:
        if keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
