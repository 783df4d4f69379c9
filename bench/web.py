"""Web benchmark: gunicorn (2 workers, DEBUG off) on the generated data, locust as logged-in users.

    SQLITE_PATH=/tmp/load.sqlite3 python bench/web.py [--users 8] [--phase-seconds 15] [--pages ping,list,…]

(or DATABASE_URL=postgres://… for a PostgreSQL database filled by generate_load_data).

Starts gunicorn with bench.settings (the production settings, plain http on 127.0.0.1, plus the
trivial /bench/ping/ view), then locust headless in its own process (bench/locustfile.py):
N concurrent users with no think time, one page at a time for --phase-seconds each, the trivial
view first. For each page: p50/p95 latency, requests/s, and requests/s as a share of the
trivial view's (the ceiling). Both processes run on this machine: locust takes part of the CPU
that gunicorn would otherwise have, for the ceiling and the pages alike.
Results go to bench/out/web.json; logs to bench/out/gunicorn.log and bench/out/locust.log.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import OUT, ROOT, save, setup_django  # noqa: E402

BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url, process, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}: see {OUT / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout} s")


def percentile(values, share):
    """The nearest-rank percentile (p95 of 100 values is the 95th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def summarise(raw, warmup):
    """Per phase: the requests that started in the phase after its warm-up seconds."""
    start, length = raw["start"], raw["phase_seconds"]
    window = length - warmup
    results = {}
    for index, name in enumerate(raw["phases"]):
        low, high = start + index * length + warmup, start + (index + 1) * length
        times = [ms for n, began, ms, ok in raw["records"] if n == name and low <= began < high and ok]
        failures = sum(1 for n, began, _ms, ok in raw["records"] if n == name and low <= began < high and not ok)
        if not times:
            results[name] = {"requests": 0, "failures": failures}
            continue
        results[name] = {
            "requests": len(times), "failures": failures, "rps": len(times) / window,
            "p50": statistics.median(times), "p95": percentile(times, 0.95), "mean": statistics.fmean(times),
            "max": max(times),
        }
    ceiling = results.get("ping", {}).get("rps")
    for result in results.values():
        if ceiling and result.get("rps"):
            result["ceiling_share"] = result["rps"] / ceiling
    return results


def run_load(args, targets_file, raw_file, pages):
    """gunicorn in the background, locust in the foreground until its phases are over."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    with open(OUT / "gunicorn.log", "w") as log:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "config.wsgi:application", "--workers", str(args.workers),
             "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
             # A page of 30,000 bodies may queue behind 7 others for longer than the default 30 s.
             "--timeout", "300"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"{host}/login/", server)
        run_time = len(pages) * args.phase_seconds + 120  # the logins first; locust stops itself after the phases
        locust_env = {**env, "BENCH_TARGETS": str(targets_file), "BENCH_PHASES": ",".join(pages),
                      "BENCH_PHASE_SECONDS": str(args.phase_seconds), "BENCH_USERS": str(args.users),
                      "BENCH_RESULTS": str(raw_file)}
        with open(OUT / "locust.log", "w") as log:
            completed = subprocess.run(
                [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                 "--users", str(args.users), "--spawn-rate", str(args.users), "--host", host,
                 "--run-time", f"{int(run_time)}s", "--stop-timeout", "10", "--only-summary",
                 "--exit-code-on-error", "0"],
                cwd=ROOT, env=locust_env, stdout=log, stderr=subprocess.STDOUT,
            )
        if completed.returncode != 0 or not raw_file.exists():
            raise SystemExit(f"locust failed ({completed.returncode}): see {OUT / 'locust.log'}")
    finally:
        server.terminate()  # our own process, by its handle
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--phase-seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=2, help="seconds left out at the start of each phase")
    parser.add_argument("--pages", default="", help="the pages to load, comma-separated (default: all of bench.targets.PAGES)")
    args = parser.parse_args()
    if not os.environ.get("SQLITE_PATH") and not os.environ.get("DATABASE_URL"):
        raise SystemExit("set SQLITE_PATH (or DATABASE_URL) to the generated database")

    setup_django()
    from bench.targets import LABELS, PAGES, choose

    pages = [name for name in args.pages.split(",") if name] or PAGES
    unknown = set(pages) - set(LABELS)
    if unknown:
        raise SystemExit(f"unknown pages: {', '.join(sorted(unknown))}")

    OUT.mkdir(parents=True, exist_ok=True)
    targets = choose(args.users)
    targets_file = OUT / "web-targets.json"
    targets_file.write_text(json.dumps(targets, ensure_ascii=False, indent=2), encoding="utf-8")
    raw_file = OUT / "web-raw.json"
    raw_file.unlink(missing_ok=True)

    run_load(args, targets_file, raw_file, pages)

    raw = json.loads(raw_file.read_text(encoding="utf-8"))
    results = summarise(raw, args.warmup)
    save("web", {"users": args.users, "workers": args.workers, "phase_seconds": args.phase_seconds, "phases": pages,
                 "warmup": args.warmup, "year": targets["year"], "pages": results})
    print(f"{'page':<10} {'req':>6} {'fail':>5} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'÷ ceiling':>10}")
    for name in pages:
        r = results[name]
        if not r.get("requests"):
            print(f"{name:<10} no successful requests ({r['failures']} failures)")
            continue
        print(f"{name:<10} {r['requests']:>6} {r['failures']:>5} {r['rps']:>8.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} "
              f"{r.get('ceiling_share', 0):>9.0%}")


if __name__ == "__main__":
    main()
