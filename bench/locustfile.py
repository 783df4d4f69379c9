"""Locust users for bench/web.py (run by it, as its own process: locust cannot be imported in the
same process as Django). Not a test module: pytest collects tests/ only.

Every virtual user logs in three people of its own body (drafter, reviewer) and the overseer, then
all users hit one page at a time, phase after phase, with no pause between requests (a closed
loop of N concurrent users): each page, and the trivial /bench/ping/ (the ceiling), is measured
under the same load in the same run. The phases come from BENCH_PHASES, the URLs from
BENCH_TARGETS (a JSON file written by web.py); every request is recorded with its start time and
written to BENCH_RESULTS at the end, so that web.py computes exact percentiles per phase.
"""

import json
import os
import re
import time

import gevent
from locust import FastHttpUser, constant, events, task
from locust.contrib.fasthttp import FastHttpSession

TARGETS = json.loads(open(os.environ["BENCH_TARGETS"], encoding="utf-8").read())
PHASES = os.environ["BENCH_PHASES"].split(",")
PHASE_SECONDS = float(os.environ.get("BENCH_PHASE_SECONDS", "15"))
USERS = int(os.environ.get("BENCH_USERS", "8"))
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

state = {"ready": 0, "start": None, "done": False}
records = []


@events.request.add_listener
def record(request_type, name, response_time, response_length, exception, start_time=None, **kwargs):
    if state["start"] is not None and name in PHASES:
        records.append((name, start_time or time.time() - response_time / 1000, response_time, exception is None))


@events.quitting.add_listener
def write_results(environment, **kwargs):
    with open(os.environ["BENCH_RESULTS"], "w", encoding="utf-8") as handle:
        json.dump({"start": state["start"], "phase_seconds": PHASE_SECONDS, "phases": PHASES, "records": records}, handle)


class Visitor(FastHttpUser):
    wait_time = constant(0)  # no think time: 8 users means 8 requests in flight at all times

    def on_start(self):
        # Each user takes the next body of the list: 8 users, 8 bodies, 8 different reports.
        self.index = state.setdefault("next", 0)
        state["next"] = self.index + 1
        self.target = TARGETS["users"][self.index % len(TARGETS["users"])]
        self.sessions = {}
        for role in ("drafter", "reviewer", "overseer"):
            username = self.target[role] if role != "overseer" else TARGETS["overseer"]
            session = self.client if role == "overseer" else FastHttpSession(
                base_url=self.host, request_event=self.environment.events.request, user=self)
            self.login(session, username)
            self.sessions[role] = session
        state["ready"] += 1
        if state["ready"] == USERS:
            # Everybody is logged in: the first phase starts now, for all users at once.
            state["start"] = time.time()
        while state["start"] is None:
            gevent.sleep(0.05)

    def login(self, session, username):
        page = session.get("/login/", name="login")
        token = CSRF_RE.search(page.text).group(1)
        with session.post("/login/", data={"username": username, "password": TARGETS["password"],
                                           "csrfmiddlewaretoken": token},
                          name="login", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"login of {username} failed: {response.status_code}")
                raise RuntimeError(f"login of {username} failed")

    @task
    def visit(self):
        elapsed = time.time() - state["start"]
        phase = int(elapsed // PHASE_SECONDS)
        if phase >= len(PHASES):
            if not state["done"]:
                state["done"] = True
                gevent.spawn(self.environment.runner.quit)
            gevent.sleep(1)
            return
        name = PHASES[phase]
        role, url, expected = self.target["pages"][name]
        with self.sessions[role].get(url, name=name, allow_redirects=False, catch_response=True) as response:
            # A redirect (to the login page, to the read-only page) or an error would be fast and wrong.
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")
            elif expected and expected not in (response.headers.get("Content-Type") or ""):
                response.failure(f"unexpected content type for {url}")
