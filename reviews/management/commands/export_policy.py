"""manage.py export_policy NUMBER [--version N]: write a policy version as a document."""

from django.core.management.base import BaseCommand, CommandError

from reviews.engine import document
from reviews.models import PolicyVersion
from reviews.policy_documents import version_document, version_prefetched


class Command(BaseCommand):
    help = "Print a policy version as a YAML document (the latest version unless --version)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # The interface is `--version N`; let it replace Django's own --version flag.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("number", help="The policy number, e.g. 2020910.")
        parser.add_argument("--version", type=int, dest="version_number")
        parser.add_argument("--output", "-o", help="Write to this file instead of stdout.")

    def handle(self, *args, number, version_number, output, **options):
        versions = PolicyVersion.objects.filter(policy__number=number)
        if version_number is not None:
            versions = versions.filter(number=version_number)
        version = versions.order_by("-number").first()
        if version is None:
            which = f" version {version_number}" if version_number is not None else ""
            raise CommandError(f"No policy {number}{which}.")
        try:
            text = document.dump(version_document(version_prefetched(version.pk)))
        except document.DocumentError as error:
            raise CommandError(
                f"Version {version.number} is not a valid document yet:\n{error}"
            ) from None
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            self.stdout.write(text, ending="")
