"""The API's shapes. Input serializers check types and sizes. The rules of an intake are
reviews/intake.py's, run by the intake service whichever face a request comes through; the
review pages' rules stay in their forms (reviews/forms/review.py), which the views run on
the same values, their input fields derived from those forms' fields (`from_form`).
"""

from django import forms
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews import intake
from reviews.forms import review as review_forms
from reviews.models import (
    Case,
    CaseClinicalEvent,
    CaseEvent,
    CaseLab,
    CaseMedication,
    CaseTherapy,
    ClaimLine,
    CriterionAnswer,
    Determination,
    Document,
    Letter,
    Policy,
    PolicyDrug,
    PolicyVersion,
    TherapyOutcome,
)
from reviews.models.decisions import x12_action_code_for_case
from reviews.selectors.claims import authorization_units

# ---- input: derived from the pages' forms ----------------------------------------------------


def _field_from_form(field: forms.Field) -> serializers.Field:
    common = {"required": field.required, "help_text": str(field.help_text or "") or None}
    if not field.required:
        common["allow_null"] = True
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.ListField(
            child=serializers.CharField(max_length=100), max_length=100, **common
        )
    if isinstance(field, forms.ChoiceField):
        choices = [value for value, _ in field.choices if value != ""]
        return serializers.ChoiceField(choices=choices, allow_blank=not field.required, **common)
    if isinstance(field, forms.DateTimeField):
        return serializers.DateTimeField(**common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=field.max_digits,
            decimal_places=field.decimal_places,
            min_value=field.min_value,
            max_value=field.max_value,
            coerce_to_string=False,
            **common,
        )
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(
            min_value=field.min_value, max_value=field.max_value, **common
        )
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(field, forms.CharField):
        return serializers.CharField(
            max_length=field.max_length,
            min_length=field.min_length,
            allow_blank=not field.required,
            trim_whitespace=False,
            **common,
        )
    raise TypeError(f"No API field for {type(field).__name__}")


def from_form(form_class, names: list[str], **form_kwargs) -> dict[str, serializers.Field]:
    form = form_class(**form_kwargs)
    return {name: _field_from_form(form.fields[name]) for name in names}


def serializer_for(name: str, fields: dict[str, serializers.Field], **extra) -> type:
    return type(name, (serializers.Serializer,), {**fields, **extra})


# ---- input: intake ---------------------------------------------------------------------------
# JSON types and sizes only; the request's rules are reviews/intake.py's, which
# services.cases.case_create runs (its errors come back at these fields' paths).


def _text(name: str, *, required: bool = True, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=intake.max_length(name),
        required=required,
        allow_blank=not required,
        allow_null=not required,
        trim_whitespace=False,
        **kwargs,
    )


def _optional(field_class, **kwargs):
    return field_class(required=False, allow_null=True, **kwargs)


DoseIn = serializer_for(
    "DoseIn",
    {
        "amount": serializers.DecimalField(
            max_digits=10, decimal_places=intake.DOSE_PLACES, coerce_to_string=False
        ),
        "unit": serializers.ChoiceField(choices=[v for v, _ in intake.DOSE_UNITS]),
    },
)
ScheduleIn = serializer_for(
    "ScheduleIn",
    {
        "at": serializers.ListField(
            child=serializers.IntegerField(),
            max_length=intake.MAX_LOADING_DOSES,
            required=False,
            help_text="A series: offsets from the first dose in `unit` (day or week), "
            "e.g. [0, 14]. Give `at` or `every`.",
        ),
        "every": serializers.IntegerField(
            required=False, help_text="A repeating schedule: how many units apart, 1 to 365."
        ),
        "unit": serializers.ChoiceField(choices=[v for v, _ in intake.SCHEDULE_UNITS]),
        "start": serializers.IntegerField(
            required=False, help_text="A repeating schedule's first dose, in start_unit."
        ),
        "start_unit": serializers.ChoiceField(
            choices=[v for v, _ in intake.OFFSET_UNIT_CHOICES], required=False
        ),
    },
)
PhaseIn = serializer_for(
    "PhaseIn",
    {
        "name": serializers.CharField(
            max_length=intake.PHASE_NAME_MAX, required=False, allow_blank=True
        ),
        "dose": DoseIn(),
        "route": serializers.ChoiceField(choices=[v for v, _ in intake.ROUTES]),
        "schedule": ScheduleIn(),
        "initial_only": serializers.BooleanField(
            default=False, help_text="Given on an initial request only."
        ),
    },
)
RegimenIn = serializer_for(
    "RegimenIn",
    {
        "phases": PhaseIn(
            many=True,
            max_length=intake.MAX_PHASES,
            help_text="One or more phases, each a dose on a schedule (see docs/policy-format.md).",
        ),
    },
)
MedicationIn = serializer_for(
    "MedicationIn",
    {
        "name": serializers.CharField(
            max_length=intake.MEDICATION_NAME_MAX, allow_blank=True, trim_whitespace=False
        ),
        "stop_date": _optional(serializers.DateField, help_text="Empty: the medication continues."),
    },
)

