"""A test case as typed fields, and the request facts its checks read (also the preview's).

No JSON: the answers are a select per leaf of the draft in outline order, the facts are fields
and rows of a few blank lines, the expectation is fields again. The forms parse what is typed;
the document's rules (engine.document, run by services.policy_test_cases) judge the case, and
their problems are put back at the fields they name (`add_document_problems`).
"""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.utils import ErrorDict

from reviews.engine.document import ANSWERS
from reviews.engine.tree import all_met_answers
from reviews.forms.widgets import DateInput
from reviews.intake import DOSE_UNITS
from reviews.models import Criterion, PolicyVersion, TherapyOutcome
from reviews.policy_documents import criteria_trees
from reviews.selectors.policies import criteria_outline

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DECIMAL = {**TEXT, "inputmode": "decimal"}
ANSWER_NAMES = {"met": "Met", "not_met": "Not met", "not_documented": "Not documented"}
RESULT_NAMES = {"met": "Met", "not_met": "Not met", "unknown": "Unknown (still open)"}
# The outcomes a prior therapy's check reads (docs/policy-format.md, test cases).
OUTCOMES = [(value, label) for value, label in TherapyOutcome.choices]


def _answer_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((a, ANSWER_NAMES.get(a, a)) for a in ANSWERS)]


# ---- the facts ---------------------------------------------------------------------------


