"""Intake: every rule a prior-authorization request must meet to be entered, in one place.

Plain Python values in (a dict of the Case's fields, a list of medications), the cleaned
values out, or one IntakeInvalid carrying messages per field. No request and no form: the
intake page's form and the API's serializer only turn text or JSON into these values, and
services.cases.case_create runs the same rules before it stores anything.

Error keys are the fields' paths: "prescriber_npi", "regimen.dose_amount",
"regimen.maintenance.every", "medications.2.name".

What a request must *not* be refused for: anything a policy decides. Whether the prescriber
is a specialist, or consulted one, is a criterion the reviewers judge; a plan takes in every
request it receives and starts its clock.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from reviews.engine.dosing import UNITS, Regimen
from reviews.engine.drugs import HCPCS_PATTERN
from reviews.errors import ReviewError
from reviews.models import Case, CaseMedication

# ---- the values a request may take ---------------------------------------------------------

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
MAINTENANCE_UNITS = [(u, u.replace("_", " ") + "(s)") for u in UNITS]

# The last week a regimen may name (loading doses, the start of maintenance): ten years.
MAX_WEEK = 520
MAX_LOADING_DOSES = 52
MAX_EVERY = 365
MIN_DOSE, MAX_DOSE, DOSE_PLACES = Decimal("0.001"), Decimal("9999999.999"), 3
MAX_MEDICATIONS = 30
MAX_CODES = 20
BACKDATE_REASON_MAX = 1000

# How long before now a receipt time may be without a stated reason: enough for the time it
# takes to fill in the form, short of a back-dated request.
BACKDATE_GRACE = timedelta(minutes=30)
# A clock a few minutes fast on the client is not a future receipt.
CLOCK_SKEW = timedelta(minutes=5)

# Text fields: (required, collapse inner whitespace). Their lengths are the columns'.
TEXT_FIELDS = {
    "member_name": (True, True),
    "member_id": (True, True),
    "prescriber_name": (True, True),
    "prescriber_specialty": (True, True),
    "consulting_name": (False, True),
    "consulting_specialty": (False, True),
    "drug_name": (True, True),
}
CHOICE_FIELDS = {
    "request_type": Case.RequestType,
    "urgency": Case.Urgency,
    "line_of_business": Case.LineOfBusiness,
}
# Every Case field a request fills, in the order the page shows them.
FIELDS = (
    "member_name",
    "member_id",
    "member_dob",
    "prescriber_name",
    "prescriber_npi",
    "prescriber_credential",
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


def max_length(name: str) -> int:
    """A text field's limit: its column's."""
    return Case._meta.get_field(name).max_length


MEDICATION_NAME_MAX = CaseMedication._meta.get_field("name").max_length

REQUIRED = "This field is required."


class IntakeInvalid(ReviewError):
    """A request that cannot be entered: {"field path": ["message", ...]}."""

    def __init__(self, errors: dict[str, list[str]]):
        named = "; ".join(f"{path}: {' '.join(messages)}" for path, messages in errors.items())
        super().__init__(f"The request has errors. {named}")
        self.errors = errors


@dataclass(frozen=True)
class Intake:
    """A request ready to store: the Case's fields and the medications, both cleaned."""

    fields: dict[str, Any]
    medications: list[dict[str, Any]]


# ---- codes ---------------------------------------------------------------------------------


def npi_is_valid(npi: str) -> bool:
    """A 10-digit NPI whose last digit is the Luhn check digit of "80840" + the first nine.

    80840 is the NPI's issuer prefix (ISO 7812 health-care applications, CMS NPI standard);
    the check digit is computed as if the prefix were there.
    """
    if not re.fullmatch(r"[0-9]{10}", npi):
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

# FY2026 ICD-10-CM (effective 1 October 2025) split category G35: it became a
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
    "G35.D": "unspecified",
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
                f"(FY2026 ICD-10-CM split category G35). Use one of: {valid}."
            )
        if code not in G35_BILLABLE:
            return f"{code} is not an ICD-10-CM code. Use one of: {valid}."
    elif code != "G35":
        return (
            f"{code} takes effect on 1 October 2025; for a request received before then, "
            "the code is G35."
        )
    return None


HCPCS = HCPCS_PATTERN  # one rule with the policy document's (engine.drugs)


# ---- the rules -----------------------------------------------------------------------------


