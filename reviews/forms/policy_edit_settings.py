"""The policy editor's settings tabs: the policy's text, its drugs, its indications with their
dosing rules, and its lists. Rows (remark codes, drugs, phases, list items) are formsets with a
few blank rows, which are left out. The forms parse text; the rules are the document's
(services.policy_settings runs the engine's validation), and `add_problems` puts the
document's messages at the fields they are about.
"""

import re
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils.text import slugify

from reviews import intake
from reviews.engine.dosing_words import phases_from_words
from reviews.engine.drugs import HCPCS_MESSAGE, NDC_MESSAGE, hcpcs_normal, ndc_normal
from reviews.engine.list_text import ListTextError, list_items_read
from reviews.forms.intake import OffsetsField
from reviews.forms.widgets import DateInput
from reviews.models import Indication, PolicyList, PolicyListItem, PolicyVersion

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CHECK = {"class": "form-check-input"}
# The largest count a form takes (days, weeks, an interval): ten years of days; the engine
# names its own limits within it.
MAX_COUNT = 3660
KEY_HELP = "lower_snake_case: small letters, digits and underscores, starting with a letter."
key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]*$", "Write the key in lower_snake_case, e.g. adult_use."
)


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _split(text: str) -> list[str]:
    return [p for p in re.split(r"[\s,;]+", text or "") if p]


def _capital(message: str) -> str:
    return message[:1].upper() + message[1:]


def key_from(name: str, max_length: int) -> str:
    """A lower_snake_case key made from a name ("Prior biologic agents" ->
    "prior_biologic_agents"), for a key left blank; "" when the name has no letter or digit."""
    key = re.sub(r"[-_]+", "_", slugify(name)).strip("_")[:max_length].strip("_")
    return f"k_{key}"[:max_length] if key[:1].isdigit() else key


class KeyFromNameMixin:
    """A blank key is made from the form's name field (`key_source`), as it would be typed."""

    key_source = "name"

    def clean(self):
        data = super().clean()
        if not data.get("key") and "key" not in self.errors and data.get(self.key_source):
            key = key_from(data[self.key_source], self.fields["key"].max_length)
            if key:
                data["key"] = key
        if not data.get("key") and "key" not in self.errors:
            self.add_error("key", "Give a key, or a name it can be made from.")
        return data


class CodesField(forms.CharField):
    """Several codes in one input, separated by commas or spaces, each normalized; a list."""

    def __init__(self, *, normal, message: str, what: str, **kwargs):
        self.normal, self.message, self.what = normal, message, what
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(TEXT))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        codes = _split(super().to_python(value))
        normal = [self.normal(code) for code in codes]
        bad = [code for code, n in zip(codes, normal, strict=True) if n is None]
        if bad:
            raise forms.ValidationError(
                f"Not {self.what}: {', '.join(bad)}. {_capital(self.message)}."
            )
        return list(dict.fromkeys(normal))


class LinesField(forms.CharField):
    """Several short entries, one per line (commas also separate); a list."""

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        text = super().to_python(value)
        return [p.strip() for p in re.split(r"[\n,;]+", text) if p.strip()]


class DiagnosisCodesField(LinesField):
    """ICD-10-CM code prefixes ("G35", "E78.01"), written as the code set writes them."""

    def to_python(self, value):
        given = super().to_python(value)
        codes = [intake.icd10_normalize(c) for c in given]
        bad = [g for g, c in zip(given, codes, strict=True) if not intake.ICD10_CM.match(c)]
        if bad:
            raise forms.ValidationError(
                f"Not an ICD-10-CM code or prefix: {', '.join(bad)}. A code is a letter, a "
                "digit and a digit or letter, then optionally a dot and up to four more, "
                "e.g. G35 or E78.01."
            )
        return list(dict.fromkeys(codes))


