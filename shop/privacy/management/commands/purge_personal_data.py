"""Apply the retention limits of personal data (shop/privacy/retention.py, docs/privacy.md).

Idempotent and safe to run at any time; run it daily from cron or a systemd timer, e.g.
`15 3 * * * cd /srv/shop && .venv/bin/python manage.py purge_personal_data`.
"""

from django.core.management.base import BaseCommand

from shop.privacy.retention import personal_data_purge


class Command(BaseCommand):
    help = "Drop client addresses, sign-in failure records and sessions past their retention."

    def handle(self, *args, **options):
        report = personal_data_purge()
        self.stdout.write(f"Retention cutoff for addresses: {report.cutoff:%Y-%m-%d %H:%M} UTC")
        for name, count in report.counts.items():
            self.stdout.write(f"  {name.replace('_', ' ')}: {count}")
