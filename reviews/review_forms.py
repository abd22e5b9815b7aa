"""Forms of the nurse and physician reviews: validation and conversion only."""

from decimal import Decimal

from django import forms

from reviews.models import Case, CriterionAnswer, Determination, Document
from reviews.services.determinations import ApprovalTerms

OTHER = "other"


class AnswerForm(forms.Form):
    """One criterion: the answer, the evidence (a suggested passage or a document, page and
    quote typed in), and a comment."""

    answer = forms.ChoiceField(
        choices=CriterionAnswer.Value.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose met, not met or not documented."},
    )
    passage = forms.ChoiceField(
        required=False,
        label="Evidence from the documents",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    evidence_document = forms.ModelChoiceField(
        queryset=Document.objects.none(),
        required=False,
        label="Document",
        empty_label="No document",
    )
    evidence_page = forms.IntegerField(required=False, min_value=1, max_value=100000, label="Page")
    evidence_quote = forms.CharField(
        required=False,
        max_length=2000,
        label="Quoted text",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    comment = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, documents, passages, **kwargs):
        super().__init__(*args, **kwargs)
        self.passages = list(passages)
        self.fields["evidence_document"].queryset = documents
        self.fields["passage"].choices = [
            *((str(i), p.text) for i, p in enumerate(self.passages)),
            (OTHER, "None of these: the document, page and quote below"),
        ]

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("passage")
        if choice and choice != OTHER:
            passage = self.passages[int(choice)]
            documents = self.fields["evidence_document"].queryset
            cleaned["evidence_document"] = documents.filter(pk=passage.document_id).first()
            cleaned["evidence_page"] = passage.page
            cleaned["evidence_quote"] = passage.text
        elif cleaned.get("evidence_page") and not cleaned.get("evidence_document"):
            self.add_error("evidence_document", "Choose the document the page belongs to.")
        return cleaned

    def answer_values(self) -> dict:
        """criterion_answer_save's keyword arguments (call after is_valid())."""
        names = ("answer", "comment", "evidence_document", "evidence_page", "evidence_quote")
        return {name: self.cleaned_data[name] for name in names}


class ApproveConfirmForm(forms.Form):
    """The terms a nurse saw on the confirmation screen, sent back with her approval: the
    service issues nothing if they are no longer the terms it would issue."""

    approval_start = forms.DateField(widget=forms.HiddenInput)
    approval_end = forms.DateField(widget=forms.HiddenInput)
    authorized_doses = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    amount = forms.DecimalField(
        required=False, max_digits=12, decimal_places=3, widget=forms.HiddenInput
    )
    unit = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    @classmethod
    def of(cls, terms: ApprovalTerms) -> "ApproveConfirmForm":
        return cls(
            initial={
                "approval_start": terms.start,
                "approval_end": terms.end,
                "authorized_doses": terms.doses,
                "amount": terms.amount,
                "unit": terms.unit,
            }
        )

    def terms(self) -> ApprovalTerms:
        data = self.cleaned_data
        return ApprovalTerms(
            start=data["approval_start"],
            end=data["approval_end"],
            doses=data["authorized_doses"],
            amount=data["amount"],
            unit=data["unit"],
        )


class EscalateForm(forms.Form):
    comment = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment for the physician reviewer",
    )


# ---- physician review ------------------------------------------------------------------------

DATE_INPUT = forms.DateInput(attrs={"type": "date"})
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class QueueFilterForm(forms.Form):
    urgency = forms.ChoiceField(
        required=False,
        choices=[("", "Any urgency"), *Case.Urgency.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    line_of_business = forms.ChoiceField(
        required=False,
        label="Line of business",
        choices=[("", "Any line of business"), *Case.LineOfBusiness.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    drug = forms.ChoiceField(
        required=False,
        choices=[("", "Any drug")],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    overdue_only = forms.BooleanField(
        required=False,
        label="Overdue only",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, drugs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drug"].choices = [("", "Any drug"), *((d, d) for d in drugs)]


def _largest_amount() -> Decimal:
    """The largest total Determination.authorized_amount holds (e.g. 9999999.999)."""
    field = Determination._meta.get_field("authorized_amount")
    places = field.decimal_places
    return Decimal(10) ** (field.max_digits - places) - Decimal(10) ** -places


class ApproveForm(forms.Form):
    approval_start = forms.DateField(widget=DATE_INPUT, label="Approved from")
    approval_end = forms.DateField(widget=DATE_INPUT, label="Approved through")
    authorized_doses = forms.IntegerField(min_value=1, max_value=10000, label="Doses")
    rationale = forms.CharField(
        required=False,
        max_length=4000,
        label="Note (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, dose: tuple[Decimal | None, str] = (None, ""), **kwargs):
        """`dose`: the requested dose (amount, unit), which the doses multiply."""
        super().__init__(*args, **kwargs)
        self.dose = dose

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("approval_start"), cleaned.get("approval_end")
        if start and end and end < start:
            self.add_error("approval_end", "The period ends before it starts.")
        amount, unit = self.dose
        doses = cleaned.get("authorized_doses")
        # The total is stored (and printed on the letter); one too large for its column was
        # a database error on PostgreSQL.
        if doses and amount and doses * amount > _largest_amount():
            self.add_error(
                "authorized_doses",
                f"{doses} doses of {amount.normalize():f} {unit} is more than can be "
                "authorized; check the number of doses.",
            )
        return cleaned


class PartialApproveForm(ApproveForm):
    rationale = forms.CharField(
        max_length=4000,
        label="Why only part is approved (the member reads this)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DenyForm(forms.Form):
    criteria = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Criteria not met",
        error_messages={"required": "Name at least one criterion that is not met."},
    )
    rationale = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Reason, in plain language the member can understand",
    )

    def __init__(self, *args, criteria_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = criteria_choices
        if not criteria_choices:  # a case not in policy has no criteria to cite
            self.fields["criteria"].required = False


class InfoRequestForm(forms.Form):
    missing = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="What is missing"
    )
    wait_until = forms.DateTimeField(
        widget=DATETIME_INPUT,
        label="Wait until",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class PeerToPeerLogForm(forms.Form):
    held_at = forms.DateTimeField(
        widget=DATETIME_INPUT, label="Held at", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    with_whom = forms.CharField(max_length=200, label="With whom")
    outcome = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class AuditSearchForm(forms.Form):
    reference = forms.CharField(required=False, max_length=20, label="Case reference")
    username = forms.CharField(required=False, max_length=150, label="User name")
    kind = forms.ChoiceField(required=False, label="Event")
    date_from = forms.DateField(required=False, widget=DATE_INPUT, label="From")
    date_to = forms.DateField(required=False, widget=DATE_INPUT, label="To")

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any event"), *kinds]
