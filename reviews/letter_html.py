"""The determination letter, as HTML: what the member and the prescriber are told.

Pure rendering: reads the determination, its case and the pinned policy version, writes
nothing. Works on an unsaved Determination too, so a decision screen can preview the letter
before it is issued. reviews.services.letters stores the HTML as issued and renders the PDF.
"""

from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from reviews.appeal_rules import appeal_rule
from reviews.engine.dosing import Regimen
from reviews.letter_notices import OCR_COMPLAINTS, plan_contact, taglines
from reviews.models import Criterion, Determination
from reviews.models.case import Case
from reviews.models.choices import Urgency
from reviews.selectors.appeals import appeal_for_case

TEMPLATE = "letters/determination.html"

# How each route reads to a member ("Brandname (genericumab) injection for use under the skin").
ROUTE_WORDS = {
    "subcutaneous": "injection for use under the skin",
    "intravenous": "infusion into a vein",
    "intramuscular": "injection into a muscle",
    "oral": "taken by mouth",
    "intrathecal": "injection into the fluid around the spine",
}


def letter_date(day: date | None) -> str:
    """The one way a letter writes a date: "March 2, 2026" (month in words, so no reader
    mistakes the day for the month)."""
    return f"{day:%B} {day.day}, {day.year}" if day else ""


def _person(user) -> str:
    # Demo and real users carry their credentials in the last name ("Shah, MD").
    return (user.get_full_name() or user.get_username()) if user else ""


def _indication_rules(case: Case) -> list:
    """The dosing rule of the case's indication ([] when it has none, or no indication)."""
    indication = case.indication_row
    return [indication.regimen] if indication is not None and indication.regimen else []


def _route(case: Case) -> str:
    for regimen in (case.regimen, *_indication_rules(case)):
        try:
            route = Regimen.from_dict(regimen).phases[0].route.strip().casefold()
        except (ValueError, TypeError, AttributeError):
            continue
        return ROUTE_WORDS.get(route, f"for {route} use")
    return ""


def _quantity(determination: Determination) -> str:
    """The authorized quantity; "as requested" when the policy gives no dosing rule (the
    quantity is then the requested regimen's over the period)."""
    text = determination.quantity_text
    if (
        not text
        or determination.policy_version is None
        or determination.outcome != Determination.Outcome.APPROVED  # a partial names its own
        or not determination.case.indication  # no indication: no rule was looked at
        or _indication_rules(determination.case)
    ):
        return text
    return f"{text}, as requested"


def drug_in_plain_words(case: Case) -> str:
    """The drug as a member knows it: brand (generic) as the policy names the drug the request
    is for (case.policy_drug), and how it is given, not a HCPCS code. A request that matched
    no drug of a policy is named as it was typed."""
    return " ".join(part for part in (case.drug, _route(case)) if part)


def policy_citation(version) -> str:
    """E.g. "Brandname (genericumab), policy 1234567, version 1, effective September 17, 2020"."""
    if version is None:
        return ""
    text = f"{version.policy.title}, policy {version.policy.number}, version {version.number}"
    if version.effective_date:
        text += f", effective {letter_date(version.effective_date)}"
    return text


def cited_criteria(determination: Determination) -> list[dict]:
    """The cited criteria of the pinned version, in the order cited, with their plain words.

    The member reads the plain words (and the policy's own), never the label: a label is
    the policy's internal numbering. A label the version does not have reads as a
    requirement of the policy, to be found in the free copy of the criteria."""
    labels = [str(label) for label in determination.criteria_cited or []]
    unknown = "A requirement of our policy; ask for the free copy of the criteria below."
    if not labels or determination.policy_version_id is None:
        return [{"label": label, "title": "", "text": "", "plain": unknown} for label in labels]
    found = {
        c.label: c
        for c in Criterion.objects.filter(
            version_id=determination.policy_version_id, label__in=labels
        )
    }
    rows = []
    for label in labels:
        criterion = found.get(label)
        if criterion is None:
            rows.append({"label": label, "title": "", "text": "", "plain": unknown})
            continue
        rows.append(
            {
                "label": label,
                "title": criterion.title,
                "text": criterion.text,
                "plain": criterion.plain_language or criterion.text or criterion.title,
            }
        )
    return rows


