"""The pages people use all day, measured at volume: a benchmark anyone can rerun.

    .venv/bin/python scripts/bench_scale.py --cases 1000000 [--events-per-case 10]
        [--db bench_scale] [--reuse] [--build-only] [--duration 15] [--port 8790] [--workers 2]

Needs PostgreSQL (PGHOST/PGUSER as for psql; default 127.0.0.1 and postgres), wrk
(`apt-get install wrk`) and gunicorn (in requirements). Not a test: CI runs only a 1,000-case
smoke of it (tests/commands/test_bench_scale.py).

1. Builds the database `--db` (dropped and made again unless --reuse finds it holding the same
   number of cases): migrate, the policies, the demo users and cases, then --cases cases by
   bulk SQL copied from the demo's own rows (so every column is one the app wrote): about 97%
   decided, with their determinations; 2,000 in the nurse queue and 500 in the physician queue
   at a million (in proportion below); the open ones with the answers and documents of a demo
   case; --events-per-case audit events each, over five years. Then VACUUM (ANALYZE).
2. Counts each page's queries in-process (Django's test client).
3. Serves the app as in production: gunicorn, --workers sync workers, DEBUG off, static files
   by WhiteNoise; signs in as the demo nurse, physician and auditor over HTTP.
4. Measures each page with `wrk -t2 -c8 -d<duration>s` right after the static stylesheet (the
   baseline, in the same run) and a plain 50-row Django page (the yardstick the targets are
   set against: scripts/bench_site), and its server time alone with one connection (`-c1`).

Prints one table: req/s, p50 and p99 at 8 connections, p99 with one connection (the server's
own time plus loopback), the ratio to the baseline and to the plain page, and the queries per
page.
"""

# ruff: noqa: E501 (the bulk SQL reads best a statement to a line)
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
PASSWORD = os.environ.get("DEMO_PASSWORD", "review-demo-2026")
# The served app's own var directory (collected static files), outside the repository.
BENCH_VAR = Path(tempfile.gettempdir()) / "priorauth-bench"
FIRST = [
    "Maria",
    "James",
    "Aisha",
    "Wei",
    "Olga",
    "Thomas",
    "Fatima",
    "Liam",
    "Chen",
    "Sofia",
    "Noah",
    "Priya",
    "Omar",
    "Elena",
    "Lucas",
    "Amara",
    "Yusuf",
    "Hana",
    "Mateo",
    "Ines",
    "Kofi",
    "Mina",
    "Ravi",
    "Lena",
    "Diego",
    "Zara",
    "Ivan",
    "Leila",
    "Arjun",
    "Nora",
]
LAST = [
    "Alvarez",
    "Nguyen",
    "Okafor",
    "Smith",
    "Kowalski",
    "Haddad",
    "Johnson",
    "Tanaka",
    "Rossi",
    "Garcia",
    "Brown",
    "Osei",
    "Patel",
    "Kim",
    "Novak",
    "Silva",
    "Mensah",
    "Ibrahim",
    "Cohen",
    "Larsen",
    "Moreau",
    "Yilmaz",
    "Popescu",
    "Santos",
    "Ali",
    "Murphy",
    "Schmidt",
    "Dubois",
    "Costa",
    "Hoang",
    "Reyes",
    "Adeyemi",
    "Fischer",
    "Kaur",
    "Lopez",
    "Petrov",
    "Sato",
    "Weber",
    "Jensen",
    "Diaz",
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def dsn(db: str) -> str:
    host = os.environ.get("PGHOST", "127.0.0.1")
    user = os.environ.get("PGUSER", "postgres")
    return f"postgres://{user}@{host}:5432/{db}"


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def columns(cur, table: str) -> list[str]:
    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND is_generated = 'NEVER' AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cur.fetchall()]


