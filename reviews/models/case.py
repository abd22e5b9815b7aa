"""Prior-authorization requests (cases): the request, its medications, its reference."""

import re
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reviews.engine.checks import age_on, bmi
from reviews.engine.document import DEFAULT_PATH_NAMES
from reviews.engine.dosing import Regimen
from reviews.models.choices import (
    CaseStatus,
    Credential,
    LineOfBusiness,
    RequestType,
    Urgency,
    in_choices,
)
from reviews.models.deadlines import DeadlineRule, deadline_state, duration_text
from reviews.models.policy import Policy, PolicyDrug, PolicyVersion
from reviews.models.transitions import CLOSED

# The physician queue's statuses: escalated and waiting, or claimed by a physician.
PHYSICIAN_WAITING = [CaseStatus.PHYSICIAN_QUEUE, CaseStatus.PHYSICIAN_REVIEW]

_REFERENCE = re.compile(r"^(?:PA-)?(\d{4})-(\d{1,6})$", re.IGNORECASE)


def reference_format(year: int, number: int) -> str:
    """A case's reference: PA-<year>-<number, six digits>."""
    return f"PA-{year}-{number:06d}"


def reference_normal(text: str) -> str:
    """The reference a search means: "pa-2026-777" and "2026-000777" are PA-2026-000777;
    anything else upper-cased, so an exact lookup finds what was typed in any case."""
    found = _REFERENCE.match(text.strip())
    return reference_format(int(found[1]), int(found[2])) if found else text.strip().upper()


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
    drug_name = models.CharField(max_length=100, help_text="As the requester typed it.")
    hcpcs_code = models.CharField("HCPCS code", max_length=5, blank=True)
    regimen = models.JSONField(help_text="The requested regimen (engine Regimen.to_dict()).")
    request_type = models.CharField(max_length=12, choices=RequestType.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    line_of_business = models.CharField(max_length=40, choices=LineOfBusiness.choices)
    therapy_start_date = models.DateField(
        null=True, blank=True, help_text="Continuation: when therapy with the drug began."
    )
    weight_kg = models.DecimalField(
        "weight (kg)", max_digits=5, decimal_places=1, null=True, blank=True
    )
    height_cm = models.DecimalField(
        "height (cm)", max_digits=4, decimal_places=1, null=True, blank=True
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
    # Decided: the status is one no transition leaves. Kept by the database from the status,
    # so the case list ("open first, soonest due first") reads an index in order.
    closed = models.GeneratedField(
        expression=models.Case(
            models.When(status__in=sorted(CLOSED), then=models.Value(True)),
            default=models.Value(False),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    policy = models.ForeignKey(
        Policy, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    policy_version = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    policy_drug = models.ForeignKey(
        PolicyDrug,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        help_text="The drug of the policy the request named (by brand, generic, code or NDC).",
    )
    not_in_policy = models.BooleanField(default=False)
    # The key of the pinned version's indication the request is for (its criteria, periods
    # and dosing); blank until chosen, and blank for a request that fits none of them.
    indication = models.CharField(max_length=60, blank=True)
    indication_reason = models.TextField(
        blank=True, help_text="Why the indication was chosen (or why none fits)."
    )
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
    # A continuation request names the authorization it continues (docs/renewals.md): its
    # approval starts the day after that one ends, and its time on the drug counts.
    continues = models.ForeignKey(
        "reviews.Determination",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="continuations",
        help_text="The authorization this continuation request continues.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=in_choices("status", CaseStatus), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=in_choices("request_type", RequestType), name="case_request_type_valid"
            ),
            models.CheckConstraint(
                condition=in_choices("urgency", Urgency), name="case_urgency_valid"
            ),
            models.CheckConstraint(
                condition=in_choices("line_of_business", LineOfBusiness), name="case_lob_valid"
            ),
            models.CheckConstraint(
                condition=in_choices("prescriber_credential", Credential, blank=True),
                name="case_prescriber_credential_valid",
            ),
            models.CheckConstraint(
                condition=Q(deadline_flag__in=["", "at_risk", "overdue"]),
                name="case_deadline_flag_valid",
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True) | Q(weight_kg__gt=0, weight_kg__lte=1000),
                name="case_weight_kg_range",
            ),
            models.CheckConstraint(
                condition=Q(height_cm__isnull=True) | Q(height_cm__gt=0, height_cm__lte=300),
                name="case_height_cm_range",
            ),
            # A case is either pinned to a policy version or marked not in policy.
            # Only a continuation continues an authorization.
            models.CheckConstraint(
                condition=Q(continues__isnull=True) | Q(request_type=RequestType.CONTINUATION),
                name="case_continues_only_continuation",
            ),
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
            models.Index(fields=["closed", "due_at", "id"], name="case_list_idx"),
            # The physician queue (two statuses, soonest due first) read in order.
            models.Index(
                fields=["due_at", "id"],
                name="case_physician_queue_idx",
                condition=Q(status__in=PHYSICIAN_WAITING),
            ),
            # A queue's drug filter lists the drugs in it (queue_drugs): read from the index
            # alone, not from the queue's rows (0.2 ms instead of 1.4 at 2,000 cases).
            models.Index(fields=["status", "drug_name"], name="case_queue_drug_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.member_name} ({self.drug_name})"

    @property
    def drug(self) -> str:
        """The drug as the policy names it ("Brand (generic)"), or as typed when no policy
        drug matched. Screens and letters show this; drug_name keeps what was typed."""
        return str(self.policy_drug) if self.policy_drug_id else self.drug_name

    @cached_property
    def indication_row(self):
        """The pinned version's Indication this case is for; None when none is chosen (or
        the case is in no policy). Read once per case object: the page, the terms and the
        letter all ask it."""
        if not (self.indication and self.policy_version_id):
            return None
        return self.policy_version.indications.filter(key=self.indication).first()

    @property
    def indication_name(self) -> str:
        """The chosen indication as the pinned version names it; "" when none is chosen."""
        found = self.indication_row
        return found.name if found else self.indication

    @property
    def path_name(self) -> str:
        """The request type as the pinned version names it (version.paths)."""
        if self.policy_version_id:
            return self.policy_version.path_names[self.request_type]
        return DEFAULT_PATH_NAMES.get(self.request_type, self.get_request_type_display())

    @property
    def is_open(self) -> bool:
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
    def bmi(self) -> Decimal | None:
        """kg/m², one decimal; None unless weight and height are both known."""
        return bmi(self.weight_kg, self.height_cm)

    @property
    def regimen_text(self) -> str:
        try:
            return Regimen.from_dict(self.regimen).describe()
        except ValueError:
            return "(regimen not readable)"


class CaseMedication(models.Model):
    """A current medication as the request lists it: it continues, or stops on a date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="medications")
    name = models.CharField(max_length=200)
    stop_date = models.DateField(null=True, blank=True, help_text="Empty: continues.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["case_id", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} (stops {self.stop_date})" if self.stop_date else self.name
