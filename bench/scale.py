"""The overseer's pages at 300, 3,000 and 30,000 bodies, on SQLite and PostgreSQL, side by side.

    python bench/scale.py            # as `make bench` runs it after the export and web benchmarks
    BENCH_SIZES=300 BENCH_PHASE_SECONDS=8 python bench/scale.py   # a quick check

For each size and database (BENCH_SIZES, default 300,3000,30000; BENCH_SCALE_BACKENDS, default
sqlite,postgres; sizes above BENCH_SQLITE_MAX, default 3,000, on PostgreSQL only):
  1. an empty database (a temporary SQLite file, or the PostgreSQL database jibao_bench_<size>
     made afresh on the local server by scripts/start-postgres.sh, dropped at the end), migrated
     and filled by `generate_load_data --bodies N --levels 4 (5 from 10,000 bodies) --years 1
     --no-history` (BENCH_LEVELS, BENCH_SCALE_YEARS); on PostgreSQL then VACUUM ANALYZE, as
     autovacuum would have done before anybody opened a page;
  2. bench/web.py on the overseer's pages (the trivial view, the report list, the board's first
     page and the board one level down, the measures summary): p50/p95 at BENCH_USERS users and
     throughput as a share of the trivial view's;
  3. bench/profile_pages.py --explain on the same pages: the service time alone (median of
     BENCH_REPEAT, default 5), the queries, and the plan of every query one request runs.
Then the tables (markdown, for docs/PERFORMANCE.md): printed, and written to bench/out/scale.md,
with every run's JSON in bench/out/scale/<database>-<size>/ and the plans in
bench/out/scale/plans.md. BENCH_KEEP=1 keeps the databases.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import OUT  # noqa: E402

PAGES = ["ping", "list", "board", "board_child", "summary"]  # bench.targets.OVERSEER_PAGES (no Django here)
LABELS = {
    "ping": "trivial view (ceiling)",
    "list": "report list",
    "board": "board, first page",
    "board_child": "board, one level down",
    "summary": "measures summary",
}
BACKEND_NAMES = {"sqlite": "SQLite", "postgres": "PG"}
MAIN_QUERY_LABELS = {
    "list": "report list: its page of reports",
    "board": "board, first page: counts per child",
    "board_child": "board, one level down: counts per child",
    "summary": "summary: totals per measure",
}


def setting(name, default):
    return os.environ.get(name, default)


def sizes_from_env():
    raw = setting("BENCH_SIZES", "300,3000,30000").replace("_", "")
    return sorted({int(part) for part in raw.split(",") if part.strip() and int(part) > 0})


def levels_for(size):
    return int(setting("BENCH_LEVELS", "0")) or (5 if size >= 10000 else 4)


def run(command, env, log=None):
    """A step in its own process; its output to `log` (appended) or to ours."""
    if log is None:
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        return
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(map(str, command))}\n")
        handle.flush()
        completed = subprocess.run(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    if completed.returncode:
        raise SystemExit(f"{command[1] if len(command) > 1 else command[0]} failed: see {log}")


# ---- Databases ---------------------------------------------------------------------------------


def postgres_available():
    return shutil.which("pg_ctlcluster") is not None and (ROOT / "scripts" / "start-postgres.sh").exists()


def fresh_postgres(name, recreate=True):
    """The local server started (scripts/start-postgres.sh), and database `name` made empty
    (unless not `recreate`: then as it is, made if missing)."""
    import psycopg
    from psycopg import sql

    if not name.startswith("jibao_bench"):
        raise SystemExit(f"refusing to recreate the database {name}: only jibao_bench* databases")
    completed = subprocess.run(["bash", str(ROOT / "scripts" / "start-postgres.sh")], cwd=ROOT, capture_output=True,
                               text=True, env={**os.environ, "PGDATABASE_JIBAO": name})
    if completed.returncode:
        raise RuntimeError(completed.stderr.strip() or "scripts/start-postgres.sh failed")
    url = completed.stdout.strip().splitlines()[-1]
    if not recreate:
        return url
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if connection.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s", [name]).fetchone()[0]:
            raise RuntimeError(f"the database {name} is in use (another benchmark run?): not dropping it")
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


def generated_already(url):
    """Whether the database holds generate_load_data's province (a kept run's, BENCH_REUSE=1)."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as connection:
            return connection.execute("SELECT 1 FROM reports_organization WHERE parent_id IS NULL AND name = %s",
                                      ["江北省纪委监委"]).fetchone() is not None
    except psycopg.Error:
        return False


def drop_postgres(url):
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    if not name.startswith("jibao_bench"):
        return
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


STATS_SQL = {
    "levels": "SELECT depth, COUNT(*) FROM reports_organization GROUP BY depth ORDER BY depth",
    "reports": "SELECT COUNT(*) FROM reports_report",
    "items": "SELECT COUNT(*) FROM reports_item",
}


