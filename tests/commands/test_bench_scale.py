"""The volume benchmark's reading of wrk and its yardstick page (the benchmark itself is run
by hand: scripts/)."""

import importlib.util
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_scale.py"
spec = importlib.util.spec_from_file_location("bench_scale", SCRIPT)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)

REPORT = """Running 3s test @ http://127.0.0.1:8790/nurse/queue/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   851.22ms  200.50ms   1.34s    78.50%
    Req/Sec     4.00      2.00     8.00     50.00%
  Latency Distribution
     50%  851.22ms
     75%    1.24s{sp}
     90%    1.27s{sp}
     99%    1.34s{sp}
  24 requests in 3.03s, 1.15MB read
  Non-2xx or 3xx responses: 2
Requests/sec:      7.92
Transfer/sec:    389.39KB
""".format(sp=" ")  # wrk pads its seconds with a space


def test_the_report_is_read_by_its_distribution_not_its_thread_stats():
    assert bench.wrk_read(REPORT) == {"rps": 7.92, "p50": 851.22, "p99": 1340.0, "errors": 2}


def test_a_report_without_a_distribution_is_no_measurement():
    assert bench.wrk_read("unable to connect to 127.0.0.1:8790 Connection refused") is None
    assert bench.wrk_read(REPORT.replace("     99%    1.34s \n", "")) is None
    assert bench._ms("900us") == 0.9 and bench._ms("2.5m") == 150_000


@pytest.mark.django_db
def test_the_yardstick_is_a_plain_page_of_the_newest_fifty_cases(client, nurse):
    """The page every measured page is compared with, served beside the app: 50 rows from
    one query of its own (beside the session, the user and the nav's permissions)."""
    from tests.factories import CaseFactory

    cases = CaseFactory.create_batch(55)
    client.force_login(nurse)
    with override_settings(ROOT_URLCONF="scripts.bench_site.urls"):
        assert client.get(reverse("reviews:case-list")).status_code == 200  # the app is there
        client.get(bench.PLAIN_PAGE)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(bench.PLAIN_PAGE)
    body = response.content.decode()
    assert response.status_code == 200 and body.count("<tr>") == 51  # the header and 50
    assert cases[-1].reference in body and cases[4].reference not in body
    assert [q["sql"] for q in queries if "reviews_" in q["sql"]] == [
        next(q["sql"] for q in queries if 'FROM "reviews_case"' in q["sql"])
    ]
