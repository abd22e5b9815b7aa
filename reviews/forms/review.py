"""The nurse's guided review: an answer with its evidence, the approval's confirmed terms,
an escalation."""

import hashlib

from django import forms

from reviews.models import CriterionAnswer, Determination, Document
from reviews.services.determinations import ApprovalTerms

OTHER = "other"


def passage_key(passage) -> str:
    """A suggested passage's stable name: its document, page and a digest of its words."""
    digest = hashlib.sha256(passage.text.encode()).hexdigest()[:16]
    return f"{passage.document_id}:{passage.page}:{digest}"


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
        error_messages={
            "invalid_choice": "The suggested passages changed since this page was shown: "
            "choose again."
        },
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
        # Each passage by what it is, not its place in the list: if the documents' text
        # changes between showing the step and saving it, a stale choice is refused rather
        # than taken as another passage.
        self.by_key = {passage_key(p): p for p in self.passages}
        self.fields["passage"].choices = [
            *((passage_key(p), p.text) for p in self.passages),
            (OTHER, "None of these: the document, page and quote below"),
        ]

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("passage")
        if choice and choice != OTHER:
            passage = self.by_key[choice]
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
    # As the determination stores it (a wider value would fail only at the save).
    amount = forms.DecimalField(
        required=False,
        max_digits=Determination._meta.get_field("authorized_amount").max_digits,
        decimal_places=Determination._meta.get_field("authorized_amount").decimal_places,
        widget=forms.HiddenInput,
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


NONE_FITS = "none"


class IndicationForm(forms.Form):
    """The nurse's choice of the case's indication, or that the request fits none."""

    indication = forms.ChoiceField(
        widget=forms.RadioSelect,
        label="Which indication is this request for?",
        error_messages={"required": "Choose an indication, or that none fits."},
    )
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why (recorded with the case)",
        error_messages={"required": "Say why this indication fits (or why none does)."},
    )

    def __init__(self, *args, indications, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (i["key"], f"{i['name']} ({', '.join(i['diagnosis_codes']) or 'any diagnosis'})")
            for i in indications
        ]
        choices.append((NONE_FITS, "None of them: a physician reviews the request case by case"))
        self.fields["indication"].choices = choices

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why this indication fits (or why none does).")
        return reason

    def key(self) -> str:
        """The indication's key, or "" for none."""
        value = self.cleaned_data["indication"]
        return "" if value == NONE_FITS else value