def appeal_rights(case: Case, notice_date: date) -> dict:
    rule = appeal_rule(case.line_of_business)
    return {
        "name": rule.name,
        "days": rule.days,
        "last_day": letter_date(rule.last_day(notice_date)),
        "source": rule.source,
        "next_level": rule.next_level,
        "expedited": case.urgency == Urgency.EXPEDITED,
    }


# How an appeal's determination reads to the member: what we did with the decision appealed.
APPEAL_OUTCOME_WORDS = {
    Determination.Outcome.DENIED: ("upheld", "and upheld it: the request stays denied"),
    Determination.Outcome.APPROVED: ("overturned", "and overturned it: we approved the request"),
    Determination.Outcome.PARTIALLY_APPROVED: (
        "partially overturned",
        "and partly overturned it: we approved part of the request",
    ),
}


def appeal_decision(determination: Determination) -> dict | None:
    """The appeal this determination decides, as the letter tells it; None for a request."""
    case = determination.case
    appeal = appeal_for_case(case) if case.pk else None
    if appeal is None:
        return None
    rule = appeal_rule(case.line_of_business)
    label, words = APPEAL_OUTCOME_WORDS[determination.outcome]
    return {
        "original": appeal.original.reference,
        "received_on": letter_date(timezone.localdate(appeal.received_at)),
        "appellant": f"{appeal.appellant_name} ({appeal.get_appellant_kind_display().lower()})",
        "name": rule.name,
        "label": label,
        "words": words,
        "ire": rule.upheld_goes_to_ire and determination.outcome != Determination.Outcome.APPROVED,
        "next_level": rule.next_level,
    }


def letter_context(determination: Determination, *, draft: bool = False) -> dict:
    case = determination.case
    decided_at = determination.decided_at or timezone.now()
    notice_date = timezone.localdate(decided_at)
    outcome = determination.outcome
    adverse = outcome in {Determination.Outcome.DENIED, Determination.Outcome.PARTIALLY_APPROVED}
    reviewer = determination.decided_by
    appealed = appeal_decision(determination)
    return {
        "draft": draft,
        "plan": plan_contact(),
        "taglines": taglines(),
        "ocr": OCR_COMPLAINTS,
        "letter_date": letter_date(notice_date),
        "case": case,
        "member_dob": letter_date(case.member_dob),
        "received_on": letter_date(case.received_on),
        "drug": drug_in_plain_words(case),
        "hcpcs_code": case.hcpcs_code,
        "regimen": case.regimen_text,
        "determination": determination,
        "outcome": outcome,
        "outcome_label": Determination.Outcome(outcome).label,
        "adverse": adverse,
        # A denial authorizes nothing: it is known by the request's reference number.
        "authorization_number": ""
        if outcome == Determination.Outcome.DENIED
        else determination.authorization_number,
        "approval_start": letter_date(determination.approval_start),
        "approval_end": letter_date(determination.approval_end),
        "quantity": _quantity(determination),
        "rationale": determination.rationale,
        "criteria": cited_criteria(determination) if adverse else [],
        "policy": policy_citation(determination.policy_version),
        # An appeal's own decision offers no second plan appeal: it says what comes next.
        "appeal": appeal_rights(case, notice_date) if adverse and not appealed else None,
        "appeal_decision": appealed,
        "reviewer_name": _person(reviewer),
        "reviewer_role": Determination.Role(determination.role).label if determination.role else "",
        "peer_to_peer": adverse
        and determination.role == Determination.Role.PHYSICIAN
        and not appealed,
    }


def letter_html(determination: Determination, *, draft: bool = False) -> str:
    """The whole letter as a self-contained HTML document (no external resources)."""
    return render_to_string(TEMPLATE, letter_context(determination, draft=draft))
