"""A criterion's form in the policy editor, with its check's parameters as typed fields.

Each check of reviews/engine/checks.py declares its parameters and their kinds (CHECKS); the
fields here are built from that declaration, so a new check gets its fields without a form
written for it. The engine judges the assembled parameters (check_param_problems), and its
messages land at the field they are about.
"""

from dataclasses import replace
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.boundfield import BoundField

from reviews.engine.check_proposals import GroupProposal, Proposal
from reviews.engine.checks import (
    BASELINES,
    CHECK_DURATION_UNITS,
    CHECKS,
    OPERATORS,
    Param,
    check_param_problems,
)
from reviews.engine.numbers import plain_number
from reviews.engine.tree import Check
from reviews.forms.widgets import DateInput
from reviews.models import Criterion, Policy
from reviews.services.policy_outline import TITLE_LENGTH, PastedRow, PasteSetting, label_problem

TEXT = {"class": "form-control"}
SMALL = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select"}
SMALL_SELECT = {"class": "form-select form-select-sm"}
UNIT_WORDS = {"day": "days", "week": "weeks", "calendar_month": "calendar months", "year": "years"}
OP_CHOICES = [(op, f"{words} ({op})") for op, words in OPERATORS.items()]
BAND_ROWS = 4
CODE_ROWS = 8


# What a parameter is called on the form, where its name alone reads poorly.
PARAM_LABELS = {
    "op": "Comparison",
    "lab": "Lab test (as named on results)",
    "max_age_days": "Ignore results older than (days)",
    "switch_grace_days": "Switch grace (days)",
    "allow_consultation": "A consulted specialist counts too",
    "min_dose": "Minimum dose",
    "dose_unit": "Dose unit",
}


def _pretty(name: str) -> str:
    return PARAM_LABELS.get(name) or name.replace("_", " ").capitalize()


class DotlessIdBoundField(BoundField):
    """A field whose id has no dot though its name has one: criterion labels, dotted (as in
    "3.C.x"), are in the paste page's field names, and an id with a dot must be escaped in
    every selector. (Pasted labels hold letters, digits, dots and dashes only, so no two ids
    meet.)"""

    @property
    def auto_id(self) -> str:
        return super().auto_id.replace(".", "_")