class _Errors(dict):
    def add(self, key: str, message: str) -> None:
        self.setdefault(key, []).append(message)

    def count(self) -> int:
        return sum(len(messages) for messages in self.values())


_INVALID: Any = object()  # a part given but wrong: its own messages say why


def request_clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """The Case's fields of a request, cleaned; raises IntakeInvalid with every problem.

    A missing key or None is an empty field; an empty receipt time means now.
    """
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"Not intake fields: {', '.join(sorted(unknown))}.")
    errors = _Errors()
    out: dict[str, Any] = {}
    now = timezone.now()
    today = timezone.localdate()

    for name, (required, collapse) in TEXT_FIELDS.items():
        out[name] = _text(values.get(name), name, errors, required=required, collapse=collapse)

    out["member_dob"] = _date(values.get("member_dob"), "member_dob", errors, required=True)
    out["consult_date"] = _date(values.get("consult_date"), "consult_date", errors)
    out["therapy_start_date"] = _date(
        values.get("therapy_start_date"), "therapy_start_date", errors
    )
    for name, choices in CHOICE_FIELDS.items():
        out[name] = _choice(values.get(name), name, choices.values, errors, required=True)
    out["prescriber_credential"] = _choice(
        values.get("prescriber_credential"),
        "prescriber_credential",
        Case.Credential.values,
        errors,
    )

    npi = _text(values.get("prescriber_npi"), "prescriber_npi", errors, required=True, limit=None)
    if npi and not re.fullmatch(r"[0-9]{10}", npi):
        errors.add("prescriber_npi", "An NPI is exactly 10 digits.")
    elif npi and not npi_is_valid(npi):
        errors.add(
            "prescriber_npi",
            f"{npi} is not a valid NPI: its check digit does not match (mistyped?).",
        )
    out["prescriber_npi"] = npi

    hcpcs = _text(values.get("hcpcs_code"), "hcpcs_code", errors, limit=None).upper()
    if hcpcs and not HCPCS.match(hcpcs):
        errors.add("hcpcs_code", "A HCPCS Level II code is a letter and four digits, e.g. J3490.")
    out["hcpcs_code"] = hcpcs

    received = _received_at(values.get("received_at"), now, errors)
    out["received_at"] = received
    received_on = timezone.localtime(received).date() if received else None

    dob = out["member_dob"]
    if dob:
        if dob > today:
            errors.add("member_dob", "The date of birth is in the future.")
        elif received_on and dob > received_on:
            errors.add("member_dob", "The date of birth is after the request was received.")
        elif dob.year < today.year - 130:
            errors.add("member_dob", "The date of birth is more than 130 years ago.")

    # Consultation details are facts for the criteria (a policy may accept a consulted
    # specialist); any of them may be missing, but a consultation cannot postdate receipt.
    consult = out["consult_date"]
    if consult and consult > today:
        errors.add("consult_date", "The consultation date is in the future.")
    elif consult and received_on and consult > received_on:
        errors.add("consult_date", "The consultation is after the request was received.")

    out["diagnosis_codes"] = _diagnosis_codes(values.get("diagnosis_codes"), received_on, errors)
    out["regimen"] = _regimen(values.get("regimen"), errors)

    start = out["therapy_start_date"]
    if out["request_type"] == Case.RequestType.CONTINUATION and not start:
        if "therapy_start_date" not in errors:
            errors.add(
                "therapy_start_date",
                "A continuation request needs the date therapy with the drug began.",
            )
    elif start and start > today:
        errors.add("therapy_start_date", "The therapy start date is in the future.")
    elif start and received_on and start > received_on:
        errors.add(
            "therapy_start_date", "Therapy cannot have begun after the request was received."
        )

    reason = _text(
        values.get("backdate_reason"),
        "backdate_reason",
        errors,
        collapse=False,
        limit=BACKDATE_REASON_MAX,
    )
    if received and received < now - BACKDATE_GRACE:
        if not reason and "backdate_reason" not in errors:
            errors.add(
                "backdate_reason",
                "The receipt time is more than 30 minutes ago: say why "
                "(e.g. faxed after hours), or clear it to use the current time.",
            )
    else:
        reason = ""
    out["backdate_reason"] = reason

    if errors:
        raise IntakeInvalid(dict(errors))
    return out


