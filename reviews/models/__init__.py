from reviews.models.api import IdempotencyKey
from reviews.models.audit import AccessEvent
from reviews.models.case import (
    Case,
    CaseEvent,
    CaseMedication,
    DeadlineRule,
    Document,
    DocumentPage,
    ReferenceSequence,
    StagedUpload,
)
from reviews.models.core import Capability, WorkerHeartbeat
from reviews.models.outbox import TaskOutbox
from reviews.models.physician import InfoRequest, Letter, PeerToPeer
from reviews.models.policy import (
    Criterion,
    Policy,
    PolicyList,
    PolicyListItem,
    PolicyTestCase,
    PolicyVersion,
)
from reviews.models.review import CriterionAnswer, Determination

__all__ = [
    "AccessEvent",
    "Capability",
    "Case",
    "CaseEvent",
    "CaseMedication",
    "Criterion",
    "CriterionAnswer",
    "DeadlineRule",
    "Determination",
    "Document",
    "DocumentPage",
    "IdempotencyKey",
    "InfoRequest",
    "Letter",
    "PeerToPeer",
    "Policy",
    "PolicyList",
    "PolicyListItem",
    "PolicyTestCase",
    "PolicyVersion",
    "ReferenceSequence",
    "StagedUpload",
    "TaskOutbox",
    "WorkerHeartbeat",
]
