"""Intake: every rule a prior-authorization request must meet to be entered, in one place.

Plain Python values in (a dict of the Case's fields, a list of medications), the cleaned
values out, or one IntakeInvalid carrying messages per field. No request and no form: the
intake page's form and the API's serializer only turn text or JSON into these values, and
services.cases.case_create runs the same rules before it stores anything.

Error keys are the fields' paths: "prescriber_npi", "regimen.phases.0.dose.amount",
"regimen.phases.1.schedule.every", "medications.2.name", "labs.0.value",
"therapies.1.ended_on".

The clinical facts (labs, prior therapies, clinical events, weight and height) follow the
same rules whether they come with the request or a nurse reads them from a document during
review (services.facts): `fact_clean` cleans one.

What a request must *not* be refused for: anything a policy decides. Whether the prescriber
is a specialist, or consulted one, is a criterion the reviewers judge; a plan takes in every
request it receives and starts its clock.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from reviews.engine.dosing import OFFSET_UNITS, UNITS, Regimen
from reviews.engine.drugs import HCPCS_PATTERN
from reviews.engine.numbers import plain_number
from reviews.errors import ReviewError
from reviews.models import (
    Case,
    CaseClinicalEvent,
    CaseLab,
    CaseMedication,
    CaseTherapy,
    TherapyOutcome,
)

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
SCHEDULE_UNITS = [(u, u.replace("_", " ") + "(s)") for u in UNITS]
OFFSET_UNIT_CHOICES = [(u, u + "(s)") for u in OFFSET_UNITS]

# The last week a regimen may name (a series' offsets, the start of a phase): ten years.
MAX_WEEK = 520
MAX_LOADING_DOSES = 52
MAX_PHASES = 6
PHASE_NAME_MAX = 40
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
    "weight_kg",
    "height_cm",
)


def max_length(name: str) -> int:
    """A text field's limit: its column's."""
    return Case._meta.get_field(name).max_length


MEDICATION_NAME_MAX = CaseMedication._meta.get_field("name").max_length

# Plausible body measurements: outside these a figure is mistyped (or in other units).
WEIGHT_KG = (Decimal("0.3"), Decimal("650"))
HEIGHT_CM = (Decimal("20"), Decimal("275"))
MEASUREMENT_PLACES = 1
# A lab value as the column holds it.
LAB_VALUE_MAX, LAB_VALUE_PLACES = Decimal("9999999999.9999"), 4
MAX_LABS, MAX_THERAPIES, MAX_EVENTS = 50, 30, 50
NOTE_MAX = 1000
LOINC = re.compile(r"^[0-9]{1,7}-[0-9]$")
FACT_KINDS = ("lab", "therapy", "event")
# The row lists of a request, by the fact kind of their rows.
FACT_LISTS = {"lab": "labs", "therapy": "therapies", "event": "events"}

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
    labs: list[dict[str, Any]] = field(default_factory=list)
    therapies: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


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


def loinc_is_valid(code: str) -> bool:
    """A LOINC code's last digit is the mod-10 (Luhn) check digit of the digits before the
    hyphen (LOINC Users' Guide, "Calculating Mod 10 check digits")."""
    if not LOINC.match(code):
        return False
    number, check = code.split("-")
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10 == int(check)


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

    out.update(_measurements(values, errors))
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


def facts_clean(kind: str, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """A request's rows of one kind of fact (lab, therapy, event), empty rows dropped.

    Errors name the row as given: "labs.0.value", "therapies.2.ended_on".
    """
    name = FACT_LISTS[kind]
    errors = _Errors()
    out = []
    for i, row in enumerate(rows):
        key = f"{name}.{i}"
        if not isinstance(row, Mapping):
            errors.add(key, "Give each row as an object of its fields.")
            continue
        if all(value in (None, "") for value in row.values()):
            continue
        cleaned = _FACT_RULES[kind](row, f"{key}.", errors)
        if cleaned is not None:
            out.append(cleaned)
    limit = {"lab": MAX_LABS, "therapy": MAX_THERAPIES, "event": MAX_EVENTS}[kind]
    if len(out) > limit:
        errors.add(name, f"List at most {limit} rows.")
    if errors:
        raise IntakeInvalid(dict(errors))
    return out


def fact_clean(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """One fact (lab, therapy or event), errors at its bare field names ("value").
    kind "measurements": weight_kg and height_cm, either may be empty."""
    if kind not in (*FACT_KINDS, "measurements"):
        raise ValueError(f"Not a kind of fact: {kind}")
    errors = _Errors()
    if kind == "measurements":
        unknown = set(values) - {"weight_kg", "height_cm"}
        if unknown:
            raise TypeError(f"Not measurement fields: {', '.join(sorted(unknown))}.")
        cleaned = _measurements(values, errors)
    else:
        cleaned = _FACT_RULES[kind](values, "", errors)
    if errors or cleaned is None:
        raise IntakeInvalid(dict(errors))
    return cleaned


def intake_clean(
    fields: Mapping[str, Any],
    medications: Sequence[Mapping[str, Any]] = (),
    *,
    labs: Sequence[Mapping[str, Any]] = (),
    therapies: Sequence[Mapping[str, Any]] = (),
    events: Sequence[Mapping[str, Any]] = (),
) -> Intake:
    """A whole request: its fields, medications and clinical facts, with every problem of
    every part at once."""
    errors: dict[str, list[str]] = {}
    cleaned_fields: dict[str, Any] = {}
    cleaned_medications: list[dict[str, Any]] = []
    facts: dict[str, list[dict[str, Any]]] = {}
    try:
        cleaned_fields = request_clean(fields)
    except IntakeInvalid as invalid:
        errors |= invalid.errors
    try:
        cleaned_medications = medications_clean(list(medications))
    except IntakeInvalid as invalid:
        errors |= invalid.errors
    for kind, rows in (("lab", labs), ("therapy", therapies), ("event", events)):
        try:
            facts[FACT_LISTS[kind]] = facts_clean(kind, list(rows))
        except IntakeInvalid as invalid:
            errors |= invalid.errors
    if errors:
        raise IntakeInvalid(errors)
    return Intake(fields=cleaned_fields, medications=cleaned_medications, **facts)


# ---- clinical facts, one row at a time -------------------------------------------------------


def _no_later_than_today(day: date | None, key: str, errors: _Errors, what: str) -> None:
    if day and day > timezone.localdate():
        errors.add(key, f"The {what} is in the future.")


def _lab(row: Mapping[str, Any], key: str, errors: _Errors) -> dict[str, Any] | None:
    _unknown_fields(row, {"name", "loinc", "value", "unit", "taken_on"}, key, errors)
    before = errors.count()
    limit = CaseLab._meta.get_field
    name = _text(
        row.get("name"), f"{key}name", errors, required=True, limit=limit("name").max_length
    )
    loinc = _text(row.get("loinc"), f"{key}loinc", errors, limit=limit("loinc").max_length)
    if loinc and not LOINC.match(loinc):
        errors.add(
            f"{key}loinc", "A LOINC code is digits, a hyphen and a check digit, e.g. 2345-7."
        )
    elif loinc and not loinc_is_valid(loinc):
        errors.add(f"{key}loinc", f"{loinc} is not a LOINC code: its check digit does not match.")
    value = _number(
        row.get("value"),
        f"{key}value",
        errors,
        low=-LAB_VALUE_MAX,
        high=LAB_VALUE_MAX,
        places=LAB_VALUE_PLACES,
        required=True,
    )
    unit = _text(row.get("unit"), f"{key}unit", errors, limit=limit("unit").max_length)
    taken = _date(row.get("taken_on"), f"{key}taken_on", errors, required=True)
    _no_later_than_today(taken, f"{key}taken_on", errors, "date the sample was taken")
    if errors.count() > before:
        return None
    return {"name": name, "loinc": loinc, "value": value, "unit": unit, "taken_on": taken}


def _therapy(row: Mapping[str, Any], key: str, errors: _Errors) -> dict[str, Any] | None:
    fields = {"drug_name", "dose", "dose_unit", "started_on", "ended_on", "outcome"}
    _unknown_fields(row, fields, key, errors)
    before = errors.count()
    name = _text(
        row.get("drug_name"),
        f"{key}drug_name",
        errors,
        required=True,
        limit=CaseTherapy._meta.get_field("drug_name").max_length,
    )
    dose = _number(
        row.get("dose"), f"{key}dose", errors, low=MIN_DOSE, high=MAX_DOSE, places=DOSE_PLACES
    )
    unit = _choice(row.get("dose_unit"), f"{key}dose_unit", [u for u, _ in DOSE_UNITS], errors)
    if dose is not None and not unit and f"{key}dose_unit" not in errors:
        errors.add(f"{key}dose_unit", "Give the dose's unit.")
    elif unit and dose is None and f"{key}dose" not in errors:
        errors.add(f"{key}dose", "Give the dose in this unit, or clear the unit.")
    started = _date(row.get("started_on"), f"{key}started_on", errors)
    ended = _date(row.get("ended_on"), f"{key}ended_on", errors)
    _no_later_than_today(started, f"{key}started_on", errors, "start date")
    _no_later_than_today(ended, f"{key}ended_on", errors, "end date")
    if started and ended and ended < started:
        errors.add(f"{key}ended_on", "The therapy ends before it starts.")
    outcome = _choice(
        row.get("outcome"), f"{key}outcome", TherapyOutcome.values, errors, required=True
    )
    if outcome == TherapyOutcome.ONGOING and ended:
        errors.add(
            f"{key}ended_on", "An ongoing therapy has no end date: clear it, or say how it ended."
        )
    if errors.count() > before:
        return None
    return {
        "drug_name": name,
        "dose": dose,
        "dose_unit": unit,
        "started_on": started,
        "ended_on": ended,
        "outcome": outcome,
    }


def _event(row: Mapping[str, Any], key: str, errors: _Errors) -> dict[str, Any] | None:
    _unknown_fields(row, {"kind", "occurred_on", "note"}, key, errors)
    before = errors.count()
    kind = _text(
        row.get("kind"),
        f"{key}kind",
        errors,
        required=True,
        limit=CaseClinicalEvent._meta.get_field("kind").max_length,
    )
    occurred = _date(row.get("occurred_on"), f"{key}occurred_on", errors, required=True)
    _no_later_than_today(occurred, f"{key}occurred_on", errors, "event date")
    note = _text(row.get("note"), f"{key}note", errors, collapse=False, limit=NOTE_MAX)
    if errors.count() > before:
        return None
    return {"kind": kind, "occurred_on": occurred, "note": note}


_FACT_RULES = {"lab": _lab, "therapy": _therapy, "event": _event}


def _measurements(values: Mapping[str, Any], errors: _Errors) -> dict[str, Any]:
    low, high = WEIGHT_KG
    weight = _number(
        values.get("weight_kg"), "weight_kg", errors, low=low, high=high, places=MEASUREMENT_PLACES
    )
    low, high = HEIGHT_CM
    height = _number(
        values.get("height_cm"), "height_cm", errors, low=low, high=high, places=MEASUREMENT_PLACES
    )
    return {"weight_kg": weight, "height_cm": height}


def _unknown_fields(row: Mapping[str, Any], known: set[str], key: str, errors: _Errors) -> None:
    if unknown := set(row) - known:
        errors.add(
            key.rstrip(".") or "__all__", f"Unknown fields: {', '.join(sorted(map(str, unknown)))}."
        )


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


def _number(
    value: Any,
    key: str,
    errors: _Errors,
    *,
    low: Decimal,
    high: Decimal,
    places: int,
    required: bool = False,
) -> Decimal | None:
    """A decimal from a number or its text, within [low, high] and to at most `places`."""
    if value is None or value == "":
        if required:
            errors.add(key, REQUIRED)
        return None
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        errors.add(key, "Enter a number.")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors.add(key, "Enter a number.")
        return None
    if not number.is_finite():
        errors.add(key, "Enter a number.")
    elif number < low:
        errors.add(key, f"Ensure this value is greater than or equal to {low}.")
    elif number > high:
        errors.add(key, f"Ensure this value is less than or equal to {high}.")
    elif -number.as_tuple().exponent > places:
        errors.add(key, f"Ensure that there are no more than {places} decimal places.")
    else:
        return number
    return None


def _dose(value: Any, key: str, errors: _Errors) -> Decimal | None:
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
    """The requested regimen: {"phases": [phase, ...]}, each phase a dose on a schedule
    (the engine's Regimen shape). Error keys: "regimen.phases.0.dose.amount", ..."""
    if not isinstance(value, Mapping):
        errors.add("regimen", REQUIRED if value is None else "Give the regimen as an object.")
        return None
    unknown = set(value) - {"phases"}
    if unknown:
        errors.add("regimen", f"Unknown regimen fields: {', '.join(sorted(map(str, unknown)))}.")
        return None
    phases = value.get("phases")
    if not isinstance(phases, list | tuple) or not phases:
        errors.add("regimen.phases", "Give one or more phases (a dose on a schedule).")
        return None
    if len(phases) > MAX_PHASES:
        errors.add("regimen.phases", f"At most {MAX_PHASES} phases.")
        return None
    before = errors.count()
    read = [_phase(phase, f"regimen.phases.{i}", errors) for i, phase in enumerate(phases)]
    if errors.count() > before:
        return None
    units = {phase["dose"]["unit"] for phase in read}
    if len(units) > 1:
        errors.add(
            f"regimen.phases.{len(read) - 1}.dose.unit",
            f"Every phase is in one dose unit; this regimen has {', '.join(sorted(units))}.",
        )
        return None
    try:
        return Regimen.from_dict({"phases": read}).to_dict()
    except ValueError as error:
        errors.add("regimen", f"The regimen is not valid: {error}")
        return None


def _phase(value: Any, key: str, errors: _Errors) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        errors.add(key, "Give the phase as an object.")
        return {}
    unknown = set(value) - {"name", "dose", "route", "schedule", "initial_only"}
    if unknown:
        errors.add(key, f"Unknown phase fields: {', '.join(sorted(map(str, unknown)))}.")
        return {}
    name = value.get("name") or ""
    if not isinstance(name, str) or len(name) > PHASE_NAME_MAX:
        errors.add(f"{key}.name", f"A name of at most {PHASE_NAME_MAX} characters.")
    dose = value.get("dose")
    if not isinstance(dose, Mapping) or set(dose) - {"amount", "unit"}:
        errors.add(f"{key}.dose", 'Give the dose as {"amount": ..., "unit": ...}.')
        amount, unit = None, ""
    else:
        amount = _dose(dose.get("amount"), f"{key}.dose.amount", errors)
        unit = _choice(
            dose.get("unit"), f"{key}.dose.unit", [u for u, _ in DOSE_UNITS], errors, required=True
        )
    route = _choice(
        value.get("route"), f"{key}.route", [r for r, _ in ROUTES], errors, required=True
    )
    initial_only = value.get("initial_only", False)
    if not isinstance(initial_only, bool):
        errors.add(f"{key}.initial_only", "Give true or false.")
    schedule = _schedule(value.get("schedule"), f"{key}.schedule", errors)
    if amount is None or not unit or not route or schedule is None:
        return {}
    phase: dict[str, Any] = {
        "name": " ".join(name.split()) if isinstance(name, str) else "",
        "dose": {"amount": plain_number(amount), "unit": unit},
        "route": route,
        "schedule": schedule,
    }
    if initial_only is True:
        phase["initial_only"] = True
    return phase


def _schedule(value: Any, key: str, errors: _Errors) -> dict[str, Any] | None:
    """A series {"at": [offsets], "unit": day|week} or a repeating schedule {"every": N,
    "unit": day|week|calendar_month, "start": N, "start_unit": day|week}."""
    if not isinstance(value, Mapping):
        errors.add(key, REQUIRED if value is None else "Give the schedule as an object.")
        return None
    unknown = set(value) - {"at", "unit", "every", "start", "start_unit"}
    if unknown:
        errors.add(key, f"Unknown schedule fields: {', '.join(sorted(map(str, unknown)))}.")
        return None
    at, every = value.get("at"), value.get("every")
    has_at = at not in (None, "", [])
    has_every = every not in (None, "")
    if has_at == has_every:
        errors.add(
            f"{key}.every",
            "Give either the offsets of a series of doses or an interval (every ...), not both."
            if has_at
            else "Give the offsets of a series of doses, or an interval (every ...).",
        )
        return None
    before = errors.count()
    if has_at:
        unit = _choice(value.get("unit"), f"{key}.unit", OFFSET_UNITS, errors, required=True)
        offsets = _offsets(at, f"{key}.at", errors)
        if value.get("start") not in (None, "", 0) or value.get("start_unit") not in (None, ""):
            errors.add(f"{key}.start", "A series of doses has no start; give its offsets only.")
        if errors.count() > before:
            return None
        if any(o * (7 if unit == "week" else 1) > MAX_WEEK * 7 for o in offsets):
            errors.add(f"{key}.at", "Offsets run up to ten years.")
            return None
        return {"at": offsets, "unit": unit}
    unit = _choice(value.get("unit"), f"{key}.unit", UNITS, errors, required=True)
    every = _whole(every, f"{key}.every", errors, 1, MAX_EVERY)
    start = value.get("start")
    start = _whole(0 if start in (None, "") else start, f"{key}.start", errors, 0, MAX_WEEK)
    start_unit = value.get("start_unit") or "day"
    start_unit = _choice(start_unit, f"{key}.start_unit", OFFSET_UNITS, errors, required=True)
    if errors.count() > before:
        return None
    schedule: dict[str, Any] = {"every": every, "unit": unit}
    if start:
        schedule.update(start=start, start_unit=start_unit)
    return schedule


def _offsets(value: Any, key: str, errors: _Errors) -> list[int]:
    if not isinstance(value, list | tuple) or not all(
        isinstance(o, int) and not isinstance(o, bool) for o in value
    ):
        errors.add(key, "Whole numbers only, e.g. [0, 1, 2].")
        return []
    offsets = list(value)
    if any(o < 0 for o in offsets):
        errors.add(key, "Offsets count from 0, the first dose.")
    elif offsets != sorted(set(offsets)):
        errors.add(key, "List each offset once, in ascending order.")
    elif len(offsets) > MAX_LOADING_DOSES:
        errors.add(key, f"At most {MAX_LOADING_DOSES} doses in a series.")
    return offsets
