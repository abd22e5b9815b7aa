"""Forms: validation and conversion only. Services do the writing.

Every bad value gets its message at its own field, in words the intake nurse can act on.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from reviews.engine.dosing import UNITS, Regimen
from reviews.models import Case, Document

# ---- codes -----------------------------------------------------------------------------------


def npi_is_valid(npi: str) -> bool:
    """A 10-digit NPI whose last digit is the Luhn check digit of "80840" + the first nine.

    80840 is the NPI's issuer prefix (ISO 7812 health-care applications, CMS NPI standard);
    the check digit is computed as if the prefix were there.
    """
    if not re.fullmatch(r"\d{10}", npi):
        return False
    total = 0
    for position, char in enumerate(reversed("80840" + npi)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return total % 10 == 0


ICD10_CM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")

# FY2026 ICD-10-CM (effective 1 October 2025) split multiple sclerosis: G35 became a
# non-billable parent of G35.A-G35.D, and G35.B / G35.C are headers of their own.
G35_SPLIT = date(2025, 10, 1)
G35_BILLABLE = {
    "G35.A": "relapsing-remitting",
    "G35.B0": "primary progressive, unspecified",
    "G35.B1": "active primary progressive",
    "G35.B2": "non-active primary progressive",
    "G35.C0": "secondary progressive, unspecified",
    "G35.C1": "active secondary progressive",
    "G35.C2": "non-active secondary progressive",
    "G35.D": "multiple sclerosis, unspecified",
}
G35_HEADERS = {"G35", "G35.B", "G35.C"}


def icd10_normalize(code: str) -> str:
    """Upper case, with the dot after the category: "g35a" -> "G35.A"."""
    code = code.strip().upper()
    if "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def icd10_problem(code: str, *, received_on: date | None) -> str | None:
    """Why a (normalized) code cannot be used on a request received on a date; None if fine."""
    if not ICD10_CM.match(code):
        return (
            f"{code} is not an ICD-10-CM code: a letter, two characters, then optionally "
            "a dot and up to four more (e.g. G35.A)."
        )
    if received_on is None or not (code == "G35" or code.startswith("G35.")):
        return None
    valid = ", ".join(G35_BILLABLE)
    if received_on >= G35_SPLIT:
        if code in G35_HEADERS:
            return (
                f"{code} is not billable for requests received on or after 1 October 2025 "
                f"(FY2026 ICD-10-CM split multiple sclerosis). Use one of: {valid}."
            )
        if code not in G35_BILLABLE:
            return f"{code} is not an ICD-10-CM code. Use one of: {valid}."
    elif code != "G35":
        return (
            f"{code} takes effect on 1 October 2025; for a request received before then, "
            "multiple sclerosis is G35."
        )
    return None


HCPCS = re.compile(r"^[A-V][0-9]{4}$")

# Specialties offered in the list; any other text may be typed. The generalists below need a
# consulted specialist (policy 2020910 1.A.iii: "prescribed by, or in consultation with").
SPECIALTIES = [
    "Neurology",
    "Neuroimmunology",
    "Multiple sclerosis specialist",
    "Rheumatology",
    "Dermatology",
    "Gastroenterology",
    "Hematology / Oncology",
    "Endocrinology",
    "Family medicine",
    "Internal medicine",
    "General practice",
    "Pediatrics",
    "Nurse practitioner (primary care)",
    "Physician assistant (primary care)",
]
GENERALIST_WORDS = (
    "family",
    "internal medicine",
    "general practice",
    "primary care",
    "pediatric",
    "nurse practitioner",
    "physician assistant",
)


def is_generalist(specialty: str) -> bool:
    text = specialty.casefold()
    return any(word in text for word in GENERALIST_WORDS)


# ---- sign-in -------------------------------------------------------------------------------


class LoginForm(AuthenticationForm):
    """Django's sign-in form, with the user name's length enforced. AuthenticationForm sets
    max_length after the field is built, so no validator checks it: a name of any length
    reached authenticate(), and django-axes stored a failed one in a 255-character column
    (a 500 on PostgreSQL)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


# ---- widgets ---------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name. Each file's content is judged by the documents service,
    which refuses a bad one by name and keeps the others; an empty file is one of those."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def upload_help(extra: str = "") -> str:
    from reviews.services.documents import max_upload_bytes

    limit = max_upload_bytes() / (1024 * 1024)
    return f"PDF, PNG, JPEG or TIFF, up to {limit:g} MB each. {extra}".strip()