class CheckParamsForm(forms.Form):
    """The parameters of one check, as fields named after them. Composite kinds get several
    fields: a duration `<name>_count` and `<name>_unit`; age bands and code answers a few
    rows each (`<name>_<row>_<part>`)."""

    bound_field_class = DotlessIdBoundField

    def __init__(
        self,
        *args,
        check_name: str,
        lists: dict[str, str],
        references: list[str],
        params: dict[str, Any] | None = None,
        **kwargs,
    ):
        kwargs.setdefault("prefix", f"p-{check_name}")
        super().__init__(*args, **kwargs)
        self.check_name = check_name
        self.spec = CHECKS[check_name]
        self.list_titles = lists
        self.references = references
        for name, param in self.spec.params.items():
            self._add(name, param)
        if params:
            self.initial.update(self._initial(params))

    # ---- fields ---------------------------------------------------------------------------

    def _add(self, name: str, param: Param) -> None:
        required = param.required and param.kind != "bool"
        default = param.default
        hint = "" if required or default in (None, "") else f"Default: {self._shown(default)}."
        label = _pretty(name)
        kind = param.kind
        if kind == "int":
            field = forms.IntegerField(min_value=0, widget=forms.NumberInput({**TEXT, "min": 0}))
        elif kind == "decimal":
            field = forms.DecimalField(widget=forms.TextInput({**TEXT, "inputmode": "decimal"}))
        elif kind == "bool":
            field = forms.BooleanField(widget=forms.CheckboxInput({"class": "form-check-input"}))
            if default:
                self.initial.setdefault(name, True)
        elif kind in ("str", "text"):
            field = forms.CharField(max_length=200, widget=forms.TextInput(TEXT))
        elif kind == "op":
            field = forms.ChoiceField(choices=[("", "—"), *OP_CHOICES], widget=forms.Select(SELECT))
        elif kind == "baseline":
            field = forms.ChoiceField(
                choices=[("", "—"), *[(b, _pretty(b)) for b in BASELINES]],
                widget=forms.Select(SELECT),
            )
        elif kind == "strings":
            field = forms.CharField(
                widget=forms.Textarea({**TEXT, "rows": 3}),
                help_text="One per line (or separated by commas).",
            )
        elif kind == "list":
            field = forms.ChoiceField(
                choices=[
                    ("", "— choose a list of this version —"),
                    *[(key, f"{title} ({key})") for key, title in self.list_titles.items()],
                ],
                widget=forms.Select(SELECT),
            )
        elif kind == "reference":
            field = forms.ChoiceField(
                choices=[("", "—"), *[(r, r) for r in self.references]],
                widget=forms.Select(SELECT),
            )
        elif kind == "duration":
            self._duration(name, label, required, hint)
            return
        elif kind == "age_bands":
            self._rows(
                name,
                BAND_ROWS,
                {
                    "min_age": forms.IntegerField(
                        min_value=0,
                        required=False,
                        label="From age",
                        widget=forms.NumberInput({**SMALL, "min": 0}),
                    ),
                    "max_age": forms.IntegerField(
                        min_value=0,
                        required=False,
                        label="To age",
                        widget=forms.NumberInput({**SMALL, "min": 0}),
                    ),
                    "op": forms.ChoiceField(
                        choices=[("", "—"), *OP_CHOICES],
                        required=False,
                        label="Result is",
                        widget=forms.Select(SMALL_SELECT),
                    ),
                    "value": forms.DecimalField(
                        required=False,
                        label="Value",
                        widget=forms.TextInput({**SMALL, "inputmode": "decimal"}),
                    ),
                },
            )
            return
        elif kind == "code_answers":
            self._rows(
                name,
                CODE_ROWS,
                {
                    "code": forms.CharField(
                        max_length=10,
                        required=False,
                        label="Code prefix",
                        widget=forms.TextInput(SMALL),
                    ),
                    "answer": forms.ChoiceField(
                        choices=[
                            ("", "—"),
                            ("met", "suggests met"),
                            ("not_met", "suggests not met"),
                        ],
                        required=False,
                        label="Suggests",
                        widget=forms.Select(SMALL_SELECT),
                    ),
                    "meaning": forms.CharField(
                        max_length=200,
                        required=False,
                        label="Meaning",
                        widget=forms.TextInput(SMALL),
                    ),
                },
            )
            return
        else:  # a kind this form does not know yet: say so rather than drop it
            field = forms.CharField(widget=forms.TextInput(TEXT))
        field.required = required
        field.label = label
        field.help_text = " ".join(x for x in (field.help_text, hint) if x)
        self.fields[name] = field

    def _duration(self, name: str, label: str, required: bool, hint: str) -> None:
        self.fields[f"{name}_count"] = forms.IntegerField(
            min_value=1,
            required=required,
            label=f"{label}: how many",
            widget=forms.NumberInput({**TEXT, "min": 1}),
            help_text=hint,
        )
        self.fields[f"{name}_unit"] = forms.ChoiceField(
            choices=[("", "—"), *[(u, UNIT_WORDS[u]) for u in CHECK_DURATION_UNITS]],
            required=required,
            label=f"{label}: unit",
            widget=forms.Select(SELECT),
        )

    def _rows(self, name: str, count: int, parts: dict[str, forms.Field]) -> None:
        for row in range(count):
            for part, field in parts.items():
                copy = field.__class__(**_field_kwargs(field))
                copy.widget = field.widget.__class__(dict(field.widget.attrs))
                if hasattr(field, "choices"):
                    copy.choices = field.choices
                copy.label = f"{_pretty(name)} row {row + 1}: {field.label}"
                self.fields[f"{name}_{row}_{part}"] = copy

    @staticmethod
    def _shown(value: Any) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(map(str, value))
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    def rows(self, name: str) -> list[list[forms.BoundField]]:
        """The bound fields of a row-editor parameter, row by row (for the template)."""
        rows: dict[int, list] = {}
        for field_name in self.fields:
            head, _, rest = field_name.partition(f"{name}_")
            if head == "" and rest[:1].isdigit():
                rows.setdefault(int(rest.split("_", 1)[0]), []).append(self[field_name])
        return [rows[i] for i in sorted(rows)]

    def layout(self) -> list[dict[str, Any]]:
        """Each parameter with its kind and bound fields, in the check's own order."""
        out = []
        for name, param in self.spec.params.items():
            if param.kind in ("age_bands", "code_answers"):
                rows = self.rows(name)
                headers = [f.label.split(": ", 1)[-1] for f in rows[0]] if rows else []
                out.append(
                    {
                        "name": name,
                        "kind": "rows",
                        "label": _pretty(name),
                        "rows": rows,
                        "headers": headers,
                    }
                )
            elif param.kind == "duration":
                out.append(
                    {
                        "name": name,
                        "kind": "duration",
                        "label": _pretty(name),
                        "fields": [self[f"{name}_count"], self[f"{name}_unit"]],
                    }
                )
            else:
                out.append({"name": name, "kind": "field", "fields": [self[name]]})
        return out

    # ---- values ---------------------------------------------------------------------------

    def _initial(self, params: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name, param in self.spec.params.items():
            value = params.get(name)
            if value is None:
                continue
            if param.kind == "duration" and isinstance(value, dict):
                initial[f"{name}_count"] = value.get("count")
                initial[f"{name}_unit"] = value.get("unit")
            elif param.kind == "age_bands" and isinstance(value, list):
                for row, band in enumerate(value[:BAND_ROWS]):
                    for part in ("min_age", "max_age", "op", "value"):
                        initial[f"{name}_{row}_{part}"] = band.get(part)
            elif param.kind == "code_answers" and isinstance(value, dict):
                for row, (code, entry) in enumerate(list(value.items())[:CODE_ROWS]):
                    initial[f"{name}_{row}_code"] = code
                    initial[f"{name}_{row}_answer"] = entry.get("answer")
                    initial[f"{name}_{row}_meaning"] = entry.get("meaning")
            elif param.kind == "strings" and isinstance(value, list | tuple):
                initial[name] = "\n".join(value)
            else:
                initial[name] = value
        return initial

    def params(self) -> dict[str, Any]:
        """The parameters as the policy document writes them; left-out optional ones are
        absent (the check's default applies)."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for name, param in self.spec.params.items():
            kind = param.kind
            if kind == "duration":
                count, unit = data.get(f"{name}_count"), data.get(f"{name}_unit")
                if count is not None or unit:
                    out[name] = {"count": count, "unit": unit}
            elif kind == "age_bands":
                bands = []
                for row in range(BAND_ROWS):
                    band = {
                        p: data.get(f"{name}_{row}_{p}")
                        for p in ("min_age", "max_age", "op", "value")
                    }
                    if band["op"] or band["value"] is not None:
                        bands.append(
                            {
                                k: (plain_number(v) if isinstance(v, Decimal) else v)
                                for k, v in band.items()
                                if v not in (None, "")
                            }
                        )
                if bands:
                    out[name] = bands
            elif kind == "code_answers":
                answers = {}
                for row in range(CODE_ROWS):
                    code = (data.get(f"{name}_{row}_code") or "").strip().upper()
                    if code:
                        answers[code] = {
                            "answer": data.get(f"{name}_{row}_answer") or "",
                            "meaning": data.get(f"{name}_{row}_meaning") or "",
                        }
                if answers:
                    out[name] = answers
            elif kind == "strings":
                text = data.get(name) or ""
                items = [s.strip() for line in text.splitlines() for s in line.split(",")]
                if any(items):
                    out[name] = [s for s in items if s]
            elif kind == "bool":
                value = bool(data.get(name))
                if value != bool(param.default) or param.required:
                    out[name] = value
            elif kind == "decimal":
                if data.get(name) is not None:
                    out[name] = plain_number(data[name])
            else:
                value = data.get(name)
                if value not in (None, ""):
                    out[name] = value
        return out

    def judge(self, negate: bool, lists: dict[str, Any], references) -> dict[str, Any] | None:
        """The parameters when the engine accepts them; None with the errors at the fields."""
        params = self.params()
        problems = check_param_problems(Check(self.check_name, params, negate), lists, references)
        for param, message in problems:
            target = None
            if param is not None:
                target = next(
                    (f for f in self.fields if f == param or f.startswith(f"{param}_")), None
                )
            self.add_error(target, message)
        return None if problems else params


def _field_kwargs(field: forms.Field) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"required": field.required, "label": field.label}
    for attr in ("min_value", "max_value", "max_length"):
        if getattr(field, attr, None) is not None:
            kwargs[attr] = getattr(field, attr)
    return kwargs


class CriterionForm(forms.ModelForm):
    """A node's own fields. The check is chosen from the engine's list of checks; its
    parameters are in CheckParamsForm (one per check, the chosen one is read)."""

    check_name = forms.ChoiceField(
        label="Computed check",
        required=False,
        widget=forms.Select({**SELECT, "data-check-select": ""}),
        help_text="Suggests an answer from the request's facts; the reviewer still decides.",
    )
    indication = forms.ChoiceField(label="Applies to", required=False, widget=forms.Select(SELECT))

    class Meta:
        model = Criterion
        fields = [
            "label",
            "kind",
            "k",
            "title",
            "text",
            "note",
            "explanation",
            "plain_language",
            "path",
            "indication",
            "evidence_required",
            "check_name",
            "check_negate",
        ]
        labels = {
            "kind": "Kind",
            "k": "At least how many",
            "title": "Short title",
            "text": "Policy text (verbatim)",
            "note": "Note (verbatim)",
            "explanation": "Explanation for reviewers",
            "plain_language": "Plain language, for letters",
            "path": "Request path",
            "evidence_required": "A “met” answer needs evidence (document, page and quote)",
            "check_negate": "The criterion is the check's opposite (met when the check is not)",
        }
        widgets = {
            "label": forms.TextInput({**TEXT, "autocomplete": "off"}),
            "kind": forms.Select({**SELECT, "data-kind-select": ""}),
            "k": forms.NumberInput({**TEXT, "min": 1}),
            "title": forms.TextInput(TEXT),
            "text": forms.Textarea({**TEXT, "rows": 3}),
            "note": forms.Textarea({**TEXT, "rows": 2}),
            "explanation": forms.Textarea({**TEXT, "rows": 2}),
            "plain_language": forms.Textarea({**TEXT, "rows": 2}),
            "path": forms.Select(SELECT),
            "evidence_required": forms.CheckboxInput({"class": "form-check-input"}),
            "check_negate": forms.CheckboxInput({"class": "form-check-input"}),
        }

    def __init__(self, *args, version, path_names: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["check_name"].choices = [
            ("", "No check: the reviewer answers"),
            *[(name, _pretty(name)) for name in sorted(CHECKS)],
        ]
        self.fields["indication"].choices = [
            ("", "Every indication"),
            *[(i.key, f"{i.name} ({i.key})") for i in version.indications.all()],
        ]
        self.fields["path"].choices = [("", "Both paths"), *path_names.items()]
        self.fields["kind"].choices = [
            (Criterion.Kind.LEAF, "Question"),
            (Criterion.Kind.ALL, "All of (group)"),
            (Criterion.Kind.ANY, "Any of (group)"),
            (Criterion.Kind.K_OF_N, "At least k of (group)"),
            (Criterion.Kind.IF, "If … then (condition, then what applies)"),
        ]

    def clean_label(self) -> str:
        label = self.cleaned_data["label"].strip()
        problem = label_problem(label)
        if problem:
            raise forms.ValidationError(problem)
        clash = Criterion.objects.filter(version=self.version, label=label)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"{label} is already used in this version.")
        return label

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Criterion.Kind.K_OF_N and not data.get("k"):
            self.add_error("k", "Say how many of the group must be met (1 or more).")
        if kind != Criterion.Kind.K_OF_N:
            data["k"] = None
        if kind != Criterion.Kind.LEAF and data.get("check_name"):
            self.add_error("check_name", "Only a question has a check; groups combine answers.")
        return data


class PolicyCreateForm(forms.Form):
    number = forms.CharField(
        label="Policy number",
        max_length=20,
        widget=forms.TextInput(TEXT),
        help_text="The plan's own number for the policy.",
    )
    title = forms.CharField(
        label="Title (the SUBJECT line)", max_length=200, widget=forms.TextInput(TEXT)
    )
    effective_date = forms.DateField(
        label="Effective date",
        widget=DateInput(TEXT),
        help_text="Cases received on or after this day are reviewed against this version.",
    )

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if Policy.objects.filter(number=number).exists():
            raise forms.ValidationError(
                f"Policy {number} already exists; open it from the list and clone a version."
            )
        return number


class CriteriaPasteForm(forms.Form):
    text = forms.CharField(
        label="Criteria, as the policy writes them",
        max_length=100_000,
        widget=forms.Textarea({**TEXT, "rows": 16, "spellcheck": "false"}),
        help_text=(
            "One criterion per line, each starting with its label (1., A., i., a., 9.iv.b, "
            "ELIG-1). Nesting follows the indentation, or else the labels (1 → A → i → a). "
            "A line without a label continues the line before."
        ),
    )


class PasteProposalsForm(forms.Form):
    """The paste page's second step: beside each pasted line, what is saved with it.

    A question: `evidence__<label>` (ticked: a "met" answer needs evidence) and, when its
    words propose a check, `use__<label>` (keep it) with the check's parameters as a
    CheckParamsForm prefixed `p-<label>-<check>`, prefilled with the proposal's and judged
    as the node form judges them. A group: `title__<label>`, `path__<label>` and
    `indication__<label>`, prefilled with the parsed title and the group's proposal. And the
    anchor's own title, `anchor_title`.

    A text field or select missing from the data keeps the value shown (as a model form
    keeps an omitted field's value); a checkbox missing is unticked, so bind this form only
    to the data of the page that showed it."""

    bound_field_class = DotlessIdBoundField

    def __init__(
        self,
        data=None,
        *,
        rows: list[PastedRow],
        anchor: Criterion,
        version,
        lists: dict[str, dict],
        references: dict[str, Any],
        **kwargs,
    ):
        """lists: the version's (version_lists); references: reference_lists()."""
        super().__init__(data, **kwargs)
        self.rows = rows
        self.lists, self.references = lists, references
        self.params_forms: dict[str, CheckParamsForm] = {}
        self.proposals: dict[str, Proposal] = {}
        self.kept_params: dict[str, dict[str, Any]] = {}
        titles = {key: value["title"] for key, value in lists.items()}
        paths = [("", "Both paths"), *version.path_names.items()]
        indications = [
            ("", "Every indication"),
            *[(i.key, f"{i.name} ({i.key})") for i in version.indications.all()],
        ]
        self.fields["anchor_title"] = forms.CharField(
            label=f"Title of {anchor.label}",
            max_length=TITLE_LENGTH,
            required=False,
            initial=anchor.title,
            widget=forms.TextInput(TEXT),
        )
        for row in rows:
            label, proposal = row.node.label, row.proposal
            if row.node.kind == Criterion.Kind.LEAF:
                self.fields[f"evidence__{label}"] = forms.BooleanField(
                    label=f"Evidence required for {label}",
                    required=False,
                    initial=True,
                    widget=forms.CheckboxInput({"class": "form-check-input"}),
                )
                if isinstance(proposal, Proposal):
                    self.fields[f"use__{label}"] = forms.BooleanField(
                        label=f"Keep the proposal for {label}",
                        required=False,
                        initial=True,
                        widget=forms.CheckboxInput({"class": "form-check-input"}),
                    )
                    self.proposals[label] = proposal
                    self.params_forms[label] = _compact(
                        CheckParamsForm(
                            data,
                            check_name=proposal.name,
                            lists=titles,
                            references=sorted(references),
                            params=proposal.params,
                            prefix=f"p-{label}-{proposal.name}",
                        )
                    )
                continue
            group = proposal if isinstance(proposal, GroupProposal) else GroupProposal()
            self.fields[f"title__{label}"] = forms.CharField(
                label=f"Title of {label}",
                max_length=TITLE_LENGTH,
                required=False,
                initial=row.node.title,
                widget=forms.TextInput(SMALL),
            )
            self.fields[f"path__{label}"] = forms.ChoiceField(
                label=f"Path of {label}",
                choices=paths,
                required=False,
                initial=group.path,
                widget=forms.Select(SMALL_SELECT),
            )
            self.fields[f"indication__{label}"] = forms.ChoiceField(
                label=f"Indication of {label}",
                choices=indications,
                required=False,
                initial=group.indication,
                widget=forms.Select(SMALL_SELECT),
            )
        if self.is_bound:
            self.data = self._shown_where_omitted(self.data)

    def _shown_where_omitted(self, data):
        data = data.copy()
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if field.widget.value_omitted_from_data(data, self.files, key):
                data[key] = self.get_initial_for_field(field, name)
        return data

    def clean(self):
        data = super().clean()
        wrong = []
        for label, params_form in self.params_forms.items():
            if not data.get(f"use__{label}"):
                continue  # an unkept proposal's fields are not read
            if not _posted(params_form):  # none of its fields sent: the parameters shown
                self.kept_params[label] = self.proposals[label].params
                continue
            if params_form.is_valid():
                params = params_form.judge(False, self.lists, self.references)
                if params is not None:
                    self.kept_params[label] = params
                    continue
            wrong.append(label)
        if wrong:
            raise forms.ValidationError(
                f"Correct the parameters of {', '.join(wrong)}, or untick "
                f"{'its proposal' if len(wrong) == 1 else 'their proposals'} to add "
                f"{'it' if len(wrong) == 1 else 'them'} without a check."
            )
        return data

    def row_fields(self, row: PastedRow) -> dict[str, Any]:
        """A row's bound fields for the template: `use` and `evidence` (a question's),
        `title` and `group` (a group's, each field with its short name), `params` (the
        check's parameters form) and `layout` (its parameters, a row editor marked `open`
        when it holds something)."""
        label = row.node.label
        names = ("use", "evidence", "title", "path", "indication")
        out: dict[str, Any] = {
            name: self[f"{name}__{label}"] for name in names if f"{name}__{label}" in self.fields
        }
        if "title" in out:
            out["group"] = [
                (out["title"], "Title"),
                (out["path"], "Path"),
                (out["indication"], "Indication"),
            ]
        params_form = self.params_forms.get(label)
        out["params"], out["layout"] = params_form, []
        if params_form is not None:
            for param in params_form.layout():
                if param["kind"] == "rows":
                    param["open"] = any(
                        field.value() not in (None, "") or field.errors
                        for fields in param["rows"]
                        for field in fields
                    )
                out["layout"].append(param)
        return out

    def accepted(self) -> dict[str, Proposal]:
        """The kept check proposals, with their parameters as edited (once valid)."""
        return {
            label: replace(self.proposals[label], params=params)
            for label, params in self.kept_params.items()
        }

    def settings(self) -> dict[str, PasteSetting]:
        data = self.cleaned_data
        out = {}
        for row in self.rows:
            label = row.node.label
            if f"evidence__{label}" in self.fields:
                out[label] = PasteSetting(evidence_required=data[f"evidence__{label}"])
            else:
                out[label] = PasteSetting(
                    title=data[f"title__{label}"],
                    path=data[f"path__{label}"],
                    indication=data[f"indication__{label}"],
                )
        return out


def _compact(form: CheckParamsForm) -> CheckParamsForm:
    """A parameters form sized for a table's row: small inputs, short text areas."""
    for field in form.fields.values():
        classes = field.widget.attrs.get("class", "").split()
        for base in ("form-control", "form-select"):
            if base in classes and f"{base}-sm" not in classes:
                classes.append(f"{base}-sm")
        field.widget.attrs["class"] = " ".join(classes)
        if isinstance(field.widget, forms.Textarea):
            field.widget.attrs["rows"] = 2
    return form


def _posted(form: forms.Form) -> bool:
    """Whether any of a form's fields came with the data (a checkbox cannot tell: unticked,
    it is absent)."""
    return any(
        not isinstance(field.widget, forms.CheckboxInput)
        and not field.widget.value_omitted_from_data(form.data, form.files, form.add_prefix(name))
        for name, field in form.fields.items()
    )
