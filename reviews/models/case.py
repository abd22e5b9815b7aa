"""Prior-authorization requests (cases), their documents, the audit trail and the deadline table."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reviews.engine.checks import age_on
from reviews.engine.dosing import Regimen
from reviews.models.audit import AppendOnlyModel
from reviews.models.policy import Policy, PolicyVersion


class LineOfBusiness(models.TextChoices):
    COMMERCIAL = "commercial", "Commercial"
    MEDICARE_PART_B = "medicare_advantage_part_b", "Medicare Advantage, Part B drug"
    MEDICAID_MA_MEDICAL = "medicaid_ma_medical", "Medicaid / MA medical items"


class Urgency(models.TextChoices):
    STANDARD = "standard", "Standard"
    EXPEDITED = "expedited", "Expedited"


class CaseStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    NURSE_REVIEW = "nurse_review", "Nurse review"
    PHYSICIAN_QUEUE = "physician_queue", "Physician queue"
    PHYSICIAN_REVIEW = "physician_review", "Physician review"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DENIED = "denied", "Denied"
    INFO_REQUESTED = "info_requested", "Information requested"


class RequestType(models.TextChoices):
    INITIAL = "initial", "Initial"
    CONTINUATION = "continuation", "Continuation"


class Credential(models.TextChoices):
    """The prescriber's professional credential: a role, apart from the specialty they
    practise (a nurse practitioner may work in neurology)."""

    MD = "md", "MD"
    DO = "do", "DO"
    NP = "np", "NP (nurse practitioner)"
    PA = "pa", "PA (physician assistant)"
    OTHER = "other", "Other"


class DocumentKind(models.TextChoices):
    CLINICAL_NOTE = "clinical_note", "Clinical note"
    MRI_REPORT = "mri_report", "MRI report"
    LAB_RESULT = "lab_result", "Lab result"
    MEDICATION_LIST = "medication_list", "Medication list"
    LETTER_OF_MEDICAL_NECESSITY = "letter_of_medical_necessity", "Letter of medical necessity"
    OTHER = "other", "Other"


class ExtractionStatus(models.TextChoices):
    PENDING = "pending", "Text extraction pending"
    DONE = "done", "Text extracted"
    FAILED = "failed", "Text extraction failed"
    NOT_APPLICABLE = "not_applicable", "Image (no text extraction)"


def _in(field: str, choices: type[models.TextChoices], *, blank: bool = False) -> Q:
    values = list(choices.values) + ([""] if blank else [])
    return Q(**{f"{field}__in": values})


class DeadlineRule(models.Model):
    """How long the plan has to decide, by line of business and urgency. Admins edit it.

    Hours count from the moment of receipt. Calendar days end at 23:59:59 local time
    (settings.TIME_ZONE) of the last day, where the day of receipt is day 0: a standard
    commercial request received on 1 March at 09:00 is due on 16 March at 23:59:59.
    A rule changed later does not move the due time of cases already received: each case
    keeps its due time and a text snapshot of the rule it came from.
    """

    class Unit(models.TextChoices):
        HOURS = "hours", "hours"
        CALENDAR_DAYS = "calendar_days", "calendar days"

    line_of_business = models.CharField(max_length=40, choices=LineOfBusiness.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    amount = models.PositiveIntegerField()
    unit = models.CharField(max_length=15, choices=Unit.choices)
    source = models.CharField(max_length=200, help_text="The rule's origin, e.g. NCQA UM 5.")

    class Meta:
        ordering = ["line_of_business", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["line_of_business", "urgency"], name="deadlinerule_unique_lob_urgency"
            ),
            models.CheckConstraint(
                condition=_in("line_of_business", LineOfBusiness), name="deadlinerule_lob_valid"
            ),
            models.CheckConstraint(
                condition=_in("urgency", Urgency), name="deadlinerule_urgency_valid"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=["hours", "calendar_days"]), name="deadlinerule_unit_valid"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="deadlinerule_amount_positive"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_line_of_business_display()}, {self.get_urgency_display().lower()}: "
            f"{self.amount} {self.get_unit_display()} ({self.source})"
        )

    def due_at(self, received_at: datetime) -> datetime:
        """The decision deadline for a request received at `received_at` (aware)."""
        if self.unit == self.Unit.HOURS:
            # In UTC: aware arithmetic in a local zone adds wall-clock hours, which across a
            # daylight-saving change is an hour more or less than the rule allows.
            return received_at.astimezone(UTC) + timedelta(hours=self.amount)
        zone = ZoneInfo(settings.TIME_ZONE)
        last_day = timezone.localtime(received_at, zone).date() + timedelta(days=self.amount)
        return datetime.combine(last_day, time(23, 59, 59), tzinfo=zone)


def deadline_state(received_at: datetime, due_at: datetime, now: datetime) -> str:
    """ "overdue" past the due time; "at_risk" with less than a quarter of the time left."""
    if now > due_at:
        return "overdue"
    if (due_at - now) * 4 < (due_at - received_at):
        return "at_risk"
    return ""


class ReferenceSequence(models.Model):
    """The last reference number handed out in a year (PA-2026-000123)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(models.Model):
    """One prior-authorization request."""

    Status = CaseStatus
    RequestType = RequestType
    LineOfBusiness = LineOfBusiness
    Urgency = Urgency
    Credential = Credential

    reference = models.CharField(max_length=20, unique=True)

    member_name = models.CharField(max_length=200)
    member_id = models.CharField(max_length=40, db_index=True)
    member_dob = models.DateField("member date of birth")

    prescriber_name = models.CharField(max_length=200)
    prescriber_npi = models.CharField("prescriber NPI", max_length=10)
    prescriber_credential = models.CharField(
        max_length=5, choices=Credential.choices, blank=True, help_text="Empty: not given."
    )
    prescriber_specialty = models.CharField(max_length=100)
    consulting_name = models.CharField("consulted specialist", max_length=200, blank=True)
    consulting_specialty = models.CharField(max_length=100, blank=True)
    consult_date = models.DateField(null=True, blank=True)

    diagnosis_codes = models.JSONField(default=list, help_text='ICD-10-CM, e.g. ["G35.A"]')
    drug_name = models.CharField(max_length=100)
    hcpcs_code = models.CharField("HCPCS code", max_length=5, blank=True)
    regimen = models.JSONField(help_text="The requested regimen (engine Regimen.to_dict()).")
    request_type = models.CharField(max_length=12, choices=RequestType.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    line_of_business = models.CharField(max_length=40, choices=LineOfBusiness.choices)
    therapy_start_date = models.DateField(
        null=True, blank=True, help_text="Continuation: when therapy with the drug began."
    )

    received_at = models.DateTimeField()
    backdate_reason = models.TextField(blank=True)
    due_at = models.DateTimeField()
    deadline_rule = models.ForeignKey(
        DeadlineRule, null=True, on_delete=models.SET_NULL, related_name="cases"
    )
    deadline_rule_text = models.CharField(
        max_length=300, help_text="The rule as it stood when the case arrived."
    )

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    policy = models.ForeignKey(
        Policy, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    policy_version = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    not_in_policy = models.BooleanField(default=False)
    # Set by the deadline sweep: "at_risk" when under a quarter of the time is left,
    # "overdue" past the due time; cleared when the case is decided.
    deadline_flag = models.CharField(
        max_length=10, blank=True, choices=[("at_risk", "At risk"), ("overdue", "Overdue")]
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_in("status", CaseStatus), name="case_status_valid"),
            models.CheckConstraint(
                condition=_in("request_type", RequestType), name="case_request_type_valid"
            ),
            models.CheckConstraint(condition=_in("urgency", Urgency), name="case_urgency_valid"),
            models.CheckConstraint(
                condition=_in("line_of_business", LineOfBusiness), name="case_lob_valid"
            ),
            models.CheckConstraint(
                condition=_in("prescriber_credential", Credential, blank=True),
                name="case_prescriber_credential_valid",
            ),
            models.CheckConstraint(
                condition=Q(deadline_flag__in=["", "at_risk", "overdue"]),
                name="case_deadline_flag_valid",
            ),
            # A case is either pinned to a policy version or marked not in policy.
            models.CheckConstraint(
                condition=Q(not_in_policy=True, policy_version__isnull=True)
                | Q(not_in_policy=False, policy_version__isnull=False),
                name="case_pinned_or_not_in_policy",
            ),
        ]
        indexes = [
            # The work queues: "cases in status S, soonest due first"
            # (Case.objects.filter(status=...).order_by("due_at")).
            models.Index(fields=["status", "due_at"], name="case_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.member_name} ({self.drug_name})"

    @property
    def is_open(self) -> bool:
        from reviews.workflow import CLOSED  # the transition table imports this module

        return self.status not in CLOSED

    @property
    def received_on(self) -> date:
        """The local calendar date of receipt: the request date the criteria use."""
        return timezone.localtime(self.received_at).date()

    @property
    def member_age(self) -> int:
        """Age on the request date (the date of receipt), as the policy's age check reads it."""
        return age_on(self.member_dob, self.received_on)

    @property
    def deadline_state(self) -> str:
        """As of now: "overdue", "at_risk" or ""; "" once decided."""
        return deadline_state(self.received_at, self.due_at, timezone.now()) if self.is_open else ""

    @property
    def is_overdue(self) -> bool:
        return self.is_open and timezone.now() > self.due_at

    @property
    def time_left(self) -> str:
        """E.g. "2 days 4 hours left", "overdue by 3 hours", "decided"."""
        if not self.is_open:
            return "decided"
        seconds = int((self.due_at - timezone.now()).total_seconds())
        text = duration_text(abs(seconds))
        return f"overdue by {text}" if seconds < 0 else f"{text} left"

    @property
    def regimen_text(self) -> str:
        try:
            regimen = Regimen.from_dict(self.regimen)
        except ValueError:
            return "(regimen not readable)"
        parts = [f"{regimen.dose_amount} {regimen.dose_unit} {regimen.route}"]
        if regimen.loading_weeks:
            weeks = ", ".join(str(w) for w in regimen.loading_weeks)
            parts.append(f"loading at week{'s' if len(regimen.loading_weeks) > 1 else ''} {weeks}")
        if regimen.maintenance:
            parts.append(
                f"then {regimen.maintenance.describe()} from week {regimen.maintenance.start_week}"
            )
        return "; ".join(parts)


def duration_text(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} day{'s' * (days != 1)} {hours} hour{'s' * (hours != 1)}"
    if hours:
        return f"{hours} hour{'s' * (hours != 1)} {minutes} min"
    return f"{minutes} min"


class CaseMedication(models.Model):
    """A current medication as the request lists it: it continues, or stops on a date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="medications")
    name = models.CharField(max_length=200)
    stop_date = models.DateField(null=True, blank=True, help_text="Empty: continues.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["case", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} (stops {self.stop_date})" if self.stop_date else self.name


class Document(models.Model):
    """A file submitted with a case. Stored privately under a random name."""

    Kind = DocumentKind
    Extraction = ExtractionStatus

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, help_text="Sniffed from the content.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    extraction_status = models.CharField(
        max_length=20, choices=Extraction.choices, default=Extraction.PENDING
    )
    extraction_error = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "uploaded_at", "pk"]
        constraints = [
            # The same file twice on one case is refused (the service says which file).
            models.UniqueConstraint(fields=["case", "sha256"], name="document_unique_per_case"),
            models.CheckConstraint(condition=_in("kind", DocumentKind), name="document_kind_valid"),
            models.CheckConstraint(
                condition=_in("extraction_status", ExtractionStatus),
                name="document_extraction_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_previewable_image(self) -> bool:
        # Browsers show PNG and JPEG; TIFF gets a link instead.
        return self.content_type in {"image/png", "image/jpeg"}


class StagedUpload(models.Model):
    """A file sent with an intake that failed validation, kept privately for its sender's
    corrected submission, which attaches it to the new case. Only the user who sent it can
    name it (by its random token); older than MAX_AGE, it is purged."""

    MAX_AGE = timedelta(hours=24)

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, help_text="Sniffed from the content.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class DocumentPage(models.Model):
    """The text of one page of a PDF, extracted in the background."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField(help_text="1-based.")
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="documentpage_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} p. {self.number}"


class CaseEventKind(models.TextChoices):
    """What a case event records; the audit search lists these, labelled."""

    RECEIVED = "received", "Request received"
    STATUS = "status", "Status changed"
    CLAIMED = "claimed", "Claimed"
    ANSWER = "answer", "Criterion answered"
    CASE_VIEWED = "case_viewed", "Case viewed"
    DOCUMENT_ADDED = "document_added", "Document added"
    DOCUMENTS_REJECTED = "documents_rejected", "Documents refused"
    DOCUMENT_VIEWED = "document_viewed", "Document viewed"
    DOCUMENT_DOWNLOADED = "document_downloaded", "Document downloaded"
    DOCUMENT_TEXT_EXTRACTED = "document_text_extracted", "Document text read"
    DOCUMENT_TEXT_FAILED = "document_text_failed", "Document text unreadable"
    LETTER_ISSUED = "letter_issued", "Letter issued"
    LETTER_RENDERED = "letter_rendered", "Letter PDF made"
    LETTER_RENDER_FAILED = "letter_render_failed", "Letter PDF failed"
    LETTER_DOWNLOADED = "letter_downloaded", "Letter downloaded"
    DEADLINE_FLAG = "deadline_flag", "Deadline flag changed"
    PEER_TO_PEER_OFFERED = "peer_to_peer_offered", "Peer-to-peer offered"
    PEER_TO_PEER_HELD = "peer_to_peer_held", "Peer-to-peer held"


class CaseEvent(AppendOnlyModel):
    """Append-only audit: who did what to which case, and when. Nothing updates a row."""

    Kind = CaseEventKind

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for the system (background work).",
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("from_status", CaseStatus, blank=True),
                name="caseevent_from_status_valid",
            ),
            models.CheckConstraint(
                condition=_in("to_status", CaseStatus, blank=True), name="caseevent_to_status_valid"
            ),
            models.CheckConstraint(
                condition=_in("kind", CaseEventKind), name="caseevent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def from_status_label(self) -> str:
        return CaseStatus(self.from_status).label if self.from_status else ""

    @property
    def to_status_label(self) -> str:
        return CaseStatus(self.to_status).label if self.to_status else ""
