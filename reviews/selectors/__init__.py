"""Selectors: reads, scoped to what the user may see (`<entity>_get_...`)."""
