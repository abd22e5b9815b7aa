"""Count what entering a policy takes in today's Django admin: the yardstick of issue 17.

    .venv/bin/python scripts/admin_entry_count.py [--file FILE] [--screenshots DIR] [--keep]

FILE defaults to tests/fixtures/policies/authoring-target.yaml.

Starts the app on a fresh SQLite database (migrate, one policy admin), then drives /admin/ in
headless Chromium (Playwright, /usr/bin/chromium) to enter the policy of FILE from nothing,
as an analyst who knows the admin's rules would (no mistakes, nothing entered twice):

1. the policy and its drugs (Policies > Add);
2. the version: its fields, its indications, its lists (key and title) and the root
   criterion, saved;
3. each list's items on the list's own page;
4. the criteria tree, one level per save: the admin's parent menu offers only saved criteria,
   and a group cannot be saved without its children, so each group is first saved as a
   question and turned into its kind in the save that adds its children;
5. the test cases, as the admin's JSON boxes, with the last level;
6. publish (the changelist action, which runs the test cases).

Counted: every click (a link, a button, a menu, "Add another"), every fill of a field, every
choice in a menu, every checkbox, every key press = 1 interaction; form submissions (a Save
or Go button) are counted apart. Going to a page counts the clicks an analyst makes to get
there. Logging in is not counted. Values come from the file as written (the YAML an analyst
would read), JSON boxes typed as compact JSON.

Today a policy admin cannot see the Indications inline (the role has no indication
permissions, reviews/roles.py), so the analyst gets those four permissions on the user only,
and the indications' interactions are reported apart, labelled as an estimate of what the
admin would take if the role had them.

A lower bound for the admin: no mistakes, no scrolling or reading counted, and each JSON box
(a regimen, a check's params, a test case's facts) one fill however long.

Measured on 2026-11-30 for authoring-target.yaml: 307 interactions (17 of them the
indications' estimate; 28 fills of JSON boxes, 2,196 characters of JSON), 9 saves.

At the end the entered version (reviews.policy_documents.version_document) is compared with
the file's normalized document (reviews.engine.document.parse); every difference is printed.
Exits 1 on a difference or a form error.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_FILE = ROOT / "tests" / "fixtures" / "policies" / "authoring-target.yaml"
CHROMIUM = "/usr/bin/chromium"
USERNAME = "analyst"
INDICATIONS = "indications (estimate: the role lacks the permissions)"


def as_json(value: Any) -> str:
    """What an analyst types into one of the admin's JSON boxes."""
    return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date) else str(v))


def as_text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class Analyst:
    """The browser, with every interaction counted by kind and by part of the policy."""

    def __init__(self, page, base: str, shots: Path | None):
        self.page, self.base, self.shots = page, base, shots
        self.part = "setup"
        self.counts: Counter[tuple[str, str]] = Counter()
        self.submissions: Counter[str] = Counter()
        self.typed = 0
        self.json_fills = 0  # fills of the admin's JSON boxes (the editor is to have none)
        self.json_typed = 0
        self.position_fills = 0  # "Order among its siblings" and the like
        self.warnings: list[str] = []

    def count(self, kind: str, n: int = 1) -> None:
        self.counts[(self.part, kind)] += n

    # -- going places ----------------------------------------------------------------------

    def go(self, path: str, clicks: int) -> None:
        """Open a page; counted as the clicks on links an analyst needs to reach it."""
        self.page.goto(self.base + path)
        self.count("click", clicks)

    def click_link(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)
        self.count("click")

    # -- fields ----------------------------------------------------------------------------

    def set(self, name: str, value: Any) -> None:
        """Fill, choose or tick the field `name`; nothing (and no count) when it already
        holds the value, as a default does."""
        field = self.page.locator(f'[name="{name}"]')
        tag = field.evaluate("e => e.tagName + ':' + (e.type || '')")
        if tag == "INPUT:checkbox":
            if field.is_checked() != bool(value):
                field.set_checked(bool(value))
                self.count("checkbox")
            return
        if tag.startswith("SELECT"):
            if field.input_value() != value:
                field.select_option(value=value)
                self.count("select")
            return
        text = as_text(value)
        if field.input_value() != text:
            field.fill(text)
            self.count("fill")
            self.typed += len(text)
            if tag == "TEXTAREA:textarea" and text[:1] in "[{":
                self.json_fills += 1
                self.json_typed += len(text)
            if name.endswith("-position"):
                self.position_fills += 1

    def choose_by_label(self, name: str, label: str) -> None:
        """Choose, in a menu of criteria, the one whose text starts with its label."""
        field = self.page.locator(f'[name="{name}"]')
        value = field.evaluate(
            "(e, label) => [...e.options].find(o => o.text.split(' ')[0] === label).value",
            label,
        )
        field.select_option(value=value)
        self.count("select")

    def add_row(self, prefix: str) -> int:
        """Click the inline's "Add another"; the new row's index."""
        total = int(self.page.input_value(f'[name="{prefix}-TOTAL_FORMS"]'))
        self.page.click(f"#{prefix}-group .add-row a")
        self.count("click")
        return total

    def submit(self, button: str, shot: str) -> None:
        with self.page.expect_navigation():
            self.page.click(f'[name="{button}"]')
        self.submissions[self.part] += 1
        if self.shots:
            self.page.screenshot(path=str(self.shots / f"{shot}.png"), full_page=True)
        errors = self.page.eval_on_selector_all(
            ".errornote, .errorlist li, .messagelist .error",
            "els => els.map(e => e.textContent.trim())",
        )
        if errors:
            raise SystemExit(f"The admin refused the form ({shot}):\n  " + "\n  ".join(errors))
        self.warnings += self.page.eval_on_selector_all(
            ".messagelist .warning", "els => els.map(e => e.textContent.trim())"
        )

    def totals(self) -> tuple[int, int]:
        return sum(self.counts.values()), sum(self.submissions.values())