class FactsForm(forms.Form):
    """The request's facts a check reads, one value each."""

    request_date = forms.DateField(
        label="Request date",
        required=False,
        help_text="Required once any fact is given: ages, windows and durations count to it.",
        widget=DateInput(TEXT),
    )
    member_dob = forms.DateField(
        label="Member date of birth", required=False, widget=DateInput(TEXT)
    )
    prescriber_specialty = forms.CharField(
        label="Prescriber specialty", max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    consulting_specialty = forms.CharField(
        label="Consulted specialist's specialty",
        max_length=200,
        required=False,
        widget=forms.TextInput(TEXT),
    )
    consulting_name = forms.CharField(
        label="Consulted specialist", max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    consult_date = forms.DateField(
        label="Consultation date", required=False, widget=DateInput(TEXT)
    )
    therapy_start_date = forms.DateField(
        label="Started the requested drug on",
        required=False,
        help_text="For a continuation: when therapy with the requested drug began.",
        widget=DateInput(TEXT),
    )
    diagnosis_codes = forms.CharField(
        label="Diagnosis codes",
        max_length=500,
        required=False,
        help_text="ICD-10-CM, separated by commas or spaces, e.g. E78.01, I25.10",
        widget=forms.TextInput(TEXT),
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)", required=False, widget=forms.TextInput(DECIMAL)
    )
    height_cm = forms.DecimalField(
        label="Height (cm)", required=False, widget=forms.TextInput(DECIMAL)
    )

    def clean_diagnosis_codes(self) -> list[str]:
        return [code for code in re.split(r"[,;\s]+", self.cleaned_data["diagnosis_codes"]) if code]


class _Row(forms.Form):
    """One row of a fact table; a row left blank is no fact."""

    def filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(value not in (None, "", []) for value in data.values()) or bool(self.errors)

    def values(self) -> dict[str, Any]:
        return {
            name: _plain(value)
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }


class MedicationRow(_Row):
    name = forms.CharField(
        label="Medication", max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    stop_date = forms.DateField(
        label="Stops on", required=False, help_text="blank: continues", widget=DateInput(TEXT)
    )


class LabRow(_Row):
    name = forms.CharField(
        label="Test", max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    value = forms.DecimalField(label="Value", required=False, widget=forms.TextInput(DECIMAL))
    unit = forms.CharField(
        label="Unit", max_length=40, required=False, widget=forms.TextInput(TEXT)
    )
    date = forms.DateField(label="Taken on", required=False, widget=DateInput(TEXT))
    loinc = forms.CharField(
        label="LOINC", max_length=20, required=False, widget=forms.TextInput(TEXT)
    )


class TherapyRow(_Row):
    name = forms.CharField(
        label="Drug", max_length=200, required=False, widget=forms.TextInput(TEXT)
    )
    outcome = forms.ChoiceField(
        label="Outcome", choices=[("", "—"), *OUTCOMES], required=False, widget=forms.Select(SELECT)
    )
    dose = forms.DecimalField(label="Dose", required=False, widget=forms.TextInput(DECIMAL))
    dose_unit = forms.ChoiceField(
        label="Unit", choices=[("", "—"), *DOSE_UNITS], required=False, widget=forms.Select(SELECT)
    )
    start = forms.DateField(label="Started", required=False, widget=DateInput(TEXT))
    end = forms.DateField(label="Ended", required=False, widget=DateInput(TEXT))


class EventRow(_Row):
    kind = forms.CharField(
        label="Event",
        max_length=200,
        required=False,
        help_text='e.g. "relapse"',
        widget=forms.TextInput(TEXT),
    )
    date = forms.DateField(label="Date", required=False, widget=DateInput(TEXT))
    note = forms.CharField(
        label="Note", max_length=500, required=False, widget=forms.TextInput(TEXT)
    )


# (facts key, row form, caption): the row tables, in the order shown.
FACT_ROWS = (
    ("medications", MedicationRow, "Current medications"),
    ("labs", LabRow, "Lab results"),
    ("prior_therapies", TherapyRow, "Prior therapies"),
    ("events", EventRow, "Clinical events"),
)
BLANK_ROWS = 2
MAX_ROWS = 50


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


class FactsForms:
    """The facts form and its four row tables, bound or not, read as the document's `facts`."""

    def __init__(self, data=None, *, facts: dict | None = None, prefix: str = "facts"):
        facts = facts or {}
        initial = {name: facts.get(name) for name in FactsForm.base_fields}
        initial["diagnosis_codes"] = ", ".join(facts.get("diagnosis_codes") or ())
        self.form = FactsForm(data, initial=initial, prefix=prefix)
        self.rows = {}
        for key, row, caption in FACT_ROWS:
            formset = forms.formset_factory(
                row, extra=BLANK_ROWS, max_num=MAX_ROWS, validate_max=True
            )
            rows = [{n: item.get(n) for n in row.base_fields} for item in facts.get(key) or ()]
            self.rows[key] = formset(data, initial=rows or None, prefix=f"{prefix}-{key}")
            self.rows[key].caption = caption

    def tables(self):
        return list(self.rows.values())

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        return all([valid, *(rows.is_valid() for rows in self.rows.values())])

    def has_errors(self) -> bool:
        return bool(self.form.errors) or any(
            rows.non_form_errors() or any(f.errors for f in rows) for rows in self.rows.values()
        )

    def _filled(self, key: str) -> list[tuple[int, _Row]]:
        return [(i, row) for i, row in enumerate(self.rows[key].forms) if row.filled()]

    def facts(self) -> dict[str, Any] | None:
        """The document's `facts` (None when nothing is given), after is_valid()."""
        data = self.form.cleaned_data
        facts = {name: _plain(value) for name, value in data.items() if value not in (None, "", [])}
        for key, _, _ in FACT_ROWS:
            filled = [row.values() for _, row in self._filled(key)]
            if filled:
                facts[key] = filled
        return facts or None

    def add_problem(self, where: list[str | int], message: str) -> bool:
        """Put a problem at `where` (the path inside `facts`); False when no field fits."""
        if len(where) == 1 and where[0] in self.form.fields:
            self.form.add_error(where[0], message)
            return True
        if len(where) >= 2 and where[0] in self.rows and isinstance(where[1], int):
            filled = self._filled(where[0])
            if where[1] < len(filled):
                row = filled[where[1]][1]
                field = where[2] if len(where) > 2 and where[2] in row.fields else None
                row.add_error(field, message)
                return True
        return False

    def forget_errors(self) -> None:
        for form in [self.form, *(f for rows in self.rows.values() for f in rows.forms)]:
            form._errors = ErrorDict()


# ---- the test case -----------------------------------------------------------------------


def version_leaves(version: PolicyVersion) -> list[tuple[Criterion, int]]:
    """The draft's leaves in outline order, each with its depth."""
    return [
        (node, depth)
        for node, depth in criteria_outline(version)
        if node.kind == Criterion.Kind.LEAF
    ]


def path_choices(version: PolicyVersion) -> list[tuple[str, str]]:
    names = version.path_names
    return [(key, names[key]) for key in ("initial", "continuation")]


def indication_choices(version: PolicyVersion, blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((i.key, f"{i.name} ({i.key})") for i in version.indications.all())]


EVERY_INDICATION = "None: every indication's criteria"
# Said wherever a case's questions are answered for the analyst (every_question_met).
ALL_MET_DONE = (
    "Every question of this request type and indication is answered met, except each "
    "condition (“if”), answered “does not apply (not met)”, whose follow-up questions are left "
    "blank; change the few that differ, then save."
)


def every_question_met(
    version: PolicyVersion, request_type: str, indication: str
) -> dict[str, str]:
    """The one-click "every question met" for a request of `request_type` and `indication`
    ("": every indication's questions): every criterion met with no condition applying
    (engine.tree.all_met_answers), by leaf label; questions of another path or indication,
    and those a condition would bring, are not in it (left blank)."""
    answers: dict[str, str] = {}
    for root in criteria_trees(version):
        found = all_met_answers(root, path=request_type or None, indication=indication or None)
        answers.update((label, answer.value) for label, answer in found.items())
    return answers


class TestCaseForm(forms.Form):
    """Name, request, answers per leaf, and the expectation; the leaves are the draft's."""

    __test__ = False

    name = forms.CharField(label="Name", max_length=200, widget=forms.TextInput(TEXT))
    request_type = forms.ChoiceField(label="Request type", widget=forms.Select(SELECT))
    indication = forms.ChoiceField(label="Indication", required=False, widget=forms.Select(SELECT))
    expect_result = forms.ChoiceField(
        label="Expected result", choices=list(RESULT_NAMES.items()), widget=forms.Select(SELECT)
    )
    expect_path = forms.ChoiceField(
        label="Expected path", required=False, widget=forms.Select(SELECT)
    )
    expect_indication = forms.ChoiceField(
        label="Expected indication", required=False, widget=forms.Select(SELECT)
    )
    expect_failing_compare = forms.ChoiceField(
        label="Failing leaves",
        required=False,
        choices=[
            ("", "Not compared (unless a leaf is ticked)"),
            ("exact", "Exactly the leaves ticked “failing” (none ticked: none fail)"),
        ],
        help_text="A leaf ticked “failing” compares them exactly, whatever is chosen here.",
        widget=forms.Select(SELECT),
    )
    quantity_amount = forms.DecimalField(
        label="Quantity: total", required=False, widget=forms.TextInput(DECIMAL)
    )
    quantity_unit = forms.CharField(
        label="Quantity: unit", max_length=20, required=False, widget=forms.TextInput(TEXT)
    )
    quantity_doses = forms.IntegerField(
        label="Quantity: doses", min_value=0, required=False, widget=forms.NumberInput(TEXT)
    )
    quantity_start = forms.DateField(
        label="Quantity: counted from",
        required=False,
        help_text="blank: the request date",
        widget=DateInput(TEXT),
    )

    def __init__(
        self, *args, version: PolicyVersion, leaves: list[tuple[Criterion, int]], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.leaves = leaves
        self.fields["request_type"].choices = path_choices(version)
        self.fields["indication"].choices = indication_choices(version, EVERY_INDICATION)
        self.fields["expect_path"].choices = [("", "Not compared"), *path_choices(version)]
        self.fields["expect_indication"].choices = indication_choices(version, "Not compared")
        for node, _ in leaves:
            self.fields[f"answer__{node.label}"] = forms.ChoiceField(
                label=f"Answer to {node.label}",
                choices=_answer_choices("—"),
                required=False,
                widget=forms.Select(SELECT),
            )
            self.fields[f"failing__{node.label}"] = forms.BooleanField(
                label=f"{node.label} is expected to fail", required=False
            )
            if node.check_name:
                self.fields[f"suggest__{node.label}"] = forms.ChoiceField(
                    label=f"Expected suggestion for {node.label}",
                    choices=_answer_choices("Not compared"),
                    required=False,
                    widget=forms.Select(SELECT),
                )

    def leaf_rows(self):
        """(node, depth, answer field, suggestion field or None, failing field) per leaf."""
        for node, depth in self.leaves:
            suggest = f"suggest__{node.label}"
            yield (
                node,
                depth,
                self[f"answer__{node.label}"],
                self[suggest] if suggest in self.fields else None,
                self[f"failing__{node.label}"],
            )

    @staticmethod
    def initial_from(case: dict[str, Any]) -> dict[str, Any]:
        """The form's initial values from a test case as the document writes it."""
        expect = case.get("expect") or {}
        quantity = expect.get("quantity") or {}
        initial = {
            "name": case.get("name", ""),
            "request_type": case.get("request_type") or "initial",
            "indication": case.get("indication") or "",
            "expect_result": expect.get("result") or "met",
            "expect_path": expect.get("path") or "",
            "expect_indication": expect.get("indication") or "",
            "expect_failing_compare": "" if expect.get("failing") is None else "exact",
            "quantity_amount": quantity.get("amount"),
            "quantity_unit": quantity.get("unit", ""),
            "quantity_doses": quantity.get("doses"),
            "quantity_start": quantity.get("start"),
        }
        for label, answer in (case.get("answers") or {}).items():
            initial[f"answer__{label}"] = answer
        for label in expect.get("failing") or ():
            initial[f"failing__{label}"] = True
        for label, answer in (expect.get("suggestions") or {}).items():
            initial[f"suggest__{label}"] = answer
        return initial

    def case(self, facts: dict[str, Any] | None) -> dict[str, Any]:
        """The test case as the document writes it, after is_valid()."""
        data = self.cleaned_data
        labels = [node.label for node, _ in self.leaves]
        answers = {
            label: data[f"answer__{label}"] for label in labels if data.get(f"answer__{label}")
        }
        suggestions = {
            label: data[f"suggest__{label}"] for label in labels if data.get(f"suggest__{label}")
        }
        failing = [label for label in labels if data.get(f"failing__{label}")]
        quantity_fields = ("amount", "unit", "doses", "start")
        quantity = None
        if any(data.get(f"quantity_{name}") not in (None, "") for name in quantity_fields):
            quantity = {
                "amount": _plain(data.get("quantity_amount")),
                "unit": data.get("quantity_unit") or None,
            }
            if data.get("quantity_doses") is not None:
                quantity["doses"] = data["quantity_doses"]
            if data.get("quantity_start"):
                quantity["start"] = data["quantity_start"]
        return {
            "name": data["name"],
            "request_type": data["request_type"],
            "indication": data["indication"] or None,
            "answers": answers,
            "facts": facts,
            "expect": {
                "result": data["expect_result"],
                "path": data["expect_path"] or None,
                "indication": data["expect_indication"] or None,
                # A ticked leaf compares the failing leaves, even left at "Not compared".
                "failing": failing if failing or data["expect_failing_compare"] else None,
                "quantity": quantity,
                "suggestions": suggestions or None,
            },
        }


_PLACE = re.compile(r'\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


def place_parts(where: str) -> list[str | int]:
    """'facts.labs[0].value' -> ['facts', 'labs', 0, 'value']; a quoted key '["k"]' gives 'k'."""
    parts: list[str | int] = []
    for name, index, key in _PLACE.findall(where):
        parts.append(name if name else int(index) if index else key)
    return parts


_MISSING_KEY = re.compile(r"^missing required key '([a-z_]+)'")
_EXPECT_FIELDS = {
    "result": "expect_result",
    "path": "expect_path",
    "indication": "expect_indication",
    "failing": "expect_failing_compare",
}


class TestCaseForms:
    """The test case form and its facts, bound or not."""

    __test__ = False

    def __init__(self, data=None, *, version: PolicyVersion, case: dict[str, Any] | None = None):
        case = case or {}
        self.version = version
        self.leaves = version_leaves(version)
        self.form = TestCaseForm(
            data, version=version, leaves=self.leaves, initial=TestCaseForm.initial_from(case)
        )
        self.facts = FactsForms(data, facts=case.get("facts"))
        expect = case.get("expect") or {}
        named = [
            *(case.get("answers") or {}),
            *(expect.get("failing") or ()),
            *(expect.get("suggestions") or {}),
        ]
        leaves = {node.label for node, _ in self.leaves}
        # Labels the case names that are no longer leaves of the draft: saving drops them.
        self.stale = sorted({label for label in named if label not in leaves})

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        return self.facts.is_valid() and valid

    def has_errors(self) -> bool:
        return bool(self.form.errors) or self.facts.has_errors()

    def case(self) -> dict[str, Any]:
        return self.form.case(self.facts.facts())

    def add_document_problems(self, problems: list[tuple[str, str]]) -> None:
        """The document's problems with this case at the fields they name; the rest on top."""
        for where, message in problems:
            parts = place_parts(where)
            if missing := _MISSING_KEY.match(message):
                parts.append(missing.group(1))  # "missing required key 'x'" belongs at x
            if not self._place(parts, message):
                self.form.add_error(None, f"{where}: {message}" if where else message)

    def _place(self, parts: list[str | int], message: str) -> bool:
        form = self.form
        if not parts:
            return False
        head, rest = parts[0], parts[1:]
        if head in ("name", "request_type", "indication") and not rest:
            form.add_error(head, message)
            return True
        if head == "answers" and rest and f"answer__{rest[0]}" in form.fields:
            form.add_error(f"answer__{rest[0]}", message)
            return True
        if head == "facts":
            return self.facts.add_problem(rest, message)
        if head == "expect" and rest:
            if rest[0] in _EXPECT_FIELDS:
                form.add_error(_EXPECT_FIELDS[rest[0]], message)
                return True
            if rest[0] == "suggestions" and len(rest) > 1 and f"suggest__{rest[1]}" in form.fields:
                form.add_error(f"suggest__{rest[1]}", message)
                return True
            if rest[0] == "quantity" and len(rest) > 1 and f"quantity_{rest[1]}" in form.fields:
                form.add_error(f"quantity_{rest[1]}", message)
                return True
        return False

    def answer_all_met(self) -> None:
        """The one-click "every question met" (every_question_met) for the typed request type and
        indication, every other question left blank; nothing saved, the analyst then changes a
        few. The re-shown form keeps everything else typed."""
        data = self.form.data.copy()
        answers = every_question_met(
            self.version, data.get("request_type", ""), data.get("indication", "")
        )
        for node, _ in self.leaves:
            data[f"answer__{node.label}"] = answers.get(node.label, "")
        self.form.data = data

    def forget_errors(self) -> None:
        """Show the typed values without judging them (a re-shown form that was not saved)."""
        self.form.is_valid()
        self.facts.is_valid()
        self.form._errors = ErrorDict()
        self.facts.forget_errors()


class NewTestCaseForm(forms.Form):
    """The list page's "Add a test case": the request type and indication a new case starts
    from, its questions answered as "every question met" answers them. Sent by GET with the
    plain names (?request_type=…&indication=…); its ids start id_new- so that they differ from
    the case form's."""

    __test__ = False

    request_type = forms.ChoiceField(label="Request type", widget=forms.Select(SELECT))
    indication = forms.ChoiceField(label="Indication", required=False, widget=forms.Select(SELECT))

    def __init__(self, *args, version: PolicyVersion, **kwargs):
        kwargs.setdefault("auto_id", "id_new-%s")
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["request_type"].choices = path_choices(version)
        self.fields["indication"].choices = indication_choices(version, EVERY_INDICATION)

    def case(self) -> dict[str, Any]:
        """The new case as the document writes it (what the case form starts from), after
        is_valid()."""
        request_type = self.cleaned_data["request_type"]
        indication = self.cleaned_data["indication"]
        return {
            "request_type": request_type,
            "indication": indication or None,
            "answers": every_question_met(self.version, request_type, indication),
        }

    def refusal(self) -> str:
        """Why the request type and indication asked for were ignored, after is_valid()."""
        wrong = []
        for name, what in (("request_type", "request type"), ("indication", "indication")):
            if name in self.errors:
                value = self.data.get(name, "")
                wrong.append(
                    f"this version has no {what} “{value}”" if value else f"no {what} was given"
                )
        return (
            f"Nothing was answered for you: {'; '.join(wrong)}. Choose the request type and "
            "indication below, then press “Answer every question met, no condition applying”."
        )


# ---- the preview's request ----------------------------------------------------------------


class PreviewForm(forms.Form):
    """The example request of the preview: a test case of the draft, or typed."""

    example = forms.ChoiceField(
        label="Start from a test case", required=False, widget=forms.Select(SELECT)
    )
    request_type = forms.ChoiceField(label="Request type", widget=forms.Select(SELECT))
    indication = forms.ChoiceField(label="Indication", required=False, widget=forms.Select(SELECT))
    start = forms.DateField(
        label="Approval starts",
        required=False,
        help_text="blank: the request date, else today",
        widget=DateInput(TEXT),
    )

    def __init__(self, *args, version: PolicyVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["example"].choices = [
            ("", "— type the request below —"),
            *((str(t.pk), t.name) for t in version.test_cases.all()),
        ]
        self.fields["request_type"].choices = path_choices(version)
        self.fields["indication"].choices = indication_choices(
            version, "As the diagnosis codes choose (as intake does)"
        )
