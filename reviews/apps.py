from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "Prior-authorization reviews"

    def ready(self):
        from reviews import signals  # noqa: F401  (audit of sign-ins)