def database_stats(backend, target):
    """What was generated, read from the database itself: bodies per level, reports, size."""
    if backend == "postgres":
        import psycopg

        with psycopg.connect(target, autocommit=True) as connection:
            if os.environ.get("BENCH_NO_ANALYZE") != "1":
                connection.execute("VACUUM ANALYZE")
            rows = {key: connection.execute(query).fetchall() for key, query in STATS_SQL.items()}
            size = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
            server = (f"PostgreSQL {connection.execute('SHOW server_version').fetchone()[0].split()[0]}, shared_buffers "
                      f"{connection.execute('SHOW shared_buffers').fetchone()[0]}, after VACUUM ANALYZE")
    else:
        with sqlite3.connect(target) as connection:
            rows = {key: connection.execute(query).fetchall() for key, query in STATS_SQL.items()}
        size = sum(path.stat().st_size for path in Path(target).parent.glob(Path(target).name + "*"))
        server = f"SQLite {sqlite3.sqlite_version}, WAL, no ANALYZE (as deployed)"
    return {"levels": [count for _depth, count in rows["levels"]], "reports": rows["reports"][0][0],
            "items": rows["items"][0][0], "bytes": size, "server": server}


# ---- One run -----------------------------------------------------------------------------------


def run_one(backend, size, *, work, base, python, out):
    name = f"{backend}-{size}"
    folder = out / "scale" / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log = folder / "steps.log"
    env = {**base, "BENCH_OUT": str(folder)}
    # BENCH_REUSE=1 (PostgreSQL): a database kept by BENCH_KEEP=1 is used again as it is, with the
    # generation time recorded then: for rerunning the pages without generating 30,000 bodies again.
    reuse = os.environ.get("BENCH_REUSE") == "1" and backend == "postgres"
    generated_file = out / "scale" / f"generated-{backend}-{size}.json"
    if backend == "postgres":
        target = fresh_postgres(f"jibao_bench_{size}", recreate=not reuse)
        if reuse and not (generated_already(target) and generated_file.exists()):
            reuse, target = False, fresh_postgres(f"jibao_bench_{size}")
        env["DATABASE_URL"] = target
    else:
        target = str(work / f"scale-{size}.sqlite3")
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = target
    dev = {**env, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "true"}
    prod = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    prod.pop("DEBUG", None)
    levels, years = levels_for(size), int(setting("BENCH_SCALE_YEARS", "1"))
    result = {"backend": backend, "size": size, "levels": levels, "years": years, "target": target}
    try:
        print(f"\n== {BACKEND_NAMES[backend]} {size:,} bodies: migrate, "
              + ("the kept data (BENCH_REUSE=1)" if reuse else f"generate (--levels {levels} --years {years})"), flush=True)
        run([python, "manage.py", "migrate", "--noinput", "-v0"], dev, log)
        if reuse:
            result.update(json.loads(generated_file.read_text(encoding="utf-8")), reused=True)
        else:
            started = time.perf_counter()
            run([python, "manage.py", "generate_load_data", "--bodies", str(size), "--levels", str(levels), "--years",
                 str(years), "--no-history", "--seed", setting("BENCH_SEED", "1")], dev, log)
            result["generated_seconds"] = time.perf_counter() - started
            generated_file.write_text(json.dumps({key: result[key] for key in ("levels", "years", "generated_seconds")}),
                                      encoding="utf-8")
        result["data"] = database_stats(backend, target)
        print(f"   generated in {result['generated_seconds']:.0f} s: {result['data']['reports']:,} reports, tree "
              f"{' / '.join(f'{n:,}' for n in result['data']['levels'])}", flush=True)
        print("   web benchmark (locust)", flush=True)
        run([python, "bench/web.py", "--users", setting("BENCH_USERS", "8"), "--phase-seconds",
             setting("BENCH_PHASE_SECONDS", "15"), "--pages", ",".join(PAGES)], prod, log)
        print("   service times, queries, plans", flush=True)
        run([python, "bench/profile_pages.py", "--pages", ",".join(PAGES), "--explain", "--repeat",
             setting("BENCH_REPEAT", "5")], prod, log)
        for key in ("web", "pages", "explain"):
            result[key] = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        result["targets"] = json.loads((folder / "web-targets.json").read_text(encoding="utf-8"))
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            if backend == "postgres":
                drop_postgres(target)
            else:
                for path in Path(target).parent.glob(Path(target).name + "*"):
                    path.unlink()
    return result


# ---- The tables --------------------------------------------------------------------------------


def ms(seconds):
    value = seconds * 1000
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def column(result):
    return f"{BACKEND_NAMES[result['backend']]} {result['size']:,}"


