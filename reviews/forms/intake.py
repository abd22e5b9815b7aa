"""The intake page: the request, its current medications and its first documents. The
form parses text; the rules are reviews/intake.py's."""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.utils import timezone

from reviews import intake
from reviews.forms.widgets import DateInput, DateTimeLocalInput, MultipleFileField, upload_help
from reviews.models import Case, Document

# Offered in the specialty lists; any other text may be typed. Specialties only: the
# prescriber's credential (MD, NP, PA, ...) is a field of its own, so a nurse practitioner
# working in neurology is recorded as such.
SPECIALTIES = [
    "Neurology",
    "Pediatric neurology",
    "Neuroimmunology",
    "Rheumatology",
    "Dermatology",
    "Gastroenterology",
    "Hematology / Oncology",
    "Endocrinology",
    "Family medicine",
    "Internal medicine",
    "General practice",
    "Pediatrics",
]


# Phase rows on the page: enough for a loading series and a maintenance schedule, and one
# more; a request with more phases comes through the API.
FORM_PHASES = 3
# Where a phase's intake paths (reviews/intake.py, after "regimen.phases.N.") show in its row.
PHASE_FIELD_ON_FORM = {
    "": "amount",
    "name": "name",
    "dose": "amount",
    "dose.amount": "amount",
    "dose.unit": "dose_unit",
    "route": "route",
    "initial_only": "initial_only",
    "schedule": "every",
    "schedule.at": "at",
    "schedule.every": "every",
    "schedule.unit": "unit",
    "schedule.start": "start",
    "schedule.start_unit": "start_unit",
}


class OffsetsField(forms.CharField):
    """Offsets typed as text, "0, 1, 2": a list of whole numbers ([] when empty)."""

    def to_python(self, value):
        text = super().to_python(value).strip()
        parts = [p for p in re.split(r"[\s,;]+", text) if p]
        # ASCII digits: str.isdigit() also accepts "²", which int() refuses.
        if not all(re.fullmatch(r"[0-9]+", p) for p in parts):
            raise forms.ValidationError('Whole numbers only, separated by commas, e.g. "0, 14".')
        return [int(p) for p in parts]


def _phase_fields(i: int) -> dict[str, forms.Field]:
    """One phase row: a dose on a schedule (a series at offsets, or every N from a start)."""
    return {
        f"phase{i}_name": forms.CharField(
            label="Phase",
            required=False,
            max_length=intake.PHASE_NAME_MAX,
            help_text="e.g. Loading, Maintenance" if i == 0 else "",
        ),
        f"phase{i}_amount": forms.DecimalField(
            label="Dose",
            required=i == 0,
            min_value=intake.MIN_DOSE,
            max_digits=10,
            decimal_places=intake.DOSE_PLACES,
        ),
        # Not required here: an empty extra row is left out, and the intake names what a
        # filled row lacks.
        f"phase{i}_dose_unit": forms.ChoiceField(
            label="Unit", choices=intake.DOSE_UNITS, required=False
        ),
        f"phase{i}_route": forms.ChoiceField(label="Route", choices=intake.ROUTES, required=False),
        f"phase{i}_at": OffsetsField(
            label="At",
            required=False,
            max_length=100,
            help_text='A series: offsets from the first dose, e.g. "0, 14".' if i == 0 else "",
        ),
        f"phase{i}_every": forms.IntegerField(
            label="Or every", required=False, min_value=1, max_value=intake.MAX_EVERY
        ),
        f"phase{i}_unit": forms.ChoiceField(
            label="Unit",
            required=False,
            choices=intake.SCHEDULE_UNITS,
            initial="week",
            help_text="Of the offsets or the interval." if i == 0 else "",
        ),
        f"phase{i}_start": forms.IntegerField(
            label="From", required=False, min_value=0, max_value=intake.MAX_WEEK
        ),
        f"phase{i}_start_unit": forms.ChoiceField(
            label="From unit", choices=intake.OFFSET_UNIT_CHOICES, initial="week", required=False
        ),
        f"phase{i}_initial_only": forms.BooleanField(label="Initial request only", required=False),
    }


def _phase_row(i: int) -> Div:
    def col(name: str, width: int) -> Div:
        return Div(f"phase{i}_{name}", css_class=f"col-md-{width}")

    return Div(
        Div(
            col("name", 2),
            col("amount", 2),
            col("dose_unit", 2),
            col("route", 3),
            col("initial_only", 3),
            css_class="row",
        ),
        Div(
            col("at", 3),
            col("every", 2),
            col("unit", 3),
            col("start", 2),
            col("start_unit", 2),
            css_class="row",
        ),
        css_class="phase-row border-bottom mb-2",
    )