# -- the policy, part by part ------------------------------------------------------------------


def enter_policy(a: Analyst, raw: dict) -> None:
    a.part = "policy and drugs"
    a.go("/admin/reviews/policy/add/", clicks=1)  # "Add" beside Policies on the admin's index
    policy = raw["policy"]
    a.set("number", policy["number"])
    a.set("title", policy["title"])
    for i, drug in enumerate(policy["drugs"]):
        if i:
            assert a.add_row("drugs") == i
        a.set(f"drugs-{i}-position", i)
        a.set(f"drugs-{i}-brand", drug["brand"])
        a.set(f"drugs-{i}-generic", drug.get("generic", ""))
        a.set(f"drugs-{i}-hcpcs_codes", as_json(drug.get("hcpcs_codes", [])))
        a.set(f"drugs-{i}-ndcs", as_json(drug.get("ndcs", [])))
    a.submit("_save", "01-policy")


def version_fields(raw: dict) -> dict[str, Any]:
    """The version's own fields, by admin field name, from the document as written."""
    from reviews.policy_documents import (
        APPROVAL_FIELDS,
        DOSING_FIELDS,
        EDITS_FIELDS,
        PATH_FIELDS,
        VERSION_FIELDS,
    )

    version = raw["version"]
    fields = {
        field: version[key]
        for key, field in VERSION_FIELDS.items()
        if key in version and key != "status"
    }
    for section, mapping in (
        ("dosing", DOSING_FIELDS),
        ("approval", APPROVAL_FIELDS),
        ("edits_and_denials", EDITS_FIELDS),
        ("paths", PATH_FIELDS),
    ):
        for key, field in mapping.items():
            value = (version.get(section) or {}).get(key)
            if field == "remark_codes":
                fields[field] = as_json(value or [])
            elif value is not None:
                fields[field] = value
    return {k: v for k, v in fields.items() if v not in ("", None)}


def enter_indications(a: Analyst, raw: dict) -> None:
    a.part = INDICATIONS
    for i, ind in enumerate(raw["version"]["indications"]):
        assert a.add_row("indications") == i
        a.set(f"indications-{i}-key", ind["key"])
        a.set(f"indications-{i}-name", ind["name"])
        a.set(f"indications-{i}-position", i)
        a.set(f"indications-{i}-diagnosis_codes", as_json(ind.get("diagnosis_codes", [])))
        a.set(f"indications-{i}-codes_source", ind.get("codes_source", ""))
        approval = ind["approval"]
        a.set(f"indications-{i}-initial_approval_count", approval["initial"]["count"])
        a.set(f"indications-{i}-initial_approval_unit", approval["initial"]["unit"])
        if approval.get("extended"):
            a.set(f"indications-{i}-extended_approval_count", approval["extended"]["count"])
            a.set(f"indications-{i}-extended_approval_unit", approval["extended"]["unit"])
        if ind.get("regimen"):
            a.set(f"indications-{i}-regimen", as_json(ind["regimen"]))


def enter_version(a: Analyst, raw: dict, policy_pk: int) -> None:
    a.part = "version fields"
    a.go("/admin/reviews/policyversion/add/", clicks=1)  # "Add" beside versions, in the sidebar
    a.set("policy", str(policy_pk))
    for field, value in version_fields(raw).items():
        a.set(field, value)
    enter_indications(a, raw)
    a.part = "lists (key and title)"
    for i, key in enumerate(raw["version"].get("lists", {})):
        assert a.add_row("lists") == i
        a.set(f"lists-{i}-key", key)
        a.set(f"lists-{i}-title", raw["version"]["lists"][key]["title"])
        a.set(f"lists-{i}-position", i)
    a.part = "criteria"
    root = raw["version"]["criteria"]
    enter_criterion(a, root, parent=None, position=0, as_question=bool(root.get("children")))
    a.part = "version fields"
    a.submit("_continue", "02-version")


