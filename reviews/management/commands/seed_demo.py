"""Demo data for a local run: one user per role, the Kesimpta policy and about 25 cases in
every state, each with clinical-note PDFs whose text matches it. Idempotent; refuses when
DEBUG is off."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reviews import roles
from reviews.engine import document
from reviews.engine.dosing import Regimen, authorized_quantity
from reviews.intake import BACKDATE_GRACE, npi_is_valid
from reviews.models import Case, Document, Policy
from reviews.reference_lists import reference_lists
from reviews.selectors.review import case_evidence, case_review_state
from reviews.services import nurse_review, physician_review
from reviews.services.cases import case_create
from reviews.services.documents import document_add_many, document_extract_text
from reviews.services.policies import policy_load

DEMO_USERS = [
    # username, first, last, role, staff (the Django admin is where policy admins work)
    ("nurse", "Nora", "Reyes, RN", roles.NURSE, False),
    ("physician", "Philip", "Osei, MD", roles.PHYSICIAN, False),
    ("policyadmin", "Paula", "Adams, PharmD", roles.POLICY_ADMIN, True),
    ("auditor", "Aditi", "Rao", roles.AUDITOR, False),
]

KESIMPTA_POLICY = "policies/kesimpta-2020910.yaml"
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
OCREVUS_REGIMEN = {
    "phases": [
        {
            "name": "Maintenance",
            "dose": {"amount": "600", "unit": "mg"},
            "route": "intravenous",
            "schedule": {"every": 6, "unit": "calendar_month"},
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
        drug="Ocrevus",
        hcpcs="J2350",
        codes=("G35.B1",),
        prior="none",
        relapses=0,
        edss="5.0",
        note="Primary progressive MS; Ocrevus has no policy here.",
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


class Command(BaseCommand):
    help = "Create the demo users, the Kesimpta policy and demo cases. Safe to run twice."

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
        self._policy()
        nurse = User.objects.get(username="nurse")
        physician = User.objects.get(username="physician")
        created = sum(self._case(spec, nurse, physician) for spec in CASES)
        self.stdout.write(f"demo cases: {created} created, {len(CASES) - created} already there")

    def _policy(self) -> None:
        if Policy.objects.filter(number="2020910").exists():
            return
        text = (Path(settings.BASE_DIR) / KESIMPTA_POLICY).read_text()
        version, outcome = policy_load(doc=document.parse(text, references=reference_lists()))
        self.stdout.write(f"policy {version}: {outcome}")

    def _case(self, spec: DemoCase, nurse, physician) -> bool:
        if Case.objects.filter(member_id=spec.member_id).exists():
            return False
        received_at = timezone.now().replace(microsecond=0) - timedelta(hours=spec.hours_ago)
        received = timezone.localtime(received_at).date()
        if spec.drug == "Ocrevus":
            regimen = OCREVUS_REGIMEN
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
            start = timezone.localdate()
            quantity = authorized_quantity(
                Regimen.from_dict(case.regimen), start=start, days=90, phase="initial"
            )
            physician_review.case_partially_approve(
                case=case,
                physician=physician,
                approval_start=start,
                approval_end=start + timedelta(days=89),
                authorized_doses=quantity.doses,
                rationale="We approved the first 90 days of treatment. Before we can approve "
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