def copy_rows(cur, table: str, source: str, overrides: dict[str, str], tail: str) -> int:
    """INSERT INTO table SELECT each column from `t` (a template row) unless overridden."""
    cols = columns(cur, table)
    select = ", ".join(overrides.get(c, f"t.{c}") for c in cols)
    cur.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} {source} {tail}")
    return cur.rowcount


def build(db: str, cases: int, events_per_case: int, reuse: bool) -> None:
    env = {**os.environ, "DATABASE_URL": dsn(db), "DJANGO_DEBUG": "true"}
    admin = psycopg.connect(dsn("postgres"), autocommit=True)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
    if exists and reuse:
        with psycopg.connect(dsn(db)) as conn:
            have = conn.execute("SELECT count(*) FROM reviews_case").fetchone()[0]
        if have >= cases:
            log(f"reusing {db}: {have:,} cases")
            return
    if exists:
        admin.execute(f'DROP DATABASE "{db}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{db}"')
    log(f"{db}: migrate, policies, demo")
    manage(env, "migrate", "--no-input")
    manage(env, "load_policy", *[str(p) for p in sorted((ROOT / "policies").glob("*.yaml"))])
    manage(env, "seed_demo")
    with psycopg.connect(dsn(db), autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        decided = cur.execute(
            "SELECT c.id, d.id FROM reviews_case c JOIN reviews_determination d ON d.case_id = c.id "
            "WHERE c.status = 'approved' ORDER BY c.id LIMIT 1"
        ).fetchone()
        open_case = (
            cur.execute(
                "SELECT c.id FROM reviews_case c WHERE c.status = 'nurse_review' AND EXISTS "
                "(SELECT 1 FROM reviews_criterionanswer a WHERE a.case_id = c.id) ORDER BY c.id LIMIT 1"
            ).fetchone()
            or cur.execute(
                "SELECT id FROM reviews_case WHERE status = 'nurse_review' ORDER BY id LIMIT 1"
            ).fetchone()
        )
        users = [
            r[0]
            for r in cur.execute(
                "SELECT id FROM auth_user WHERE username IN ('nurse', 'physician') ORDER BY id"
            ).fetchall()
        ]
        first = "ARRAY[" + ",".join(f"'{n}'" for n in FIRST) + "]"
        last = "ARRAY[" + ",".join(f"'{n}'" for n in LAST) + "]"
        # The open share: 3%; at a million, 2,000 in the nurse queue and 500 in the physician
        # queue (the page lists both its statuses: 400 waiting, 100 claimed by a physician);
        # the other open cases wait on intake or on information.
        open_n = max(25, cases * 3 // 100)
        nurse_n = min(2000, open_n * 2 // 3)
        physician_n = min(500, open_n // 6)
        claimed_n = physician_n // 5
        chunk = 200_000
        before = cur.execute("SELECT max(id) FROM reviews_case").fetchone()[0]
        log(f"cases: {cases:,} ({open_n:,} open)")
        for start in range(1, cases + 1, chunk):
            stop = min(cases, start + chunk - 1)
            status = (
                f"CASE WHEN g <= {nurse_n} THEN 'nurse_review' "
                f"WHEN g <= {nurse_n + claimed_n} THEN 'physician_review' "
                f"WHEN g <= {nurse_n + physician_n} THEN 'physician_queue' "
                f"WHEN g <= {open_n} THEN (ARRAY['received','info_requested'])[1 + g % 2] "
                "ELSE (ARRAY['approved','approved','approved','partially_approved','denied'])[1 + g % 5] END"
            )
            # Open cases are due over the next days; decided ones over the last five years.
            when = (
                f"CASE WHEN g <= {open_n} THEN now() + ((g % 300) || ' hours')::interval "
                f"ELSE now() - ((g * 157680000.0 / {cases}) || ' seconds')::interval END"
            )
            copy_rows(
                cur,
                "reviews_case",
                f"FROM generate_series({start}, {stop}) g CROSS JOIN "
                f"(SELECT * FROM reviews_case WHERE id = {decided[0]}) t",
                {
                    "reference": "'PA-' || (2019 + (g - 1) / 200000) || '-' || lpad((1 + (g - 1) % 200000)::text, 6, '0')",
                    "member_name": f"({first})[1 + g % {len(FIRST)}] || ' ' || ({last})[1 + (g / 7) % {len(LAST)}]",
                    "member_id": "'M' || lpad((g % 400000)::text, 8, '0')",
                    "status": status,
                    "due_at": when,
                    "received_at": f"({when}) - interval '14 days'",
                    "created_at": f"({when}) - interval '14 days'",
                    "updated_at": f"({when}) - interval '1 day'",
                    "assignee_id": f"CASE WHEN g <= {open_n} AND g > {nurse_n + physician_n} THEN {users[-1]} ELSE t.assignee_id END",
                    "deadline_flag": "''",
                },
                "",
            )
            log(f"  cases {stop:,}")
        cur.execute(
            f"CREATE TEMP TABLE bulk AS SELECT id, status FROM reviews_case WHERE id > {before}"
        )
        log("determinations for the decided")
        copy_rows(
            cur,
            "reviews_determination",
            f"FROM bulk b JOIN reviews_case c ON c.id = b.id CROSS JOIN "
            f"(SELECT * FROM reviews_determination WHERE id = {decided[1]}) t",
            {
                "case_id": "c.id",
                "outcome": "CASE c.status WHEN 'partially_approved' THEN 'partially_approved' WHEN 'denied' THEN 'denied' ELSE 'approved' END",
                "decided_at": "c.due_at - interval '2 days'",
                "approval_start": "CASE WHEN c.status = 'denied' THEN NULL ELSE (c.due_at - interval '2 days')::date END",
                "approval_end": "CASE WHEN c.status = 'denied' THEN NULL ELSE (c.due_at + interval '363 days')::date END",
                "authorization_number": "'BENCH-' || c.id",
                "role": "CASE WHEN c.status = 'denied' THEN 'physician' ELSE t.role END",
                "decided_by_id": f"CASE WHEN c.status = 'denied' THEN {users[-1]} ELSE t.decided_by_id END",
            },
            "WHERE b.status IN ('approved', 'partially_approved', 'denied')",
        )
        log("answers and documents for the open")
        copy_rows(
            cur,
            "reviews_criterionanswer",
            f"FROM bulk b CROSS JOIN (SELECT * FROM reviews_criterionanswer WHERE case_id = {open_case[0]}) t",
            {"case_id": "b.id"},
            "WHERE b.status NOT IN ('approved', 'partially_approved', 'denied')",
        )
        copy_rows(
            cur,
            "reviews_document",
            f"FROM bulk b CROSS JOIN (SELECT * FROM reviews_document WHERE case_id = {open_case[0]} ORDER BY id LIMIT 2) t",
            {"case_id": "b.id", "storage_name": "'bench/' || b.id || '/' || t.id || '.pdf'"},
            "WHERE b.status NOT IN ('approved', 'partially_approved', 'denied')",
        )
        log(f"events: {events_per_case} per case")
        kinds = "ARRAY['received','status','claimed','answer','answer','answer','case_viewed','document_added','letter_issued','case_viewed']"
        ids = cur.execute("SELECT min(id), max(id) FROM bulk").fetchone()
        for start in range(ids[0], ids[1] + 1, 100_000):
            cur.execute(
                "INSERT INTO reviews_caseevent (kind, from_status, to_status, payload, created_at, actor_id, case_id) "
                f"SELECT ({kinds})[1 + (k - 1) % 10], '', CASE WHEN ({kinds})[1 + (k - 1) % 10] = 'status' THEN 'nurse_review' ELSE '' END, "
                f"'{{}}'::jsonb, c.received_at + (k || ' hours')::interval, "
                f"CASE WHEN k % 3 = 0 THEN {users[-1]} ELSE {users[0]} END, c.id "
                f"FROM reviews_case c CROSS JOIN generate_series(1, {events_per_case}) k "
                f"WHERE c.id BETWEEN {start} AND {start + 99_999} AND c.id IN (SELECT id FROM bulk)"
            )
            log(f"  events through case id {start + 99_999:,}")
        # As autovacuum leaves a table in service: statistics, and the visibility map that lets
        # a count be answered from an index alone (a fresh bulk load has none of it).
        cur.execute("VACUUM (ANALYZE)")
        counts = {
            t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in (
                "reviews_case",
                "reviews_caseevent",
                "reviews_determination",
                "reviews_criterionanswer",
                "reviews_document",
            )
        }
        log(f"built: {json.dumps(counts)}")


# The yardstick: an indexed 50-row table page in plain Django (scripts/bench_site/urls.py),
# served beside the app and measured before each page, as the static file is.
PLAIN_PAGE = "/bench/plain/"


def pages(db: str) -> list[tuple[str, str, str]]:
    """(role, name, path) for each page measured."""
    with psycopg.connect(dsn(db)) as conn:
        open_case = conn.execute(
            "SELECT id, reference FROM reviews_case WHERE status = 'nurse_review' ORDER BY due_at, id LIMIT 1"
        ).fetchone()
        old = conn.execute(
            "SELECT reference, member_id, id FROM reviews_case WHERE status = 'approved' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return [
        ("nurse", "home", "/"),
        ("nurse", "nurse queue", "/nurse/queue/"),
        ("physician", "physician queue", "/physician/queue/"),
        ("nurse", "case list (no filter)", "/cases/"),
        ("nurse", "case search by member name", "/cases/?q=Okafor"),
        ("nurse", "case search by reference", f"/cases/?q={old[0]}"),
        ("nurse", "case search by member ID", f"/cases/?q={old[1]}"),
        ("nurse", "case detail", f"/cases/{open_case[0]}/"),
        ("auditor", "audit search (no filter)", "/audit/"),
        ("auditor", "audit search by user", "/audit/?username=nurse"),
        ("auditor", "audit search by case", f"/audit/?reference={open_case[1]}"),
        # Another case than the detail page's: each view of a case is an audit event of it.
        ("auditor", "a case's audit page", f"/cases/{old[2]}/audit/"),
        ("nurse", "API case list", "/api/v1/cases/"),
        ("nurse", "API nurse queue", "/api/v1/queues/nurse/"),
    ]


def query_counts(db: str, measured: list[tuple[str, str, str]]) -> dict[str, int]:
    env = {
        **os.environ,
        "DATABASE_URL": dsn(db),
        "DJANGO_DEBUG": "true",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    code = f"""
import json, django
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.contrib.auth import get_user_model
out = {{}}
users = {{u.username: u for u in get_user_model().objects.filter(username__in=["nurse", "physician", "auditor"])}}
for role, name, path in {measured!r}:
    client = Client()
    client.force_login(users[role])
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    out[name] = len(queries)
print("COUNTS" + json.dumps(out))
"""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("COUNTS"))
    return json.loads(line.removeprefix("COUNTS"))


def serve(db: str, port: int, workers: int) -> tuple[subprocess.Popen, dict]:
    env = {
        **os.environ,
        "DATABASE_URL": dsn(db),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PRIORAUTH_VAR_DIR": str(BENCH_VAR),
        "DJANGO_LOGIN_FAILURE_LIMIT": "1000",
    }
    (BENCH_VAR).mkdir(parents=True, exist_ok=True)
    manage(env, "collectstatic", "--no-input")
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            # The app plus the yardstick page (scripts/bench_site): the same settings otherwise.
            "scripts.bench_site.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
            break
        except Exception:
            time.sleep(0.3)
    else:
        raise SystemExit("gunicorn did not answer")
    return server, env


def _cookies(headers) -> dict[str, str]:
    found = {}
    for value in headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def sign_in(port: int, username: str) -> str:
    """The Cookie header of a signed-in session (Secure cookies kept by hand over HTTP)."""
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(NoRedirect)
    page = opener.open(f"{base}/login/")
    cookies = _cookies(page.headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())[1]
    body = urllib.parse.urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/login/",
        data=body,
        headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Referer": f"{base}/login/",
        },
    )
    try:
        response = opener.open(request)
    except urllib.error.HTTPError as redirect:
        response = redirect
    cookies.update(_cookies(response.headers))
    if "sessionid" not in cookies:
        raise SystemExit(f"could not sign in as {username}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def wrk(url: str, cookie: str | None, connections: int, duration: int) -> dict:
    args = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--latency"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    measured = wrk_read(out)
    if measured is None:
        raise SystemExit(f"wrk measured nothing on {url}:\n{out}")
    return measured


def wrk_read(out: str) -> dict | None:
    """Requests per second, p50 and p99 (ms) and non-2xx answers from wrk --latency's report."""
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.MULTILINE))
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.MULTILINE)
    if set(percentiles) != {"50", "99"} or not rate:
        return None
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(rate[1]),
        "p50": _ms(percentiles["50"]),
        "p99": _ms(percentiles["99"]),
        "errors": int(non2xx[1]) if non2xx else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events-per-case", type=int, default=10)
    parser.add_argument("--db", default="bench_scale")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--build-only", action="store_true", help="build the database, measure nothing"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="measure only the pages whose name contains this (repeatable), e.g. 'case detail'",
    )
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    build(options.db, options.cases, options.events_per_case, options.reuse)
    if options.build_only:
        return
    measured = [
        page
        for page in pages(options.db)
        if not options.only or any(part in page[1] for part in options.only)
    ]
    if not measured:
        raise SystemExit(f"No page's name contains {' or '.join(options.only)}.")
    counts = query_counts(options.db, measured)
    server, _ = serve(options.db, options.port, options.workers)
    try:
        base = f"http://127.0.0.1:{options.port}"
        cookies = {role: sign_in(options.port, role) for role in ("nurse", "physician", "auditor")}
        manifest = json.loads((BENCH_VAR / "static" / "staticfiles.json").read_text())
        static = f"{base}/static/{manifest['paths']['css/app.css']}"
        rows = []
        for role, name, path in measured:
            baseline = wrk(static, None, 8, min(5, options.duration))
            plain = wrk(base + PLAIN_PAGE, cookies["nurse"], 8, min(5, options.duration))
            loaded = wrk(base + path, cookies[role], 8, options.duration)
            # Server time alone: as long as the loaded run, so that p99 is not one stall.
            alone = wrk(base + path, cookies[role], 1, options.duration)
            rows.append((name, loaded, alone, baseline, plain))
            log(
                f"{name}: {loaded['rps']:.0f} req/s (static {baseline['rps']:.0f}, "
                f"plain page {plain['rps']:.0f})"
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
    print()
    print(
        f"{options.cases:,} cases, {options.events_per_case} events per case, "
        f"gunicorn {options.workers} sync workers, DEBUG off, wrk -t2 -c8 -d{options.duration}s"
    )
    print()
    print(
        "| page | req/s | p50 | p99 | p99, one connection | static req/s | ratio | "
        "plain page req/s | of plain | queries | non-2xx |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, loaded, alone, baseline, plain in rows:
        print(
            f"| {name} | {loaded['rps']:.0f} | {loaded['p50']:.0f} ms | {loaded['p99']:.0f} ms "
            f"| {alone['p99']:.1f} ms | {baseline['rps']:.0f} | {loaded['rps'] / baseline['rps']:.1%} "
            f"| {plain['rps']:.0f} | {loaded['rps'] / plain['rps']:.0%} "
            f"| {counts.get(name, '?')} | {loaded['errors']} |"
        )


if __name__ == "__main__":
    main()
