import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Development only (refuses to run with DEBUG off): make sure a superuser 'admin' exists, "
        "with a random password kept in var/dev-admin-password, and print how to sign in."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_dev_admin is for development only; use `manage.py createsuperuser`.")
        password_file = Path(settings.VAR_DIR) / "dev-admin-password"
        User = get_user_model()
        user = User.objects.filter(username=USERNAME).first()
        if user is None or not password_file.exists():
            password = secrets.token_urlsafe(12)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
            user = user or User(username=USERNAME, email="admin@localhost")
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
        password = password_file.read_text().strip()
        if not user.check_password(password):
            # Changed since (admin's "Change password"): the file no longer tells the truth.
            self.stdout.write(
                f"Admin (development only): {settings.SITE_URL}/admin/  user: {USERNAME}  password: the one you "
                f"set (forgotten? .venv/bin/python manage.py changepassword {USERNAME})"
            )
            return
        self.stdout.write(
            f"Admin (development only): {settings.SITE_URL}/admin/  user: {USERNAME}  password: {password}\n"
            "  (for a real account: .venv/bin/python manage.py createsuperuser)"
        )
