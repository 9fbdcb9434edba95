"""At most INTAKE_IMAGE_SLOTS pictures decoded at once on this host, across gunicorn's processes
and threads, so a burst of large uploads cannot take every CPU from the other pages.

A slot of clinic/slots.py that is never waited for: when every slot is taken (large uploads normally
come one at a time already, clinic/uploadturns.py; this is for those that waited too long) the patient
gets the form back with the answers and a request to send it again in a minute.
"""

from contextlib import contextmanager

from django.conf import settings

from clinic.slots import NoSlot, slot


class NoImageSlot(Exception):
    """Every picture slot is busy; try again shortly."""


@contextmanager
def image_slot():
    try:
        with slot("image", settings.INTAKE_IMAGE_SLOTS):
            yield
    except NoSlot:
        raise NoImageSlot from None
