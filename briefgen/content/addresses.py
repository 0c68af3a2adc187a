"""Email addresses and display names, checked strictly.

An address entry holds exactly one bare address (`name@example.org`): no display
name, no angle brackets, no second address, nothing outside printable ASCII. A
display name may not contain what a mail client could read as an address. These
rules make every value that reaches a header safe to put there, and they are the
same for content (`distribution:`), the command line and the SMTP configuration.
"""

from __future__ import annotations

import re
import unicodedata

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LOCAL_PART = re.compile(rf"{_ATEXT}+(\.{_ATEXT}+)*")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TOP_LEVEL = re.compile(r"[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}")
_SEPARATORS = re.compile(r"[,;\s]")
_NAME_SPECIALS = set('@<>",;:[]\\')
_CONTROL_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
MAX_ADDRESS_LENGTH = 254


def shown(value: str) -> str:
    """The value quoted for a message, with control characters written as escapes."""
    return "'" + "".join(f"\\u{ord(c):04X}" if is_control(c) else c for c in value) + "'"


def is_control(char: str) -> bool:
    """A character that is invisible or breaks a line: never allowed in a header."""
    return unicodedata.category(char) in _CONTROL_CATEGORIES


def first_control_character(value: str) -> str | None:
    """Describe the first control character in `value` ('U+000D'), or None."""
    for char in value:
        if is_control(char):
            return f"U+{ord(char):04X}"
    return None


def check_address(value: str) -> str:
    """Return the address with its domain in lower case, or raise ValueError in plain English."""
    problem = address_problem(value)
    if problem:
        raise ValueError(problem)
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def address_problem(value: str) -> str | None:
    """What is wrong with an address entry, or None when it is one valid bare address."""
    control = first_control_character(value)
    if control:
        return (f"{shown(value)} contains a control character ({control}); an address is one "
                "line of printable text")
    value = value.strip()
    if not value:
        return "'' is not an email address: it is empty"
    if any(c in value for c in '<>"()'):
        return (f"{shown(value)} is not a bare address: write only the address "
                "(name@example.org) and put the person's name in `name`")
    if value.count("@") > 1 and _SEPARATORS.search(value):
        return f"{shown(value)} holds more than one address; give each address its own entry"
    if _SEPARATORS.search(value):
        return f"{shown(value)} contains a space, comma or semicolon; an address has none"
    if value.count("@") != 1:
        return f"{shown(value)} is not an email address: it needs exactly one '@'"
    if not value.isascii():
        return (f"{shown(value)} contains non-ASCII characters; write the domain in its "
                "ASCII (xn--) form and the part before '@' in ASCII")
    if len(value) > MAX_ADDRESS_LENGTH:
        return f"{shown(value)} is longer than {MAX_ADDRESS_LENGTH} characters"
    local, domain = value.split("@")
    if len(local) > 64 or not _LOCAL_PART.fullmatch(local):
        return (f"{shown(value)} is not an email address: the part before '@' may use letters, "
                "digits and . _ + -, without a leading, trailing or double dot")
    return _domain_problem(value, domain)


def _domain_problem(value: str, domain: str) -> str | None:
    labels = domain.split(".")
    if domain.startswith("["):
        return f"{shown(value)} uses an IP address as its domain; use the domain name"
    if len(labels) < 2 or len(domain) > 253:
        return f"{shown(value)} has no valid domain: expected a name such as example.org after '@'"
    if not all(_LABEL.fullmatch(label) for label in labels) or not _TOP_LEVEL.fullmatch(labels[-1]):
        return (f"{shown(value)} has an invalid domain '{domain}': use letters, digits and "
                "hyphens between dots, ending in a real top-level domain such as .org")
    return None


def has_encoded_word(value: str) -> bool:
    """Whether `value` holds what a mail program could decode as an RFC 2047 encoded word
    (`=?charset?q?text?=`): a `=?` with a `?=` after it. Such text reaches a header as
    something else than what was checked (another address, a line break, a new header), so
    it is refused wherever content goes into a header. Linear: two substring searches."""
    start = value.find("=?")
    return start >= 0 and value.find("?=", start + 2) >= 0


ENCODED_WORD_ADVICE = ("mail programs decode `=?...?=` as an encoded word (RFC 2047) into "
                       "other text in the email's headers; write the text itself")


def check_display_name(value: str) -> str:
    """A name shown beside an address: one line, and nothing a mail client reads as an address."""
    control = first_control_character(value)
    if control:
        raise ValueError(f"{shown(value)} contains a control character ({control}); a name is "
                         "one line of printable text")
    if has_encoded_word(value):
        raise ValueError(f"{shown(value)} contains an encoded word; {ENCODED_WORD_ADVICE}")
    found = sorted(_NAME_SPECIALS.intersection(value))
    if found:
        raise ValueError(f"{shown(value)} contains {' '.join(found)}; a name may not contain "
                         "@ < > \" , ; : [ ] or \\, which could make a mail client show "
                         "another address")
    return value.strip()
