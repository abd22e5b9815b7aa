"""Demo data for a local run: one user per role. Idempotent; refuses when DEBUG is off."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from reviews import roles

DEMO_USERS = [
    # username, first, last, role, staff (the Django admin is where policy admins work)
    ("nurse", "Nora", "Reyes, RN", roles.NURSE, False),
    ("physician", "Philip", "Osei, MD", roles.PHYSICIAN, False),
    ("policyadmin", "Paula", "Adams, PharmD", roles.POLICY_ADMIN, True),
    ("auditor", "Aditi", "Rao", roles.AUDITOR, False),
]


class Command(BaseCommand):
    help = "Create the demo users (and, as later parts add them, demo policies and cases)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with a known password; it runs only with DJANGO_DEBUG on."
            )
        roles.roles_sync()
        User = get_user_model()
        for username, first, last, role, staff in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            user.set_password(settings.DEMO_PASSWORD)
            user.is_staff = staff
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"{'created' if created else 'updated'} {username} ({role})")