def medications_clean(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The current medications: [{"name": ..., "stop_date": date | None}], empty rows dropped.

    Errors name the row as given: "medications.3.name".
    """
    errors = _Errors()
    out = []
    for i, row in enumerate(rows):
        key = f"medications.{i}"
        if not isinstance(row, Mapping):
            errors.add(key, "Give each medication as a name and an optional stop date.")
            continue
        name = _text(row.get("name"), f"{key}.name", errors, limit=MEDICATION_NAME_MAX)
        stop = _date(row.get("stop_date"), f"{key}.stop_date", errors)
        if not name:
            if stop and f"{key}.name" not in errors:
                errors.add(f"{key}.name", "Name the medication that stops on this date.")
            continue
        out.append({"name": name, "stop_date": stop})
    if len(out) > MAX_MEDICATIONS:
        errors.add("medications", f"List at most {MAX_MEDICATIONS} medications.")
    if errors:
        raise IntakeInvalid(dict(errors))
    return out


def intake_clean(
    fields: Mapping[str, Any], medications: Sequence[Mapping[str, Any]] = ()
) -> Intake:
    """A whole request: its fields and its medications, with every problem of both at once."""
    errors: dict[str, list[str]] = {}
    cleaned_fields: dict[str, Any] = {}
    cleaned_medications: list[dict[str, Any]] = []
    try:
        cleaned_fields = request_clean(fields)
    except IntakeInvalid as invalid:
        errors |= invalid.errors
    try:
        cleaned_medications = medications_clean(list(medications))
    except IntakeInvalid as invalid:
        errors |= invalid.errors
    if errors:
        raise IntakeInvalid(errors)
    return Intake(fields=cleaned_fields, medications=cleaned_medications)


# ---- one value at a time -------------------------------------------------------------------

_UNSET = object()


def _text(
    value: Any,
    key: str,
    errors: _Errors,
    *,
    required: bool = False,
    collapse: bool = True,
    limit: Any = _UNSET,
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(key, "Enter text.")
        return ""
    if "\x00" in value:
        # PostgreSQL refuses NUL in text; Django's forms say the same.
        errors.add(key, "Null characters are not allowed.")
        return ""
    text = " ".join(value.split()) if collapse else value.strip()
    if limit is _UNSET:
        limit = max_length(key)
    if limit is not None and len(text) > limit:
        errors.add(key, f"Ensure this value has at most {limit} characters (it has {len(text)}).")
        return ""
    if required and not text:
        errors.add(key, REQUIRED)
    return text


def _date(value: Any, key: str, errors: _Errors, *, required: bool = False) -> date | None:
    if value is None or value == "":
        if required:
            errors.add(key, REQUIRED)
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        errors.add(key, "Enter a valid date.")
        return None
    return value


def _choice(
    value: Any, key: str, allowed: Sequence[str], errors: _Errors, *, required: bool = False
) -> str:
    if value is None or value == "":
        if required:
            errors.add(key, REQUIRED)
        return ""
    if not isinstance(value, str) or value not in allowed:
        errors.add(key, f"Select a valid choice. {value} is not one of the available choices.")
        return ""
    return value


def _received_at(value: Any, now: datetime, errors: _Errors) -> datetime | None:
    if value is None or value == "":
        return now
    if not isinstance(value, datetime):
        errors.add("received_at", "Enter a valid date/time.")
        return None
    if timezone.is_naive(value):
        # Wall-clock time in the plan's zone, the zone deadlines are counted in.
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        errors.add("received_at", "The receipt time is in the future.")
        return None
    return value


def _diagnosis_codes(value: Any, received_on: date | None, errors: _Errors) -> list[str]:
    if value is None:
        value = []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        errors.add("diagnosis_codes", "Give the codes as a list.")
        return []
    if not all(isinstance(code, str) for code in value):
        errors.add("diagnosis_codes", "Each code is text, e.g. G35.A.")
        return []
    codes = list(dict.fromkeys(icd10_normalize(c) for c in value if c.strip()))
    if not codes:
        errors.add("diagnosis_codes", "Enter at least one ICD-10-CM code.")
    elif len(codes) > MAX_CODES:
        errors.add("diagnosis_codes", f"Enter at most {MAX_CODES} codes.")
    for code in codes:
        if problem := icd10_problem(code, received_on=received_on):
            errors.add("diagnosis_codes", problem)
    return codes


def _whole(value: Any, key: str, errors: _Errors, low: int, high: int) -> int | None:
    if value is None or value == "":
        errors.add(key, REQUIRED)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add(key, "Enter a whole number.")
        return None
    if value < low:
        errors.add(key, f"Ensure this value is greater than or equal to {low}.")
        return None
    if value > high:
        errors.add(key, f"Ensure this value is less than or equal to {high}.")
        return None
    return value


def _dose(value: Any, errors: _Errors) -> Decimal | None:
    key = "regimen.dose_amount"
    if value is None or value == "":
        errors.add(key, REQUIRED)
        return None
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        errors.add(key, "Enter a number.")
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        errors.add(key, "Enter a number.")
        return None
    if not amount.is_finite():
        errors.add(key, "Enter a number.")
    elif amount < MIN_DOSE:
        errors.add(key, f"Ensure this value is greater than or equal to {MIN_DOSE}.")
    elif amount > MAX_DOSE:
        errors.add(key, f"Ensure this value is less than or equal to {MAX_DOSE}.")
    elif -amount.as_tuple().exponent > DOSE_PLACES:
        errors.add(key, f"Ensure that there are no more than {DOSE_PLACES} decimal places.")
    else:
        return amount
    return None


def _regimen(value: Any, errors: _Errors) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        errors.add("regimen", REQUIRED if value is None else "Give the regimen as an object.")
        return None
    unknown = set(value) - {"dose_amount", "dose_unit", "route", "loading_weeks", "maintenance"}
    if unknown:
        errors.add("regimen", f"Unknown regimen fields: {', '.join(sorted(map(str, unknown)))}.")
        return None
    before = errors.count()
    amount = _dose(value.get("dose_amount"), errors)
    unit = _choice(
        value.get("dose_unit"),
        "regimen.dose_unit",
        [u for u, _ in DOSE_UNITS],
        errors,
        required=True,
    )
    route = _choice(
        value.get("route"), "regimen.route", [r for r, _ in ROUTES], errors, required=True
    )
    weeks = _loading_weeks(value.get("loading_weeks", []), errors)
    maintenance = _maintenance(value.get("maintenance"), errors)
    if maintenance is None and weeks == []:
        errors.add("regimen.maintenance", "Give loading weeks, a maintenance interval, or both.")
    if errors.count() > before:
        return None
    regimen = {
        "dose_amount": format(amount.normalize(), "f"),
        "dose_unit": unit,
        "route": route,
        "loading_weeks": weeks,
    }
    if maintenance:
        regimen["maintenance"] = maintenance
    try:
        return Regimen.from_dict(regimen).to_dict()
    except ValueError as error:
        errors.add("regimen", f"The regimen is not valid: {error}")
        return None


def _loading_weeks(value: Any, errors: _Errors) -> list[int] | None:
    key = "regimen.loading_weeks"
    if value is None:
        errors.add(key, REQUIRED)
        return None
    if not isinstance(value, list | tuple) or not all(
        isinstance(w, int) and not isinstance(w, bool) for w in value
    ):
        errors.add(key, "Week numbers only, e.g. [0, 1, 2].")
        return None
    weeks = list(value)
    if any(week < 0 or week > MAX_WEEK for week in weeks):
        errors.add(key, f"Week numbers run from 0 to {MAX_WEEK} (ten years).")
    elif weeks != sorted(set(weeks)):
        errors.add(key, "List each week once, in ascending order.")
    elif len(weeks) > MAX_LOADING_DOSES:
        errors.add(key, f"At most {MAX_LOADING_DOSES} loading doses.")
    else:
        return weeks
    return None


def _maintenance(value: Any, errors: _Errors) -> Any:
    """None for no maintenance phase, _INVALID for a wrong one, else the phase."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        errors.add("regimen.maintenance", "Give the maintenance phase as an object.")
        return _INVALID
    every, unit = value.get("every"), value.get("unit")
    if every in (None, "") and unit in (None, ""):
        return None
    if unit in (None, ""):
        errors.add("regimen.maintenance.unit", "Choose days, weeks or calendar months.")
        return _INVALID
    if every in (None, ""):
        errors.add("regimen.maintenance.every", "How many days, weeks or months apart?")
        return _INVALID
    start = value.get("start_week")
    before = errors.count()
    every = _whole(every, "regimen.maintenance.every", errors, 1, MAX_EVERY)
    unit = _choice(unit, "regimen.maintenance.unit", UNITS, errors, required=True)
    start = _whole(
        0 if start in (None, "") else start, "regimen.maintenance.start_week", errors, 0, MAX_WEEK
    )
    if errors.count() > before:
        return _INVALID
    return {"every": every, "unit": unit, "start_week": start}
