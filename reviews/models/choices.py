"""The choices a case and its documents take, and the constraint helper that enforces them."""

from django.db import models
from django.db.models import Q


class LineOfBusiness(models.TextChoices):
    COMMERCIAL = "commercial", "Commercial"
    MEDICARE_PART_B = "medicare_advantage_part_b", "Medicare Advantage, Part B drug"
    MEDICAID_MA_MEDICAL = "medicaid_ma_medical", "Medicaid / MA medical items"


class Urgency(models.TextChoices):
    STANDARD = "standard", "Standard"
    EXPEDITED = "expedited", "Expedited"


class CaseStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    NURSE_REVIEW = "nurse_review", "Nurse review"
    PHYSICIAN_QUEUE = "physician_queue", "Physician queue"
    PHYSICIAN_REVIEW = "physician_review", "Physician review"
    APPROVED = "approved", "Approved"
    PARTIALLY_APPROVED = "partially_approved", "Partially approved"
    DENIED = "denied", "Denied"
    INFO_REQUESTED = "info_requested", "Information requested"


class RequestType(models.TextChoices):
    INITIAL = "initial", "Initial"
    CONTINUATION = "continuation", "Continuation"


class Credential(models.TextChoices):
    """The prescriber's professional credential: a role, apart from the specialty they
    practise (a nurse practitioner may work in neurology)."""

    MD = "md", "MD"
    DO = "do", "DO"
    NP = "np", "NP (nurse practitioner)"
    PA = "pa", "PA (physician assistant)"
    OTHER = "other", "Other"


class DocumentKind(models.TextChoices):
    CLINICAL_NOTE = "clinical_note", "Clinical note"
    MRI_REPORT = "mri_report", "MRI report"
    LAB_RESULT = "lab_result", "Lab result"
    MEDICATION_LIST = "medication_list", "Medication list"
    LETTER_OF_MEDICAL_NECESSITY = "letter_of_medical_necessity", "Letter of medical necessity"
    OTHER = "other", "Other"


class ExtractionStatus(models.TextChoices):
    PENDING = "pending", "Text extraction pending"
    DONE = "done", "Text extracted"
    FAILED = "failed", "Text extraction failed"
    NOT_APPLICABLE = "not_applicable", "Image (no text extraction)"


def in_choices(field: str, choices: type[models.TextChoices], *, blank: bool = False) -> Q:
    values = list(choices.values) + ([""] if blank else [])
    return Q(**{f"{field}__in": values})