# Numbers as JSON numbers or text; their ranges and places are the intake rules'.
_any_decimal = {"max_digits": None, "decimal_places": None, "coerce_to_string": False}
LabIn = serializer_for(
    "LabIn",
    {
        "name": serializers.CharField(max_length=200, trim_whitespace=False),
        "loinc": serializers.CharField(
            max_length=20,
            required=False,
            allow_blank=True,
            allow_null=True,
            help_text="e.g. 2345-7.",
        ),
        "value": serializers.DecimalField(**_any_decimal),
        "unit": serializers.CharField(
            max_length=100, required=False, allow_blank=True, allow_null=True
        ),
        "taken_on": serializers.DateField(help_text="When the sample was taken."),
    },
)
TherapyIn = serializer_for(
    "TherapyIn",
    {
        "drug_name": serializers.CharField(max_length=400, trim_whitespace=False),
        "dose": _optional(serializers.DecimalField, **_any_decimal),
        "dose_unit": serializers.ChoiceField(
            choices=[v for v, _ in intake.DOSE_UNITS],
            required=False,
            allow_blank=True,
            allow_null=True,
        ),
        "started_on": _optional(serializers.DateField),
        "ended_on": _optional(serializers.DateField),
        "outcome": serializers.ChoiceField(choices=TherapyOutcome.values),
    },
)
ClinicalEventIn = serializer_for(
    "ClinicalEventIn",
    {
        "kind": serializers.CharField(
            max_length=200, trim_whitespace=False, help_text='Free text, e.g. "relapse".'
        ),
        "occurred_on": serializers.DateField(),
        "note": serializers.CharField(
            max_length=intake.NOTE_MAX, required=False, allow_blank=True, allow_null=True
        ),
    },
)
FACT_LISTS = ("labs", "therapies", "events")


