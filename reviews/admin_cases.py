"""Django admin for case-side reference data (deadline rules). Imported by reviews/admin.py.

Policy admins add and edit deadline rules; none is deleted (cases point at the rule they
came from, and keep a text snapshot of it, so an edit never moves a case's due time).
"""

from django.contrib import admin

from reviews.models import DeadlineRule


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "line_of_business", "urgency", "amount", "unit", "source"]
    list_filter = ["kind", "line_of_business", "urgency"]
    ordering = ["kind", "line_of_business", "urgency"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
