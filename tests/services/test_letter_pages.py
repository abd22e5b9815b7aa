"""Each kind of letter, rendered as the member gets it: a real PDF, then each page as a PNG
(poppler's pdftoppm) under artifacts/letters/ for a person to look at. The checks here are
what a look would catch first: the pages exist, the notices page is there, and every
tagline's script has a font in the PDF (a missing one prints empty boxes)."""

import io
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from reviews.letter_html import letter_html
from reviews.models import Determination
from reviews.services import letters as services

pytestmark = [pytest.mark.django_db, pytest.mark.real_pdf]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "letters"
DECIDED_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _determination(case, user, outcome, **fields) -> Determination:
    return Determination.objects.create(
        case=case,
        decided_by=user,
        role=Determination.Role.PHYSICIAN,
        decided_at=DECIDED_AT,
        policy_version=case.policy_version,
        authorization_number=case.reference.replace("PA-", "AU-"),
        outcome=outcome,
        **fields,
    )


LETTERS = {
    "approval": lambda case, user: _determination(
        case,
        user,
        Determination.Outcome.APPROVED,
        approval_start=date(2026, 3, 2),
        approval_end=date(2027, 3, 1),
        authorized_doses=15,
        authorized_amount=Decimal("300"),
        authorized_unit="mg",
    ),
    "partial-approval": lambda case, user: _determination(
        case,
        user,
        Determination.Outcome.PARTIALLY_APPROVED,
        rationale="The loading doses are approved; maintenance needs the MRI after week 12.",
        criteria_cited=["1.A.ii"],
        approval_start=date(2026, 3, 2),
        approval_end=date(2026, 4, 30),
        authorized_doses=3,
        authorized_amount=Decimal("60"),
        authorized_unit="mg",
    ),
    "denial": lambda case, user: _determination(
        case,
        user,
        Determination.Outcome.DENIED,
        rationale="The records describe primary progressive MS, a form that does not relapse.",
        criteria_cited=["PRE-1", "PRE-2"],
    ),
}


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object().get("/BaseFont", "")))
    return names


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
@pytest.mark.parametrize("kind", list(LETTERS))
def test_letter_renders_to_pages_a_person_can_look_at(clear_case, physician, kind):
    det = LETTERS[kind](clear_case, physician)
    pdf = services._pdf(letter_html(det))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{kind}.pdf").write_bytes(pdf)
    for old in ARTIFACTS.glob(f"{kind}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", str(ARTIFACTS / f"{kind}.pdf"), str(ARTIFACTS / kind)],
        check=True,
        timeout=60,
    )
    reader = PdfReader(io.BytesIO(pdf))
    pngs = sorted(ARTIFACTS.glob(f"{kind}-*.png"))
    assert len(pngs) == len(reader.pages) >= 2  # the decision, then the notices page
    assert all(png.stat().st_size > 5_000 for png in pngs)  # not blank
    last = " ".join(reader.pages[-1].extract_text().split())
    assert "Help in your language" in last and "Nondiscrimination notice" in last
    fonts = " ".join(_fonts(reader))
    # Latin, Cyrillic, Vietnamese and Arabic come from DejaVu; Chinese, Japanese and Korean,
    # and Hindi need their own fonts (README: system packages).
    assert "DejaVu" in fonts
    assert "WenQuanYi" in fonts or "NotoSansCJK" in fonts, fonts
    assert "Lohit" in fonts or "NotoSansDevanagari" in fonts, fonts