def columns_with_ratios(results):
    """[(heading, result, previous result of the same database or None)]: a ratio after each run
    that follows a smaller one on the same database."""
    out = []
    for index, result in enumerate(results):
        out.append((column(result), result, None))
        previous = results[index - 1] if index else None
        if previous and previous["backend"] == result["backend"]:
            out.append((f"{result['size']:,} ÷ {previous['size']:,}", result, previous))
    return out


def service(result, page):
    return result.get("pages", {}).get(page, {}).get("service", {}).get("median")


def scan_text(tables):
    return "**full scan: " + ", ".join(table.removeprefix("reports_") for table in tables) + "**" if tables else "indexed"


def tables(results, started_load):
    lines = []
    users = setting("BENCH_USERS", "8")
    phase = setting("BENCH_PHASE_SECONDS", "15")
    lines += [
        f"Overseer `load-overseer` on the root of a generated province: `generate_load_data --levels 4` (5 from "
        f"10,000 bodies) `--years {setting('BENCH_SCALE_YEARS', '1')} --no-history`; the web runs at {users} users, "
        f"2 gunicorn workers, {phase} s per page, DEBUG off. Load average at the start {started_load:.2f}.",
        "",
        "| run | bodies per level below the root | reports | items | generated in | size | database |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for result in results:
        data = result.get("data")
        if not data:
            lines.append(f"| {column(result)} | failed: {result.get('error', '?')} | | | | | |")
            continue
        kept = " (kept from an earlier run)" if result.get("reused") else ""
        lines.append(f"| {column(result)} | {' / '.join(f'{n:,}' for n in data['levels'][1:])} | {data['reports']:,} | "
                     f"{data['items']:,} | {result['generated_seconds']:.0f} s{kept} | "
                     f"{data['bytes'] / 2**20:.0f} MB | {data.get('server', '')} |")
    complete = [result for result in results if "pages" in result]
    if not complete:
        return "\n".join(lines)
    cols = columns_with_ratios(complete)

    def table(title, cell, *, ratios=True, rows=PAGES, label=LABELS.get):
        shown = [c for c in cols if ratios or c[2] is None]
        block = ["", f"**{title}**", "", "| page | " + " | ".join(h for h, _r, _p in shown) + " |",
                 "|---|" + "---:|" * len(shown)]
        for page in rows:
            cells = []
            for _heading, result, previous in shown:
                if previous is None:
                    cells.append(cell(result, page))
                else:
                    now, before = service(result, page), service(previous, page)
                    cells.append(f"{now / before:.1f}×" if now and before else "—")
            block.append(f"| {label(page)} | " + " | ".join(cells) + " |")
        return block

    def alone(result, page):
        value = service(result, page)
        return ms(value) if value else "—"

    def load(result, page):
        r = result["web"]["pages"].get(page, {})
        if not r.get("requests"):
            return f"no successful request ({r.get('failures', 0)} failed)"
        failed = f", {r['failures']} failed" if r.get("failures") else ""
        return f"{r['p50']:.0f} / {r['p95']:.0f} ms{failed}"

    def throughput(result, page):
        r = result["web"]["pages"].get(page, {})
        if not r.get("requests"):
            return "—"
        return f"{r['rps']:.0f}/s" if page == "ping" else f"{r['ceiling_share']:.1%} ({r['rps']:.0f}/s)"

    def queries(result, page):
        return str(result["pages"].get(page, {}).get("queries", "—"))

    lines += table("Service time, one request alone (median), and its growth with the bodies", alone)
    lines += table(f"Under load: p50 / p95 at {users} users", load, ratios=False)
    lines += table("Throughput: share of the trivial view's requests per second (req/s)", throughput, ratios=False)
    lines += table("Queries per page", queries, ratios=False)

    def main_plan(result, page):
        plan = result["explain"]["pages"].get(page)
        if not plan or plan["main"] is None:
            return "—"
        query = plan["queries"][plan["main"] - 1]
        took = query["execution_ms"] if query["execution_ms"] is not None else query["ms"]
        return f"q{query['number']} {query['what']}, {took:.1f} ms, {scan_text(query['scans'])}"

    def slowest_plan(result, page):
        plan = result["explain"]["pages"].get(page)
        if not plan or not plan.get("slowest"):
            return "—"
        query = plan["queries"][plan["slowest"] - 1]
        took = query["execution_ms"] if query["execution_ms"] is not None else query["ms"]
        return (f"q{query['number']} {query['what']}, {took:.1f} ms, {scan_text(query['scans'])} "
                f"(all {len(plan['queries'])}: {plan['sql_ms']:.1f} ms)")

    def all_plans(result, page):
        plan = result["explain"]["pages"].get(page)
        if not plan:
            return "—"
        flagged = [f"q{q['number']} {', '.join(t.removeprefix('reports_') for t in q['scans'])}"
                   for q in plan["queries"] if q["scans"]]
        return "**" + "; ".join(flagged) + "**" if flagged else f"none of {len(plan['queries'])}"

    lines += table("Plan of the page's main query (EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PG): "
                   "time, and whether it reads a whole large table", main_plan, ratios=False,
                   rows=[page for page in PAGES if page != "ping"], label=MAIN_QUERY_LABELS.get)
    lines += table("The page's slowest query (in the request; PG: EXPLAIN ANALYZE's time), and all its queries' "
                   "time in the request", slowest_plan, ratios=False, rows=[page for page in PAGES if page != "ping"])
    lines += table("Full scans of reports_report / _organization / _measurevalue / _submission among all the "
                   "page's queries", all_plans, ratios=False, rows=[page for page in PAGES if page != "ping"])
    child = complete[-1].get("targets", {}).get("board_child", {})
    lines += ["", f"The board one level down opens the first body below the root ({child.get('name', '?')} in the "
                  "last run). Plans in full: bench/out/scale/plans.md."]
    return "\n".join(lines)


def plans_markdown(results):
    lines = ["# Plans of the overseer's pages' queries", ""]
    for result in results:
        for page, plan in result.get("explain", {}).get("pages", {}).items():
            lines += [f"## {column(result)}: {LABELS[page]}", ""]
            for query in plan["queries"]:
                is_main = query["number"] == plan["main"]
                if not is_main and not query["scans"]:
                    continue
                took = f", EXPLAIN ANALYZE {query['execution_ms']:.1f} ms" if query["execution_ms"] is not None else ""
                lines += [f"### q{query['number']}{' (main)' if is_main else ''}: {query['ms']:.1f} ms in the request{took}"
                          f"{'; full scan: ' + ', '.join(query['scans']) if query['scans'] else ''}", "",
                          "```sql", query["sql"][:4000], "```", "", "params: " + ", ".join(query["params"])[:1000], "",
                          "```", *query["lines"], "```", ""]
    return "\n".join(lines)


class machine_lock:
    """One scale run at a time on this machine, from whichever checkout: two would share the two
    cores (each measuring the other's load) and the PostgreSQL databases' names."""

    PATH = Path(tempfile.gettempdir()) / "jibao-bench-scale.lock"

    def __enter__(self):
        import fcntl

        self.handle = open(self.PATH, "w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"   another benchmark run holds {self.PATH}: waiting for it to finish", flush=True)
            fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.handle.close()


def run_scale(*, work, base, python, out=OUT):
    """Every (database, size) run; returns the markdown tables (also written to out/scale.md)."""
    with machine_lock():
        return _run_scale(work=work, base=base, python=python, out=out)


def _run_scale(*, work, base, python, out):
    sizes = sizes_from_env()
    if not sizes:
        return None
    backends = [name.strip() for name in setting("BENCH_SCALE_BACKENDS", "sqlite,postgres").split(",") if name.strip()]
    sqlite_max = int(setting("BENCH_SQLITE_MAX", "3000"))
    if "postgres" in backends and not postgres_available():
        print("\nPostgreSQL 15 (pg_ctlcluster) is not installed here: the PostgreSQL runs are skipped.")
        backends.remove("postgres")
    planned = [(backend, size) for backend in ("sqlite", "postgres") if backend in backends
               for size in sizes if backend != "sqlite" or size <= sqlite_max]
    print(f"\n== scale runs: {', '.join(f'{BACKEND_NAMES[b]} {s:,}' for b, s in planned)}", flush=True)
    started_load = os.getloadavg()[0]
    results = []
    for backend, size in planned:
        started = time.perf_counter()
        try:
            results.append(run_one(backend, size, work=work, base=base, python=python, out=out))
        except (SystemExit, RuntimeError, subprocess.CalledProcessError) as error:
            print(f"   {BACKEND_NAMES[backend]} {size:,} failed: {error}", flush=True)
            results.append({"backend": backend, "size": size, "error": str(error)})
        print(f"   {BACKEND_NAMES[backend]} {size:,}: {time.perf_counter() - started:.0f} s in all", flush=True)
    markdown = tables(results, started_load)
    (out / "scale.md").write_text(markdown + "\n", encoding="utf-8")
    (out / "scale" / "plans.md").write_text(plans_markdown(results), encoding="utf-8")
    (out / "scale.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return markdown


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="jibao-bench-scale-"))
    base = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_STATIC_ROOT": str(work / "static"),
            "MEDIA_ROOT": str(work / "media")}
    started = time.perf_counter()
    try:
        prod = {**base, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        prod.pop("DEBUG", None)
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=prod, check=True)
        markdown = run_scale(work=work, base=base, python=sys.executable)
        if markdown:
            print("\n" + markdown)
        print(f"\nbench/scale.py took {time.perf_counter() - started:.0f} s; results in {OUT}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