class CaseCreateSerializer(serializers.Serializer):
    """Every intake field of the page, with the codes as a list and the regimen as an object.
    Documents are uploaded afterwards to the case's documents."""

    member_name = _text("member_name")
    member_id = _text("member_id")
    member_dob = serializers.DateField()
    prescriber_name = _text("prescriber_name")
    prescriber_npi = serializers.CharField(max_length=10, help_text="10 digits.")
    prescriber_credential = serializers.ChoiceField(
        choices=Case.Credential.values, required=False, allow_blank=True, allow_null=True
    )
    prescriber_specialty = _text(
        "prescriber_specialty", help_text="The specialty they practise, e.g. Neurology."
    )
    consulting_name = _text("consulting_name", required=False)
    consulting_specialty = _text("consulting_specialty", required=False)
    consult_date = _optional(serializers.DateField)
    diagnosis_codes = serializers.ListField(
        child=serializers.CharField(max_length=10),
        min_length=1,
        max_length=intake.MAX_CODES,
        help_text='ICD-10-CM codes, e.g. ["G35.A"].',
    )
    drug_name = _text("drug_name", help_text="Brand or generic name, or an NDC.")
    hcpcs_code = serializers.CharField(
        max_length=5, required=False, allow_blank=True, allow_null=True, help_text="e.g. J3490."
    )
    regimen = RegimenIn()
    request_type = serializers.ChoiceField(choices=Case.RequestType.values)
    therapy_start_date = _optional(
        serializers.DateField, help_text="Required for a continuation request."
    )
    continues = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="A continuation: the number of the authorization it continues, e.g. "
        "AU-2026-000012 (an approval or partial approval of the same member and drug, not "
        "already continued by a case under review or approved). Its approval then starts the "
        "day after that authorization ends.",
    )
    urgency = serializers.ChoiceField(choices=Case.Urgency.values)
    line_of_business = serializers.ChoiceField(choices=Case.LineOfBusiness.values)
    received_at = _optional(
        serializers.DateTimeField, help_text="When the plan received the request. Empty: now."
    )
    backdate_reason = serializers.CharField(
        max_length=intake.BACKDATE_REASON_MAX,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Required when the receipt time is more than 30 minutes ago.",
    )
    medications = MedicationIn(many=True, required=False, max_length=intake.MAX_MEDICATIONS)
    weight_kg = _optional(serializers.DecimalField, **_any_decimal)
    height_cm = _optional(serializers.DecimalField, **_any_decimal)
    labs = LabIn(many=True, required=False, max_length=intake.MAX_LABS)
    therapies = TherapyIn(
        many=True, required=False, max_length=intake.MAX_THERAPIES, help_text="Prior therapies."
    )
    events = ClinicalEventIn(
        many=True, required=False, max_length=intake.MAX_EVENTS, help_text="Clinical events."
    )

    def case_fields(self) -> dict:
        """The request's values for services.cases.case_create (which checks them)."""
        data = dict(self.validated_data)
        for name in ("medications", "continues", *FACT_LISTS):
            data.pop(name, None)
        return data

    def fact_rows(self) -> dict[str, list[dict]]:
        """The clinical facts' rows, as case_create takes them (labs=, therapies=, events=)."""
        return {
            name: [dict(row) for row in self.validated_data.get(name, [])] for name in FACT_LISTS
        }

    def medication_rows(self) -> list[dict]:
        return [dict(m) for m in self.validated_data.get("medications", [])]


class CaseFiltersIn(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100, allow_blank=True)
    status = serializers.ChoiceField(required=False, choices=Case.Status.values, allow_blank=True)
    urgency = serializers.ChoiceField(required=False, choices=Case.Urgency.values, allow_blank=True)
    line_of_business = serializers.ChoiceField(
        required=False, choices=Case.LineOfBusiness.values, allow_blank=True
    )
    drug = serializers.CharField(required=False, max_length=100, allow_blank=True)


AnswerIn = serializer_for(
    "AnswerIn",
    {
        **from_form(
            review_forms.AnswerForm,
            ["answer", "evidence_page", "evidence_quote", "comment"],
            documents=Document.objects.none(),
            passages=[],
        ),
        "evidence_document": serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=1,
            help_text="The id of one of the case's documents.",
        ),
    },
)
EscalateIn = serializer_for("EscalateIn", from_form(review_forms.EscalateForm, ["comment"]))


class FactIn(serializers.Serializer):
    """A fact a nurse read during review; `values` are the fields of its kind's intake row."""

    kind = serializers.ChoiceField(
        choices=["lab", "therapy", "event"], help_text="lab, therapy (a prior therapy) or event."
    )
    values = serializers.DictField(
        help_text="The fact's fields as at intake: a lab {name, value, unit, taken_on, loinc}, "
        "a therapy {drug_name, dose, dose_unit, started_on, ended_on, outcome}, an event "
        "{kind, occurred_on, note}."
    )
    source_document = serializers.IntegerField(
        help_text="The id of the case's document the fact was read from."
    )
    source_page = serializers.IntegerField(min_value=1, help_text="Its page (from 1).")


class IndicationIn(serializers.Serializer):
    indication = serializers.CharField(
        max_length=60,
        help_text='The key of one of the version\'s indications, or "none": the request fits '
        "none, and goes to the physician queue to be reviewed case by case.",
    )
    reason = serializers.CharField(max_length=2000, help_text="Why; recorded with the case.")


class ApproveIn(serializers.Serializer):
    """Optional: the terms the client expects to be issued. When given, nothing is issued
    (409) unless they are exactly the terms the policy gives today."""

    approval_start = serializers.DateField(required=False)
    approval_end = serializers.DateField(required=False)
    authorized_doses = serializers.IntegerField(required=False, allow_null=True, min_value=0)

    def validate(self, data):
        given = [name for name in ("approval_start", "approval_end") if name in data]
        if given and len(given) < 2:
            raise serializers.ValidationError(
                "Give both approval_start and approval_end, or neither."
            )
        return data


