"""The names of the background tasks: what services enqueue and beat schedules, so neither
imports the task module (which imports the services)."""

WORKER_HEARTBEAT = "reviews.tasks.worker_heartbeat"
DOCUMENT_EXTRACT_TEXT = "reviews.tasks.document_extract_text"
DEADLINE_SWEEP = "reviews.tasks.deadline_sweep"
LETTER_RENDER = "reviews.tasks.letter_render"
OUTBOX_DISPATCH = "reviews.tasks.outbox_dispatch"
STAGED_UPLOADS_PURGE = "reviews.tasks.staged_uploads_purge"
