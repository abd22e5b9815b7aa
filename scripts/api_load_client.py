"""Drive whole nurse reviews through the JSON API, as an intake system and reviewers would.

    .venv/bin/python scripts/api_load_client.py --base-url http://127.0.0.1:8000 --cases 10
    .venv/bin/python scripts/api_load_client.py --users 4 --decision escalate

Against a running server (`make run`: the demo nurse and her password are the defaults),
each simulated user, in its own thread, repeats for its cases: intake (with an
Idempotency-Key) -> upload a PDF -> claim -> answer every criterion on the case's path
(the computed suggestion where there is one, otherwise "met", each "met" citing the PDF,
page 1 and a quote) -> approve (every criterion met) or escalate -> read the case back.

The request is built from the policy as data: the drug, its HCPCS code and the regimen come
from the published policy version the API serves (the first policy unless --policy). Prints
every status code with its count, latency percentiles and the cases' final states. Exits 1
on any 5xx or any case that did not reach its final state, 2 on bad usage. Standard library
and fpdf2 (a dependency of the app) only.
"""

import argparse
import io
import json
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

QUOTE = "Relapsing disease confirmed by the treating specialist; no other agent in use."
FINAL = {"approve": "approved", "escalate": "physician_queue"}


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    finals: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, code: int, seconds: float) -> None:
        with self.lock:
            self.statuses[code] += 1
            self.latencies.append(seconds)

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


class ApiError(Exception):
    def __init__(self, method: str, path: str, code: int, body: str):
        super().__init__(f"{method} {path}: {code} {body[:500]}")
        self.code = code


class Api:
    def __init__(self, base_url: str, tally: Tally, timeout: float):
        self.base = base_url.rstrip("/") + "/api/v1/"
        self.tally = tally
        self.timeout = timeout
        self.token = ""

    def call(self, method: str, path: str, *, body=None, files=None, headers=None) -> dict:
        data, send = None, {"Accept": "application/json", **(headers or {})}
        if self.token:
            send["Authorization"] = f"Token {self.token}"
        if files is not None:
            data, send["Content-Type"] = _multipart(files)
        elif body is not None:
            data, send["Content-Type"] = json.dumps(body).encode(), "application/json"
        # The scheme is checked in _parse: http or https only.
        request = urllib.request.Request(  # noqa: S310
            self.base + path, data=data, method=method, headers=send
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                code, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            code, text = error.code, error.read().decode(errors="replace")
        self.tally.request(code, time.monotonic() - started)
        if code >= 400:
            raise ApiError(method, path, code, text)
        return json.loads(text) if text else {}


def _multipart(files: dict) -> tuple[bytes, str]:
    """multipart/form-data: name -> bytes (a file: (filename, bytes)) or str."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in files.items():
        out.write(f"--{boundary}\r\n".encode())
        if isinstance(value, tuple):
            filename, content = value
            out.write(
                f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/pdf\r\n\r\n".encode()
            )
            out.write(content)
        else:
            out.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}'.encode())
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _pdf(title: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, f"{title}\n{QUOTE}")
    return bytes(pdf.output())


def _request_template(api: Api, args) -> dict:
    """The case fields a request for the policy's drug carries, from the policy's data."""
    policies = api.call("GET", "policies/")["results"]
    if args.policy:
        policies = [p for p in policies if p["number"] == args.policy]
    today = date.today().isoformat()
    for policy in policies:
        published = [
            v
            for v in policy["versions"]
            if v["status"] == "published" and v["effective_date"] <= today
        ]
        if published:
            break
    else:
        raise SystemExit(f"no policy {args.policy or ''} with a published version in force")
    version = max(published, key=lambda v: v["effective_date"])
    document = api.call("GET", f"policies/versions/{version['id']}/")["document"]
    return {
        "member_dob": "1988-03-02",
        "prescriber_name": "Dr. Load Test",
        "prescriber_npi": "1234567893",
        "prescriber_specialty": args.prescriber_specialty,
        "diagnosis_codes": [args.diagnosis_code],
        "drug_name": policy["drugs"][0]["brand"],
        "hcpcs_code": (policy["drugs"][0]["hcpcs_codes"] or [""])[0],
        "regimen": {"phases": document["version"]["indications"][0]["regimen"]["phases"]},
        "request_type": "initial",
        "urgency": "standard",
        "line_of_business": "commercial",
        "medications": [],
    }


def review_one(api: Api, template: dict, *, user: int, n: int, decision: str) -> str:
    """One case from intake to the nurse's decision; its final status."""
    run = uuid.uuid4().hex[:8]
    fields = {**template, "member_name": f"Load User{user} Case{n}", "member_id": f"L{run}"}
    case = api.call("POST", "cases/", body=fields, headers={"Idempotency-Key": f"load-{run}"})
    case_id = case["id"]
    pdf = _pdf(f"Clinic note {case['reference']}")
    uploaded = api.call(
        "POST",
        f"cases/{case_id}/documents/",
        files={"files": (f"note-{run}.pdf", pdf), "kind": "clinical_note"},
    )
    document_id = uploaded["accepted"][0]["id"]
    api.call("POST", f"cases/{case_id}/claim/")
    # An answer can change the path (an either/or group): answer until nothing is left.
    for _ in range(10):
        steps = api.call("GET", f"cases/{case_id}/")["evaluation"]["steps"]
        todo = [step for step in steps if step["answer"] is None]
        if not todo:
            break
        for step in todo:
            answer = step["suggestion"] or "met"
            body = {"answer": answer}
            if answer == "met":
                body |= {
                    "evidence_document": document_id,
                    "evidence_page": 1,
                    "evidence_quote": QUOTE,
                }
            api.call("PUT", f"cases/{case_id}/answers/{step['label']}/", body=body)
    evaluation = api.call("GET", f"cases/{case_id}/")["evaluation"]
    if decision == "approve" and evaluation["all_met"]:
        api.call("POST", f"cases/{case_id}/approve/")
        wanted = FINAL["approve"]
    else:
        api.call(
            "POST", f"cases/{case_id}/escalate/", body={"comment": "Load test: a second look."}
        )
        wanted = FINAL["escalate"]
    status = api.call("GET", f"cases/{case_id}/")["status"]
    if status != wanted:
        raise RuntimeError(f"case {case_id} ended {status}, not {wanted}")
    return status


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="nurse")
    parser.add_argument("--password", default="review-demo-2026")
    parser.add_argument("--cases", type=int, default=10, help="cases per user")
    parser.add_argument("--users", type=int, default=1, help="simulated users (threads)")
    parser.add_argument(
        "--decision",
        choices=["approve", "escalate"],
        default="approve",
        help="approve when every criterion is met (else escalate), or escalate every case",
    )
    parser.add_argument("--policy", default="", help="policy number (default: the first)")
    parser.add_argument("--diagnosis-code", default="G35.A", help="ICD-10-CM of the requests")
    parser.add_argument("--prescriber-specialty", default="Neurology")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per request")
    parser.add_argument("--label", default="client", help="name printed with the figures")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.users < 1:
        parser.error("--cases and --users must be at least 1")
    if not args.base_url.startswith(("http://", "https://")):
        parser.error("--base-url must start with http:// or https://")
    return args


