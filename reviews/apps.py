from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "Prior-authorization reviews"

    def ready(self):
        # signals: the audit of sign-ins. tasks: registers the Celery tasks in every process
        # (web, worker, beat), so the outbox finds a task by its name (reviews/task_names.py).
        # checks: the letters' settings (reviews/checks.py).
        from reviews import checks, signals, tasks  # noqa: F401
