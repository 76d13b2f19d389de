"""The users of benchmarks/load.py: signed-in clinicians, each waiting 1 to 3 s between requests,
asking for their caseload (40 %), one of their client pages (40 %) and saving a session
(20 %, a form post with its CSRF token). Run by load.py through `locust --headless`.

The environment says who they are: LOAD_USERNAMES (comma-separated), LOAD_PASSWORD.
"""

from __future__ import annotations

import itertools
import os
import random
import re
from datetime import date

from locust import HttpUser, between, task

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CLIENT_RE = re.compile(r'href="/clients/(\d+)"')
USERNAMES = itertools.cycle(os.environ["LOAD_USERNAMES"].split(","))
PASSWORD = os.environ["LOAD_PASSWORD"]


class Clinician(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.username = next(USERNAMES)
        page = self.client.get("/login", name="/login")
        token = CSRF_RE.search(page.text)
        assert token, "no CSRF token on the sign-in page"
        with self.client.post(
            "/login",
            data={"username": self.username, "password": PASSWORD, "csrf_token": token.group(1)},
            allow_redirects=False,
            name="POST /login",
            catch_response=True,
        ) as answer:
            if answer.status_code != 303:
                answer.failure(f"sign-in answered {answer.status_code}")
        self.caseload()

    @task(4)
    def caseload(self) -> None:
        page = self.client.get("/caseload", name="/caseload")
        found = CLIENT_RE.findall(page.text)
        if found:
            self.client_ids = [int(client_id) for client_id in found]
        token = CSRF_RE.search(page.text)
        if token:
            self.csrf = token.group(1)

    @task(4)
    def client_page(self) -> None:
        if getattr(self, "client_ids", None):
            self.client.get(f"/clients/{random.choice(self.client_ids)}", name="/clients/{id}")

    @task(2)
    def save_a_session(self) -> None:
        if not getattr(self, "client_ids", None) or not getattr(self, "csrf", None):
            return
        client_id = random.choice(self.client_ids)
        with self.client.post(
            f"/clients/{client_id}/sessions",
            data={
                "date": date.today().isoformat(),
                "attendance": "attended",
                "csrf_token": self.csrf,
            },
            allow_redirects=False,
            name="POST /clients/{id}/sessions",
            catch_response=True,
        ) as answer:
            if answer.status_code != 303:
                answer.failure(f"saving a session answered {answer.status_code}")
