"""Print a one-time link with which a staff member enrols an authenticator app (clinic/staff.py)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clinic.staff import make_enrolment_link


class Command(BaseCommand):
    help = "Make a one-time link with which USERNAME enrols an authenticator app (voids any earlier link)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username, is_active=True, is_staff=True).first()
        if user is None:
            raise CommandError(f"No active staff account named {username!r}.")
        link = make_enrolment_link(user)
        self.stdout.write(link)
        self.stderr.write(
            f"Send it to {username} yourself; it works once, for that account, for "
            f"{settings.OTP_ENROLMENT_LINK_HOURS} hours."
        )