class DecisionIn(serializers.Serializer):
    """A physician's decision. approve: period and doses (defaults: the policy's);
    partial: the same, with the reason; deny: the criteria not met and the reason."""

    decision = serializers.ChoiceField(choices=["approve", "partial", "deny"])
    approval_start = serializers.DateField(required=False, allow_null=True)
    approval_end = serializers.DateField(required=False, allow_null=True)
    authorized_doses = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=10000
    )
    criteria = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=100,
        help_text='Labels of the criteria not met (deny), e.g. ["3.C.i"].',
    )
    rationale = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, trim_whitespace=False
    )


InfoRequestIn = serializer_for(
    "InfoRequestIn",
    {
        "missing": serializers.CharField(max_length=4000),
        "wait_until": serializers.DateTimeField(),
    },
)
ReturnToNurseIn = serializer_for(
    "ReturnToNurseIn",
    {
        "reason": serializers.CharField(
            max_length=4000, help_text="Why it goes back; the nurse reads it."
        )
    },
)
TokenIn = serializer_for(
    "TokenIn",
    {
        "username": serializers.CharField(max_length=150),
        "password": serializers.CharField(max_length=4096, trim_whitespace=False),
    },
)
DocumentsIn = serializer_for(
    "DocumentsIn",
    {
        "files": serializers.ListField(
            child=serializers.FileField(allow_empty_file=True, use_url=False),
            min_length=1,
            max_length=20,
        ),
        "kind": serializers.ChoiceField(choices=Document.Kind.values, default=Document.Kind.OTHER),
    },
)


# ---- output ----------------------------------------------------------------------------------


