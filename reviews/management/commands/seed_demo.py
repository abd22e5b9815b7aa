"""Demo data for a local run: one user per role, every policy in policies/, about 25 cases in
every state and three cases per other example policy (README, "Demo logins"), each with
clinical PDFs whose text matches it. Idempotent; refuses when DEBUG is off."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from reviews import roles
from reviews.engine import document
from reviews.engine.checks import check_stands_as_evidence
from reviews.engine.dosing import Regimen, authorized_quantity
from reviews.intake import BACKDATE_GRACE, npi_is_valid
from reviews.models import Appeal, Case, Determination, Document, DocumentPage, Policy
from reviews.reference_lists import reference_lists
from reviews.selectors.review import case_evidence, case_review_state
from reviews.services import nurse_review, physician_review
from reviews.services.appeals import appeal_file
from reviews.services.cases import case_create
from reviews.services.claims import claim_line_data, claim_line_receive
from reviews.services.documents import document_add_many, document_extract_text
from reviews.services.indications import case_indication_choose
from reviews.services.nurse_review import quote_on_page
from reviews.services.policies import policy_load

DEMO_USERS = [
    # username, first, last, role, staff (the Django admin is where policy admins work)
    ("nurse", "Nora", "Reyes, RN", roles.NURSE, False),
    ("physician", "Philip", "Osei, MD", roles.PHYSICIAN, False),
    # A second physician, who took no part in the demo denials: appeals are theirs to decide.
    ("physician2", "Rosa", "Ibarra, MD", roles.PHYSICIAN, False),
    ("policyadmin", "Paula", "Adams, PharmD", roles.POLICY_ADMIN, True),
    ("auditor", "Aditi", "Rao", roles.AUDITOR, False),
    ("claims", "Claire", "Okafor", roles.CLAIMS_EXAMINER, False),
]

POLICIES = "policies/*.yaml"  # every example policy (make run loads them too)
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
TYSABRI_REGIMEN = {
    "phases": [
        {
            "name": "Maintenance",
            "dose": {"amount": "300", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"every": 4, "unit": "week"},
        },
    ]
}
BRIUMVI_REGIMEN = {
    "phases": [
        {
            "name": "Loading",
            "dose": {"amount": "450", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"at": [2], "unit": "week"},
            "initial_only": True,
        },
        {
            "name": "Maintenance",
            "dose": {"amount": "450", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"every": 24, "unit": "week", "start": 24, "start_unit": "week"},
        },
    ]
}


@dataclass
class DemoCase:
    member_id: str
    member_name: str
    dob: date
    state: str
    hours_ago: int
    prescriber: str = "Dr. Elena Marsh"
    specialty: str = "Neurology"
    credential: str = "md"
    consult: tuple[str, str, int] | None = None  # name, specialty, days before receipt
    codes: tuple[str, ...] = ("G35.A",)
    drug: str = "Kesimpta"
    hcpcs: str = "J3490"
    request_type: str = "initial"
    urgency: str = "standard"
    lob: str = "commercial"
    months_on_drug: int | None = None
    medications: list[tuple[str, int | None]] = field(default_factory=list)  # name, stop in days
    prior: str = "Tecfidera (dimethyl fumarate), stopped for breakthrough relapses"
    relapses: int = 2
    edss: str = "2.0"
    note: str = ""
    partial_days: int = 90  # a partial approval's period, from the day it is issued


CASES = [
    DemoCase("DEMO-1001", "Maria Alvarez", date(1988, 4, 12), "nurse_review", 1),
    DemoCase(
        "DEMO-1002",
        "James O'Connor",
        date(1979, 9, 3),
        "nurse_review",
        2,
        urgency="expedited",
        lob="medicare_advantage_part_b",
        codes=("G35.C1",),
        relapses=1,
        edss="4.5",
    ),
    DemoCase(
        "DEMO-1003", "Aisha Bello", date(1995, 1, 27), "nurse_review", 3, lob="medicaid_ma_medical"
    ),
    DemoCase(
        "DEMO-1004",
        "Thomas Nguyen",
        date(1984, 6, 30),
        "nurse_review",
        5,
        medications=[("Tecfidera", 10), ("Vitamin D3", None)],
    ),
    DemoCase(
        "DEMO-1005",
        "Grace Kim",
        date(1991, 11, 8),
        "nurse_review",
        20,
        prescriber="Dr. Samuel Price",
        specialty="Family medicine",
        consult=("Dr. Elena Marsh", "Neurology", 21),
    ),
    DemoCase(
        "DEMO-1006",
        "Robert Fischer",
        date(1969, 2, 14),
        "nurse_review",
        30,
        request_type="continuation",
        months_on_drug=14,
        relapses=0,
        edss="2.5",
        medications=[("Kesimpta", None), ("Baclofen", None)],
    ),
    DemoCase(
        "DEMO-1007",
        "Sofia Rossi",
        date(2009, 3, 2),
        "nurse_review",
        44,
        note="Member is 17; the policy requires 18 or older.",
    ),
    DemoCase(
        "DEMO-1008",
        "Daniel Cohen",
        date(1987, 7, 19),
        "nurse_review",
        60,
        medications=[("Copaxone", None)],
        note="Copaxone continues: concurrent use of another disease-modifying agent.",
    ),
    DemoCase(
        "DEMO-1009",
        "Hannah Schmidt",
        date(1993, 12, 1),
        "nurse_review",
        70,
        urgency="expedited",
        relapses=3,
        edss="3.0",
    ),
    DemoCase(
        "DEMO-1010",
        "Omar Haddad",
        date(1976, 5, 23),
        "physician_queue",
        26,
        drug="Tysabri",
        hcpcs="J2323",
        codes=("G35.B1",),
        prior="none",
        relapses=0,
        edss="5.0",
        note="Primary progressive MS; Tysabri has no policy here.",
    ),
    DemoCase(
        "DEMO-1011",
        "Linda Park",
        date(1982, 8, 9),
        "physician_queue",
        50,
        drug="Briumvi",
        hcpcs="J2329",
        note="Briumvi has no policy here.",
    ),
    DemoCase(
        "DEMO-1012",
        "Kevin Walsh",
        date(1990, 10, 17),
        "physician_queue",
        80,
        medications=[("Gilenya", None)],
        note="Gilenya continues alongside Kesimpta.",
    ),
    DemoCase(
        "DEMO-1013",
        "Priya Raman",
        date(1985, 3, 11),
        "physician_queue",
        96,
        prescriber="Dr. Alan Brooks",
        specialty="Internal medicine",
        consult=("Dr. Mei Chen", "Neuroimmunology", 40),
    ),
    DemoCase(
        "DEMO-1014",
        "Ethan Brown",
        date(1974, 1, 5),
        "physician_review",
        100,
        codes=("G35.C0",),
        relapses=1,
        edss="4.0",
    ),
    DemoCase(
        "DEMO-1015",
        "Chloe Martin",
        date(1998, 9, 29),
        "physician_review",
        120,
        urgency="expedited",
        lob="medicare_advantage_part_b",
        relapses=2,
    ),
    DemoCase(
        "DEMO-1016",
        "Lucas Silva",
        date(1981, 4, 4),
        "physician_review",
        150,
        request_type="continuation",
        months_on_drug=8,
        relapses=1,
        note="Eight months on therapy; continuation asks for twelve.",
    ),
    DemoCase("DEMO-1017", "Emma Johansson", date(1989, 6, 15), "approved", 200),
    DemoCase(
        "DEMO-1018",
        "Noah Williams",
        date(1977, 12, 24),
        "approved",
        260,
        request_type="continuation",
        months_on_drug=26,
        relapses=0,
        edss="1.5",
        medications=[("Kesimpta", None)],
    ),
    DemoCase(
        "DEMO-1019",
        "Olivia Garcia",
        date(1994, 2, 8),
        "approved",
        300,
        lob="medicaid_ma_medical",
        medications=[("Aubagio", 3)],
    ),
    DemoCase(
        "DEMO-1020",
        "William Davis",
        date(1972, 10, 10),
        "partially_approved",
        280,
        codes=("G35.A", "R26.89"),
        edss="3.5",
    ),
    DemoCase("DEMO-1021", "Zoe Thompson", date(1996, 5, 5), "partially_approved", 320),
    # A short partial approval: it ends within the renewals window, so the nurses' Renewals
    # list has an authorization to continue (docs/renewals.md).
    DemoCase(
        "DEMO-1026",
        "Grace Okafor",
        date(1987, 1, 19),
        "partially_approved",
        330,
        partial_days=45,
    ),
    DemoCase(
        "DEMO-1022",
        "Benjamin Lee",
        date(1983, 11, 30),
        "denied",
        340,
        medications=[("Tysabri", None)],
        note="Tysabri continues; denied as concurrent.",
    ),
    DemoCase(
        "DEMO-1023",
        "Mia Hernandez",
        date(1992, 7, 7),
        "denied",
        360,
        prescriber="Dr. Karen Hall",
        specialty="General practice",
        note="No specialist consultation documented.",
    ),
    DemoCase(
        "DEMO-1024",
        "Samuel Wright",
        date(1986, 3, 21),
        "info_requested",
        180,
        note="MRI report not included.",
    ),
    DemoCase(
        "DEMO-1025",
        "Ava Patel",
        date(1999, 8, 18),
        "info_requested",
        210,
        request_type="continuation",
        months_on_drug=13,
        relapses=0,
        medications=[("Kesimpta", None)],
    ),
]


def demo_npi(name: str) -> str:
    """A valid (Luhn) NPI, stable per prescriber name."""
    base = f"1{sum(map(ord, name)) * 7919 % 10**8:08d}"
    return next(base + d for d in "0123456789" if npi_is_valid(base + d))


# ---- documents ------------------------------------------------------------------------------

FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def _pdf(title: str, pages: list[list[str]]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="Letter")
    pdf.set_creation_date(FIXED_DATE)  # the same text gives the same bytes (and SHA-256)
    pdf.set_title(title)
    for lines in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(0, 8, title)
        pdf.ln(2)
        pdf.set_font("Helvetica", size=11)
        for line in lines:
            pdf.multi_cell(0, 6, line)
            pdf.ln(1)
    return bytes(pdf.output())


APPEALED_MEMBER = "DEMO-1022"  # denied for concurrent Tysabri; the prescriber appeals


def appeal_letter(spec: DemoCase, received: date) -> bytes:
    return _pdf(
        "Appeal: letter of medical necessity",
        [
            [
                f"Patient: {spec.member_name}. Date of birth: {spec.dob:%Y-%m-%d}. "
                f"Member ID {spec.member_id}.",
                f"Diagnosis: {spec.codes[0]}. Prescriber: {spec.prescriber}, {spec.specialty}.",
                f"Date: {received:%Y-%m-%d}. I ask you to reconsider the denial of "
                f"{spec.drug}. Tysabri was stopped before the request was sent; the request "
                "is a switch of therapy, not concurrent use.",
            ]
        ],
    )


def tysabri_stopped(spec: DemoCase) -> bytes:
    return _pdf(
        "Medication list (updated)",
        [
            [
                f"Patient: {spec.member_name}. Date of birth: {spec.dob:%Y-%m-%d}.",
                "Tysabri (natalizumab): stopped; last infusion before the request.",
                "Vitamin D 2000 IU daily: continues.",
            ]
        ],
    )


def _stop_text(name: str, stop: int | None, received: date) -> str:
    if stop is None:
        return f"{name}: continues."
    return f"{name}: to stop on {received + timedelta(days=stop):%Y-%m-%d} (switch to Kesimpta)."


def neurology_note(spec: DemoCase, received: date) -> bytes:
    age = (
        received.year
        - spec.dob.year
        - ((received.month, received.day) < (spec.dob.month, spec.dob.day))
    )
    ms_type = {
        "G35.A": "relapsing-remitting multiple sclerosis",
        "G35.B1": "active primary progressive multiple sclerosis",
        "G35.C0": "secondary progressive multiple sclerosis",
        "G35.C1": "active secondary progressive multiple sclerosis",
    }.get(spec.codes[0], "multiple sclerosis")
    plan = (
        f"Continue {spec.drug} 20 mg subcutaneously once monthly."
        if spec.request_type == "continuation"
        else f"Start {spec.drug}; request prior authorization from the health plan."
    )
    page1 = [
        f"Patient: {spec.member_name}    DOB: {spec.dob:%Y-%m-%d}    Member ID: {spec.member_id}",
        f"Date of visit: {received - timedelta(days=3):%Y-%m-%d}    Age: {age}",
        f"Provider: {spec.prescriber}, {spec.specialty}",
        f"Diagnosis: {ms_type} ({', '.join(spec.codes)}).",
        f"History: {spec.relapses} clinical relapse(s) in the past 12 months. "
        f"Prior disease-modifying therapy: {spec.prior}.",
        f"Examination: EDSS {spec.edss}. Mild left-sided weakness, brisk reflexes, "
        "intact sensation.",
    ]
    page2 = [
        "Assessment: "
        + (
            spec.note
            or "Active disease despite prior therapy; a high-efficacy "
            "anti-CD20 therapy is indicated."
        ),
        f"Plan: {plan}",
        "Hepatitis B serology and quantitative immunoglobulins ordered before the first dose.",
    ]
    if spec.months_on_drug is not None:
        start = received - timedelta(days=round(spec.months_on_drug * 30.44))
        page2.insert(
            1,
            f"On {spec.drug} since {start:%Y-%m-%d}; no relapses since starting; "
            "tolerating injections well.",
        )
    if spec.consult:
        name, specialty, days = spec.consult
        page2.append(
            f"Prescribed in consultation with {name} ({specialty}), seen on "
            f"{received - timedelta(days=days):%Y-%m-%d}."
        )
    page2.append(f"Electronically signed by {spec.prescriber}.")
    return _pdf("Neurology clinic note", [page1, page2])


def mri_report(spec: DemoCase, received: date) -> bytes:
    lesions = 2 + spec.relapses
    return _pdf(
        "MRI brain with and without contrast",
        [
            [
                f"Patient: {spec.member_name}    DOB: {spec.dob:%Y-%m-%d}",
                f"Exam date: {received - timedelta(days=20):%Y-%m-%d}",
                "Indication: multiple sclerosis, follow-up.",
                f"Findings: {lesions} new T2/FLAIR hyperintense periventricular lesions compared "
                f"with "
                f"the prior study; {min(lesions, spec.relapses)} gadolinium-enhancing lesion(s).",
                "Impression: radiological disease activity consistent with relapsing multiple "
                "sclerosis."
                if spec.relapses
                else "Impression: stable lesion burden, no enhancement.",
            ]
        ],
    )


def medication_list(spec: DemoCase, received: date) -> bytes:
    lines = [
        f"Patient: {spec.member_name}    DOB: {spec.dob:%Y-%m-%d}",
        f"Reconciled on {received - timedelta(days=1):%Y-%m-%d}",
    ]
    lines += [_stop_text(name, stop, received) for name, stop in spec.medications] or [
        "No current disease-modifying therapy."
    ]
    return _pdf("Current medication list", [lines])


# ---- demo cases of the other example policies ------------------------------------------------
# One clear nurse approval, one escalation and one case where the nurse must choose or confirm,
# per policy (README, "Demo cases of the other policies"). Dates count back from the day the
# request is received: "{ago[21]}" in a document line is the date 21 days before it.

OCREVUS_INITIAL = {
    "phases": [
        {
            "name": "First course",
            "dose": {"amount": "300", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"at": [0, 14], "unit": "day"},
            "initial_only": True,
        },
        {
            "name": "Maintenance",
            "dose": {"amount": "600", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"every": 6, "unit": "calendar_month", "start": 24, "start_unit": "week"},
        },
    ]
}


def _every_two_weeks(mg: str) -> dict:
    return {
        "phases": [
            {
                "name": "Every 2 weeks",
                "dose": {"amount": mg, "unit": "mg"},
                "route": "subcutaneous",
                "schedule": {"every": 2, "unit": "week"},
            }
        ]
    }


def _weekly(step: str, mg: str, weeks: list[int]) -> dict:
    return {
        "name": step,
        "dose": {"amount": mg, "unit": "mg"},
        "route": "subcutaneous",
        "schedule": {"at": weeks, "unit": "week"},
        "initial_only": True,
    }


WEGOVY_INITIAL = {
    "phases": [
        _weekly("Step 1", "0.25", [0, 1, 2, 3]),
        _weekly("Step 2", "0.5", [4, 5, 6, 7]),
        _weekly("Step 3", "1", [8, 9, 10, 11]),
        _weekly("Step 4", "1.7", [12, 13, 14, 15]),
        {
            "name": "Maintenance",
            "dose": {"amount": "2.4", "unit": "mg"},
            "route": "subcutaneous",
            "schedule": {"every": 1, "unit": "week", "start": 16, "start_unit": "week"},
        },
    ]
}
WEGOVY_CONTINUATION = {
    "phases": [
        {
            "name": "Maintenance",
            "dose": {"amount": "2.4", "unit": "mg"},
            "route": "subcutaneous",
            "schedule": {"every": 1, "unit": "week"},
        }
    ]
}


@dataclass
class PolicyDemoCase:
    """A demo request under one of the other example policies, and how far the nurse takes it:
    "approved" (every criterion met with evidence), "physician_queue" (escalated on the
    criteria the checks suggest are not met) or "nurse_review" (claimed and walked; the nurse
    has a decision left)."""

    key: str  # the demo case's name in the README, e.g. "O-1"
    member_id: str
    member_name: str
    dob: date
    state: str
    hours_ago: int
    prescriber: str
    specialty: str
    codes: tuple[str, ...]
    drug: str
    regimen: dict
    documents: list[tuple[str, str, list[list[str]]]]  # kind, title, pages of lines
    hcpcs: str = ""
    request_type: str = "initial"
    consult: tuple[str, str, int] | None = None  # name, specialty, days before receipt
    medications: list[tuple[str, int | None]] = field(default_factory=list)  # name, stop in days
    labs: list[tuple[str, str, str, int]] = field(default_factory=list)  # name, value, unit, ago
    # drug, dose (mg), started (days ago), ended (days ago or None), outcome
    therapies: list[tuple[str, str, int, int | None, str]] = field(default_factory=list)
    events: list[tuple[str, int, str]] = field(default_factory=list)  # kind, days ago, note
    weight_kg: str | None = None
    height_cm: str | None = None
    therapy_start_days: int | None = None  # days before receipt
    choose: tuple[str, str] | None = None  # the indication the nurse chooses, and why
    cite: dict[str, str] = field(default_factory=dict)  # label: the quote the nurse cites
    comment: str = ""  # the nurse's escalation comment


class _Ago:
    """ "{ago[n]}" in a document line: the date n days before receipt."""

    def __init__(self, received: date):
        self.received = received

    def __getitem__(self, days: int | str) -> str:  # str.format passes "-10" as a string
        return f"{self.received - timedelta(days=int(days)):%Y-%m-%d}"


NOTE, LABS, MEDS = Document.Kind.CLINICAL_NOTE, Document.Kind.LAB_RESULT, "medication_list"

POLICY_CASES = [
    PolicyDemoCase(
        "O-1",
        "DEMO-2001",
        "Hannah Weiss",
        date(1990, 8, 21),
        "approved",
        6,
        "Dr. Elena Marsh",
        "Neurology",
        ("G35.A",),
        "Ocrevus",
        OCREVUS_INITIAL,
        hcpcs="J2350",
        medications=[("Vitamin D3 2000 IU daily", None), ("Tecfidera 240 mg twice daily", 10)],
        labs=[
            ("IgG", "840", "mg/dL", 21),
        ],
        events=[("relapse", 120, "right leg weakness, treated with steroids")],
        documents=[
            (
                NOTE,
                "Neurology clinic note",
                [
                    [
                        "Diagnosis: relapsing-remitting multiple sclerosis.",
                        "History: relapse on {ago[120]} with right leg weakness, treated with "
                        "steroids.",
                        "Plan: stop Tecfidera on {ago[-10]}, start Ocrevus.",
                    ]
                ],
            ),
            (
                LABS,
                "Laboratory report",
                [
                    [
                        "Collected: {ago[21]}",
                        "IgG 840 mg/dL (reference 700-1600).",
                        "Hepatitis B surface antigen: negative.",
                        "Hepatitis B core antibody: negative.",
                    ]
                ],
            ),
            (
                Document.Kind.MRI_REPORT,
                "MRI brain with and without contrast",
                [
                    [
                        "Exam date: {ago[100]}",
                        "Impression: stable lesion burden, no enhancement.",
                    ]
                ],
            ),
        ],
        cite={
            "PRE-2": "IgG 840 mg/dL",
            "PRE-5": "Hepatitis B core antibody: negative.",
            "1.A.i": "Diagnosis: relapsing-remitting multiple sclerosis.",
            "1.A.ii.a": "with right leg weakness",
        },
    ),
    PolicyDemoCase(
        "O-2",
        "DEMO-2002",
        "Carlos Mendes",
        date(1968, 3, 2),
        "physician_queue",
        8,
        "Dr. Priya Raman",
        "Neurology",
        ("G35.B2",),
        "Ocrevus",
        OCREVUS_INITIAL,
        hcpcs="J2350",
        medications=[
            ("baclofen 10 mg three times daily", None),
            ("Ampyra 10 mg twice daily", None),
        ],
        labs=[
            ("IgG", "710", "mg/dL", 30),
            ("EDSS", "7.0", "", 45),
        ],
        documents=[
            (
                NOTE,
                "Neurology clinic note",
                [
                    [
                        "Diagnosis: primary progressive MS.",
                        "Examination on {ago[45]}: EDSS 7.0, restricted to a wheelchair for "
                        "distances beyond 5 metres.",
                        "Plan: start Ocrevus.",
                    ]
                ],
            ),
            (
                LABS,
                "Laboratory report",
                [
                    [
                        "Collected: {ago[30]}",
                        "IgG 710 mg/dL (reference 700-1600).",
                        "Hepatitis B surface antigen: negative.",
                        "Hepatitis B core antibody: negative.",
                    ]
                ],
            ),
        ],
        cite={
            "PRE-2": "IgG 710 mg/dL",
            "PRE-5": "Hepatitis B core antibody: negative.",
            "2.A.i": "Diagnosis: primary progressive MS.",
        },
        comment="EDSS 7.0 is above the policy's 6.5 for primary progressive MS.",
    ),
    PolicyDemoCase(
        "O-3",
        "DEMO-2003",
        "Sofia Lindqvist",
        date(1985, 12, 9),
        "approved",
        10,
        "Dr. Samuel Price",
        "Family medicine",
        ("G35.D",),
        "Ocrevus",
        OCREVUS_INITIAL,
        hcpcs="J2350",
        consult=("Dr. Elena Marsh", "Neurology", 14),
        labs=[
            ("IgG", "655", "mg/dL", 150),
        ],
        events=[("MRI lesion", 60, "new gadolinium-enhancing lesion")],
        documents=[
            (
                NOTE,
                "Neurology consultation note",
                [
                    [
                        "Seen in consultation by Dr. Elena Marsh, Neurology, on {ago[14]}.",
                        "Assessment: relapsing-remitting MS, no clinical relapse this year, but "
                        "a new enhancing lesion on the September MRI.",
                        "Plan: start Ocrevus, prescribed by Dr. Samuel Price.",
                    ]
                ],
            ),
            (
                Document.Kind.MRI_REPORT,
                "MRI brain with and without contrast",
                [
                    [
                        "Exam date: {ago[60]}",
                        "Findings: one new gadolinium-enhancing periventricular lesion.",
                    ]
                ],
            ),
            (
                LABS,
                "Laboratory report",
                [
                    [
                        "Collected: {ago[150]}",
                        "IgG 655 mg/dL (reference 700-1600).",
                        "Hepatitis B surface antigen: negative.",
                        "Hepatitis B core antibody: negative.",
                    ]
                ],
            ),
            (MEDS, "Current medication list", [["No current medications."]]),
        ],
        choose=(
            "relapsing_ms",
            "G35.D (MS, unspecified) names no form; the consultation note says "
            "relapsing-remitting MS.",
        ),
        cite={
            "PRE-1": "No current medications.",
            "PRE-2": "IgG 655 mg/dL",
            "PRE-5": "Hepatitis B core antibody: negative.",
            "1.A.i": "Assessment: relapsing-remitting MS",
            "1.A.ii.b": "one new gadolinium-enhancing periventricular lesion",
        },
    ),
    PolicyDemoCase(
        "P-1",
        "DEMO-2004",
        "Walter Brooks",
        date(1961, 4, 18),
        "approved",
        12,
        "Dr. Nadia Okafor",
        "Cardiology",
        ("I25.10", "I10"),
        "Repatha",
        _every_two_weeks("140"),
        medications=[
            ("atorvastatin 80 mg daily", None),
            ("aspirin 81 mg", None),
            ("metoprolol 50 mg", None),
        ],
        labs=[("LDL-C", "102", "mg/dL", 14)],
        therapies=[("atorvastatin", "80", 240, None, "ongoing")],
        documents=[
            (
                NOTE,
                "Cardiology clinic note",
                [
                    [
                        "Coronary artery disease, stent to the LAD in 2024.",
                        "On atorvastatin 80 mg since {ago[240]}, adherent, LDL-C 102.",
                        "No contraindication to statins. No intolerance to other statins.",
                        "No other PCSK9 inhibitor or inclisiran. Plan: start Repatha 140 mg "
                        "every 2 weeks.",
                    ]
                ],
            ),
            (
                LABS,
                "Laboratory report",
                [["Collected: {ago[14]}", "LDL cholesterol 102 mg/dL."]],
            ),
        ],
        cite={
            "PRE-2": "No other PCSK9 inhibitor or inclisiran.",
            "2.i": "Coronary artery disease, stent to the LAD in 2024.",
            "2.iii": "LDL cholesterol 102 mg/dL.",
            "3.A.i": "On atorvastatin 80 mg since",
            "4.if.a": "No intolerance to other statins.",
            "4.if.b": "No contraindication to statins.",
        },
    ),
    PolicyDemoCase(
        "P-2",
        "DEMO-2005",
        "Denise Carter",
        date(1979, 10, 5),
        "physician_queue",
        14,
        "Dr. Alan Cho",
        "Endocrinology",
        ("E78.01",),
        "Repatha",
        _every_two_weeks("140"),
        medications=[("rosuvastatin 40 mg daily", None), ("ezetimibe 10 mg", None)],
        labs=[("LDL-C", "176", "mg/dL", 20)],
        therapies=[("rosuvastatin", "40", 300, None, "ongoing")],
        documents=[
            (
                NOTE,
                "Endocrinology clinic note",
                [
                    [
                        "Heterozygous familial hypercholesterolemia (Dutch Lipid Clinic score 8).",
                        "On rosuvastatin 40 mg since {ago[300]} with ezetimibe; LDL-C 176.",
                        "No contraindication to statins. No intolerance to other statins.",
                        "No other PCSK9 inhibitor or inclisiran. Plan: start Repatha.",
                    ]
                ],
            ),
            (LABS, "Laboratory report", [["Collected: {ago[20]}", "LDL cholesterol 176 mg/dL."]]),
        ],
        cite={
            "PRE-2": "No other PCSK9 inhibitor or inclisiran.",
            "1.i": "Heterozygous familial hypercholesterolemia",
            "3.A.ii": "On rosuvastatin 40 mg since",
            "4.if.a": "No intolerance to other statins.",
            "4.if.b": "No contraindication to statins.",
        },
        comment="LDL-C 176 mg/dL is below the policy's 190 mg/dL for an adult.",
    ),
    PolicyDemoCase(
        "P-3",
        "DEMO-2006",
        "Ahmed Haddad",
        date(1970, 1, 22),
        "nurse_review",
        16,
        "Dr. Nadia Okafor",
        "Cardiology",
        ("E78.01", "I21.4"),
        "Praluent",
        _every_two_weeks("75"),
        medications=[("Crestor 20 mg daily", None), ("clopidogrel 75 mg", None)],
        labs=[("LDL-C", "150", "mg/dL", 10)],
        therapies=[
            ("atorvastatin", "10", 690, 640, "intolerant"),
            ("Crestor", "20", 150, None, "ongoing"),
        ],
        documents=[
            (
                NOTE,
                "Cardiology clinic note",
                [
                    [
                        "NSTEMI this year; familial hypercholesterolemia suspected.",
                        "Atorvastatin 10 mg stopped for myalgia; on Crestor 20 mg since "
                        "{ago[150]}; LDL-C 150.",
                        "No contraindication to statins.",
                        "No other PCSK9 inhibitor or inclisiran. Plan: start Praluent 75 mg "
                        "every 2 weeks.",
                    ]
                ],
            ),
            (LABS, "Laboratory report", [["Collected: {ago[10]}", "LDL cholesterol 150 mg/dL."]]),
        ],
        choose=(
            "ascvd",
            "NSTEMI this year (I21.4): ASCVD, whose LDL-C threshold the member meets.",
        ),
        cite={
            "PRE-2": "No other PCSK9 inhibitor or inclisiran.",
            "2.i": "NSTEMI this year",
            "2.iii": "LDL cholesterol 150 mg/dL.",
            "3.A.ii": "on Crestor 20 mg since",
            "4.if.a": "Atorvastatin 10 mg stopped for myalgia",
            "4.if.b": "No contraindication to statins.",
        },
    ),
    PolicyDemoCase(
        "W-1",
        "DEMO-2007",
        "Lena Park",
        date(1977, 5, 30),
        "approved",
        18,
        "Dr. Mark Ellison",
        "Internal medicine",
        ("E66.811", "Z68.34", "I10"),
        "Wegovy",
        WEGOVY_INITIAL,
        medications=[("lisinopril 20 mg", None)],
        weight_kg="112",
        height_cm="180",
        documents=[
            (
                NOTE,
                "Internal medicine visit note",
                [
                    [
                        "Date of visit: {ago[7]}. Weight 112 kg, height 180 cm, BMI 34.6.",
                        "Referred to dietitian for a 500 kcal/day deficit, walking 150 minutes "
                        "a week.",
                        "No personal or family history of thyroid cancer.",
                        "Hypertension, treated with lisinopril.",
                        "Plan: start Wegovy 0.25 mg weekly, escalating.",
                    ]
                ],
            ),
            (MEDS, "Current medication list", [["lisinopril 20 mg daily. No GLP-1 agonist."]]),
        ],
        cite={
            "PRE-1": "No GLP-1 agonist.",
            "PRE-2": "No personal or family history of thyroid cancer.",
            "PRE-3": "Referred to dietitian for a 500 kcal/day deficit",
            "1.A.ii.a": "BMI 34.6",
            "1.A.ii.b.1": "BMI 34.6",
            "1.A.ii.b.2": "Hypertension, treated with lisinopril.",
        },
    ),
    PolicyDemoCase(
        "W-2",
        "DEMO-2008",
        "Gregory Walsh",
        date(1969, 9, 14),
        "physician_queue",
        20,
        "Dr. Mark Ellison",
        "Internal medicine",
        ("E66.812", "E11.9"),
        "Wegovy",
        WEGOVY_CONTINUATION,
        request_type="continuation",
        therapy_start_days=190,
        labs=[("Body weight", "118.0", "kg", 195), ("Body weight", "114.2", "kg", 5)],
        documents=[
            (
                NOTE,
                "Internal medicine visit note",
                [
                    [
                        "On Wegovy since {ago[190]}, now 2.4 mg weekly.",
                        "Weight 118.0 kg on {ago[195]}; 114.2 kg on {ago[5]}.",
                        "Continues the reduced-calorie diet and exercise plan.",
                        "No personal or family history of thyroid cancer.",
                        "No GLP-1 agonist other than Wegovy.",
                    ]
                ],
            ),
            (
                LABS,
                "Weight record",
                [["Body weight 118.0 kg on {ago[195]}.", "Body weight 114.2 kg on {ago[5]}."]],
            ),
        ],
        cite={
            "PRE-1": "No GLP-1 agonist other than Wegovy.",
            "PRE-2": "No personal or family history of thyroid cancer.",
            "PRE-3": "Continues the reduced-calorie diet and exercise plan.",
            "2.C": "now 2.4 mg weekly",
        },
        comment="3.2% weight loss in 6 months; the policy asks for 5%.",
    ),
    PolicyDemoCase(
        "W-3",
        "DEMO-2009",
        "Maya Robinson",
        date(2011, 2, 17),
        "approved",
        22,
        "Dr. Jonas Hale",
        "Pediatrics",
        ("E66.9",),
        "Wegovy",
        WEGOVY_INITIAL,
        weight_kg="95",
        height_cm="168",
        documents=[
            (
                NOTE,
                "Pediatric visit note",
                [
                    [
                        "Date of visit: {ago[10]}. Weight 95 kg, height 168 cm.",
                        "BMI 33.7 kg/m2, above the 97th percentile for age and sex on the CDC "
                        "growth chart.",
                        "Family-based lifestyle program enrolled.",
                        "No family history of medullary thyroid cancer or MEN 2.",
                        "No GLP-1 agonist or other weight-loss medicine.",
                    ]
                ],
            ),
            (
                Document.Kind.OTHER,
                "CDC BMI-for-age growth chart",
                [
                    [
                        "Measured on {ago[10]}: BMI 33.7 kg/m2 at age 15.",
                        "Plotted above the 97th percentile curve (girls, 2 to 20 years).",
                    ]
                ],
            ),
        ],
        cite={
            "PRE-1": "No GLP-1 agonist or other weight-loss medicine.",
            "PRE-2": "No family history of medullary thyroid cancer or MEN 2.",
            "PRE-3": "Family-based lifestyle program enrolled.",
            "1.B.iii": "above the 97th percentile for age and sex",
        },
    ),
]


def policy_document(spec: PolicyDemoCase, received: date, title: str, pages) -> bytes:
    """A document of a demo case: who it is about (and, for a note, who wrote it and the
    codes), then its lines with their dates filled in."""
    header = [
        f"Patient: {spec.member_name}    DOB: {spec.dob:%Y-%m-%d}    Member ID: {spec.member_id}",
        f"Provider: {spec.prescriber}, {spec.specialty}",
        f"Diagnosis codes: {', '.join(spec.codes)}.",
    ]
    ago = _Ago(received)
    filled = [[line.format(ago=ago) for line in lines] for lines in pages]
    filled[0] = header + filled[0]
    return _pdf(title, filled)


class Command(BaseCommand):
    help = "Create the demo users, the example policies and demo cases. Safe to run twice."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with a known password; it runs only with DJANGO_DEBUG on."
            )
        roles.roles_sync()
        User = get_user_model()
        for username, first, last, role, staff in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            user.set_password(settings.DEMO_PASSWORD)
            user.is_staff = staff
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"{'created' if created else 'updated'} {username} ({role})")
        self._policies()
        nurse = User.objects.get(username="nurse")
        physician = User.objects.get(username="physician")
        created = sum(self._case(spec, nurse, physician) for spec in CASES)
        created += sum(self._policy_case(spec, nurse) for spec in POLICY_CASES)
        total = len(CASES) + len(POLICY_CASES)
        self.stdout.write(f"demo cases: {created} created, {total - created} already there")
        self._appeal(nurse)
        self._claim_lines(User.objects.get(username="claims"))

    @transaction.atomic
    def _appeal(self, nurse) -> None:
        """The prescriber's appeal of one demo denial, waiting for the second physician (the
        first denied it, so may not take it)."""
        denied = Case.objects.filter(member_id=APPEALED_MEMBER, status=Case.Status.DENIED).first()
        if denied is None or Appeal.objects.filter(original=denied).exists():
            return
        spec = next(spec for spec in CASES if spec.member_id == APPEALED_MEMBER)
        received = timezone.localdate()
        slug = spec.member_name.lower().replace(" ", "-")
        files = [
            SimpleUploadedFile(f"appeal-letter-{slug}.pdf", appeal_letter(spec, received)),
            SimpleUploadedFile(f"medication-list-{slug}-updated.pdf", tysabri_stopped(spec)),
        ]
        appeal, _ = appeal_file(
            original=denied,
            actor=nurse,
            appellant_kind=Appeal.AppellantKind.PRESCRIBER,
            appellant_name=spec.prescriber,
            received_at=timezone.now().replace(microsecond=0),
            urgency=Case.Urgency.STANDARD,
            reason="Tysabri was stopped before the request; the updated medication list "
            "shows it. Please review the denial as a switch, not concurrent use.",
            documents=files,
            document_kind=Document.Kind.LETTER_OF_MEDICAL_NECESSITY,
        )
        for added in appeal.case.documents.all():
            document_extract_text(document_id=added.pk)
        self.stdout.write(f"created appeal {appeal.case.reference} of {denied.reference}")

    def _claim_lines(self, examiner) -> None:
        """Claim lines against the first two approved authorizations of a drug billed with a
        HCPCS code: one paid, one pended for review (no JZ/JW), one beyond the units left;
        and one for a member with no authorization. Ids are fixed, so a second run finds
        the same lines (the claim line id is the idempotency key)."""
        approvals = (
            Determination.objects.filter(outcome__in=["approved", "partially_approved"])
            .exclude(case__hcpcs_code="")
            .select_related("case")
            .order_by("pk")[:2]
        )
        lines = 0
        for determination in approvals:
            case = determination.case
            day = max(determination.approval_start, timezone.localdate() - timedelta(days=1))
            base = {
                "member_id": case.member_id,
                "date_of_service": min(day, determination.approval_end),
                "hcpcs_code": case.hcpcs_code,
                "billed_amount": "2450.00",
                "billing_npi": demo_npi("claims billing"),
                "rendering_npi": demo_npi(case.prescriber_name),
                "participating": True,
            }
            for suffix, units, modifiers in (("1", 1, ["JZ"]), ("2", 1, []), ("3", 40, ["JZ"])):
                data = claim_line_data(
                    claim_line_id=f"DEMO-{case.reference}-{suffix}",
                    units=units,
                    modifiers=modifiers,
                    **base,
                )
                claim_line_receive(actor=examiner, data=data)
                lines += 1
        if approvals:
            case = approvals[0].case
            data = claim_line_data(
                claim_line_id="DEMO-NO-AUTHORIZATION",
                member_id="M0000000",
                date_of_service=timezone.localdate(),
                hcpcs_code=case.hcpcs_code,
                units=1,
                modifiers=["JZ"],
                billed_amount="2450.00",
                billing_npi=demo_npi("claims billing"),
                rendering_npi=demo_npi("claims rendering"),
                participating=False,
            )
            claim_line_receive(actor=examiner, data=data)
            lines += 1
        self.stdout.write(f"demo claim lines: {lines}")

    def _policies(self) -> None:
        for path in sorted(Path(settings.BASE_DIR).glob(POLICIES)):
            doc = document.parse(path.read_text(encoding="utf-8"), references=reference_lists())
            if Policy.objects.filter(number=doc["policy"]["number"]).exists():
                continue
            version, outcome = policy_load(doc=doc)
            self.stdout.write(f"policy {version}: {outcome}")

    def _case(self, spec: DemoCase, nurse, physician) -> bool:
        if Case.objects.filter(member_id=spec.member_id).exists():
            return False
        received_at = timezone.now().replace(microsecond=0) - timedelta(hours=spec.hours_ago)
        received = timezone.localtime(received_at).date()
        if spec.drug == "Tysabri":
            regimen = TYSABRI_REGIMEN
        elif spec.drug == "Briumvi":
            regimen = BRIUMVI_REGIMEN
        else:
            regimen = (
                KESIMPTA_CONTINUATION if spec.request_type == "continuation" else KESIMPTA_REGIMEN
            )
        consult = spec.consult
        fields = {
            "member_name": spec.member_name,
            "member_id": spec.member_id,
            "member_dob": spec.dob,
            "prescriber_name": spec.prescriber,
            "prescriber_npi": demo_npi(spec.prescriber),
            "prescriber_credential": spec.credential,
            "prescriber_specialty": spec.specialty,
            "consulting_name": consult[0] if consult else "",
            "consulting_specialty": consult[1] if consult else "",
            "consult_date": received - timedelta(days=consult[2]) if consult else None,
            "diagnosis_codes": list(spec.codes),
            "drug_name": spec.drug,
            "hcpcs_code": spec.hcpcs,
            "regimen": regimen,
            "request_type": spec.request_type,
            "urgency": spec.urgency,
            "line_of_business": spec.lob,
            "received_at": received_at,
            "backdate_reason": "Faxed request entered from the overnight queue."
            if timedelta(hours=spec.hours_ago) > BACKDATE_GRACE
            else "",
            "therapy_start_date": received - timedelta(days=round(spec.months_on_drug * 30.44))
            if spec.months_on_drug is not None
            else None,
        }
        medications = [
            {
                "name": name,
                "stop_date": received + timedelta(days=stop) if stop is not None else None,
            }
            for name, stop in spec.medications
        ]
        case, _ = case_create(actor=nurse, fields=fields, medications=medications)
        slug = spec.member_name.lower().replace(" ", "-").replace("'", "")
        files = [
            (f"neurology-note-{slug}.pdf", neurology_note, Document.Kind.CLINICAL_NOTE),
            (f"medication-list-{slug}.pdf", medication_list, Document.Kind.MEDICATION_LIST),
        ]
        if spec.member_id != "DEMO-1024":  # its MRI report is the missing information
            files.insert(1, (f"mri-report-{slug}.pdf", mri_report, Document.Kind.MRI_REPORT))
        for name, build, kind in files:
            upload = SimpleUploadedFile(name, build(spec, received), "application/pdf")
            accepted, _ = document_add_many(case=case, actor=nurse, files=[upload], kind=kind)
            # Read now rather than after the commit (the background task will find it done):
            # the nurse's walk below cites passages of the text.
            for added in accepted:
                document_extract_text(document_id=added.pk)
        case = self._walk(case, spec, nurse, physician)
        self.stdout.write(f"created {case.reference} {spec.member_name} ({spec.state})")
        return True

    @transaction.atomic  # a demo case is made whole or not at all (the next run retries it)
    def _policy_case(self, spec: PolicyDemoCase, nurse) -> bool:
        """A demo case of the other example policies, entered and walked by the nurse."""
        if Case.objects.filter(member_id=spec.member_id).exists():
            return False
        received_at = timezone.now().replace(microsecond=0) - timedelta(hours=spec.hours_ago)
        received = timezone.localtime(received_at).date()

        def ago(days: int | None) -> date | None:
            return None if days is None else received - timedelta(days=days)

        consult = spec.consult
        fields = {
            "member_name": spec.member_name,
            "member_id": spec.member_id,
            "member_dob": spec.dob,
            "prescriber_name": spec.prescriber,
            "prescriber_npi": demo_npi(spec.prescriber),
            "prescriber_credential": "md",
            "prescriber_specialty": spec.specialty,
            "consulting_name": consult[0] if consult else "",
            "consulting_specialty": consult[1] if consult else "",
            "consult_date": ago(consult[2]) if consult else None,
            "diagnosis_codes": list(spec.codes),
            "drug_name": spec.drug,
            "hcpcs_code": spec.hcpcs,
            "regimen": spec.regimen,
            "request_type": spec.request_type,
            "urgency": "standard",
            "line_of_business": "commercial",
            "received_at": received_at,
            "backdate_reason": "Faxed request entered from the overnight queue."
            if timedelta(hours=spec.hours_ago) > BACKDATE_GRACE
            else "",
            "therapy_start_date": ago(spec.therapy_start_days),
            "weight_kg": spec.weight_kg,
            "height_cm": spec.height_cm,
        }
        case, _ = case_create(
            actor=nurse,
            fields=fields,
            medications=[
                {"name": name, "stop_date": ago(-stop) if stop is not None else None}
                for name, stop in spec.medications
            ],
            labs=[
                {"name": name, "value": value, "unit": unit, "taken_on": ago(days)}
                for name, value, unit, days in spec.labs
            ],
            therapies=[
                {
                    "drug_name": drug,
                    "dose": dose,
                    "dose_unit": "mg",
                    "started_on": ago(started),
                    "ended_on": ago(ended),
                    "outcome": outcome,
                }
                for drug, dose, started, ended, outcome in spec.therapies
            ],
            events=[
                {"kind": kind, "occurred_on": ago(days), "note": note}
                for kind, days, note in spec.events
            ],
        )
        slug = spec.member_name.lower().replace(" ", "-")
        for kind, title, pages in spec.documents:
            name = f"{title.lower().replace(' ', '-')}-{slug}.pdf"
            content = policy_document(spec, received, title, pages)
            upload = SimpleUploadedFile(name, content, "application/pdf")
            accepted, _ = document_add_many(case=case, actor=nurse, files=[upload], kind=kind)
            for added in accepted:
                document_extract_text(document_id=added.pk)
        case = self._policy_walk(case, spec, nurse)
        self.stdout.write(
            f"created {case.reference} {spec.member_name} ({spec.key}, {case.status})"
        )
        return True

    @staticmethod
    def _cited(case: Case, quote: str) -> dict:
        """The page of the case's documents that holds the quote, as the nurse cites it."""
        for page in DocumentPage.objects.filter(document__case=case).order_by("document", "number"):
            if quote_on_page(quote, page.text):
                return {
                    "evidence_document": page.document,
                    "evidence_page": page.number,
                    "evidence_quote": quote,
                }
        raise CommandError(f"{case.member_id}: no page of its documents says {quote!r}.")

    def _policy_walk(self, case: Case, spec: PolicyDemoCase, nurse) -> Case:
        """The nurse claims the case, chooses its indication when she must, answers the
        criteria asked (met with the quote cited, or a computed check's suggestion when it
        needs no passage or is not "met"), then approves, escalates or leaves it, as the demo
        case says."""
        nurse_review.case_claim(case=case, nurse=nurse)
        if spec.choose:
            key, reason = spec.choose
            case_indication_choose(case=case, nurse=nurse, indication=key, reason=reason)
        answered: set[str] = set()
        while True:  # answering a condition can ask more criteria (an "if")
            state = case_review_state(case=Case.objects.get(pk=case.pk))
            open_steps = [s for s in state.steps if s.node.label not in answered]
            if not open_steps:
                break
            for step in open_steps:
                label = step.node.label
                answered.add(label)
                suggestion = state.suggestions.get(label)
                answer = suggestion.answer if suggestion else "met"
                if label in spec.cite:
                    evidence = self._cited(case, spec.cite[label])
                elif suggestion is not None and (
                    answer != "met"
                    or (suggestion.stands_as_evidence and check_stands_as_evidence(step.node.check))
                ):
                    evidence = {}
                else:
                    # A "met" she has no passage for: an alternative the case does not rest on
                    # (or, on the decided path, the approval below says what is missing).
                    continue
                nurse_review.criterion_answer_save(
                    case=case, nurse=nurse, label=label, answer=answer, **evidence
                )
        if spec.state == Case.Status.APPROVED:
            nurse_review.case_approve_by_nurse(case=case, nurse=nurse)
        elif spec.state == Case.Status.PHYSICIAN_QUEUE:
            nurse_review.case_escalate(case=case, nurse=nurse, comment=spec.comment)
        return Case.objects.get(pk=case.pk)

    @staticmethod
    def _evidence(case: Case, passages) -> dict:
        """The first passage the evidence finder suggests, as a nurse would choose it."""
        if not passages:
            return {}
        passage = passages[0]
        return {
            "evidence_document": case.documents.get(pk=passage.document_id),
            "evidence_page": passage.page,
            "evidence_quote": passage.text,
        }

    def _walk(self, case: Case, spec: DemoCase, nurse, physician) -> Case:
        """Take a case to its demo state through the real services, as reviewers would."""
        if spec.state == Case.Status.NURSE_REVIEW:
            return case
        if case.status == Case.Status.NURSE_REVIEW:
            nurse_review.case_claim(case=case, nurse=nurse)
            state = case_review_state(case=case)
            passages = case_evidence(case=case, state=state)
            for step in state.steps:
                suggestion = state.suggestions.get(step.node.label)
                answer = suggestion.answer if suggestion else "met"
                nurse_review.criterion_answer_save(
                    case=case,
                    nurse=nurse,
                    label=step.node.label,
                    answer=answer,
                    **self._evidence(case, passages.get(step.node.label, [])),
                )
            if spec.state == Case.Status.APPROVED:
                nurse_review.case_approve_by_nurse(case=case, nurse=nurse)
                return Case.objects.get(pk=case.pk)
            nurse_review.case_escalate(
                case=case,
                nurse=nurse,
                comment=spec.note or "Criteria look met, but please review the clinical picture.",
            )
        if spec.state == Case.Status.PHYSICIAN_QUEUE:
            return Case.objects.get(pk=case.pk)
        physician_review.case_claim_physician(case=case, physician=physician)
        if spec.state == Case.Status.PARTIALLY_APPROVED:
            start, days = timezone.localdate(), spec.partial_days
            quantity = authorized_quantity(
                Regimen.from_dict(case.regimen), start=start, days=days, phase="initial"
            )
            physician_review.case_partially_approve(
                case=case,
                physician=physician,
                approval_start=start,
                approval_end=start + timedelta(days=days - 1),
                authorized_doses=quantity.doses,
                rationale=f"We approved the first {days} days of treatment. Before we can approve "
                "more, your doctor needs to send a follow-up MRI showing how you respond.",
            )
        elif spec.state == Case.Status.DENIED:
            failing = list(case_review_state(case=case).evaluation.failing)
            physician_review.case_deny(
                case=case,
                physician=physician,
                criteria_cited=failing[:2],
                rationale=spec.note + " The policy's requirement named below was not met, "
                "so we cannot approve Kesimpta at this time.",
            )
        elif spec.state == Case.Status.INFO_REQUESTED:
            physician_review.info_request_create(
                case=case,
                physician=physician,
                missing="The most recent brain MRI report (within the last 12 months).",
                wait_until=timezone.now() + timedelta(days=7),
            )
        return Case.objects.get(pk=case.pk)
