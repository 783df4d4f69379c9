"""The database's plans of the queries a page actually runs (bench/profile_pages.py --explain).

One request of the page is made with an execute wrapper that records every statement with its
parameters and its time; each SELECT is then explained with those parameters on the same
connection: EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL (which runs
it once more). Nothing here knows how the views build their queries, so the plans follow the
views as they change. A plan that reads a whole large table is flagged: "SCAN reports_report"
without an index on SQLite, "Seq Scan on reports_report" on PostgreSQL (for the tables below).
"""

import re
import time

from django.db import connection

# The tables that grow with the province: a full read of one of them is what to look for.
# (The counts kept per subtree are not among them: a row or two per body that has bodies below,
# 1,217 rows of SubtreeBodies for 30,000 bodies, which PostgreSQL rightly reads whole.)
LARGE_TABLES = ("reports_report", "reports_organization", "reports_measurevalue", "reports_submission")

# Which of the page's queries is "its" query, the one the tables show: the list's page of
# reports, the board's counts per child (read from the counts kept per subtree), the summary's totals.
MAIN_QUERY = {
    "list": lambda sql: re.match(r'\s*SELECT "reports_report"\."id"', sql) is not None and "LIMIT" in sql,
    "board": lambda sql: '"reports_subtreereports"' in sql and "MIN(" not in sql,
    "board_child": lambda sql: '"reports_subtreereports"' in sql and "MIN(" not in sql,
    "board_group": lambda sql: '"reports_report"' in sql,
    "summary": lambda sql: '"reports_measurevalue"' in sql and "GROUP BY" in sql,
}


def describe(sql):
    """A few words for a query: "COUNT of reports_report", "reports_report … GROUP BY"."""
    table = re.search(r'\bFROM "(\w+)"', sql)
    name = table[1] if table else "?"
    if re.match(r"\s*SELECT COUNT\(", sql):  # the first quoted FROM is the inner one of COUNT(*) FROM (…)
        return f"COUNT of {name}"
    return name + (" … GROUP BY" if "GROUP BY" in sql else "")


def capture(function):
    """Run `function()` and return the statements it sent: [{sql, params, many, ms}]."""
    recorded = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            recorded.append({"sql": sql, "params": params, "many": many,
                             "ms": (time.perf_counter() - started) * 1000})

    with connection.execute_wrapper(wrapper):
        function()
    return recorded


def _aliases(sql):
    """{alias or table name: table} from the SQL's FROM and JOIN clauses (SQLite's plans name a
    table by its alias: SCAN U0)."""
    found = {}
    for table, alias in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"(?:\s+(?:AS\s+)?"?(\w+)"?)?', sql):
        found[table] = table
        if alias and alias.upper() not in {"ON", "WHERE", "INNER", "LEFT", "GROUP", "ORDER", "LIMIT", "USING",
                                           "CROSS", "JOIN", "HAVING", "UNION", "AS"}:
            found[alias] = table
    return found


def _sqlite_plan(rows):
    """EXPLAIN QUERY PLAN's rows (id, parent, notused, detail) as an indented tree."""
    depth = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def full_scans(lines, sql, vendor):
    """The large tables the plan reads whole: [table]."""
    flagged = []
    if vendor == "postgresql":
        for line in lines:
            match = re.search(r"Seq Scan on (\w+)", line)
            if match and match[1] in LARGE_TABLES:
                flagged.append(match[1])
    else:
        aliases = _aliases(sql)
        for line in lines:
            match = re.match(r"\s*SCAN (\S+)(.*)", line)
            if not match or "USING" in match[2] and "INDEX" in match[2]:
                continue
            table = aliases.get(match[1], match[1])
            if table in LARGE_TABLES:
                flagged.append(table)
    return sorted(set(flagged))


def explain(query):
    """The plan of one recorded query: {lines, scans, ms (PostgreSQL: execution time)}."""
    vendor = connection.vendor
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + query["sql"], query["params"])
        rows = cursor.fetchall()
    lines = [row[0] for row in rows] if vendor == "postgresql" else _sqlite_plan(rows)
    executed = next((float(m[1]) for line in lines if (m := re.match(r"Execution Time: ([\d.]+) ms", line))), None)
    return {"lines": lines, "scans": full_scans(lines, query["sql"], vendor), "execution_ms": executed}


def explain_page(name, function):
    """Every SELECT of one request of the page, explained; and which of them is the page's main
    query (MAIN_QUERY, else the slowest)."""
    queries = [query for query in capture(function)
               if not query["many"] and query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    explained = []
    for number, query in enumerate(queries, 1):
        plan = explain(query)
        explained.append({"number": number, "ms": round(query["ms"], 2), "what": describe(query["sql"]), "sql": query["sql"],
                          "params": [str(param) for param in (query["params"] or ())], **plan})
    if not explained:
        return {"queries": [], "main": None, "scans": []}
    matches = MAIN_QUERY.get(name, lambda sql: False)
    candidates = [query for query in explained if matches(query["sql"])] or explained
    main = max(candidates, key=lambda query: query["ms"])
    # The slowest by the server's own time where there is one (EXPLAIN ANALYZE): the time in the
    # request also holds the round trip and whatever else the machine was doing.
    slowest = max(explained, key=lambda query: query["ms"] if query["execution_ms"] is None else query["execution_ms"])
    scans = sorted({table for query in explained for table in query["scans"]})
    return {"queries": explained, "main": main["number"], "slowest": slowest["number"], "scans": scans,
            "sql_ms": round(sum(query["ms"] for query in explained), 2)}
