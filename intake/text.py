"""Text as typed into the public forms, without the characters that change how it is shown.

Control characters (Unicode category Cc) and format characters (Cf: the bidirectional overrides
such as U+202E that make "gpj.exe" read "exe.jpg", zero-width characters) are removed from names and
other single-line answers; multi-line answers keep their line breaks and tabs.
"""

import unicodedata

KEPT_IN_TEXT = {"\n", "\r", "\t"}


def plain_line(value: str) -> str:
    """`value` without any Cc or Cf character."""
    return "".join(ch for ch in value if unicodedata.category(ch) not in ("Cc", "Cf"))


def plain_text(value: str) -> str:
    """`value` without Cc or Cf characters, line breaks and tabs kept."""
    return "".join(ch for ch in value if ch in KEPT_IN_TEXT or unicodedata.category(ch) not in ("Cc", "Cf"))


def single_line(value: str) -> str:
    """`value` on one line: every run of white space (line breaks too) one space, no Cc or Cf
    character, no space at either end (an email subject, a name filled into a reply)."""
    return " ".join(plain_line(" ".join(value.split())).split())
