"""Playwright drives Debian's Chromium (playwright cannot download its own browser here)."""

import os
import shutil

import pytest

from reviews.services.documents import document_extract_text
from tests.conftest import require_service
from tests.factories import document_for, pdf_bytes
from tests.review_fixtures import kesimpta_request

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server with sync Playwright

# Debian's chromium-headless-shell is the headless build Playwright itself runs by default: the
# same engine and version as the chromium package, without the full browser's headless mode,
# which took twice the CPU (323 s against 165 s for the browser tests, measured on 2 cores).
# The full browser still serves where the shell is not installed.
CHROMIUM = os.environ.get("CHROMIUM_PATH") or next(
    (
        path
        for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
        if os.path.exists(path)
    ),
    "/usr/bin/chromium-headless-shell",
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
NEUROLOGY_NOTE = (
    "Neurology clinic note. Dr. Elena Marsh, neurologist.\n"
    "Assessment: relapsing-remitting multiple sclerosis (RRMS), diagnosed 2021.\n"
    "Primary progressive MS was considered and ruled out.\n"
    "No current disease-modifying therapy. Plan: start Kesimpta 20 mg subcutaneous."
)

ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "..", "artifacts", "screenshots")


def laid_out(page) -> None:
    """Wait for the next frame, after a viewport change: a screenshot taken during the resize
    failed ("Unable to capture screenshot") on a loaded CI machine."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_service(
        "Chromium", bool(shutil.which(CHROMIUM)), "apt-get install chromium-headless-shell"
    )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture
def screenshot(page):
    os.makedirs(ARTIFACTS, exist_ok=True)

    def take(name: str) -> str:
        path = os.path.join(ARTIFACTS, f"{name}.png")
        laid_out(page)  # journeys resize the page before some of their shots
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def case_with_notes(kesimpta, nurse, private_storage):
    case = kesimpta_request(nurse, member_name="Maria Alvarez")
    document = document_for(
        case, user=nurse, content=pdf_bytes([NEUROLOGY_NOTE]), name="neurology-note.pdf"
    )
    document_extract_text(document_id=document.pk)
    return case
