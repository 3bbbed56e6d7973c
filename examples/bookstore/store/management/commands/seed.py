from django.core.management.base import BaseCommand
from store.seed import seed


class Command(BaseCommand):
    help = "Fill the example catalogue with deterministic sample data (no-op when present)."

    def handle(self, *args, **options):
        seed()
        if options["verbosity"]:
            self.stdout.write("seeded")
