"""The volume benchmark's reading of wrk (the benchmark itself is run by hand: scripts/)."""

import importlib.util
from pathlib import Path

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
