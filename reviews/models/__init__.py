from reviews.models.answers import CriterionAnswer
from reviews.models.api import IdempotencyKey
from reviews.models.appeals import Appeal
from reviews.models.audit import AccessEvent, CaseEvent
from reviews.models.case import Case, CaseMedication, ReferenceSequence
from reviews.models.claims import (
    AdjustmentCode,
    AuthorizationBalance,
    ClaimLine,
    ClaimLineEvent,
)
from reviews.models.core import Capability, WorkerHeartbeat
from reviews.models.deadlines import DeadlineRule
from reviews.models.decisions import Determination, InfoRequest, PeerToPeer
from reviews.models.documents import Document, DocumentPage, StagedUpload
from reviews.models.facts import (
    CaseClinicalEvent,
    CaseLab,
    CaseTherapy,
    FactSource,
    TherapyOutcome,
)
from reviews.models.letters import Letter
from reviews.models.outbox import TaskOutbox
from reviews.models.policy import (
    Criterion,
    Indication,
    Policy,
    PolicyDrug,
    PolicyList,
    PolicyListItem,
    PolicyTestCase,
    PolicyVersion,
)
from reviews.models.policy_edits import PolicyEdit

__all__ = [
    "AccessEvent",
    "AdjustmentCode",
    "Appeal",
    "AuthorizationBalance",
    "Capability",
    "Case",
    "CaseClinicalEvent",
    "CaseEvent",
    "CaseLab",
    "CaseMedication",
    "CaseTherapy",
    "ClaimLine",
    "ClaimLineEvent",
    "Criterion",
    "CriterionAnswer",
    "DeadlineRule",
    "Determination",
    "Document",
    "DocumentPage",
    "FactSource",
    "IdempotencyKey",
    "Indication",
    "InfoRequest",
    "Letter",
    "PeerToPeer",
    "Policy",
    "PolicyDrug",
    "PolicyEdit",
    "PolicyList",
    "PolicyListItem",
    "PolicyTestCase",
    "PolicyVersion",
    "ReferenceSequence",
    "StagedUpload",
    "TaskOutbox",
    "TherapyOutcome",
    "WorkerHeartbeat",
]
