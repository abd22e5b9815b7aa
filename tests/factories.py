"""factory_boy factories for cases, and small builders of real files (PDF, PNG, ...)."""

import copy
import importlib
import io
from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reviews.models import Case, CaseEvent, DeadlineRule, Document

KESIMPTA_REGIMEN = {
    "phases": [
        {
            "name": "Loading",
            "dose": {"amount": "20", "unit": "mg"},
            "route": "subcutaneous",
            "schedule": {"at": [0, 1, 2], "unit": "week"},
            "initial_only": True,
        },
        {
            "name": "Maintenance",
            "dose": {"amount": "20", "unit": "mg"},
            "route": "subcutaneous",
            "schedule": {"every": 1, "unit": "calendar_month", "start": 4, "start_unit": "week"},
        },
    ]
}
KESIMPTA_CONTINUATION = {
    "phases": [
        {
            "name": "Maintenance",
            "dose": {"amount": "20", "unit": "mg"},
            "route": "subcutaneous",
            "schedule": {"every": 1, "unit": "calendar_month"},
        },
    ]
}
# The same regimen as the intake page's phase rows post it.
KESIMPTA_FORM_ROWS = {
    "phase0_name": "Loading",
    "phase0_amount": "20",
    "phase0_dose_unit": "mg",
    "phase0_route": "subcutaneous",
    "phase0_at": "0, 1, 2",
    "phase0_unit": "week",
    "phase0_initial_only": "on",
    "phase1_name": "Maintenance",
    "phase1_amount": "20",
    "phase1_dose_unit": "mg",
    "phase1_route": "subcutaneous",
    "phase1_every": "1",
    "phase1_unit": "calendar_month",
    "phase1_start": "4",
    "phase1_start_unit": "week",
}
VALID_NPI = "1234567893"  # CMS's own example of a valid NPI


def ensure_deadline_rules() -> None:
    """The seeded deadline table; transactional tests flush what the data migration made."""
    seeds = (
        ("request", importlib.import_module("reviews.migrations.0006_deadline_rules").RULES),
        ("appeal", importlib.import_module("reviews.migrations.0027_appeals").APPEAL_RULES),
    )
    for kind, rules in seeds:
        for lob, urgency, amount, unit, source in rules:
            DeadlineRule.objects.get_or_create(
                kind=kind,
                line_of_business=lob,
                urgency=urgency,
                defaults={"amount": amount, "unit": unit, "source": source},
            )


def ensure_adjustment_codes() -> None:
    """The seeded CARC and group code wordings; transactional tests flush them too."""
    from reviews.models import AdjustmentCode

    codes = importlib.import_module("reviews.migrations.0027_claims").CODES
    for kind, code, wording, source in codes:
        AdjustmentCode.objects.get_or_create(
            kind=kind, code=code, defaults={"wording": wording, "source": source}
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")


class DeadlineRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeadlineRule
        django_get_or_create = ("kind", "line_of_business", "urgency")

    kind = DeadlineRule.Kind.REQUEST
    line_of_business = Case.LineOfBusiness.COMMERCIAL
    urgency = Case.Urgency.STANDARD
    amount = 15
    unit = DeadlineRule.Unit.CALENDAR_DAYS
    source = "NCQA UM 5 (pre-service, standard)"


class CaseFactory(factory.django.DjangoModelFactory):
    """A case in nurse review, not in policy unless given a policy_version."""

    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"PA-2026-{n + 900000:06d}")
    member_name = factory.Faker("name")
    member_id = factory.Sequence(lambda n: f"M{n:07d}")
    member_dob = date(1985, 6, 1)
    prescriber_name = "Dr. Elena Marsh"
    prescriber_npi = VALID_NPI
    prescriber_specialty = "Neurology"
    diagnosis_codes = factory.LazyFunction(lambda: ["G35.A"])
    drug_name = "Kesimpta"
    hcpcs_code = "J3490"
    regimen = factory.LazyFunction(lambda: copy.deepcopy(KESIMPTA_REGIMEN))
    request_type = Case.RequestType.INITIAL
    urgency = Case.Urgency.STANDARD
    line_of_business = Case.LineOfBusiness.COMMERCIAL
    received_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(days=15))
    deadline_rule_text = "Commercial, standard: 15 calendar days"
    status = Case.Status.NURSE_REVIEW
    policy_version = None
    policy = factory.LazyAttribute(lambda o: o.policy_version.policy if o.policy_version else None)
    policy_drug = factory.LazyAttribute(lambda o: o.policy.drugs.first() if o.policy else None)
    not_in_policy = factory.LazyAttribute(lambda o: o.policy_version is None)
    created_by = factory.SubFactory(UserFactory)


class CaseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    kind = CaseEvent.Kind.CASE_VIEWED


# ---- files ----------------------------------------------------------------------------------


def pdf_bytes(pages: list[str], *, encrypt_with: str = "") -> bytes:
    """A real PDF with one text page per entry (an empty string makes a blank page)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        if text:
            pdf.multi_cell(0, 8, text)
    data = bytes(pdf.output())
    if encrypt_with:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(user_password=encrypt_with, owner_password=encrypt_with + "-owner")
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def tiff_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (4, 4), 128).save(out, format="TIFF")
    return out.getvalue()


def docx_bytes() -> bytes:
    """A minimal Word document: a ZIP with the parts Word writes."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    """A file as the browser would send it; the content type claimed here is never trusted."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def document_for(case: Case, *, user, content: bytes | None = None, name: str = "note.pdf"):
    """A stored document added through the service, as an upload would."""
    from reviews.services.documents import document_add_many

    accepted, rejected = document_add_many(
        case=case,
        actor=user,
        files=[upload(name, content or pdf_bytes(["Neurology note"]))],
        kind=Document.Kind.CLINICAL_NOTE,
    )
    assert not rejected, rejected
    return accepted[0]