def add_problems(form: forms.Form, problems, places: dict[str, str]) -> list[str]:
    """The document's problems at the form's fields (`places`: document place -> field);
    those the form has no field for are returned, for the top of the page."""
    left = []
    for place, message in problems:
        field = places.get(place)
        if field is None:
            field = next((f for p, f in places.items() if p and place.startswith(f"{p}.")), None)
        if field is not None and field in form.fields:
            form.add_error(field, _capital(message))
        else:
            left.append(f"{place}: {message}" if place else _capital(message))
    return left


# ---- the policy's text ----------------------------------------------------------------------

# (heading, fields), in the order of the policy's own sections.
TEXT_SECTIONS = (
    (
        "Title and dates",
        (
            "title",
            "effective_date",
            "initial_effective_date",
            "annual_review_date",
            "last_revised_date",
        ),
    ),
    ("Request paths", ("path_initial_name", "path_continuation_name")),
    ("Overview", ("prior_approval_notice", "overview", "statement", "criteria_intro")),
    (
        "Dosing",
        (
            "dosing_condition",
            "dosing_text",
            "dosing_benefit",
            "monthly_means",
            "monthly_means_note",
        ),
    ),
    (
        "Approval and therapy",
        (
            "approval_text",
            "duration_of_therapy",
            "labs_diagnostics",
            "waste_management",
            "documentation_requirements",
        ),
    ),
    (
        "Edits and denials",
        (
            "edits_heading",
            "prior_approval_text",
            "physician_review_text",
            "claim_edits_text",
            "remark_code_with_authorization",
            "remark_code_without_authorization",
            "liability_text",
            "group_code_participating",
            "group_code_not_participating",
        ),
    ),
    (
        "Claims",
        (
            "waste_applies",
            "waste_single_dose",
            "waste_jz_required",
            "waste_jw_allowance_units",
            "waste_source",
        ),
    ),
)
# Document place (services.policy_settings.policy_text_save's problems) -> field.
TEXT_PLACES = {
    "policy.title": "title",
    "version.paths.initial": "path_initial_name",
    "version.paths.continuation": "path_continuation_name",
    "version.dosing.condition": "dosing_condition",
    "version.dosing.text": "dosing_text",
    "version.dosing.benefit": "dosing_benefit",
    "version.dosing.monthly_means": "monthly_means",
    "version.dosing.monthly_means_note": "monthly_means_note",
    "version.approval.text": "approval_text",
    "version.edits_and_denials.heading": "edits_heading",
    "version.edits_and_denials.prior_approval": "prior_approval_text",
    "version.edits_and_denials.physician_review": "physician_review_text",
    "version.edits_and_denials.claim_edits": "claim_edits_text",
    "version.edits_and_denials.liability": "liability_text",
    "version.edits_and_denials.remark_code_with_authorization": "remark_code_with_authorization",
    "version.edits_and_denials.remark_code_without_authorization": (
        "remark_code_without_authorization"
    ),
    "version.edits_and_denials.group_code_participating": "group_code_participating",
    "version.edits_and_denials.group_code_not_participating": "group_code_not_participating",
    "version.claims.waste.applies": "waste_applies",
    "version.claims.waste.single_dose": "waste_single_dose",
    "version.claims.waste.jz_required": "waste_jz_required",
    "version.claims.waste.jw_allowance_units": "waste_jw_allowance_units",
    "version.claims.waste.source": "waste_source",
}
_LONG = {"rows": 4, "class": "form-control"}


def _width(field: forms.Field) -> str:
    """The grid columns a field takes: paragraphs the whole width, dates and choices a
    quarter, one-line text half."""
    if isinstance(field.widget, forms.Textarea):
        return "col-12"
    if isinstance(field, forms.DateField | forms.ChoiceField | forms.BooleanField):
        return "col-sm-6 col-lg-3"
    return "col-md-6"


