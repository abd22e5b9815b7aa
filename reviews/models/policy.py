"""Drug policies as versioned data. The document format (docs/policy-format.md) and these
tables say the same thing; reviews/policy_documents.py converts between them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from reviews.engine.document import DEFAULT_PATH_NAMES
from reviews.engine.drugs import (
    HCPCS_MESSAGE,
    NDC_MESSAGE,
    drug_label,
    hcpcs_normal,
    ndc_normal,
)


class Policy(models.Model):
    """A drug policy's identity; what it says lives in its versions."""

    number = models.CharField(max_length=20, unique=True, help_text="The policy's own number.")
    title = models.CharField(max_length=200, help_text="The SUBJECT line.")

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class PolicyDrug(models.Model):
    """One drug a policy covers. A request that names its brand, generic, a HCPCS code or an
    NDC finds the policy (selectors.policies.policy_drug_find). It belongs to the policy, not
    to a version, as the policy's number and title do."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="drugs")
    position = models.PositiveIntegerField(default=0)
    brand = models.CharField(max_length=100, help_text="The brand name, as members know it.")
    generic = models.CharField(max_length=100, blank=True)
    hcpcs_codes = models.JSONField(
        default=list, blank=True, help_text="HCPCS Level II codes; empty when it is billed without."
    )
    ndcs = models.JSONField(default=list, blank=True, help_text="NDCs, as their digits.")

    class Meta:
        ordering = ["policy_id", "position", "pk"]

    def __str__(self) -> str:
        return drug_label({"brand": self.brand, "generic": self.generic})

    def clean(self) -> None:
        """Codes as the document reads them: HCPCS Level II in capitals, NDCs as digits."""
        errors: dict[str, str] = {}
        codes = self._strings(self.hcpcs_codes, "hcpcs_codes", errors)
        normal = [hcpcs_normal(code) for code in codes]
        if any(code is None for code in normal):
            bad = ", ".join(c for c, n in zip(codes, normal, strict=True) if n is None)
            errors.setdefault(
                "hcpcs_codes", f"{HCPCS_MESSAGE[0].upper()}{HCPCS_MESSAGE[1:]}: {bad}"
            )
        else:
            self.hcpcs_codes = normal
        ndcs = self._strings(self.ndcs, "ndcs", errors)
        digits = [ndc_normal(ndc) for ndc in ndcs]
        if any(d is None for d in digits):
            bad = ", ".join(n for n, d in zip(ndcs, digits, strict=True) if d is None)
            errors.setdefault("ndcs", f"{NDC_MESSAGE[0].upper()}{NDC_MESSAGE[1:]}: {bad}")
        else:
            self.ndcs = digits
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _strings(value, field: str, errors: dict[str, str]) -> list[str]:
        if value in (None, ""):
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors[field] = 'Give a list of codes written as text, e.g. ["J3490"].'
            return []
        return value

    def as_dict(self) -> dict:
        return {
            "brand": self.brand,
            "generic": self.generic,
            "hcpcs_codes": list(self.hcpcs_codes),
            "ndcs": list(self.ndcs),
        }


class GroupCode(models.TextChoices):
    """X12 claim adjustment group codes: who bears an adjustment (data: AdjustmentCode)."""

    CO = "CO", "CO: contractual obligation"
    PR = "PR", "PR: patient responsibility"
    OA = "OA", "OA: other adjustment"
    PI = "PI", "PI: payer initiated reduction"


class PolicyVersion(models.Model):
    GroupCode = GroupCode

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    class Benefit(models.TextChoices):
        MEDICAL = "medical", "Medical benefit"
        PHARMACY = "pharmacy", "Pharmacy benefit"
        BOTH = "both", "Medical and pharmacy benefit"

    class MonthlyMeans(models.TextChoices):
        CALENDAR_MONTH = "calendar_month", "A calendar month"
        EVERY_4_WEEKS = "every_4_weeks", "Every 4 weeks"

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    effective_date = models.DateField(
        help_text="The day this version takes force; cases "
        "received on or after it are pinned to it."
    )
    initial_effective_date = models.DateField(null=True, blank=True)
    annual_review_date = models.DateField(null=True, blank=True)
    last_revised_date = models.DateField(null=True, blank=True)
    path_initial_name = models.CharField(
        max_length=100, blank=True, help_text=f'Empty: "{DEFAULT_PATH_NAMES["initial"]}".'
    )
    path_continuation_name = models.CharField(
        max_length=100, blank=True, help_text=f'Empty: "{DEFAULT_PATH_NAMES["continuation"]}".'
    )

    prior_approval_notice = models.TextField(blank=True)
    overview = models.TextField(blank=True)
    statement = models.TextField(blank=True, verbose_name="policy statement")
    criteria_intro = models.TextField(blank=True)

    dosing_condition = models.CharField(max_length=200, blank=True)
    dosing_text = models.TextField(blank=True)
    dosing_benefit = models.CharField(max_length=10, choices=Benefit.choices, blank=True)
    monthly_means = models.CharField(
        max_length=20,
        choices=MonthlyMeans.choices,
        blank=True,
        help_text='How "monthly" is read when counting doses.',
    )
    monthly_means_note = models.TextField(blank=True)

    approval_text = models.TextField(blank=True)
    duration_of_therapy = models.TextField(blank=True)
    labs_diagnostics = models.TextField(blank=True, verbose_name="labs/diagnostics")
    waste_management = models.TextField(blank=True)
    documentation_requirements = models.TextField(blank=True)

    edits_heading = models.CharField(max_length=200, blank=True)
    prior_approval_text = models.TextField(blank=True, help_text="Who authorizes when met.")
    physician_review_text = models.TextField(blank=True, help_text="Where other requests go.")
    claim_edits_text = models.TextField(blank=True)
    remark_codes = models.JSONField(
        default=list,
        blank=True,
        help_text='e.g. [{"code": "M3M", "meaning": "..."}]; a bare code has no meaning yet.',
    )
    liability_text = models.TextField(blank=True)
    remark_code_with_authorization = models.CharField(
        max_length=20,
        blank=True,
        help_text="The remark code a claim line pends with when an authorization is on file.",
    )
    remark_code_without_authorization = models.CharField(
        max_length=20,
        blank=True,
        help_text="The remark code a claim line pends with when no authorization is on file.",
    )
    group_code_participating = models.CharField(
        max_length=2,
        choices=GroupCode.choices,
        default=GroupCode.CO,
        help_text="Who bears a denied line when the provider is participating.",
    )
    group_code_not_participating = models.CharField(
        max_length=2,
        choices=GroupCode.choices,
        default=GroupCode.PR,
        help_text="Who bears a denied line when the provider is not participating.",
    )
    billing_units = models.JSONField(
        default=list,
        blank=True,
        help_text='e.g. [{"hcpcs": "J0000", "amount": "20", "unit": "mg"}]: one billed unit.',
    )
    waste_applies = models.BooleanField(
        "JW/JZ waste rule applies", default=False, help_text="Discarded-drug modifiers checked."
    )
    waste_single_dose = models.BooleanField("single-dose product", default=False)
    waste_jz_required = models.BooleanField("JZ required when nothing is discarded", default=False)
    waste_jw_allowance_units = models.PositiveIntegerField(
        "JW discard allowance (units)", default=0
    )
    waste_source = models.TextField("waste rule source", blank=True)

    cloned_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="clones"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["policy__number", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "number"], name="policyversion_unique_number"
            ),
            # At most one published version in force on any date: two published versions of a
            # policy never share an effective date (the later date wins from that day on).
            models.UniqueConstraint(
                fields=["policy", "effective_date"],
                condition=Q(status="published"),
                name="policyversion_one_published_per_effective_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "retired"]),
                name="policyversion_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(monthly_means__in=["", "calendar_month", "every_4_weeks"]),
                name="policyversion_monthly_means_valid",
            ),
            models.CheckConstraint(
                condition=Q(dosing_benefit__in=["", "medical", "pharmacy", "both"]),
                name="policyversion_benefit_valid",
            ),
            models.CheckConstraint(
                condition=Q(group_code_participating__in=GroupCode.values)
                & Q(group_code_not_participating__in=GroupCode.values),
                name="policyversion_group_codes_valid",
            ),
        ]
        indexes = [
            # policy_version_in_force(): published versions of one policy by effective date.
            models.Index(
                fields=["policy", "status", "effective_date"], name="policyversion_in_force_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.number} v{self.number} ({self.get_status_display().lower()})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def path_names(self) -> dict[str, str]:
        """What screens and letters call each request path (the document's version.paths)."""
        return {
            "initial": self.path_initial_name or DEFAULT_PATH_NAMES["initial"],
            "continuation": self.path_continuation_name or DEFAULT_PATH_NAMES["continuation"],
        }


class Indication(models.Model):
    """One use of the drug a version covers: its diagnoses, approval periods and dosing rule.
    A case's indication (Case.indication, its key) picks the criteria, periods and dosing."""

    class Unit(models.TextChoices):
        DAY = "day", "Days"
        WEEK = "week", "Weeks"
        CALENDAR_MONTH = "calendar_month", "Calendar months"

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="indications")
    position = models.PositiveIntegerField(default=0)
    key = models.SlugField(
        max_length=60, help_text="How criteria and cases refer to it, e.g. relapsing_ms."
    )
    name = models.CharField(max_length=200)
    diagnosis_codes = models.JSONField(
        default=list, blank=True, help_text='ICD-10-CM code prefixes, e.g. ["G35"].'
    )
    codes_source = models.TextField(
        blank=True, help_text="Where the codes and their meanings were checked."
    )
    initial_approval_count = models.PositiveIntegerField()
    initial_approval_unit = models.CharField(max_length=20, choices=Unit.choices, default="day")
    extended_approval_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty when the policy allows no reauthorization."
    )
    extended_approval_unit = models.CharField(max_length=20, choices=Unit.choices, default="day")
    regimen = models.JSONField(
        null=True,
        blank=True,
        help_text="The dosing rule (docs/policy-format.md, Regimen); empty: none.",
    )

    class Meta:
        ordering = ["version_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="indication_unique_key"),
            models.CheckConstraint(
                condition=Q(initial_approval_count__gt=0)
                & (Q(extended_approval_count__isnull=True) | Q(extended_approval_count__gt=0)),
                name="indication_approval_count_positive",
            ),
            models.CheckConstraint(
                condition=Q(initial_approval_unit__in=["day", "week", "calendar_month"])
                & Q(extended_approval_unit__in=["day", "week", "calendar_month"]),
                name="indication_approval_unit_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    @property
    def initial_approval(self) -> dict:
        return {"count": self.initial_approval_count, "unit": self.initial_approval_unit}

    @property
    def extended_approval(self) -> dict | None:
        if self.extended_approval_count is None:
            return None
        return {"count": self.extended_approval_count, "unit": self.extended_approval_unit}


class PolicyList(models.Model):
    """A named list a version refers to: agents, specialties, preferred drugs."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="lists")
    key = models.SlugField(
        max_length=60, help_text="How checks refer to it, e.g. ms_disease_modifying_agents."
    )
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="policylist_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.key})"


class PolicyListItem(models.Model):
    policy_list = models.ForeignKey(PolicyList, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200, help_text="Brand or specialty name.")
    generic = models.CharField(max_length=200, blank=True)
    as_written = models.TextField(blank=True, help_text="Verbatim from the policy.")
    synonyms = models.JSONField(
        default=list, blank=True, help_text="Other words that match, e.g. other spellings."
    )

    class Meta:
        ordering = ["policy_list_id", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.generic})" if self.generic else self.name


class Criterion(models.Model):
    """One node of a version's criteria tree: a group (all / any / k of n), a conditional (if:
    its first child the condition, its second what applies when it is met) or a leaf question."""

    class Kind(models.TextChoices):
        ALL = "all", "All of"
        ANY = "any", "Any of"
        K_OF_N = "k_of_n", "At least k of"
        LEAF = "leaf", "Question"
        IF = "if", "If … then"

    class Path(models.TextChoices):
        # Neutral words: each version names its own paths (PolicyVersion.path_names).
        INITIAL = "initial", DEFAULT_PATH_NAMES["initial"]
        CONTINUATION = "continuation", DEFAULT_PATH_NAMES["continuation"]

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        help_text="Empty for the root.",
    )
    position = models.PositiveIntegerField(default=0, help_text="Order among its siblings.")
    label = models.CharField(max_length=40, help_text='The policy\'s own label, e.g. "3.C.i".')
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True, help_text="The policy's words, verbatim.")
    note = models.TextField(blank=True, help_text='The policy\'s "Note: ..." verbatim.')
    explanation = models.TextField(blank=True)
    plain_language = models.TextField(blank=True, help_text="Member-readable, for letters.")
    path = models.CharField(
        max_length=12,
        choices=Path.choices,
        blank=True,
        help_text="Only evaluated on this path; empty for both.",
    )
    indication = models.CharField(
        max_length=60,
        blank=True,
        help_text="The key of the indication this node applies to; empty for every one.",
    )
    k = models.PositiveIntegerField(null=True, blank=True, help_text="For 'at least k of'.")
    check_name = models.CharField(
        max_length=60, blank=True, help_text="A computable check that suggests an answer."
    )
    check_params = models.JSONField(default=dict, blank=True)
    check_negate = models.BooleanField(
        default=False, help_text="The criterion is the check's opposite (met ↔ not met)."
    )
    evidence_required = models.BooleanField(
        default=True,
        help_text="Off for an attestation: a “met” answer then needs no document, page and quote.",
    )

    class Meta:
        ordering = ["version_id", "parent_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "label"], name="criterion_unique_label"),
            models.CheckConstraint(
                condition=Q(kind__in=["all", "any", "k_of_n", "leaf", "if"]),
                name="criterion_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(path__in=["", "initial", "continuation"]), name="criterion_path_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind="k_of_n", k__gte=1) | (~Q(kind="k_of_n") & Q(k__isnull=True))),
                name="criterion_k_only_for_k_of_n",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.title or self.text[:60]}"


class PolicyTestCase(models.Model):
    """An example case a version must get right; run on publish and in the test suite."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="test_cases")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    request_type = models.CharField(max_length=12, choices=Criterion.Path.choices)
    indication = models.CharField(
        max_length=60, blank=True, help_text="The indication's key; empty: every indication."
    )
    answers = models.JSONField(default=dict, blank=True)
    facts = models.JSONField(default=dict, blank=True)
    expect = models.JSONField(default=dict)

    class Meta:
        ordering = ["version_id", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="policytestcase_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name