def enter_list_items(a: Analyst, raw: dict) -> None:
    a.part = "list items"
    keys = list(raw["version"].get("lists", {}))
    version_url = a.page.url
    for n, key in enumerate(keys):
        if n == 0:  # the list's "Change" link in the version's Policy lists inline
            a.click_link(f'#lists-group tr:has(input[value="{key}"]) a.inlinechangelink')
        else:  # the next list on the lists' page the save leads to
            a.click_link(f'#result_list a:text-is("{raw["version"]["lists"][key]["title"]}")')
        for i, item in enumerate(raw["version"]["lists"][key]["items"]):
            assert a.add_row("items") == i
            a.set(f"items-{i}-position", i)
            a.set(f"items-{i}-name", item["name"])
            a.set(f"items-{i}-generic", item.get("generic", ""))
            a.set(f"items-{i}-as_written", item.get("as_written", ""))
            a.set(f"items-{i}-synonyms", as_json(item.get("synonyms", [])))
        a.submit("_save", f"03-list-{key}")
    a.page.goto(version_url)  # breadcrumb "Policy versions", then the version
    a.count("click", 2)


def enter_criterion(a: Analyst, node: dict, parent: str | None, position: int, as_question: bool):
    """One new criterion row. A group whose children are not there yet goes in as a question."""
    i = a.add_row("criteria")
    p = f"criteria-{i}"
    a.set(f"{p}-label", node["label"])
    if parent is not None:
        a.choose_by_label(f"{p}-parent", parent)
    a.set(f"{p}-position", position)
    a.set(f"{p}-kind", "leaf" if as_question else node["kind"])
    if node.get("k") is not None and not as_question:
        a.set(f"{p}-k", node["k"])
    a.set(f"{p}-path", node.get("path") or "")
    a.set(f"{p}-indication", node.get("indication") or "")
    for field in ("title", "text", "note", "explanation", "plain_language"):
        a.set(f"{p}-{field}", node.get(field, ""))
    check = node.get("check")
    if check:
        a.set(f"{p}-check_name", check["name"])
        a.set(f"{p}-check_params", as_json(check.get("params", {})))
        a.set(f"{p}-check_negate", check.get("negate", False))
    a.set(f"{p}-evidence_required", node.get("evidence_required", True))


def row_of(a: Analyst, label: str) -> str:
    """The inline prefix of the saved criterion with this label."""
    total = int(a.page.input_value('[name="criteria-TOTAL_FORMS"]'))
    for i in range(total):
        if a.page.input_value(f'[name="criteria-{i}-label"]') == label:
            return f"criteria-{i}"
    raise LookupError(label)


def enter_tree(a: Analyst, raw: dict) -> None:
    """Level by level: each save adds the children of the groups saved before, and turns
    those groups from questions into their kind."""
    a.part = "criteria"
    level = [raw["version"]["criteria"]]
    depth = 0
    while True:
        groups = [n for n in level if n.get("children")]
        if not groups:
            break
        depth += 1
        next_level = []
        for group in groups:
            p = row_of(a, group["label"])
            a.set(f"{p}-kind", group["kind"])
            if group.get("k") is not None:
                a.set(f"{p}-k", group["k"])
            for position, child in enumerate(group["children"]):
                enter_criterion(
                    a, child, group["label"], position, as_question=bool(child.get("children"))
                )
                next_level.append(child)
        level = next_level
        if not any(n.get("children") for n in level):
            enter_test_cases(a, raw)  # saved with the last level
        a.part = "criteria"
        a.submit("_continue", f"04-criteria-level-{depth}")


def enter_test_cases(a: Analyst, raw: dict) -> None:
    a.part = "test cases"
    for i, case in enumerate(raw["version"].get("test_cases", [])):
        assert a.add_row("test_cases") == i
        p = f"test_cases-{i}"
        a.set(f"{p}-name", case["name"])
        a.set(f"{p}-request_type", case["request_type"])
        a.set(f"{p}-indication", case.get("indication") or "")
        a.set(f"{p}-position", i)
        a.set(f"{p}-answers", as_json(case.get("answers", {})))
        a.set(f"{p}-facts", as_json(case.get("facts", {})))
        a.set(f"{p}-expect", as_json(case["expect"]))


