"""The physician's queue filters and decisions: approve, partially approve, deny, ask for
information, log a peer-to-peer conversation."""

from decimal import Decimal

from django import forms

from reviews.models import Case, Determination

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class QueueFilterForm(forms.Form):
    """The filters and search of both queues (nurse and physician)."""

    q = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        widget=forms.TextInput(
            attrs={"class": "form-control", "type": "search", "placeholder": "Reference, member"}
        ),
    )
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
    at_risk_only = forms.BooleanField(
        required=False,
        label="At risk only",
        help_text="Under a quarter of the time left, or overdue.",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    mine = forms.BooleanField(
        required=False,
        label="Mine only",
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


class ReturnToNurseForm(forms.Form):
    reason = forms.CharField(
        min_length=10,
        max_length=4000,
        label="Why it goes back (the nurse reads this)",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why the case goes back, so the nurse knows what to do next.",
            "min_length": "Say why the case goes back, so the nurse knows what to do next "
            "(a sentence).",
        },
    )
