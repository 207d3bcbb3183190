"""The November rush for locust: commune officers saving drafts, readers browsing.

Run by loadtest/rush.py (which prepares the database, starts the server, runs this
headless on loopback and checks the saves afterwards); it reads the plan written by
loadtest/prepare.py from RUSH_PLAN and writes every request it made, and each officer's
last acknowledged save, to RUSH_LOG.

- An officer logs in, opens her submission's entry page, and every 2 to 5 s saves a
  draft with the version the page gave her, changing one figure between two values;
  the page she comes back to gives her the next version.
- A reader opens, every 1 to 3 s, a ranking, a report card, the map or its data, the
  open data pages or the API.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["RUSH_PLAN"]).read_text())
OFFICERS = int(os.environ.get("RUSH_OFFICERS", len(PLAN["officers"])))
READERS = int(os.environ.get("RUSH_READERS", 50))
_next_officer = itertools.count()

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="expected_version" value="(\d+)"')
TEXT = re.compile(r'<input type="text"[^>]* name="(v-[^"]+)"[^>]* value="([^"]*)"')
CHOICE = re.compile(r'<select name="(v-[^"]+)"[^>]*>(.*?)</select>', re.S)
CHOSEN = re.compile(r'<option value="([^"]*)" selected>')

requests_made: list[tuple[float, str, float, bool]] = []
acknowledged: dict[str, dict[str, Any]] = {}
# Per officer, a save sent after her last acknowledged one and never answered: the run
# ended while it waited, and the server may still have made it.
unanswered: dict[str, dict[str, Any]] = {}
# Per officer, the seconds from her first login request to being logged in (turned away
# while the server's queue of password checks was full, she came back when told).
logged_in_after: list[float] = []


@events.request.add_listener
def record(request_type: str, name: str, response_time: float, exception: Any, **_: Any) -> None:
    requests_made.append((time.time(), name, response_time, exception is None))


@events.quitting.add_listener
def write_log(**_: Any) -> None:
    Path(os.environ["RUSH_LOG"]).write_text(
        json.dumps(
            {
                "requests": requests_made,
                "acknowledged": acknowledged,
                "unanswered": unanswered,
                "logged_in_after": logged_in_after,
            }
        )
    )


def as_typed(value: float) -> str:
    """A figure as an officer types it: 12 or 12,5."""
    return str(int(value)) if value == int(value) else str(value).replace(".", ",")


def form_of(html: str) -> dict[str, str]:
    """The entry form as the page filled it: every figure, the version, the token."""
    form = dict(TEXT.findall(html))
    for name, options in CHOICE.findall(html):
        chosen = CHOSEN.search(options)
        form[name] = chosen.group(1) if chosen else ""
    form["expected_version"] = VERSION.search(html).group(1)  # type: ignore[union-attr]
    form["csrfmiddlewaretoken"] = TOKEN.search(html).group(1)  # type: ignore[union-attr]
    return form


class Officer(HttpUser):
    fixed_count = OFFICERS
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.me = PLAN["officers"][next(_next_officer) % len(PLAN["officers"])]
        page = self.client.get("/accounts/login/", name="login page")
        token = TOKEN.search(page.text).group(1)  # type: ignore[union-attr]
        started = time.monotonic()
        while True:
            with self.client.post(
                "/accounts/login/",
                {
                    "username": self.me["username"],
                    "password": PLAN["password"],
                    "csrfmiddlewaretoken": token,
                },
                name="login",
                allow_redirects=False,
                catch_response=True,
            ) as answer:
                # Turned away in a storm: the page waits as told and sends it again.
                wait = answer.headers.get("Retry-After")
                if answer.status_code == 503 and wait:
                    answer.request_meta["name"] = "login: come back"
                    answer.success()
                elif answer.status_code != 302:
                    answer.failure(f"login answered {answer.status_code}")
            if answer.status_code != 503 or not wait:
                break
            time.sleep(int(wait) + random.random())
        logged_in_after.append(time.monotonic() - started)
        self.page = self.client.get(self.me["entry"], name="entry page").text
        self.turn = 0

    @task
    def save_draft(self) -> None:
        form = form_of(self.page)
        code = self.me["code"]
        self.turn += 1
        value = self.me["values"][self.turn % 2]
        form["v-" + code] = as_typed(value)
        form["action"] = "save"
        save = {
            "submission": self.me["submission"],
            "code": code,
            "value": value,
            "version": int(form["expected_version"]) + 1,
        }
        unanswered[self.me["username"]] = save
        with self.client.post(
            self.me["entry"], form, name="save draft", allow_redirects=False, catch_response=True
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"save answered {answer.status_code}")
                unanswered.pop(self.me["username"], None)
                return
            # Only the redirect back to her page acknowledges a save (not one to log in).
            back = answer.headers.get("Location", "")
            if back.split("?")[0].split("#")[0] != self.me["entry"]:
                answer.failure(f"save sent her to {back}")
                unanswered.pop(self.me["username"], None)
                return
        # The save is acknowledged: the redirect says so, the page shows the result.
        acknowledged[self.me["username"]] = unanswered.pop(self.me["username"])
        self.page = self.client.get(self.me["entry"], name="entry page").text


class Reader(HttpUser):
    fixed_count = READERS
    wait_time = between(1, 3)

    @task
    def browse(self) -> None:
        kind = random.choice(list(PLAN["readers"]))
        self.client.get(random.choice(PLAN["readers"][kind]), name=kind)
