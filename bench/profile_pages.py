"""Profiles of the pages of the web benchmark: one request at a time, in this process, as the
same users on the same data (Django's test client, bench.settings: DEBUG off).

    SQLITE_PATH=/tmp/load.sqlite3 python bench/profile_pages.py [--repeat 10] [--pages list,board] [--explain]

For each page: the service time of one request with nothing else running (median), its SQL
queries (count and time), and where its time goes (pyinstrument, by category: SQL, templates,
python-docx, app code, …). Full profiles: bench/out/profile-<page>.txt. Results: bench/out/pages.json.
With --explain, also the plan of every SELECT one request of each page runs (bench/explain.py):
bench/out/explain.json. DATABASE_URL instead of SQLITE_PATH for a PostgreSQL database.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import format_breakdown, profile, save, setup_django, timed  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--pages", default="", help="the pages to profile, comma-separated (default: all of PAGES)")
    parser.add_argument("--explain", action="store_true", help="also EXPLAIN each page's queries (explain.json)")
    parser.add_argument("--no-profile", action="store_true", help="service time and queries only, no pyinstrument")
    args = parser.parse_args()
    setup_django()

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.explain import explain_page
    from bench.targets import LABELS, PAGES, choose

    pages = [name for name in args.pages.split(",") if name] or PAGES

    targets = choose(1)
    user = targets["users"][0]
    User = get_user_model()
    clients = {}
    for role, username in (("overseer", targets["overseer"]), ("drafter", user["drafter"]), ("reviewer", user["reviewer"])):
        clients[role] = Client(HTTP_HOST="127.0.0.1")
        clients[role].force_login(User.objects.get(username=username))

    results, plans = {}, {}
    for name in pages:
        role, url, _expected = user["pages"][name]
        client = clients[role]

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        get()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = get()
            elapsed = time.perf_counter() - started
        # Read now: the next request clears the connection's query log.
        count, sql = len(queries), sum(float(query["time"]) for query in queries.captured_queries)
        results[name] = {
            "url": url,
            "bytes": len(response.content),
            "service": timed(get, repeat=args.repeat, warmup=0),
            "queries": count,
            "sql_share_of_one_request": sql / elapsed if elapsed else 0,
            "profile": {} if args.no_profile else profile(get, label=f"page-{name}", repeat=args.repeat),
        }
        if args.explain and name != "ping":
            plans[name] = explain_page(name, get)
        r = results[name]
        print(f"{name:<8} {LABELS[name]:<40} {r['service']['median'] * 1000:7.1f} ms  {r['queries']:3d} queries  "
              f"{r['bytes'] / 1024:6.0f} KiB  {format_breakdown(r['profile'])}")
    save("pages", results)
    if args.explain:
        save("explain", {"vendor": connection.vendor, "pages": plans})


if __name__ == "__main__":
    main()
