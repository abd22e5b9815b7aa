from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "Prior-authorization reviews"

    def ready(self):
        from reviews import signals  # noqa: F401  (audit of sign-ins)

        # Registers the Celery tasks in every process (web, worker, beat), so the outbox can
        # look a task up by its name (reviews/task_names.py) without importing it.
        from reviews import tasks  # noqa: F401
