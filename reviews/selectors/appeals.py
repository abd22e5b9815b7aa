"""Reads about appeals: whether a decided case may be appealed and until when, the appeal of
a case, and who may not review an appeal because they took part in the decision under it."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from reviews import permissions
from reviews.appeal_rules import AppealRule, appeal_rule
from reviews.models import Appeal, Case, CaseEvent, Determination, PeerToPeer

APPEALABLE = (Determination.Outcome.DENIED, Determination.Outcome.PARTIALLY_APPROVED)

# The events that show a user took part in a decision: moving the case (claiming it,
# escalating, deciding, asking for information, returning it), answering its criteria,
# choosing its indication, recording its facts, or a peer-to-peer conversation. Opening the
# case or a document, and entering the request at intake, are not taking part.
TOOK_PART = (
    CaseEvent.Kind.STATUS,
    CaseEvent.Kind.CLAIMED,
    CaseEvent.Kind.ANSWER,
    CaseEvent.Kind.INDICATION_CHOSEN,
    CaseEvent.Kind.FACT_ADDED,
    CaseEvent.Kind.FACT_CORRECTED,
    CaseEvent.Kind.PEER_TO_PEER_OFFERED,
    CaseEvent.Kind.PEER_TO_PEER_HELD,
    CaseEvent.Kind.LETTER_ISSUED,
)


@dataclass(frozen=True)
class AppealWindow:
    rule: AppealRule
    notice_date: date
    last_day: date

    def open_on(self, day: date) -> bool:
        return self.notice_date <= day <= self.last_day


def appeal_window(case: Case) -> AppealWindow | None:
    """The window to appeal a decided case, counted from the date of its notice (the day
    of the determination, in the plan's time zone); None when it has no determination."""
    determination = getattr(case, "determination", None)
    if determination is None:
        return None
    rule = appeal_rule(case.line_of_business)
    notice_date = timezone.localdate(determination.decided_at)
    return AppealWindow(rule=rule, notice_date=notice_date, last_day=rule.last_day(notice_date))


_UNREAD = object()


def appeal_refusal(case: Case, *, appeal=_UNREAD, appealed=_UNREAD) -> str:
    """Why this case cannot be appealed now, in words for the page and the API; "" when it
    can (a denial or partial approval with no appeal yet, not itself an appeal). `appeal`
    and `appealed`: appeal_for_case(case) and appeal_of(case), when the caller has read
    them already."""
    if appeal is _UNREAD:
        appeal = appeal_for_case(case)
    if appeal is not None:
        rule = appeal_rule(case.line_of_business)
        return (
            "This case is itself an appeal: the plan's appeal has one level. "
            f"{rule.next_level.replace('If we uphold our decision, you', 'The member')}"
        )
    determination = getattr(case, "determination", None)
    if determination is None:
        return "Only a decided request can be appealed: this one has no decision yet."
    if determination.outcome not in APPEALABLE:
        return "Only a denial or a partial approval can be appealed: this request was approved."
    if (appeal_of(case) if appealed is _UNREAD else appealed) is not None:
        return "This decision is already under appeal (one appeal per decision)."
    return ""


def appeal_of(case: Case) -> Appeal | None:
    """The appeal filed against this decided case, if any."""
    return Appeal.objects.select_related("case", "filed_by").filter(original=case).first()


def appeal_for_case(case: Case) -> Appeal | None:
    """The appeal this case decides, when it is an appeal case. Most cases are none: they
    are looked up by the key alone, and the five-table join is made only for an appeal."""
    if not Appeal.objects.filter(case=case).exists():
        return None
    return Appeal.objects.select_related("original__determination__decided_by", "filed_by").get(
        case=case
    )


def appeal_conflicted_user_ids(appeal: Appeal) -> set[int]:
    """Everyone who made or was consulted on the decision under appeal: its decider, the
    physicians of its peer-to-peer conversations, and anyone who took part in its review
    (TOOK_PART), intake's first routing excepted."""
    original = appeal.original
    ids = set(
        CaseEvent.objects.filter(case=original, kind__in=TOOK_PART, actor__isnull=False)
        .exclude(kind=CaseEvent.Kind.STATUS, from_status=Case.Status.RECEIVED)
        .values_list("actor_id", flat=True)
    )
    ids |= set(PeerToPeer.objects.filter(case=original).values_list("offered_by_id", flat=True))
    determination = getattr(original, "determination", None)
    if determination is not None:
        ids.add(determination.decided_by_id)
    return ids


def appeal_reviewer_conflict(appeal: Appeal, user) -> str:
    """Why `user` may not review this appeal ("" when they may)."""
    if user.pk in appeal_conflicted_user_ids(appeal):
        return (
            "You made or were consulted on the decision under appeal "
            f"({appeal.original.reference}): a physician who took no part in it must review "
            "the appeal."
        )
    return ""


def appeal_summary(*, case: Case, user) -> dict:
    """What the case and decision pages show about appeals: the appeal this case decides (with
    whether `user` may review it), or the appeal filed against it, or whether and until when
    it may still be appealed."""
    appeal = appeal_for_case(case)
    window = appeal_window(case) if appeal is None else None
    # An open case has no decision to appeal yet: nothing filed against it to look for.
    appealed = appeal_of(case) if appeal is None and window is not None else None
    return {
        "appeal": appeal,
        # Only a physician needs telling that they may not take the appeal.
        "conflict": appeal_reviewer_conflict(appeal, user)
        if appeal and permissions.can_review_as_physician(user)
        else "",
        "appealed": appealed,
        "window": window,
        "refusal": appeal_refusal(case, appeal=appeal, appealed=appealed) if window else "",
        "open_today": bool(window and window.open_on(timezone.localdate())),
    }
