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


# Where the intake rules' field paths (reviews/intake.py) show on this form; None: at the top.
INTAKE_FIELD_ON_FORM = {
    "regimen": None,
    "regimen.dose_amount": "dose_amount",
    "regimen.dose_unit": "dose_unit",
    "regimen.route": "route",
    "regimen.loading_weeks": "loading_weeks",
    "regimen.maintenance": "maintenance_every",
    "regimen.maintenance.every": "maintenance_every",
    "regimen.maintenance.unit": "maintenance_unit",
    "regimen.maintenance.start_week": "maintenance_start_week",
}


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
    dose_amount = forms.DecimalField(
        label="Dose",
        min_value=intake.MIN_DOSE,
        max_digits=10,
        decimal_places=intake.DOSE_PLACES,
    )
    dose_unit = forms.ChoiceField(label="Unit", choices=intake.DOSE_UNITS)
    route = forms.ChoiceField(label="Route", choices=intake.ROUTES)
    loading_weeks = forms.CharField(
        label="Loading doses at weeks",
        required=False,
        max_length=100,
        help_text='Week numbers from the first dose, e.g. "0, 1, 2"; empty for none.',
    )
    maintenance_every = forms.IntegerField(
        label="Then every", required=False, min_value=1, max_value=intake.MAX_EVERY
    )
    maintenance_unit = forms.ChoiceField(
        label="Interval", required=False, choices=[("", "—"), *intake.MAINTENANCE_UNITS]
    )
    maintenance_start_week = forms.IntegerField(
        label="Starting at week",
        required=False,
        min_value=0,
        max_value=intake.MAX_WEEK,
        initial=0,
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
                Div(
                    Div("dose_amount", css_class="col-md-2"),
                    Div("dose_unit", css_class="col-md-2"),
                    Div("route", css_class="col-md-3"),
                    Div("loading_weeks", css_class="col-md-5"),
                    css_class="row",
                ),
                Div(
                    Div("maintenance_every", css_class="col-md-2"),
                    Div("maintenance_unit", css_class="col-md-3"),
                    Div("maintenance_start_week", css_class="col-md-3"),
                    css_class="row",
                ),
            ),
            HTML('{% include "reviews/_medication_rows.html" %}'),
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

    def clean_loading_weeks(self) -> list[int]:
        text = self.cleaned_data["loading_weeks"].strip()
        parts = [p for p in re.split(r"[\s,;]+", text) if p]
        # ASCII digits: str.isdigit() also accepts "²", which int() refuses.
        if not all(re.fullmatch(r"[0-9]+", p) for p in parts):
            raise forms.ValidationError('Week numbers only, separated by commas, e.g. "0, 1, 2".')
        return [int(p) for p in parts]

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
            field = INTAKE_FIELD_ON_FORM.get(path, path)
            if field is not None and field not in self.fields:
                field = None
            # A field that could not be parsed already says why; the rules saw it empty.
            if field in self.errors:
                continue
            for message in messages:
                self.add_error(field, message)

    def _intake_values(self, data: dict) -> dict:
        """The parsed values in the intake's shape (None where a field could not be read)."""
        every, unit = data.get("maintenance_every"), data.get("maintenance_unit")
        codes = data.get("diagnosis_codes")
        regimen = {
            "dose_amount": data.get("dose_amount"),
            "dose_unit": data.get("dose_unit"),
            "route": data.get("route"),
            "loading_weeks": data.get("loading_weeks"),
            "maintenance": {
                "every": every,
                "unit": unit,
                "start_week": data.get("maintenance_start_week"),
            }
            if every is not None or unit
            else None,
        }
        values = {name: data.get(name) for name in intake.FIELDS}
        values["diagnosis_codes"] = (
            [c for c in re.split(r"[\s,;]+", codes) if c] if codes is not None else None
        )
        values["regimen"] = regimen
        return values

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
