"""The case statuses' transition table: which status may follow which.

It sits with the models, not in the workflow module, so the case table can store and index
what it derives (open or closed, reviews/models/case.py) without an import cycle; the
workflow module (`case_move`) is its one user that changes a status.
"""

from reviews.models.choices import CaseStatus

S = CaseStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    # A request for a use no policy lists goes straight to a physician: the policy statement
    # says such uses "will be reviewed ... on a case-by-case basis", which a nurse cannot do.
    S.RECEIVED: frozenset({S.NURSE_REVIEW, S.PHYSICIAN_QUEUE}),
    S.NURSE_REVIEW: frozenset({S.APPROVED, S.PHYSICIAN_QUEUE}),
    S.PHYSICIAN_QUEUE: frozenset({S.PHYSICIAN_REVIEW}),
    # Back to nurse review: a case escalated by mistake returns, with the physician's reason.
    S.PHYSICIAN_REVIEW: frozenset(
        {S.APPROVED, S.PARTIALLY_APPROVED, S.DENIED, S.INFO_REQUESTED, S.NURSE_REVIEW}
    ),
    S.INFO_REQUESTED: frozenset({S.PHYSICIAN_QUEUE}),
    S.APPROVED: frozenset(),
    S.PARTIALLY_APPROVED: frozenset(),
    S.DENIED: frozenset(),
}


# A case is closed (decided) in a status no transition leaves; every other status is open.
CLOSED: frozenset[str] = frozenset(status for status, moves in TRANSITIONS.items() if not moves)
