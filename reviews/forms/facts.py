"""Clinical facts as typed: a lab, a prior therapy, a clinical event, weight and height.

Rows of the intake page (formsets of a few blank rows) and the review's add/correct page
share these forms. They parse text; the rules are reviews/intake.py's, run by the formset
here (intake) or by the service (review), and their messages land at the fields.
"""

from django import forms

from reviews import intake
from reviews.forms.widgets import DateInput
from reviews.models import CaseClinicalEvent, CaseLab, CaseTherapy, Document, TherapyOutcome

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
# Offered for an event's kind; any other text may be typed.
EVENT_KINDS = ["relapse", "hospitalization", "emergency visit", "new MRI lesion", "infection"]


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def add_rule_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """The rules' messages at the form's fields (a field that could not be parsed already
    says why); one the form has no field for, at the top."""
    for name, messages in errors.items():
        field = name if name in form.fields else None
        if field is not None and field in form.errors:
            continue
        for message in messages:
            form.add_error(field, message)


class FactForm(forms.Form):
    fact_kind: str = ""  # reviews.intake's name for this kind of fact

    def values(self) -> dict:
        """The parsed values in the rules' shape; None where a field could not be read."""
        data = getattr(self, "cleaned_data", {})
        return {name: None if name in self.errors else data.get(name) for name in self.fields}


class LabForm(FactForm):
    fact_kind = "lab"

    name = forms.CharField(
        label="Test", max_length=_max(CaseLab, "name"), required=False, widget=forms.TextInput(TEXT)
    )
    value = forms.DecimalField(
        label="Value", required=False, widget=forms.TextInput({**TEXT, "inputmode": "decimal"})
    )
    unit = forms.CharField(
        label="Unit", max_length=_max(CaseLab, "unit"), required=False, widget=forms.TextInput(TEXT)
    )
    taken_on = forms.DateField(label="Taken on", required=False, widget=DateInput(TEXT))
    loinc = forms.CharField(
        label="LOINC",
        max_length=_max(CaseLab, "loinc"),
        required=False,
        widget=forms.TextInput(TEXT),
    )


class TherapyForm(FactForm):
    fact_kind = "therapy"

    drug_name = forms.CharField(
        label="Drug",
        max_length=_max(CaseTherapy, "drug_name"),
        required=False,
        widget=forms.TextInput(TEXT),
    )
    dose = forms.DecimalField(
        label="Dose", required=False, widget=forms.TextInput({**TEXT, "inputmode": "decimal"})
    )
    dose_unit = forms.ChoiceField(
        label="Unit",
        choices=[("", "—"), *intake.DOSE_UNITS],
        required=False,
        widget=forms.Select(SELECT),
    )
    started_on = forms.DateField(label="Started", required=False, widget=DateInput(TEXT))
    ended_on = forms.DateField(label="Ended", required=False, widget=DateInput(TEXT))
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "—"), *TherapyOutcome.choices],
        required=False,
        widget=forms.Select(SELECT),
    )


class ClinicalEventForm(FactForm):
    fact_kind = "event"

    kind = forms.CharField(
        label="Event",
        max_length=_max(CaseClinicalEvent, "kind"),
        required=False,
        help_text='e.g. "relapse"',
        widget=forms.TextInput({**TEXT, "list": "event-kind-list", "autocomplete": "off"}),
    )
    occurred_on = forms.DateField(label="Date", required=False, widget=DateInput(TEXT))
    note = forms.CharField(
        label="Note", max_length=intake.NOTE_MAX, required=False, widget=forms.TextInput(TEXT)
    )


class MeasurementsForm(FactForm):
    fact_kind = "measurements"

    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        required=False,
        widget=forms.TextInput({**TEXT, "inputmode": "decimal"}),
    )
    height_cm = forms.DecimalField(
        label="Height (cm)",
        required=False,
        widget=forms.TextInput({**TEXT, "inputmode": "decimal"}),
    )


FACT_FORMS: dict[str, type[FactForm]] = {
    "lab": LabForm,
    "therapy": TherapyForm,
    "event": ClinicalEventForm,
    "measurements": MeasurementsForm,
}


# ---- the intake page's rows ------------------------------------------------------------------


class BaseFactFormSet(forms.BaseFormSet):
    """Rows of one kind of fact; the intake rules (reviews.intake.facts_clean) judge them."""

    _rows: list[dict] | None = None

    def clean(self):
        super().clean()
        self._rows = None
        kind = self.form.fact_kind
        try:
            self._rows = intake.facts_clean(kind, [form.values() for form in self.forms])
        except intake.IntakeInvalid as invalid:
            for path, messages in invalid.errors.items():
                parts = path.split(".")
                if len(parts) != 3:
                    raise forms.ValidationError(messages) from None
                add_rule_errors(self.forms[int(parts[1])], {parts[2]: messages})

    def rows(self) -> list[dict]:
        """The filled rows, cleaned (after is_valid())."""
        if self._rows is None:
            raise ValueError("rows() of a formset that is not valid")
        return self._rows


def _formset(form, extra: int, limit: int):
    # A fixed number of rows: the page works without JavaScript.
    return forms.formset_factory(
        form, formset=BaseFactFormSet, extra=extra, max_num=limit, validate_max=True
    )


LabFormSet = _formset(LabForm, 4, intake.MAX_LABS)
TherapyFormSet = _formset(TherapyForm, 4, intake.MAX_THERAPIES)
ClinicalEventFormSet = _formset(ClinicalEventForm, 3, intake.MAX_EVENTS)
# The intake page's fact rows: (prefix, formset class, case_create's keyword).
INTAKE_FACT_FORMSETS = (
    ("labs", LabFormSet),
    ("therapies", TherapyFormSet),
    ("events", ClinicalEventFormSet),
)


def intake_fact_formsets(data=None) -> dict[str, BaseFactFormSet]:
    """The intake page's fact rows by case_create's keyword (labs, therapies, events)."""
    return {prefix: formset(data, prefix=prefix) for prefix, formset in INTAKE_FACT_FORMSETS}


# ---- the review's add / correct page ---------------------------------------------------------


class FactSourceForm(forms.Form):
    """Where a fact read in review comes from: one of the case's documents, and its page."""

    source_document = forms.ModelChoiceField(
        queryset=Document.objects.none(),
        label="From document",
        empty_label="Choose a document",
        required=False,
        widget=forms.Select(SELECT),
    )
    source_page = forms.IntegerField(
        label="Page", min_value=1, max_value=100000, required=False, widget=forms.NumberInput(TEXT)
    )

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_document"].queryset = documents


def fact_review_forms(kind: str, data=None, *, documents, initial=None):
    """(the fact's form, its source form) for the review's page."""
    return (
        FACT_FORMS[kind](data, initial=initial, prefix="fact"),
        FactSourceForm(data, documents=documents, prefix="source"),
    )
