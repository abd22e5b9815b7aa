from reviews.models.case import (
    Case,
    CaseEvent,
    CaseMedication,
    DeadlineRule,
    Document,
    DocumentPage,
    ReferenceSequence,
)
from reviews.models.core import Capability, WorkerHeartbeat
from reviews.models.policy import (
    Criterion,
    Policy,
    PolicyList,
    PolicyListItem,
    PolicyTestCase,
    PolicyVersion,
)

__all__ = [
    "Capability",
    "Case",
    "CaseEvent",
    "CaseMedication",
    "Criterion",
    "DeadlineRule",
    "Document",
    "DocumentPage",
    "Policy",
    "PolicyList",
    "PolicyListItem",
    "PolicyTestCase",
    "PolicyVersion",
    "ReferenceSequence",
    "WorkerHeartbeat",
]
