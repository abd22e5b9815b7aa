"""manage.py load_policy FILE [FILE ...]: load policy documents. Idempotent.

A bad file changes nothing: every problem is reported with its place (line and path).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.engine import document
from reviews.errors import ReviewError
from reviews.reference_lists import reference_lists
from reviews.services.policies import policy_load


class Command(BaseCommand):
    help = "Load drug policy documents (docs/policy-format.md) into the database."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        failed = []
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
                doc = document.parse(text, references=reference_lists())
                version, outcome = policy_load(doc=doc)
            except OSError as error:
                failed.append(f"{path}: cannot read it ({error.strerror}).")
            except UnicodeDecodeError:
                failed.append(f"{path}: is not UTF-8 text.")
            except document.DocumentError as error:
                failed.extend(f"{path}: {problem}" for problem in error.problems)
            except ReviewError as error:
                problems = getattr(error, "problems", [])
                failed.extend([f"{path}: {error}", *(f"{path}: {p}" for p in problems)])
            else:
                self.stdout.write(
                    f"{path}: {outcome} policy {version.policy.number} "
                    f"version {version.number} ({version.status})"
                )
        if failed:
            raise CommandError("\n".join(["Nothing was loaded from these files:", *failed]))
