"""Domain errors. Each carries a message fit to show the user as it is."""


class NotFound(Exception):
    """No such thing, or not one this user may see: pages and the API answer 404 (the
    middleware and the API's error handler). Not a ReviewError: nothing to show on a form."""


class ReviewError(Exception):
    """Base: a request the domain refuses, with a message for the person who made it."""


class PolicyVersionLocked(ReviewError):
    """A published or retired version never changes."""


class PolicyInvalid(ReviewError):
    """A document or version that fails validation or its own test cases."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems


class InvalidTransition(ReviewError):
    """A case move the transition table (reviews/workflow.py) does not allow."""


class StaleCase(ReviewError):
    """The case changed since it was read (someone else moved it first)."""


class AlreadyClaimed(ReviewError):
    """Another reviewer claimed the case first."""


class ReviewIncomplete(ReviewError):
    """An approval asked for while some criterion is not met, not documented or unanswered."""


class EvidenceMissing(ReviewIncomplete):
    """An approval asked for while some "met" has no evidence; `labels` names them."""

    def __init__(self, message: str, labels: list[str]):
        super().__init__(message)
        self.labels = labels


class TermsChanged(ReviewError):
    """The terms an approver confirmed are no longer the terms that would be issued."""


class IdempotencyKeyReused(ReviewError):
    """An Idempotency-Key sent again with a different request."""


class ContinuationRefused(ReviewError):
    """A request may not continue this authorization (services.renewals); the message says
    why. The API answers 400 with it at `continues`."""


class AppealNotAllowed(ReviewError):
    """The case cannot be appealed (not decided, approved, already appealed, an appeal)."""