# ---- intake ----------------------------------------------------------------------------------

DOSE_UNITS = [
    ("mg", "mg"),
    ("mcg", "mcg"),
    ("g", "g"),
    ("mL", "mL"),
    ("units", "units"),
    ("mg/kg", "mg/kg"),
]
ROUTES = [
    ("subcutaneous", "Subcutaneous"),
    ("intravenous", "Intravenous"),
    ("intramuscular", "Intramuscular"),
    ("oral", "Oral"),
    ("intrathecal", "Intrathecal"),
]
MAINTENANCE_UNITS = [("", "—"), *((u, u.replace("_", " ") + "(s)") for u in UNITS)]

# The last week a regimen may name (loading doses, the start of maintenance): ten years.
MAX_WEEK = 520

# How long before now a receipt time may be without a stated reason: enough for the time it
# takes to fill in the form, short of a back-dated request.
BACKDATE_GRACE = timedelta(minutes=30)
# A clock a few minutes fast on the client is not a future receipt.
CLOCK_SKEW = timedelta(minutes=5)


class CaseIntakeForm(forms.Form):
    member_name = forms.CharField(label="Member name", max_length=200)
    member_id = forms.CharField(label="Member ID", max_length=40)
    member_dob = forms.DateField(label="Date of birth", widget=DateInput())

    prescriber_name = forms.CharField(label="Prescriber name", max_length=200)
    prescriber_npi = forms.CharField(
        label="Prescriber NPI", max_length=10, min_length=10, help_text="10 digits."
    )
    prescriber_specialty = forms.CharField(
        label="Prescriber specialty",
        max_length=100,
        widget=forms.TextInput(attrs={"list": "specialty-list", "autocomplete": "off"}),
        help_text="Pick from the list or type another.",
    )
    consulting_name = forms.CharField(label="Consulted specialist", max_length=200, required=False)
    consulting_specialty = forms.CharField(
        label="Consulted specialist's specialty",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "specialty-list", "autocomplete": "off"}),
    )
    consult_date = forms.DateField(label="Consultation date", required=False, widget=DateInput())

    diagnosis_codes = forms.CharField(
        label="Diagnosis codes (ICD-10-CM)",
        max_length=200,
        help_text="One or more, separated by commas, e.g. G35.A.",
    )

    drug_name = forms.CharField(label="Drug", max_length=100, help_text="Brand or generic name.")
    hcpcs_code = forms.CharField(
        label="HCPCS code", max_length=5, required=False, help_text="e.g. J3490."
    )
    dose_amount = forms.DecimalField(
        label="Dose", min_value=Decimal("0.001"), max_digits=10, decimal_places=3
    )
    dose_unit = forms.ChoiceField(label="Unit", choices=DOSE_UNITS)
    route = forms.ChoiceField(label="Route", choices=ROUTES)
    loading_weeks = forms.CharField(
        label="Loading doses at weeks",
        required=False,
        max_length=100,
        help_text='Week numbers from the first dose, e.g. "0, 1, 2"; empty for none.',
    )
    maintenance_every = forms.IntegerField(
        label="Then every", required=False, min_value=1, max_value=365
    )
    maintenance_unit = forms.ChoiceField(
        label="Interval", required=False, choices=MAINTENANCE_UNITS
    )
    maintenance_start_week = forms.IntegerField(
        label="Starting at week", required=False, min_value=0, max_value=MAX_WEEK, initial=0
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
        max_length=1000,
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
                    Div("prescriber_name", css_class="col-md-5"),
                    Div("prescriber_npi", css_class="col-md-3"),
                    Div("prescriber_specialty", css_class="col-md-4"),
                    css_class="row",
                ),
                HTML(
                    '<p class="form-text">When the prescriber is not a specialist (family '
                    "medicine, internal medicine, primary care), name the specialist "
                    "consulted.</p>"
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
                Div(
                    Div("documents", css_class="col-md-8"),
                    Div("document_kind", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
        )

    # -- fields --

    def clean_prescriber_npi(self) -> str:
        npi = self.cleaned_data["prescriber_npi"].strip()
        if not re.fullmatch(r"\d{10}", npi):
            raise forms.ValidationError("An NPI is exactly 10 digits.")
        if not npi_is_valid(npi):
            raise forms.ValidationError(
                f"{npi} is not a valid NPI: its check digit does not match (mistyped?)."
            )
        return npi

    def clean_hcpcs_code(self) -> str:
        code = self.cleaned_data["hcpcs_code"].strip().upper()
        if code and not HCPCS.match(code):
            raise forms.ValidationError(
                "A HCPCS Level II code is a letter and four digits, e.g. J3490."
            )
        return code

    def clean_loading_weeks(self) -> list[int]:
        text = self.cleaned_data["loading_weeks"].strip()
        if not text:
            return []
        parts = [p for p in re.split(r"[\s,;]+", text) if p]
        # ASCII digits: str.isdigit() also accepts "²", which int() refuses.
        if not all(re.fullmatch(r"[0-9]+", p) for p in parts):
            raise forms.ValidationError('Week numbers only, separated by commas, e.g. "0, 1, 2".')
        weeks = [int(p) for p in parts]
        if any(week > MAX_WEEK for week in weeks):
            raise forms.ValidationError(f"Week numbers run from 0 to {MAX_WEEK} (ten years).")
        if weeks != sorted(set(weeks)):
            raise forms.ValidationError("List each week once, in ascending order.")
        return weeks

    def clean_received_at(self):
        received = self.cleaned_data["received_at"] or timezone.now()
        if received > timezone.now() + CLOCK_SKEW:
            raise forms.ValidationError("The receipt time is in the future.")
        return received

    # -- across fields --

    def clean(self):
        data = super().clean()
        received = data.get("received_at")
        received_on = timezone.localtime(received).date() if received else None
        today = timezone.localdate()

        dob = data.get("member_dob")
        if dob:
            if dob > today:
                self.add_error("member_dob", "The date of birth is in the future.")
            elif received_on and dob > received_on:
                self.add_error("member_dob", "The date of birth is after the request was received.")
            elif dob.year < today.year - 130:
                self.add_error("member_dob", "The date of birth is more than 130 years ago.")

        if "diagnosis_codes" in data:
            self._clean_diagnosis_codes(data, received_on)
        self._clean_consultation(data, today, received_on)
        self._clean_regimen(data)

        start = data.get("therapy_start_date")
        if data.get("request_type") == Case.RequestType.CONTINUATION and not start:
            self.add_error(
                "therapy_start_date",
                "A continuation request needs the date therapy with the drug began.",
            )
        elif start and start > today:
            self.add_error("therapy_start_date", "The therapy start date is in the future.")
        elif start and received_on and start > received_on:
            self.add_error(
                "therapy_start_date", "Therapy cannot have begun after the request was received."
            )

        if received and received < timezone.now() - BACKDATE_GRACE:
            data["backdate_reason"] = (data.get("backdate_reason") or "").strip()
            if not data["backdate_reason"]:
                self.add_error(
                    "backdate_reason",
                    "The receipt time is more than 30 minutes ago: say why "
                    "(e.g. faxed after hours), or clear it to use the current time.",
                )
        else:
            data["backdate_reason"] = ""
        return data

    def _clean_diagnosis_codes(self, data, received_on) -> None:
        raw = [c for c in re.split(r"[\s,;]+", data["diagnosis_codes"]) if c]
        codes = list(dict.fromkeys(icd10_normalize(c) for c in raw))
        problems = [p for c in codes if (p := icd10_problem(c, received_on=received_on))]
        if not codes:
            self.add_error("diagnosis_codes", "Enter at least one ICD-10-CM code.")
        for problem in problems:
            self.add_error("diagnosis_codes", problem)
        data["diagnosis_codes"] = codes

    def _clean_consultation(self, data, today, received_on) -> None:
        specialty = data.get("prescriber_specialty", "")
        names = ("consulting_name", "consulting_specialty", "consult_date")
        given = [n for n in names if data.get(n)]
        if (specialty and is_generalist(specialty)) or given:
            why = (
                "The prescriber is not a specialist: "
                if not given
                else "Give all three details of the consultation: "
            )
            for name in names:
                if not data.get(name) and name not in self.errors:
                    label = self.fields[name].label.lower()
                    self.add_error(name, f"{why}enter the {label}.")
        consult = data.get("consult_date")
        if consult and consult > today:
            self.add_error("consult_date", "The consultation date is in the future.")
        elif consult and received_on and consult > received_on:
            self.add_error("consult_date", "The consultation is after the request was received.")

    def _clean_regimen(self, data) -> None:
        every, unit = data.get("maintenance_every"), data.get("maintenance_unit")
        if every and not unit:
            self.add_error("maintenance_unit", "Choose days, weeks or calendar months.")
            return
        if unit and not every:
            self.add_error("maintenance_every", "How many days, weeks or months apart?")
            return
        if not every and not data.get("loading_weeks"):
            if "loading_weeks" not in self.errors:
                self.add_error(
                    "maintenance_every", "Give loading weeks, a maintenance interval, or both."
                )
            return
        if any(k not in data for k in ("dose_amount", "dose_unit", "route", "loading_weeks")):
            return
        regimen = {
            "dose_amount": format(data["dose_amount"].normalize(), "f"),
            "dose_unit": data["dose_unit"],
            "route": data["route"],
            "loading_weeks": data["loading_weeks"],
        }
        if every:
            regimen["maintenance"] = {
                "every": every,
                "unit": unit,
                "start_week": data.get("maintenance_start_week") or 0,
            }
        try:
            data["regimen"] = Regimen.from_dict(regimen).to_dict()
        except ValueError as error:
            self.add_error(None, f"The regimen is not valid: {error}")

    # The Case fields the form fills (case_fields()); the API's intake takes the same.
    CASE_FIELDS = (
        "member_name",
        "member_id",
        "member_dob",
        "prescriber_name",
        "prescriber_npi",
        "prescriber_specialty",
        "consulting_name",
        "consulting_specialty",
        "consult_date",
        "diagnosis_codes",
        "drug_name",
        "hcpcs_code",
        "regimen",
        "request_type",
        "therapy_start_date",
        "urgency",
        "line_of_business",
        "received_at",
        "backdate_reason",
    )

    def case_fields(self) -> dict:
        """The cleaned values, in Case's field names (call after is_valid())."""
        data = self.cleaned_data
        fields = {name: data.get(name) for name in self.CASE_FIELDS}
        for name in (
            "member_name",
            "member_id",
            "prescriber_name",
            "prescriber_specialty",
            "consulting_name",
            "consulting_specialty",
            "drug_name",
        ):
            fields[name] = " ".join((fields[name] or "").split())
        return fields


class MedicationForm(forms.Form):
    CONTINUES, STOPS = "continues", "stops"

    name = forms.CharField(label="Medication", max_length=200, required=False)
    plan = forms.ChoiceField(
        label="Plan",
        choices=[(CONTINUES, "Continues"), (STOPS, "Stops on")],
        initial=CONTINUES,
        required=False,
    )
    stop_date = forms.DateField(label="Stop date", required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        name = " ".join((data.get("name") or "").split())
        data["name"] = name
        if not name:
            if data.get("stop_date"):
                self.add_error("name", "Name the medication that stops on this date.")
            return data
        if data.get("plan") == self.STOPS and not data.get("stop_date"):
            if "stop_date" not in self.errors:
                self.add_error("stop_date", f"On what date does {name} stop?")
        elif data.get("plan") != self.STOPS and data.get("stop_date"):
            self.add_error(
                "stop_date", f'Choose "Stops on" for {name}, or clear the date if it continues.'
            )
        return data


class BaseMedicationFormSet(forms.BaseFormSet):
    def medications(self) -> list[dict]:
        """Filled rows only, in order: [{"name": ..., "stop_date": date | None}]."""
        return [
            {
                "name": f.cleaned_data["name"],
                "stop_date": f.cleaned_data.get("stop_date")
                if f.cleaned_data.get("plan") == MedicationForm.STOPS
                else None,
            }
            for f in self.forms
            if f.cleaned_data.get("name")
        ]


# A fixed number of rows: the form works without JavaScript.
MedicationFormSet = forms.formset_factory(
    MedicationForm, formset=BaseMedicationFormSet, extra=6, max_num=30, validate_max=True
)


class DocumentUploadForm(forms.Form):
    files = MultipleFileField(label="Files")
    kind = forms.ChoiceField(
        label="Kind",
        choices=Document.Kind.choices,
        initial=Document.Kind.CLINICAL_NOTE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = upload_help()


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Reference, member ID or name",
                "class": "form-control",
            }
        ),
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Case.Status.choices]
    )
