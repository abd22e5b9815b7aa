"""Django admin for case-side reference data (deadline rules). Imported by reviews/admin.py."""
