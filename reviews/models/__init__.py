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
    "Criterion",
    "Policy",
    "PolicyList",
    "PolicyListItem",
    "PolicyTestCase",
    "PolicyVersion",
    "WorkerHeartbeat",
]
