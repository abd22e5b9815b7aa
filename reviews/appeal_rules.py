"""The member's first-level appeal by line of business: how long they have to file it, what
the plan calls it, and what follows if the plan upholds its decision. One home: the denial
letter's appeal rights and the appeal intake's late-filing check both read APPEAL_RULES.

Verified through the search tool (November 2026); docs/appeals.md quotes each source.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from reviews.models.choices import LineOfBusiness


@dataclass(frozen=True)
class AppealRule:
    name: str  # what the line of business calls the appeal
    days: int  # calendar days from the date of the notice
    source: str
    next_level: str  # what follows an upheld decision, in the member's words
    # Medicare Advantage: a reconsideration that affirms the denial in whole or in part goes to
    # the independent review entity without the member asking (42 CFR 422.590(a)(2)).
    upheld_goes_to_ire: bool = False

    def last_day(self, notice_date: date) -> date:
        return notice_date + timedelta(days=self.days)


APPEAL_RULES = {
    # ACA internal claims and appeals: at least 180 days after the adverse benefit
    # determination notice (45 CFR 147.136(b), incorporating 29 CFR 2560.503-1(h)(3)(i)).
    # https://www.benefitspro.com/2012/07/16/hr-pop-quiz-claims-appeals?page=5 ("Claimants
    # must be given 180 days to file an appeal"); BCBSM's DOL FAQ says the same.
    LineOfBusiness.COMMERCIAL: AppealRule(
        name="appeal",
        days=180,
        source="45 CFR 147.136",
        next_level="If we uphold our decision, you may ask for an independent external review.",
    ),
    # Medicare Advantage reconsideration: 65 days from the date of the notice
    # (42 CFR 422.582(b), 60 days before the CY2019 rule). https://legalclarity.org/how-the-
    # medicare-advantage-appeals-process-works ("generally 65 calendar days from the date on
    # the denial notice"); CMS's older pages still say 60 (docs/appeals.md).
    LineOfBusiness.MEDICARE_PART_B: AppealRule(
        name="appeal (reconsideration)",
        days=65,
        source="42 CFR 422.582",
        next_level="If we uphold our decision, your case is sent automatically to an "
        "independent review organization.",
        upheld_goes_to_ire=True,
    ),
    # Medicaid managed care: 60 calendar days from the date of the adverse benefit
    # determination notice (42 CFR 438.402(c)(2)(ii)); then a State fair hearing (438.408(f)).
    # e.g. N.C. G.S. 108D-13(b), "no later than 60 days after the mailing date":
    # https://www.ncleg.gov/EnactedLegislation/Statutes/HTML/BySection/Chapter_108D/GS_108D-13.html
    LineOfBusiness.MEDICAID_MA_MEDICAL: AppealRule(
        name="appeal",
        days=60,
        source="42 CFR 438.402",
        next_level="If we uphold our decision, you may ask for a State fair hearing.",
    ),
}


def appeal_rule(line_of_business: str) -> AppealRule:
    return APPEAL_RULES.get(line_of_business, APPEAL_RULES[LineOfBusiness.COMMERCIAL])
