"""The JSON API under /api/v1/: a second face on the same services and selectors as the pages."""