class PolicyTextForm(forms.ModelForm):
    """The title, dates, path names and text sections (remark codes are rows of their own)."""

    title = forms.CharField(
        label="Title (SUBJECT line)", max_length=200, widget=forms.TextInput(TEXT)
    )

    class Meta:
        model = PolicyVersion
        fields = [name for _, names in TEXT_SECTIONS for name in names if name != "title"]
        labels = {
            "path_initial_name": "Initial path name",
            "path_continuation_name": "Continuation path name",
            "dosing_condition": "Condition",
            "dosing_text": "Dosing text",
            "dosing_benefit": "Benefit",
            "monthly_means": "Monthly means",
            "monthly_means_note": "Why (monthly means)",
            "approval_text": "Approval text",
            "edits_heading": "Heading",
            "prior_approval_text": "Prior approval",
            "physician_review_text": "Physician review",
            "claim_edits_text": "Claim edits",
            "liability_text": "Liability",
            "remark_code_with_authorization": "Remark code when an authorization is on file",
            "remark_code_without_authorization": "Remark code when none is on file",
            "group_code_participating": "Group code, participating provider",
            "group_code_not_participating": "Group code, non-participating provider",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "title" not in self.initial:
            self.initial["title"] = self.instance.policy.title
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput(TEXT)
            elif isinstance(field, forms.TypedChoiceField | forms.ChoiceField):
                field.widget.attrs.update(SELECT)
            elif isinstance(field.widget, forms.Textarea):
                field.widget.attrs.update(_LONG)
            elif isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.update(CHECK)
            else:
                field.widget.attrs.update(TEXT)
        self.sections = [
            (heading, [(self[name], _width(self.fields[name])) for name in names])
            for heading, names in TEXT_SECTIONS
        ]

    def validate_unique(self):
        """The service judges the version as a whole (a draft's effective date may repeat)."""

    def _post_clean(self):
        # No model validation here: the document's rules run in the service, on the draft.
        pass


class RemarkCodeForm(forms.Form):
    code = forms.CharField(
        label="Remark code", required=False, max_length=20, widget=forms.TextInput(TEXT)
    )
    meaning = forms.CharField(
        label="What the plan means by it",
        required=False,
        widget=forms.Textarea({"rows": 2, "class": "form-control"}),
    )


RemarkCodeFormSet = forms.formset_factory(RemarkCodeForm, extra=2)


def remark_codes(formset) -> list[dict[str, str]]:
    """The rows with a code, as the document writes them ({code, meaning})."""
    return [
        {"code": f.cleaned_data["code"].strip(), "meaning": f.cleaned_data.get("meaning", "")}
        for f in formset
        if f.cleaned_data.get("code", "").strip()
    ]


def remark_code_initial(version: PolicyVersion) -> list[dict[str, str]]:
    """A version's codes as rows; a bare code (the older form) has no meaning yet."""
    return [
        {"code": c, "meaning": ""} if isinstance(c, str) else dict(c)
        for c in version.remark_codes or []
    ]


class BillingUnitForm(forms.Form):
    hcpcs = CodesField(
        label="HCPCS code",
        normal=hcpcs_normal,
        message=HCPCS_MESSAGE,
        what="a HCPCS code",
        max_length=20,
    )
    amount = forms.DecimalField(
        label="One unit is (amount)",
        required=False,
        min_value=Decimal("0.001"),
        max_digits=12,
        decimal_places=3,
        widget=forms.NumberInput({**TEXT, "step": "any"}),
    )
    unit = forms.CharField(
        label="Unit of the amount", required=False, max_length=20, widget=forms.TextInput(TEXT)
    )

    def clean(self):
        data = super().clean()
        codes = data.get("hcpcs") or []
        if len(codes) > 1:
            self.add_error("hcpcs", "One code per row.")
        filled = [bool(codes), data.get("amount") is not None, bool(data.get("unit", "").strip())]
        if any(filled) and not all(filled):
            raise forms.ValidationError("Give the code, the amount and its unit, or none.")
        return data


BillingUnitFormSet = forms.formset_factory(BillingUnitForm, extra=1)


def billing_units(formset) -> list[dict[str, str]]:
    return [
        {
            "hcpcs": f.cleaned_data["hcpcs"][0],
            "amount": format(f.cleaned_data["amount"].normalize(), "f"),
            "unit": f.cleaned_data["unit"].strip(),
        }
        for f in formset
        if f.cleaned_data.get("hcpcs")
    ]


# ---- row editors ----------------------------------------------------------------------------


class RowFormSet(forms.BaseFormSet):
    """A row editor: a few blank rows and a "Remove" tick on each. A row counts when one of
    its `content` fields is filled and it is not marked for removal."""

    content: tuple[str, ...] = ()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove"
        form.fields["DELETE"].widget.attrs.update(CHECK)

    def kept(self) -> list[int]:
        """The indexes of the rows kept, in order: blank and removed rows left out."""
        return [
            i
            for i, f in enumerate(self.forms)
            if not f.cleaned_data.get("DELETE")
            and any(_filled(f.cleaned_data.get(name)) for name in self.content)
        ]


def _filled(value) -> bool:
    return (value.strip() if isinstance(value, str) else value) not in (None, "", [])


# ---- drugs -------------------------------------------------------------------------------------


class DrugForm(forms.Form):
    brand = forms.CharField(
        label="Brand",
        required=False,
        max_length=100,
        widget=forms.TextInput(TEXT),
    )
    generic = forms.CharField(
        label="Generic", required=False, max_length=100, widget=forms.TextInput(TEXT)
    )
    hcpcs_codes = CodesField(
        label="HCPCS codes",
        normal=hcpcs_normal,
        message=HCPCS_MESSAGE,
        what="a HCPCS code",
        max_length=500,
        help_text="Separate codes with commas or spaces.",
    )
    ndcs = CodesField(
        label="NDCs",
        normal=ndc_normal,
        message=NDC_MESSAGE,
        what="an NDC",
        max_length=2000,
        help_text="Separate NDCs with commas or spaces.",
    )

    def __init__(self, *args, asked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked = asked

    def clean(self):
        data = super().clean()
        filled = any(data.get(n) for n in ("generic", "hcpcs_codes", "ndcs"))
        if filled and not data.get("brand", "").strip() and not data.get("DELETE"):
            self.add_error("brand", "Give the drug's brand name (or clear the row).")
        return data

    def drug(self) -> dict:
        data = self.cleaned_data
        return {
            "brand": data["brand"].strip(),
            "generic": data["generic"].strip(),
            "hcpcs_codes": data["hcpcs_codes"],
            "ndcs": data["ndcs"],
        }


class BaseDrugFormSet(RowFormSet):
    """Each row knows whether cases asked for its drug: such a drug cannot be removed."""

    content = ("brand",)

    def __init__(self, *args, asked: list[bool] | None = None, **kwargs):
        self.asked = asked or []
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        asked = index is not None and index < len(self.asked) and self.asked[index]
        return {**super().get_form_kwargs(index), "asked": asked}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if getattr(form, "asked", False):
            form.fields["DELETE"].disabled = True
            form.fields["DELETE"].help_text = "Cases asked for this drug: it cannot be removed."

    def drugs(self) -> list[dict]:
        return [self.forms[i].drug() for i in self.kept()]


DrugFormSet = forms.formset_factory(DrugForm, formset=BaseDrugFormSet, extra=2, can_delete=True)
# A drug's problem place (after policy.drugs[N]) -> its field.
DRUG_PLACES = {
    "": "brand",
    "brand": "brand",
    "generic": "generic",
    "hcpcs_codes": "hcpcs_codes",
    "ndcs": "ndcs",
}


def add_drug_problems(formset, kept_rows: list[int], problems) -> list[str]:
    """Problems at policy.drugs[N] go to the row that became drug N."""
    left = []
    for place, message in problems:
        match = re.match(r"^\[(\d+)\]\.?(\w*)", place)
        if match and int(match[1]) < len(kept_rows):
            form = formset.forms[kept_rows[int(match[1])]]
            form.add_error(DRUG_PLACES.get(match[2], "brand"), _capital(message))
        else:
            left.append(_capital(message))
    return left


# ---- indications ---------------------------------------------------------------------------------

_UNITS = Indication.Unit.choices


class IndicationForm(KeyFromNameMixin, forms.Form):
    key = forms.CharField(
        label="Key",
        max_length=60,
        required=False,
        validators=[key_validator],
        help_text=KEY_HELP + " Blank: made from the name. Criteria and test cases refer to it; "
        "renaming changes them too.",
        widget=forms.TextInput(TEXT),
    )
    name = forms.CharField(label="Name", max_length=200, widget=forms.TextInput(TEXT))
    diagnosis_codes = DiagnosisCodesField(
        label="ICD-10-CM code prefixes",
        required=False,
        max_length=2000,
        help_text="One per line (or separated by commas). None: the indication fits a request "
        "no other indication fits.",
        widget=forms.Textarea({"rows": 3, **TEXT}),
    )
    codes_source = forms.CharField(
        label="Codes source",
        required=False,
        help_text="Where the codes and their meanings were checked.",
        widget=forms.Textarea({"rows": 2, **TEXT}),
    )
    initial_approval_count = forms.IntegerField(
        label="Initial approval", min_value=1, max_value=MAX_COUNT, widget=forms.NumberInput(TEXT)
    )
    initial_approval_unit = forms.ChoiceField(
        label="Initial approval unit", choices=_UNITS, widget=forms.Select(SELECT)
    )
    extended_approval_count = forms.IntegerField(
        label="Extended approval",
        min_value=1,
        max_value=MAX_COUNT,
        required=False,
        help_text="Empty: no reauthorization.",
        widget=forms.NumberInput(TEXT),
    )
    extended_approval_unit = forms.ChoiceField(
        label="Extended approval unit", choices=_UNITS, widget=forms.Select(SELECT)
    )
    phases_words = forms.CharField(
        label="Phases in words",
        required=False,
        max_length=4000,
        help_text="One phase per line, as the policy reads: “Loading: 150 mg subcutaneous at "
        "weeks 0, 1 and 2 (initial only)”, “Maintenance: 150 mg subcutaneous every 4 weeks "
        "from week 4”. They are added after the rows below.",
        widget=forms.Textarea({"rows": 3, **TEXT}),
    )
    # The rule's limits, in the phases' dose unit.
    range_min = forms.DecimalField(
        label="Dose range: least",
        required=False,
        min_value=Decimal("0.0001"),
        widget=forms.TextInput({**TEXT, "inputmode": "decimal"}),
    )
    range_max = forms.DecimalField(
        label="Dose range: most",
        required=False,
        min_value=Decimal("0.0001"),
        widget=forms.TextInput({**TEXT, "inputmode": "decimal"}),
    )
    limit_amount = forms.DecimalField(
        label="Quantity limit",
        required=False,
        min_value=Decimal("0.0001"),
        widget=forms.TextInput({**TEXT, "inputmode": "decimal"}),
    )
    limit_per_days = forms.IntegerField(
        label="Limit per days",
        required=False,
        min_value=1,
        max_value=MAX_COUNT,
        widget=forms.NumberInput(TEXT),
    )

    def fields_for(self, regimen: dict | None) -> dict:
        """The service's fields, with the regimen built from the phase rows."""
        data = self.cleaned_data
        return {
            "key": data["key"],
            "name": data["name"],
            "diagnosis_codes": data["diagnosis_codes"],
            "codes_source": data["codes_source"],
            "initial_approval_count": data["initial_approval_count"],
            "initial_approval_unit": data["initial_approval_unit"],
            "extended_approval_count": data["extended_approval_count"],
            "extended_approval_unit": data["extended_approval_unit"],
            "regimen": regimen,
        }

    def clean_phases_words(self) -> list[dict]:
        try:
            return phases_from_words(self.cleaned_data["phases_words"])
        except ValueError as error:
            raise forms.ValidationError(_capital(str(error))) from None

    def limits(self, unit: str) -> dict:
        data, out = self.cleaned_data, {}
        if data.get("range_min") is not None or data.get("range_max") is not None:
            out["dose_range"] = {
                "min": _text(data.get("range_min")),
                "max": _text(data.get("range_max")),
                "unit": unit,
            }
        if data.get("limit_amount") is not None or data.get("limit_per_days") is not None:
            out["quantity_limit"] = {
                "amount": _text(data.get("limit_amount")),
                "unit": unit,
                "per_days": data.get("limit_per_days"),
            }
        return out

    @staticmethod
    def initial_for(indication: Indication) -> dict:
        regimen = indication.regimen or {}
        dose_range = regimen.get("dose_range") or {}
        limit = regimen.get("quantity_limit") or {}
        return {
            "key": indication.key,
            "name": indication.name,
            "diagnosis_codes": list(indication.diagnosis_codes or []),
            "codes_source": indication.codes_source,
            "initial_approval_count": indication.initial_approval_count,
            "initial_approval_unit": indication.initial_approval_unit,
            "extended_approval_count": indication.extended_approval_count,
            "extended_approval_unit": indication.extended_approval_unit,
            "range_min": dose_range.get("min"),
            "range_max": dose_range.get("max"),
            "limit_amount": limit.get("amount"),
            "limit_per_days": limit.get("per_days"),
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class PhaseForm(forms.Form):
    """One phase of a dosing rule: a dose on a schedule."""

    name = forms.CharField(
        label="Phase", required=False, max_length=100, widget=forms.TextInput(TEXT)
    )
    amount = forms.DecimalField(
        label="Dose",
        required=False,
        min_value=Decimal("0.0001"),
        widget=forms.TextInput({**TEXT, "inputmode": "decimal"}),
    )
    per_kg = forms.BooleanField(label="per kg", required=False, widget=forms.CheckboxInput(CHECK))
    max = forms.DecimalField(
        label="At most (per kg)",
        required=False,
        min_value=Decimal("0.0001"),
        widget=forms.TextInput({**TEXT, "inputmode": "decimal"}),
    )
    unit = forms.CharField(
        label="Unit", required=False, max_length=20, widget=forms.TextInput(TEXT)
    )
    route = forms.CharField(
        label="Route", required=False, max_length=60, widget=forms.TextInput(TEXT)
    )
    at = OffsetsField(label="At", required=False, max_length=200, widget=forms.TextInput(TEXT))
    every = forms.IntegerField(
        label="Or every",
        required=False,
        min_value=1,
        max_value=MAX_COUNT,
        widget=forms.NumberInput(TEXT),
    )
    schedule_unit = forms.ChoiceField(
        label="Unit (of at / every)",
        choices=[("day", "days"), ("week", "weeks"), ("calendar_month", "calendar months")],
        initial="week",
        required=False,
        widget=forms.Select(SELECT),
    )
    start = forms.IntegerField(
        label="From",
        required=False,
        min_value=0,
        max_value=MAX_COUNT,
        widget=forms.NumberInput(TEXT),
    )
    start_unit = forms.ChoiceField(
        label="From unit",
        choices=[("day", "day"), ("week", "week")],
        initial="week",
        required=False,
        widget=forms.Select(SELECT),
    )
    initial_only = forms.BooleanField(
        label="Initial request only", required=False, widget=forms.CheckboxInput(CHECK)
    )

    CONTENT = ("name", "amount", "max", "unit", "route", "at", "every", "start")

    def phase(self) -> dict:
        """The phase as the document writes it; what is missing is left for the engine to
        name."""
        data = self.cleaned_data
        dose: dict = {"unit": data["unit"].strip()}
        dose["per_kg" if data["per_kg"] else "amount"] = _text(data["amount"])
        if data["max"] is not None:
            dose["max"] = _text(data["max"])
        schedule: dict = {"unit": data["schedule_unit"] or None}
        if data["at"]:
            schedule["at"] = data["at"]
        if data["every"] is not None:
            schedule["every"] = data["every"]
        if data["start"]:
            schedule.update(start=data["start"], start_unit=data["start_unit"] or "day")
        phase = {
            "name": data["name"].strip(),
            "dose": dose,
            "route": data["route"].strip(),
            "schedule": schedule,
        }
        if data["initial_only"]:
            phase["initial_only"] = True
        return phase

    @staticmethod
    def initial_for(phase: dict) -> dict:
        dose, schedule = phase.get("dose") or {}, phase.get("schedule") or {}
        return {
            "name": phase.get("name", ""),
            "amount": dose.get("amount") or dose.get("per_kg"),
            "per_kg": "per_kg" in dose,
            "max": dose.get("max"),
            "unit": dose.get("unit", ""),
            "route": phase.get("route", ""),
            "at": ", ".join(str(o) for o in schedule.get("at") or []),
            "every": schedule.get("every"),
            "schedule_unit": schedule.get("unit", "week"),
            "start": schedule.get("start"),
            "start_unit": schedule.get("start_unit", "week"),
            "initial_only": phase.get("initial_only", False),
        }


class BasePhaseFormSet(RowFormSet):
    content = PhaseForm.CONTENT


PhaseFormSet = forms.formset_factory(PhaseForm, formset=BasePhaseFormSet, extra=2, can_delete=True)
# A phase's problem place (after regimen.phases[N].) -> its field.
PHASE_PLACES = {
    "": "amount",
    "name": "name",
    "dose": "amount",
    "dose.amount": "amount",
    "dose.per_kg": "amount",
    "dose.max": "max",
    "dose.unit": "unit",
    "route": "route",
    "schedule": "at",
    "schedule.at": "at",
    "schedule.every": "every",
    "schedule.unit": "schedule_unit",
    "schedule.start": "start",
    "schedule.start_unit": "start_unit",
    "initial_only": "initial_only",
}
# An indication's problem place -> its field (the phases' places aside).
INDICATION_PLACES = {
    "key": "key",
    "name": "name",
    "diagnosis_codes": "diagnosis_codes",
    "codes_source": "codes_source",
    "approval.initial": "initial_approval_count",
    "approval.initial.count": "initial_approval_count",
    "approval.initial.unit": "initial_approval_unit",
    "approval.extended": "extended_approval_count",
    "approval.extended.count": "extended_approval_count",
    "approval.extended.unit": "extended_approval_unit",
    "regimen.dose_range": "range_min",
    "regimen.dose_range.min": "range_min",
    "regimen.dose_range.max": "range_max",
    "regimen.dose_range.unit": "range_min",
    "regimen.quantity_limit": "limit_amount",
    "regimen.quantity_limit.amount": "limit_amount",
    "regimen.quantity_limit.unit": "limit_amount",
    "regimen.quantity_limit.per_days": "limit_per_days",
    "version.dosing.monthly_means": None,
}


def add_indication_problems(form, phases, kept: list[int], problems) -> list[str]:
    """The document's problems of an indication at the indication's fields or its phase rows
    (`kept`: the row of each phase of the rule); the rest are returned for the page's top."""
    left = []
    for place, message in problems:
        # The engine's rules across keys speak from the regimen: ".phases[0].dose needs ...".
        if place == "regimen" and (found := re.match(r"^\.(\S+)\s+(.*)$", message)):
            place, message = f"regimen.{found[1]}", found[2]
        if place == "regimen" and message.startswith("."):
            place, message = "regimen", message.lstrip(".")
        match = re.match(r"^regimen\.phases\[(\d+)\]\.?(.*)$", place)
        if match and int(match[1]) < len(kept):
            row = phases.forms[kept[int(match[1])]]
            row.add_error(
                PHASE_PLACES.get(match[2], PHASE_PLACES.get(match[2].split(".")[0], "amount")),
                _capital(message),
            )
            continue
        left += add_problems(form, [(place, message)], INDICATION_PLACES)
    return left


# ---- lists -------------------------------------------------------------------------------------


class PolicyListForm(KeyFromNameMixin, forms.Form):
    key_source = "title"

    key = forms.CharField(
        label="Key",
        max_length=_max(PolicyList, "key"),
        required=False,
        validators=[key_validator],
        help_text=KEY_HELP + " Blank: made from the title. Checks refer to it; renaming "
        "changes them too.",
        widget=forms.TextInput(TEXT),
    )
    title = forms.CharField(
        label="Title", max_length=_max(PolicyList, "title"), widget=forms.TextInput(TEXT)
    )
    lines = forms.CharField(
        label="Add items from lines",
        required=False,
        max_length=100_000,
        widget=forms.Textarea({**TEXT, "rows": 4, "spellcheck": "false"}),
        help_text=(
            "One item per line, as the policy prints them: “Brand (generic)”, or a name; "
            "synonyms after a semicolon, separated by commas. Bullets are dropped. They are "
            "added after the rows below."
        ),
    )

    def clean_lines(self) -> list[dict]:
        try:
            return list_items_read(self.cleaned_data["lines"])
        except ListTextError as error:
            raise forms.ValidationError(error.problems) from None


class ListItemForm(forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=_max(PolicyListItem, "name"),
        widget=forms.TextInput(TEXT),
    )
    generic = forms.CharField(
        label="Generic",
        required=False,
        max_length=_max(PolicyListItem, "generic"),
        widget=forms.TextInput(TEXT),
    )
    as_written = forms.CharField(
        label="As written",
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 1, **TEXT}),
    )
    synonyms = forms.CharField(
        label="Synonyms",
        required=False,
        max_length=2000,
        help_text="Separated by commas.",
        widget=forms.TextInput(TEXT),
    )

    def clean(self):
        data = super().clean()
        filled = any(data.get(n, "").strip() for n in ("generic", "as_written", "synonyms"))
        if filled and not data.get("name", "").strip() and not data.get("DELETE"):
            self.add_error("name", "Give the item's name (or clear the row).")
        return data

    def item(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "generic": data["generic"],
            "as_written": data["as_written"],
            "synonyms": [s.strip() for s in data["synonyms"].split(",") if s.strip()],
        }

    @staticmethod
    def initial_for(item: PolicyListItem) -> dict:
        return {
            "name": item.name,
            "generic": item.generic,
            "as_written": item.as_written,
            "synonyms": ", ".join(item.synonyms or []),
        }


class BaseListItemFormSet(RowFormSet):
    content = ("name",)

    def items(self) -> list[dict]:
        return [self.forms[i].item() for i in self.kept()]


ListItemFormSet = forms.formset_factory(
    ListItemForm, formset=BaseListItemFormSet, extra=3, can_delete=True
)
LIST_PLACES = {"key": "key", "title": "title"}


def add_list_problems(form, items, kept: list[int], problems) -> list[str]:
    left = []
    for place, message in problems:
        match = re.match(r"^items\[(\d+)\]\.?(\w*)", place)
        if match and int(match[1]) < len(kept):
            field = match[2] if match[2] in ListItemForm.base_fields else "name"
            items.forms[kept[int(match[1])]].add_error(field, _capital(message))
        else:
            left += add_problems(form, [(place, message)], LIST_PLACES)
    return left
