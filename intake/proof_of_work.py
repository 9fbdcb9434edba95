"""The ALTCHA proof of work: a puzzle for the browser, never for the person.

The page's widget (npm `altcha`, served from /static/vendor/altcha/) fetches a challenge from
this site, has the browser find the counter the challenge was made with, and puts the answer in
the form's hidden `altcha` field. Nothing goes to another host. The challenge is signed with a key
derived from SECRET_KEY and expires, and each solved challenge is accepted once (remembered in the
cache until it expires). A form sent without a solved challenge (no JavaScript, an old browser, a
bot) is not refused: the inquiry is kept as suspected spam for staff to release or delete.

CAPTCHA_TEST_MODE (automated tests only; intake.E001 refuses it with DEBUG off) passes the check
without solving it.
"""

import hashlib
import logging
import secrets
import time

import altcha
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

ALGORITHM = "SHA-256"
COST = 1
# The browser tries counters from 0 up; a random one below this costs it a second or so on an old
# phone (SHA-256 in Web Workers), a bot the same for every form it sends.
MAX_COUNTER = 50_000
EXPIRES_AFTER = 2 * 3600  # seconds: the candidacy form can take a while


def _secret(purpose: str) -> bytes:
    return hashlib.sha256(f"intake.altcha.{purpose}:{settings.SECRET_KEY}".encode()).digest()


def new_challenge() -> dict:
    """A signed challenge, as the widget reads it from the challenge URL."""
    challenge = altcha.create_challenge(
        ALGORITHM,
        COST,
        counter=secrets.randbelow(MAX_COUNTER),
        expires_at=int(time.time()) + EXPIRES_AFTER,
        hmac_secret=_secret("challenge"),
        hmac_key_secret=_secret("key"),
    )
    return challenge.to_dict()


def verify(payload: str) -> bool:
    """True if `payload` (the widget's base64 answer) solves a challenge of ours not used before."""
    if getattr(settings, "CAPTCHA_TEST_MODE", False):
        return True
    if not payload or len(payload) > 4000:
        return False
    try:
        result = altcha.verify_solution(payload, _secret("challenge"), hmac_key_secret=_secret("key"))
    except Exception:  # a malformed payload is only a failed check
        return False
    if not result.verified:
        return False
    return _first_use(payload)


def _first_use(payload: str) -> bool:
    key = "intake.altcha.used:" + hashlib.sha256(payload.encode()).hexdigest()
    try:
        return cache.add(key, 1, timeout=EXPIRES_AFTER)
    except Exception as exc:  # the cache is down: the proof of work still counts
        logger.warning("intake: ALTCHA replay not checked, cache unavailable (%s)", type(exc).__name__)
        return True