def publish(a: Analyst, version_pk: int) -> None:
    a.part = "publish"
    a.go("/admin/reviews/policyversion/", clicks=1)  # breadcrumb "Policy versions"
    box = a.page.locator(f'input[name="_selected_action"][value="{version_pk}"]')
    box.check()
    a.count("checkbox")
    a.set("action", "publish_versions")
    with a.page.expect_navigation():
        a.page.click('button[name="index"]')
    a.submissions[a.part] += 1
    if a.shots:
        a.page.screenshot(path=str(a.shots / "05-publish.png"), full_page=True)
    errors = a.page.eval_on_selector_all(
        ".messagelist .error", "els => els.map(e => e.textContent.trim())"
    )
    if errors:
        raise SystemExit("Publishing failed:\n  " + "\n  ".join(errors))


# -- comparing ---------------------------------------------------------------------------------


def differences(expected: Any, got: Any, where: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(got, dict):
        out = []
        for key in dict.fromkeys([*expected, *got]):
            if key not in got:
                out.append(f"{where}.{key}: missing (expected {expected[key]!r})")
            elif key not in expected:
                out.append(f"{where}.{key}: unexpected {got[key]!r}")
            else:
                out += differences(expected[key], got[key], f"{where}.{key}")
        return out
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            return [f"{where}: {len(got)} entries, expected {len(expected)}"]
        return [
            d
            for i, (e, g) in enumerate(zip(expected, got, strict=True))
            for d in differences(e, g, f"{where}[{i}]")
        ]
    return [] if expected == got else [f"{where}: got {got!r}, expected {expected!r}"]


# -- running -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("The server stopped; see its output above.")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own http URL
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"The server did not answer at {url}.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--screenshots", type=Path, help="save a screenshot after each save")
    parser.add_argument("--keep", action="store_true", help="keep the database file")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="admin-entry-"))
    db = workdir / "admin-entry.db"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "priorauth.settings")
    import django

    django.setup()
    import yaml
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command

    from reviews import roles
    from reviews.engine import document
    from reviews.models import Policy, PolicyVersion
    from reviews.policy_documents import version_document
    from reviews.reference_lists import reference_lists

    text = args.file.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    expected = document.parse(text, references=reference_lists())

    call_command("migrate", verbosity=0)
    password = secrets.token_urlsafe(16)
    user = get_user_model().objects.create_user(USERNAME, password=password, is_staff=True)
    user.groups.set([Group.objects.get(name=roles.POLICY_ADMIN)])
    # Not the role's today (see the docstring): on this user only, counted apart.
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="reviews", codename__endswith="_indication"
        )
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The ORM reads ids between pages, inside Playwright's event loop: a script, one thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    try:
        wait_for(base + "/admin/login/", server)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(20_000)
            page.goto(base + "/admin/login/")
            page.fill("#id_username", USERNAME)
            page.fill("#id_password", password)
            with page.expect_navigation():
                page.click("input[type=submit]")

            a = Analyst(page, base, args.screenshots)
            started = time.monotonic()
            enter_policy(a, raw)
            policy_pk = Policy.objects.get(number=raw["policy"]["number"]).pk
            enter_version(a, raw, policy_pk)
            version = PolicyVersion.objects.get(policy_id=policy_pk)
            if raw["version"].get("lists"):
                enter_list_items(a, raw)
            enter_tree(a, raw)
            if raw["version"]["status"] == "published":
                publish(a, version.pk)
            seconds = time.monotonic() - started
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)

    interactions, submissions = a.totals()
    estimate = sum(n for (part, _), n in a.counts.items() if part == INDICATIONS)
    print(f"Policy {raw['policy']['number']} entered in today's Django admin ({args.file.name})")
    print()
    print(f"{'part':58} {'click':>5} {'fill':>5} {'select':>6} {'check':>5} {'saves':>5}")
    parts = list(dict.fromkeys([part for part, _ in a.counts] + list(a.submissions)))
    for part in parts:
        row = [a.counts[(part, kind)] for kind in ("click", "fill", "select", "checkbox")]
        print(f"{part:58} {row[0]:5} {row[1]:5} {row[2]:6} {row[3]:5} {a.submissions[part]:5}")
    print()
    print(f"interactions: {interactions}")
    print(f"  of which indications (estimate, see above): {estimate}")
    print(f"  of which fills of position fields: {a.position_fills}")
    print(f"  of which fills of JSON boxes: {a.json_fills} ({a.json_typed} characters of JSON)")
    print(f"submissions: {submissions}")
    print(f"characters typed: {a.typed}")
    print(f"seconds (headless browser, not a person): {seconds:.1f}")
    for warning in dict.fromkeys(a.warnings):
        print(f"admin warning on an intermediate save: {warning[:200]}")

    version.refresh_from_db()
    got = version_document(version)
    diffs = differences(expected, got)
    print()
    if diffs:
        print(f"The entered version differs from the file in {len(diffs)} places:")
        for d in diffs:
            print(f"  {d}")
    else:
        print("The entered version equals the file's document (every section compared).")
    if args.keep:
        print(f"database kept: {db}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