def _text_field(name: str, label: str, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, max_length=intake.max_length(name), **kwargs)


class CaseIntakeForm(forms.Form):
    """The intake page: parses what was typed, then runs the intake rules (reviews.intake)
    and shows each of their messages at its field."""

    member_name = _text_field("member_name", "Member name")
    member_id = _text_field("member_id", "Member ID")
    member_dob = forms.DateField(label="Date of birth", widget=DateInput())

    prescriber_name = _text_field("prescriber_name", "Prescriber name")
    prescriber_npi = forms.CharField(
        label="Prescriber NPI", max_length=10, min_length=10, help_text="10 digits."
    )
    prescriber_credential = forms.ChoiceField(
        label="Prescriber credential",
        choices=[("", "—"), *Case.Credential.choices],
        required=False,
    )
    prescriber_specialty = _text_field(
        "prescriber_specialty",
        "Prescriber specialty",
        widget=forms.TextInput(attrs={"list": "specialty-list", "autocomplete": "off"}),
        help_text="The specialty they practise: pick from the list or type another.",
    )
    consulting_name = _text_field("consulting_name", "Consulted specialist", required=False)
    consulting_specialty = _text_field(
        "consulting_specialty",
        "Consulted specialist's specialty",
        required=False,
        widget=forms.TextInput(attrs={"list": "specialty-list", "autocomplete": "off"}),
    )
    consult_date = forms.DateField(label="Consultation date", required=False, widget=DateInput())

    diagnosis_codes = forms.CharField(
        label="Diagnosis codes (ICD-10-CM)",
        max_length=200,
        help_text="One or more, separated by commas, e.g. G35.A.",
    )

    drug_name = _text_field("drug_name", "Drug", help_text="Brand or generic name, or an NDC.")
    hcpcs_code = forms.CharField(
        label="HCPCS code", max_length=5, required=False, help_text="e.g. J3490."
    )
    # The phase rows' fields, declared like the others (a class body's namespace is a dict).
    locals().update(
        {name: field for i in range(FORM_PHASES) for name, field in _phase_fields(i).items()}
    )

    request_type = forms.ChoiceField(
        label="Request type",
        choices=Case.RequestType.choices,
        widget=forms.RadioSelect,
        initial=Case.RequestType.INITIAL,
    )
    therapy_start_date = forms.DateField(
        label="Therapy with this drug began on",
        required=False,
        widget=DateInput(),
        help_text="Required for a continuation request.",
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=Case.Urgency.choices,
        widget=forms.RadioSelect,
        initial=Case.Urgency.STANDARD,
    )
    line_of_business = forms.ChoiceField(
        label="Line of business", choices=Case.LineOfBusiness.choices
    )
    received_at = forms.DateTimeField(
        label="Received",
        required=False,
        widget=DateTimeLocalInput(),
        help_text="When the plan received the request. Empty means now.",
    )
    backdate_reason = forms.CharField(
        label="Reason for an earlier receipt time",
        required=False,
        max_length=intake.BACKDATE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the receipt time is more than 30 minutes ago.",
    )

    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="If the request gives it.",
    )
    height_cm = forms.DecimalField(
        label="Height (cm)",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="If the request gives it.",
    )

    documents = MultipleFileField(
        label="Files",
        required=False,
        help_text="You can add more later.",
    )
    document_kind = forms.ChoiceField(
        label="These documents are",
        choices=Document.Kind.choices,
        initial=Document.Kind.CLINICAL_NOTE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(
                "received_at", timezone.localtime().replace(second=0, microsecond=0)
            )
        self.fields["documents"].help_text = upload_help("You can add more later.")
        # Entered as wall-clock time in the plan's zone, the zone deadlines are counted in.
        self.fields[
            "received_at"
        ].help_text = (
            f"When the plan received the request ({settings.TIME_ZONE} time). Empty means now."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                "Member",
                Div(
                    Div("member_name", css_class="col-md-5"),
                    Div("member_id", css_class="col-md-4"),
                    Div("member_dob", css_class="col-md-3"),
                    css_class="row",
                ),
            ),
            Fieldset(
                "Prescriber",
                Div(
                    Div("prescriber_name", css_class="col-md-4"),
                    Div("prescriber_npi", css_class="col-md-3"),
                    Div("prescriber_credential", css_class="col-md-2"),
                    Div("prescriber_specialty", css_class="col-md-3"),
                    css_class="row",
                ),
                HTML(
                    '<p class="form-text">If the prescriber consulted a specialist, give what '
                    "the request says of the consultation (any part may be missing).</p>"
                ),
                Div(
                    Div("consulting_name", css_class="col-md-5"),
                    Div("consulting_specialty", css_class="col-md-4"),
                    Div("consult_date", css_class="col-md-3"),
                    css_class="row",
                ),
            ),
            Fieldset(
                "Diagnosis and drug",
                Div(
                    Div("diagnosis_codes", css_class="col-md-5"),
                    Div("drug_name", css_class="col-md-4"),
                    Div("hcpcs_code", css_class="col-md-3"),
                    css_class="row",
                ),
            ),
            Fieldset(
                "Requested regimen",
                HTML(
                    '<p class="form-text">One row per phase: a dose given at offsets from the '
                    "first dose (a series), or every so often from a start. Most requests "
                    "need one row.</p>"
                ),
                _phase_row(0),
                HTML(
                    '<details class="mb-3"{% if form.more_phases_open %} open{% endif %}>'
                    "<summary>More phases (e.g. loading doses, then maintenance)</summary>"
                ),
                *[_phase_row(i) for i in range(1, FORM_PHASES)],
                HTML("</details>"),
            ),
            HTML('{% include "reviews/_medication_rows.html" %}'),
            Fieldset(
                "Clinical facts",
                HTML(
                    '<p class="form-text">What the request states: measurements, lab results, '
                    "therapies tried before and clinical events. Leave unused rows empty; a "
                    "nurse can add more from the documents during review.</p>"
                ),
                Div(
                    Div("weight_kg", css_class="col-md-3"),
                    Div("height_cm", css_class="col-md-3"),
                    css_class="row",
                ),
                HTML('{% include "reviews/_intake_fact_rows.html" %}'),
            ),
            Fieldset(
                "Request",
                Div(
                    Div("request_type", css_class="col-md-3"),
                    Div("therapy_start_date", css_class="col-md-3"),
                    Div("urgency", css_class="col-md-2"),
                    Div("line_of_business", css_class="col-md-4"),
                    css_class="row",
                ),
                Div(
                    Div("received_at", css_class="col-md-3"),
                    Div("backdate_reason", css_class="col-md-9"),
                    css_class="row",
                ),
            ),
            Fieldset(
                "Documents",
                HTML('{% include "reviews/_staged_uploads.html" %}'),
                Div(
                    Div("documents", css_class="col-md-8"),
                    Div("document_kind", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
        )

    # -- parsing: text to values --

    @property
    def more_phases_open(self) -> bool:
        """The extra rows start open when one of them is filled in (or has an error)."""
        return any(
            self[f"phase{i}_{name}"].value() not in (None, "", False)
            for i in range(1, FORM_PHASES)
            for name in ("name", "amount", "at", "every")
        )

    # -- the intake rules --

    def clean(self):
        data = super().clean()
        try:
            self._case_fields = intake.request_clean(self._intake_values(data))
        except intake.IntakeInvalid as invalid:
            self._case_fields = None
            self.add_intake_errors(invalid)
        return data

    def add_intake_errors(self, invalid: intake.IntakeInvalid) -> None:
        """The intake rules' messages at this form's fields; one it has no field for (a
        medication's, which the formset shows itself) at the top."""
        for path, messages in invalid.errors.items():
            field = self._field_for(path)
            if field is not None and field not in self.fields:
                field = None
            # A field that could not be parsed already says why; the rules saw it empty.
            if field in self.errors:
                continue
            for message in messages:
                self.add_error(field, message)

    def _field_for(self, path: str) -> str | None:
        if path == "regimen":
            return None
        if path == "regimen.phases":
            return "phase0_amount"
        match = re.fullmatch(r"regimen\.phases\.(\d+)\.?(.*)", path)
        if not match:
            return path
        rows = getattr(self, "_phase_rows", [])
        index = int(match[1])
        row = rows[index] if index < len(rows) else 0
        return f"phase{row}_{PHASE_FIELD_ON_FORM.get(match[2], 'amount')}"

    def _intake_values(self, data: dict) -> dict:
        """The parsed values in the intake's shape (None where a field could not be read)."""
        codes = data.get("diagnosis_codes")
        values = {name: data.get(name) for name in intake.FIELDS}
        values["diagnosis_codes"] = (
            [c for c in re.split(r"[\s,;]+", codes) if c] if codes is not None else None
        )
        values["regimen"] = {"phases": self._phases(data)}
        return values

    def _phases(self, data: dict) -> list[dict]:
        """The filled phase rows (and the first, always) in the intake's shape; which row each
        came from is kept so the rules' messages land in it."""
        self._phase_rows = []
        phases = []
        for i in range(FORM_PHASES):
            field = lambda name, i=i: f"phase{i}_{name}"  # noqa: E731
            filled = any(
                data.get(field(name)) not in (None, "", []) or field(name) in self.errors
                for name in ("name", "amount", "at", "every", "start")
            )
            if i and not filled:
                continue
            at, every = data.get(field("at")), data.get(field("every"))
            schedule = {"unit": data.get(field("unit"))}
            if at:
                schedule["at"] = at
            if every is not None or not at:
                schedule["every"] = every
            if (start := data.get(field("start"))) is not None:
                schedule.update(start=start, start_unit=data.get(field("start_unit")) or "week")
            self._phase_rows.append(i)
            phases.append(
                {
                    "name": data.get(field("name")) or "",
                    "dose": {
                        "amount": data.get(field("amount")),
                        "unit": data.get(field("dose_unit")),
                    },
                    "route": data.get(field("route")),
                    "schedule": schedule,
                    "initial_only": bool(data.get(field("initial_only"))),
                }
            )
        return phases

    def case_fields(self) -> dict:
        """The request's cleaned values, in Case's field names (after is_valid())."""
        if self._case_fields is None:
            raise ValueError("case_fields() of a form that is not valid")
        return self._case_fields


class MedicationForm(forms.Form):
    CONTINUES, STOPS = "continues", "stops"

    name = forms.CharField(
        label="Medication", max_length=intake.MEDICATION_NAME_MAX, required=False
    )
    plan = forms.ChoiceField(
        label="Plan",
        choices=[(CONTINUES, "Continues"), (STOPS, "Stops on")],
        initial=CONTINUES,
        required=False,
    )
    stop_date = forms.DateField(label="Stop date", required=False, widget=DateInput())

    def clean(self):
        """The row's select and its date must agree (the page's own widgets); the rules of a
        medication are the intake's."""
        data = super().clean()
        name = " ".join((data.get("name") or "").split())
        if not name:
            return data
        if data.get("plan") == self.STOPS and not data.get("stop_date"):
            if "stop_date" not in self.errors:
                self.add_error("stop_date", f"On what date does {name} stop?")
        elif data.get("plan") != self.STOPS and data.get("stop_date"):
            self.add_error(
                "stop_date", f'Choose "Stops on" for {name}, or clear the date if it continues.'
            )
        return data

    def intake_row(self) -> dict:
        data = self.cleaned_data
        name = None if "name" in self.errors else data.get("name", "")
        stop = data.get("stop_date")
        if name and data.get("plan") != self.STOPS:
            stop = None  # continues (a date left with "Continues" is the row's own error)
        return {"name": name, "stop_date": stop}


class BaseMedicationFormSet(forms.BaseFormSet):
    _medications: list[dict] | None = None

    def clean(self):
        super().clean()
        self._medications = None
        rows = [form.intake_row() for form in self.forms]
        try:
            self._medications = intake.medications_clean(rows)
        except intake.IntakeInvalid as invalid:
            for path, messages in invalid.errors.items():
                parts = path.split(".")
                if len(parts) != 3:
                    raise forms.ValidationError(messages) from None
                form, field = self.forms[int(parts[1])], parts[2]
                if field in form.errors:
                    continue
                for message in messages:
                    form.add_error(field, message)

    def medications(self) -> list[dict]:
        """Filled rows only, in order: [{"name": ..., "stop_date": date | None}]."""
        if self._medications is None:
            raise ValueError("medications() of a formset that is not valid")
        return self._medications


# A fixed number of rows: the form works without JavaScript.
MedicationFormSet = forms.formset_factory(
    MedicationForm,
    formset=BaseMedicationFormSet,
    extra=6,
    max_num=intake.MAX_MEDICATIONS,
    validate_max=True,
)