class ErrorOut(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class LockedOut(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text='Always "locked_out".')
    retry_after_seconds = serializers.IntegerField()


class TokenOut(serializers.Serializer):
    token = serializers.CharField()
    username = serializers.CharField()


class PolicyVersionBrief(serializers.ModelSerializer):
    class Meta:
        model = PolicyVersion
        fields = ["id", "number", "status", "effective_date"]


class PolicyDrugOut(serializers.ModelSerializer):
    hcpcs_codes = serializers.ListField(child=serializers.CharField(), help_text="May be empty.")
    ndcs = serializers.ListField(child=serializers.CharField(), help_text="NDCs, as digits.")

    class Meta:
        model = PolicyDrug
        fields = ["brand", "generic", "hcpcs_codes", "ndcs"]


class PolicyOut(serializers.ModelSerializer):
    drugs = PolicyDrugOut(many=True, read_only=True, help_text="The drugs the policy covers.")
    versions = PolicyVersionBrief(many=True, read_only=True)

    class Meta:
        model = Policy
        fields = ["id", "number", "title", "drugs", "versions"]


class CheckOut(serializers.Serializer):
    name = serializers.CharField()
    params = serializers.DictField()


class CriterionNodeOut(serializers.Serializer):
    """One node of the criteria tree, the policy's words verbatim; groups have children."""

    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["all", "any", "k_of_n", "leaf"])
    title = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    explanation = serializers.CharField(allow_blank=True)
    plain_language = serializers.CharField(allow_blank=True)
    path = serializers.CharField(allow_null=True)
    indication = serializers.CharField(
        allow_null=True, help_text="The key of the one indication this node applies to."
    )
    k = serializers.IntegerField(allow_null=True)
    check = CheckOut(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["children"] = CriterionNodeOut(many=True)
        return fields


class DurationOut(serializers.Serializer):
    count = serializers.IntegerField()
    unit = serializers.ChoiceField(choices=["day", "week", "calendar_month"])


class IndicationApprovalOut(serializers.Serializer):
    initial = DurationOut()
    extended = DurationOut(allow_null=True, help_text="null: no reauthorization.")


class IndicationOut(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    diagnosis_codes = serializers.ListField(
        child=serializers.CharField(), help_text="ICD-10-CM code prefixes."
    )
    approval = IndicationApprovalOut()
    regimen = serializers.DictField(allow_null=True, help_text="The dosing rule, or null.")


class PolicyVersionOut(serializers.Serializer):
    id = serializers.IntegerField()
    policy_number = serializers.CharField()
    title = serializers.CharField()
    number = serializers.IntegerField()
    status = serializers.CharField()
    effective_date = serializers.DateField(allow_null=True)
    indications = IndicationOut(many=True)
    criteria = CriterionNodeOut()
    document = serializers.DictField(
        help_text="The whole version as policy data (format priorauth-policy/1): text, lists, "
        "dosing, approval, test cases. See docs/policy-format.md."
    )


class MedicationOut(serializers.ModelSerializer):
    class Meta:
        model = CaseMedication
        fields = ["name", "stop_date"]


_FACT_ORIGIN = ["id", "source", "source_document", "source_page", "recorded_by", "recorded_at"]


class LabOut(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username")

    class Meta:
        model = CaseLab
        fields = ["name", "loinc", "value", "unit", "taken_on", *_FACT_ORIGIN]
        extra_kwargs = {"value": {"coerce_to_string": False}}


class TherapyOut(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username")

    class Meta:
        model = CaseTherapy
        fields = ["drug_name", "dose", "dose_unit", "started_on", "ended_on", "outcome"]
        fields += _FACT_ORIGIN
        extra_kwargs = {"dose": {"coerce_to_string": False}}


class ClinicalEventOut(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username")

    class Meta:
        model = CaseClinicalEvent
        fields = ["kind", "occurred_on", "note", *_FACT_ORIGIN]


class DocumentOut(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "extraction_status",
            "extraction_error",
            "file_url",
        ]

    def get_file_url(self, document) -> str:
        return reverse("api:document-file", args=[document.case_id, document.pk])


class RejectedOut(serializers.Serializer):
    name = serializers.CharField()
    reason = serializers.CharField()


class DocumentsUploadOut(serializers.Serializer):
    accepted = DocumentOut(many=True)
    rejected = RejectedOut(many=True)


class CaseListOut(serializers.ModelSerializer):
    policy_number = serializers.CharField(
        source="policy_version.policy.number", default=None, allow_null=True
    )
    policy_version = serializers.IntegerField(
        source="policy_version.number", default=None, allow_null=True
    )
    assignee = serializers.CharField(source="assignee.username", default=None, allow_null=True)
    drug = serializers.CharField(
        read_only=True,
        help_text="The drug as the policy names it; drug_name is what the requester typed.",
    )
    policy_drug = PolicyDrugOut(read_only=True, allow_null=True)
    request_type_name = serializers.CharField(
        source="path_name", read_only=True, help_text="The request type as the policy names it."
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "status",
            "member_name",
            "member_id",
            "drug_name",
            "drug",
            "policy_drug",
            "request_type",
            "request_type_name",
            "urgency",
            "line_of_business",
            "received_at",
            "due_at",
            "deadline_flag",
            "not_in_policy",
            "policy_number",
            "policy_version",
            "assignee",
        ]


class AnswerOut(serializers.ModelSerializer):
    label = serializers.CharField(source="criterion.label")
    answered_by = serializers.CharField(source="answered_by.username")

    class Meta:
        model = CriterionAnswer
        fields = [
            "label",
            "answer",
            "suggested",
            "suggestion_reason",
            "comment",
            "evidence_document",
            "evidence_page",
            "evidence_quote",
            "answered_by",
            "answered_at",
            "locked_at",
        ]


class StepOut(serializers.Serializer):
    label = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    result = serializers.CharField(help_text="met, not_met, not_documented or unknown.")
    answer = serializers.CharField(allow_null=True)
    suggestion = serializers.CharField(allow_null=True)
    suggestion_reason = serializers.CharField(allow_null=True)


class EvaluationOut(serializers.Serializer):
    path = serializers.CharField(help_text="initial or continuation.")
    path_name = serializers.CharField(help_text="The path as the policy version names it.")
    indication = serializers.CharField(
        allow_null=True, help_text="The key of the indication evaluated; null: none chosen."
    )
    indication_needed = serializers.BooleanField(
        help_text="The nurse must choose the indication before any criterion (no steps)."
    )
    result = serializers.CharField(help_text="met, not_met, not_documented or unknown.")
    all_met = serializers.BooleanField(help_text="Every criterion met and the dosing matches.")
    answered = serializers.IntegerField()
    steps = StepOut(many=True)
    failing = serializers.ListField(child=serializers.CharField())
    failing_items = serializers.ListField(child=serializers.CharField())
    dosing_differences = serializers.ListField(child=serializers.CharField())


class ClaimUnitsOut(serializers.Serializer):
    authorized = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()


class DeterminationOut(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username")
    policy_version = serializers.IntegerField(
        source="policy_version.number", default=None, allow_null=True
    )
    x12_action_code = serializers.SerializerMethodField()
    claim_units = serializers.SerializerMethodField(
        help_text="Billing units authorized, used by claim lines and remaining; null for a denial."
    )

    class Meta:
        model = Determination
        fields = [
            "outcome",
            "role",
            "decided_by",
            "decided_at",
            "policy_version",
            "rationale",
            "criteria_cited",
            "approval_start",
            "approval_end",
            "authorized_doses",
            "authorized_amount",
            "authorized_unit",
            "authorization_number",
            "x12_action_code",
            "on_time",
            "claim_units",
        ]
        extra_kwargs = {"on_time": {"help_text": "Decided by the case's due time."}}

    def get_x12_action_code(self, determination) -> str:
        return determination.x12_action_code

    @extend_schema_field(ClaimUnitsOut(allow_null=True))
    def get_claim_units(self, determination) -> dict | None:
        units = authorization_units(case=determination.case)
        if units is None:
            return None
        return {"authorized": units.authorized, "used": units.used, "remaining": units.remaining}


class EventOut(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)
    label = serializers.CharField(
        read_only=True,
        help_text="What happened, in words: the kind's label, or what a status change was "
        '("Approved", "Escalated to a physician", ...).',
    )

    class Meta:
        model = CaseEvent
        fields = ["kind", "label", "actor", "from_status", "to_status", "payload", "created_at"]


class LetterOut(serializers.ModelSerializer):
    outcome = serializers.CharField(source="determination.outcome")
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = ["status", "outcome", "error", "sha256", "size", "created_at", "rendered_at"]
        fields += ["pdf_url"]

    def get_pdf_url(self, letter) -> str | None:
        if letter.status != Letter.Status.RENDERED:
            return None
        return reverse("api:letter-pdf", args=[letter.determination.case_id])


class ContinuesOut(serializers.Serializer):
    authorization_number = serializers.CharField()
    case_id = serializers.IntegerField()
    reference = serializers.CharField(source="case.reference")
    approval_start = serializers.DateField()
    approval_end = serializers.DateField()


class CaseDetailOut(CaseListOut):
    medications = MedicationOut(many=True)
    labs = LabOut(many=True, help_text="Newest first.")
    therapies = TherapyOut(many=True, help_text="Prior therapies.")
    clinical_events = ClinicalEventOut(many=True, help_text="Newest first.")
    bmi = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        coerce_to_string=False,
        allow_null=True,
        read_only=True,
        help_text="kg/m², from weight_kg and height_cm; null unless both are known.",
    )
    evaluation = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()
    determination = serializers.SerializerMethodField()
    continues = serializers.SerializerMethodField(
        help_text="The authorization this continuation continues; null for any other case."
    )
    letter = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    x12_action_code = serializers.SerializerMethodField(
        help_text="X12 278 review action: A1 certified, A6 modified, A3 not certified, "
        "A4 pended (information requested); null while under review."
    )

    class Meta(CaseListOut.Meta):
        fields = [
            *CaseListOut.Meta.fields,
            "member_dob",
            "prescriber_name",
            "prescriber_npi",
            "prescriber_credential",
            "prescriber_specialty",
            "consulting_name",
            "consulting_specialty",
            "consult_date",
            "diagnosis_codes",
            "indication",
            "indication_reason",
            "hcpcs_code",
            "regimen",
            "therapy_start_date",
            "continues",
            "backdate_reason",
            "deadline_rule_text",
            "medications",
            "weight_kg",
            "height_cm",
            "bmi",
            "labs",
            "therapies",
            "clinical_events",
            "evaluation",
            "answers",
            "determination",
            "letter",
            "documents",
            "events",
            "x12_action_code",
        ]
        extra_kwargs = {
            "weight_kg": {"coerce_to_string": False},
            "height_cm": {"coerce_to_string": False},
        }

    def get_x12_action_code(self, case) -> str | None:
        return x12_action_code_for_case(case)

    @extend_schema_field(EvaluationOut(allow_null=True))
    def get_evaluation(self, case):
        state = self.context.get("state")
        return evaluation_data(state) if state else None

    @extend_schema_field(AnswerOut(many=True))
    def get_answers(self, case):
        state = self.context.get("state")
        answers = list(state.answers.values()) if state else []
        return AnswerOut(answers, many=True).data

    @extend_schema_field(DeterminationOut(allow_null=True))
    def get_determination(self, case):
        determination = getattr(case, "determination", None)
        return DeterminationOut(determination).data if determination else None

    @extend_schema_field(ContinuesOut(allow_null=True))
    def get_continues(self, case):
        return ContinuesOut(case.continues).data if case.continues_id else None

    @extend_schema_field(LetterOut(allow_null=True))
    def get_letter(self, case):
        determination = getattr(case, "determination", None)
        letter = getattr(determination, "letter", None) if determination else None
        return LetterOut(letter).data if letter else None

    @extend_schema_field(DocumentOut(many=True))
    def get_documents(self, case):
        return DocumentOut(self.context.get("documents", []), many=True).data

    @extend_schema_field(EventOut(many=True))
    def get_events(self, case):
        return EventOut(self.context.get("events", []), many=True).data


def evaluation_data(state) -> dict:
    evaluation = state.evaluation
    steps = []
    for step in state.steps:
        label = step.node.label
        answer = state.answers.get(label)
        suggestion = state.suggestions.get(label)
        result = evaluation.node_results.get(label)
        steps.append(
            {
                "label": label,
                "text": step.node.text,
                "note": step.node.note,
                "result": str(getattr(result, "value", result or "unknown")),
                "answer": answer.answer if answer else None,
                "suggestion": str(getattr(suggestion.answer, "value", suggestion.answer))
                if suggestion
                else None,
                "suggestion_reason": suggestion.reason if suggestion else None,
            }
        )
    return {
        "path": state.path,
        "path_name": state.path_name,
        "indication": state.indication,
        "indication_needed": state.indication_needed,
        "result": str(getattr(evaluation.result, "value", evaluation.result)),
        "all_met": state.all_met,
        "answered": state.answered,
        "steps": steps,
        "failing": list(evaluation.failing),
        "failing_items": state.failing_items,
        "dosing_differences": state.dosing_differences,
    }


class ClaimOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    assignee = serializers.CharField()


# The intake row of each kind of fact, for a fact added during review.
FACT_VALUES = {"lab": LabIn, "therapy": TherapyIn, "event": ClinicalEventIn}


# ---- appeals ---------------------------------------------------------------------------------


class AppealIn(serializers.Serializer):
    """An appeal of a denial or partial approval, as the plan received it. Its documents go
    to the appeal case afterwards (POST cases/{appeal case id}/documents/)."""

    appellant_kind = serializers.ChoiceField(choices=["member", "prescriber", "representative"])
    appellant_name = serializers.CharField(max_length=200)
    received_at = serializers.DateTimeField(help_text="When the plan received the appeal.")
    urgency = serializers.ChoiceField(choices=["standard", "expedited"])
    reason = serializers.CharField(max_length=5000, help_text="Why the appellant disagrees.")


class AppealDecisionIn(serializers.Serializer):
    """The appeal's outcome (physician, assigned, who took no part in the decision appealed).
    overturned: approved, with the policy's period and doses unless given; partially
    overturned: a period and doses, with the reason; upheld: the criteria not met and why."""

    outcome = serializers.ChoiceField(choices=["upheld", "overturned", "partially_overturned"])
    approval_start = serializers.DateField(required=False, allow_null=True)
    approval_end = serializers.DateField(required=False, allow_null=True)
    authorized_doses = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=10000
    )
    criteria = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=100
    )
    rationale = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, trim_whitespace=False
    )


class AppealCaseOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    due_at = serializers.DateTimeField()


class AppealOut(serializers.Serializer):
    id = serializers.IntegerField()
    original = AppealCaseOut(help_text="The decided case appealed.")
    case = AppealCaseOut(help_text="The case that decides the appeal.")
    appellant_kind = serializers.CharField()
    appellant_name = serializers.CharField()
    received_at = serializers.DateTimeField()
    reason = serializers.CharField()
    filed_by = serializers.CharField(source="filed_by.username")
    outcome = serializers.CharField(help_text='upheld, overturned, partially_overturned; "" open.')
    decided_at = serializers.DateTimeField(allow_null=True)
    ire_required = serializers.BooleanField(
        help_text="Medicare Advantage: an upheld (or partly upheld) reconsideration goes to "
        "the independent review entity."
    )


class AppealWindowOut(serializers.Serializer):
    notice_date = serializers.DateField()
    last_day = serializers.DateField()
    days = serializers.IntegerField(source="rule.days")
    source = serializers.CharField(source="rule.source")


class AppealStatusOut(serializers.Serializer):
    """A case's appeals: the appeal it decides, or the one filed against it, or whether it
    may be appealed and until when."""

    appealable = serializers.BooleanField()
    refusal = serializers.CharField(help_text="Why it cannot be appealed; empty when it can.")
    window = AppealWindowOut(allow_null=True)
    appeal = AppealOut(allow_null=True, help_text="The appeal filed against this case.")
    appeal_of = AppealOut(allow_null=True, help_text="The appeal this case decides.")


# ---- claim lines -------------------------------------------------------------------------------


class ClaimLineIn(serializers.Serializer):
    """A claim line; the claims service judges codes, NPIs and modifiers."""

    claim_line_id = serializers.CharField(
        max_length=64, help_text="The sender's id: sent again, the first result is returned."
    )
    member_id = serializers.CharField(max_length=40)
    date_of_service = serializers.DateField()
    hcpcs_code = serializers.CharField(max_length=10)
    ndc = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    units = serializers.IntegerField(min_value=1)
    modifiers = serializers.ListField(
        child=serializers.CharField(max_length=4), required=False, default=list, max_length=10
    )
    billed_amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    billing_npi = serializers.CharField(max_length=20)
    rendering_npi = serializers.CharField(max_length=20)
    participating = serializers.BooleanField(
        help_text="true: the provider is in the plan's network."
    )


class ClaimLineFiltersIn(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[("", "Any"), *ClaimLine.Status.choices], required=False, default=""
    )


class ClaimLineOut(serializers.ModelSerializer):
    authorization_number = serializers.CharField(
        source="authorization.authorization_number", default=None, allow_null=True
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = ClaimLine
        fields = [
            "id",
            "url",
            "claim_line_id",
            "member_id",
            "date_of_service",
            "hcpcs_code",
            "ndc",
            "units",
            "modifiers",
            "billed_amount",
            "billing_npi",
            "rendering_npi",
            "participating",
            "status",
            "remark_code",
            "units_paid",
            "units_denied",
            "carc",
            "group_code",
            "authorization_number",
            "review_reason",
            "resolution_reason",
            "created_at",
            "updated_at",
        ]

    def get_url(self, line: ClaimLine) -> str:
        return reverse("api:claim-line-detail", args=[line.pk])


# ---- renewals ----------------------------------------------------------------------------------


class RenewalOut(serializers.Serializer):
    """An authorization that ends soon, and the continuation started from it, if any."""

    authorization_number = serializers.CharField()
    case_id = serializers.IntegerField(source="case.pk")
    case_reference = serializers.CharField(source="case.reference")
    member_name = serializers.CharField(source="case.member_name")
    member_id = serializers.CharField(source="case.member_id")
    drug = serializers.CharField(source="case.drug")
    outcome = serializers.CharField()
    approval_start = serializers.DateField()
    approval_end = serializers.DateField()
    continued_by = serializers.SerializerMethodField(
        help_text="The reference of the latest continuation started from it, or null."
    )

    def get_continued_by(self, authorization) -> str | None:
        continuations = getattr(authorization, "continued_by", [])
        return continuations[0].reference if continuations else None
