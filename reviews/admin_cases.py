"""Django admin for case-side reference data (deadline rules, claim adjustment codes).
Imported by reviews/admin.py.

Policy admins add and edit deadline rules; none is deleted (cases point at the rule they
came from, and keep a text snapshot of it, so an edit never moves a case's due time).
"""

from django.contrib import admin

from reviews.models import AdjustmentCode, DeadlineRule


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "line_of_business", "urgency", "amount", "unit", "source"]
    list_filter = ["kind", "line_of_business", "urgency"]
    ordering = ["kind", "line_of_business", "urgency"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AdjustmentCode)
class AdjustmentCodeAdmin(admin.ModelAdmin):
    """The CARC and group code wording claim lines show, each with where it was checked.
    Edited when X12 changes a wording; never deleted (lines name these codes)."""

    list_display = ["kind", "code", "wording"]
    list_filter = ["kind"]
    ordering = ["kind", "code"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
