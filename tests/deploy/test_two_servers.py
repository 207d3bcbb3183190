"""Two app servers, as deploy/chiso.service starts them (gunicorn, two workers each), on
two ports over the same PostgreSQL, Redis and S3 server, keep nothing of their own:

- Chị Lan logs in on one and is logged in on the other;
- her evidence file, uploaded through one, downloads through the other (from the
  bucket: neither server's disk holds it);
- a guesser's failed logins and an anonymous client's API requests count across both;
- Anh Tuấn's publication on one is what the other serves at once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import requests

from tests.children import without_settings
from tests.deploy.servers import Server, logged_in, post_login, start_server
from tests.faults.pg_cluster import free_port
from tests.people import PASSWORD

pytestmark = pytest.mark.deploy

API_RATE = 6


@pytest.fixture(scope="module")
def servers(deploy_database, redis_url, object_store, tmp_path_factory) -> Iterator[list[Server]]:
    started: list[Server] = []
    environment = {
        "DATABASE_URL": deploy_database.app_url,
        "CHISO_REDIS_URL": redis_url,
        **object_store.environment(),
        "CHISO_SECRET_KEY": "two-servers-one-secret-" + "k" * 30,
        "CHISO_REQUEST_LOG": "1",
        "CHISO_API_ANON_RATE": str(API_RATE),
    }
    try:
        for name in ("a", "b"):
            folder = tmp_path_factory.mktemp(f"server-{name}")
            port = free_port()
            media = folder / "media"
            metrics = folder / "prometheus"  # as deploy/chiso.service sets it
            metrics.mkdir()
            env = without_settings(
                **environment, CHISO_MEDIA_ROOT=str(media), PROMETHEUS_MULTIPROC_DIR=str(metrics)
            )
            started.append(start_server(env, port, folder, media))
        for server in started:
            server.wait()
        yield started
    finally:
        for server in started:
            server.stop()


def one(database, sql: str, *params) -> tuple:
    with database.connect() as connection:
        return connection.execute(sql, params).fetchone()


def ham_rong_submission(database) -> int:
    return one(
        database,
        "SELECT s.id FROM assessments_submission s JOIN units_unit u ON u.id = s.unit_id"
        " JOIN assessments_period p ON p.id = s.period_id"
        " WHERE u.code = '14758' AND p.year <> 2025",
    )[0]


def test_a_login_on_one_server_is_valid_on_the_other(servers, deploy_database):
    a, b = servers
    lan = logged_in(a, "lan")
    entry = f"/submissions/{ham_rong_submission(deploy_database)}/"
    assert lan.get(b.url + entry, allow_redirects=False, timeout=30).status_code == 200
    stranger = requests.get(b.url + entry, allow_redirects=False, timeout=30)
    assert stranger.status_code == 302  # to the login page: the session is what counts
    # Both servers log her requests as JSON lines with her id.
    lan_id = one(deploy_database, "SELECT id FROM auth_user WHERE username = 'lan'")[0]
    assert any(line.get("user_id") == lan_id and line["path"] == entry for line in b.lines())


def test_evidence_uploaded_through_one_downloads_through_the_other(
    servers, deploy_database, object_store
):
    a, b = servers
    lan = logged_in(a, "lan")
    pdf = b"%PDF-1.4\n% Bien ban kiem tra ha tang so, phuong Ham Rong\n%%EOF\n"
    submission = ham_rong_submission(deploy_database)
    sent = lan.post(
        f"{a.url}/submissions/{submission}/evidence/",
        data={"codes": ["CQS.2"], "csrfmiddlewaretoken": lan.cookies["csrftoken"]},
        files={"file": ("ha-tang-so.pdf", pdf, "application/pdf")},
        allow_redirects=False,
        timeout=30,
    )
    assert sent.status_code == 302
    evidence, stored = one(
        deploy_database,
        "SELECT id, file FROM assessments_evidence WHERE original_name = 'ha-tang-so.pdf'",
    )
    got = lan.get(f"{b.url}/evidence/{evidence}/", timeout=30)
    assert got.status_code == 200 and got.content == pdf
    assert stored in object_store.stored_names()
    assert not any(server.media.exists() and any(server.media.rglob("*")) for server in servers)


def fresh_minute() -> None:
    """Wait for a new minute when this one is nearly over (the API counts per minute)."""
    left = 60 - time.time() % 60
    if left < 15:
        time.sleep(left + 0.5)


def test_the_api_limit_counts_requests_to_both_servers(servers):
    a, b = servers
    fresh_minute()
    answers = [
        requests.get(f"{server.url}/api/v1/periods", timeout=30).status_code
        for server in (a, b) * (API_RATE // 2)
    ]
    assert answers == [200] * API_RATE
    for server in (a, b):
        refused = requests.get(f"{server.url}/api/v1/periods", timeout=30)
        assert refused.status_code == 429
        assert refused.json()["code"] == "rate_limited"


def test_a_publication_on_one_is_what_the_other_serves(servers, deploy_database):
    a, b = servers
    period = one(deploy_database, "SELECT id FROM assessments_period WHERE year = 2025")[0]
    results = f"/api/v1/results/{period}/commune?page_size=5000"
    # Logged in: not counted by the anonymous limit (which the test above used up).
    tuan = logged_in(a, "tuan")
    before = tuan.get(b.url + results, timeout=30).json()  # now in the shared cache
    published = tuan.post(
        f"{a.url}/results/{period}/publish/",
        data={
            "level": "commune",
            "reason": "Bổ sung số liệu sau phúc tra",
            "confirmed": "1",  # the page asked once, and Anh Tuấn said yes
            "csrfmiddlewaretoken": tuan.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=60,
    )
    assert published.status_code == 302, published.text[:500]
    after_b = tuan.get(b.url + results, timeout=30).json()
    after_a = tuan.get(a.url + results, timeout=30).json()
    assert after_b["version"] == before["version"] + 1
    assert after_b == after_a
    assert after_b["count"] == 40


@pytest.fixture
def forgotten_failures(deploy_database) -> Iterator[None]:
    """The failed logins of the test are forgotten after it (the lock would outlive it)."""
    yield
    with deploy_database.connect() as connection:
        connection.execute("DELETE FROM axes_accessattempt")


def test_failed_logins_on_both_servers_lock_the_name_on_both(servers, forgotten_failures):
    a, b = servers
    guesser = requests.Session()
    for server in (a, b, a, b):
        assert post_login(guesser, server, "lan", "mat-khau-sai").status_code == 200
    # The fifth failure, the limit, counted with those made on the other server.
    assert post_login(guesser, a, "lan", "mat-khau-sai").status_code == 429
    for server in (a, b):
        locked = post_login(requests.Session(), server, "lan", PASSWORD)
        assert locked.status_code == 429
        assert re.search(r"phút", locked.text)


def test_the_metrics_of_every_worker_add_up_for_the_scraper_on_the_machine(servers):
    a, _b = servers
    for _ in range(6):  # spread over both workers
        assert requests.get(f"{a.url}/healthz", timeout=30).status_code == 200
    metrics = requests.get(f"{a.url}/metrics", timeout=30)
    assert metrics.status_code == 200
    counted = re.search(
        r'^django_http_requests_total_by_view_transport_method_total\{method="GET",'
        r'transport="http",view="healthz"\} (\d+)',
        metrics.text,
        re.M,
    )
    assert counted is not None and float(counted.group(1)) >= 6
    proxied = requests.get(
        f"{a.url}/metrics", headers={"X-Forwarded-For": "10.38.0.15"}, timeout=30
    )
    assert proxied.status_code == 404