def main(argv: list[str]) -> int:
    args = _parse(argv)
    tally = Tally()
    login = Api(args.base_url, tally, args.timeout)
    try:
        login.token = login.call(
            "POST", "auth/token/", body={"username": args.username, "password": args.password}
        )["token"]
        template = _request_template(login, args)
    except (ApiError, urllib.error.URLError) as error:
        print(f"{args.label}: cannot start: {error}", file=sys.stderr)
        return 1

    def user(index: int) -> None:
        api = Api(args.base_url, tally, args.timeout)
        api.token = login.token
        for n in range(args.cases):
            try:
                status = review_one(api, template, user=index, n=n, decision=args.decision)
            except Exception as error:  # every failure is a finding, reported below
                tally.fail(f"user {index} case {n}: {type(error).__name__}: {error}")
            else:
                with tally.lock:
                    tally.finals[status] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    latencies = sorted(tally.latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0
    server_errors = sum(c for code, c in tally.statuses.items() if code >= 500)
    print(
        f"{args.label}: users={args.users} cases={args.users * args.cases} "
        f"seconds={elapsed:.1f} requests={len(latencies)} "
        f"statuses={dict(sorted(tally.statuses.items()))} "
        f"finals={dict(tally.finals)} failures={len(tally.failures)} 5xx={server_errors} "
        f"median_ms={statistics.median(latencies) * 1000:.0f} p95_ms={p95 * 1000:.0f} "
        f"max_ms={latencies[-1] * 1000:.0f}"
    )
    for failure in tally.failures:
        print(f"{args.label}: {failure}", file=sys.stderr)
    return 1 if server_errors or tally.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
