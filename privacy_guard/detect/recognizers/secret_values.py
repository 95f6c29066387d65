"""The tests SECRET recognizers apply to candidate values, and the helpers they share.

Is this a placeholder (`${VAR}`, `<password>`, `YOUR_API_KEY`), a code reference
(`self.password`, `getenv(...)`), an identifier (`OAuthClientApplications`), or a
machine-made token? And where does a quoted or bare value start and end?
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Final

from privacy_guard.detect.types import Span

SECRET: Final = "SECRET"
PRIORITY: Final = 30

# Case-insensitive regexes run on `ascii_lower(text)`: same offsets, and unlike re.I, a pattern
# that starts with literals lets the regex engine skip ahead fast (5x on large inputs).
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ"
_LOWER_TABLE: Final = str.maketrans(_UPPER, _UPPER.lower())


@lru_cache(maxsize=8)
def ascii_lower(text: str) -> str:
    """`text` lower-cased one character for one character, so offsets stay valid. (Cached:
    three recognizers read it per text.)

    `translate` with the table costs ~80 µs per KB, `str.lower` ~6: they give the same string
    when no character beyond Latin-1 changes under `str.lower` (in Latin-1 the table is
    exactly `str.lower`'s mapping: tests/test_recognizer_secrets.py checks every character).
    Most texts are Latin-1 (one C-level encode says so); the others hold a few distinct
    characters beyond it (dashes, €), each checked once."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        if any(ord(c) > 0xFF and c.lower() != c for c in set(text)):
            return text.translate(_LOWER_TABLE)
    return text.lower()


def boundary_before(text: str, pos: int, extra: str = "_") -> bool:
    """Whether `pos` starts a word: no letter, digit or character of `extra` just before."""
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in extra)


# ------------------------------------------------------------------------------- value tests

# On the lower-cased value: masks, templates and stand-ins anywhere in it...
_PLACEHOLDER_PART = re.compile(
    r"""xxxx | \*\*\* | \.\.\. | … | •• | ●●             # sk-xxxx, abc...xyz, ****
    | \$\{ | \{\{ | \{% | \{\w*(?::[^}]*)?\} | \{[\w.\s]*\(  # ${V}, {{ v }}, {0}, f"{getenv(...)}"
    | %\(\w+\)[sd] | (?:^|(?<=[\s:=/'"(]))%[sdr](?![a-z0-9])    # %(password)s, '%s:%s'
    | your(?:[\s_.-]|$) | replace[\s_-]?(?:me|with|this) | insert[\s_-]
    | placeholder | redacted | example | dummy""",
    re.X,
)
# ... or as the whole value: masked, <password>, [REDACTED], {token}, (hidden), $(cmd), %s,
# literals, "... here", YAML tags (!Ref, !vault). ODBC's {p;w} is read by secret_assignments.
_PLACEHOLDER_WHOLE = re.compile(
    r"""[\s*x•●·#.?_=~-]*|<.*>|\[.*\]|\{.*\}|\(\w+\)|\$\(.*|%[sd]|![a-z]+
    |todo|tbd|fixme|n/?a|none|null|nil|undefined|true|false|yes|no|on|off|.*[\s_-]here""",
    re.X,
)
_CAMEL_YOUR = re.compile(r"your[A-Z]")
# Where a value comes from rather than the value: os.environ/KEY (LiteLLM), process.env.KEY,
# secrets.TOKEN, vault:..., secretKeyRef.
_ENV_REFERENCE = re.compile(
    r"(?i)(?:os\.environ|os\.getenv|process\.env|import\.meta\.env|environ|getenv|env|secrets"
    r"|vault|ssm|keyvault|secretkeyref|valuefrom)\b[./:\[(]"
)
_SHELL_VARIABLE = re.compile(r"\$(?:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*)")  # $DB_PASSWORD, $pw
_NOT_VALUES: Final = frozenset(
    ["string", "str", "text", "bytes", "int", "integer", "number", "bool", "boolean", "any",
     "object", "optional", "required", "hidden", "masked", "secret", "secrets", "password",
     "passwords", "passwd", "pwd", "pass", "passphrase", "token", "tokens", "key", "keys", "value",
     "default", "empty", "blank", "unknown", "unset", "same", "invalid", "incorrect", "wrong",
     "missing", "expired", "mdp", "requis", "obligatoire", "vide", "aucun", "aucune", "inconnu",
     "identique", "secretstr", "credential", "credentials", "sensitive", "confidential",
     "encrypted", "hashed", "username", "user", "login", "email",
     # Stand-ins of documentation and tutorials, not anyone's credential.
     "changeme", "change_me", "change-me", "changeit", "changethis", "test", "testing", "foo",
     "bar", "foobar", "mysecretpassword", "yourpassword", "mypassword", "secretpassword"]
)  # fmt: skip
UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
HEX = re.compile(r"[0-9a-fA-F]+")
_DATE = re.compile(r"\d{4}-\d\d-\d\d|\d\d?[/.]\d\d?[/.]\d{2,4}")
PATH = re.compile(
    r"(?:/|\./|\.\./|~/|[A-Za-z]:\\)|\S*\.(?:pem|key|json|txt|p12|pfx|crt|env|ya?ml)$"
)
_HYPHEN_WORDS = re.compile(r"(?:[A-Z]?[a-z]+|[A-Z]{1,5})(?:-(?:[A-Z]?[a-z]+|[A-Z]{1,5}))+")
_DIGIT_RUNS = re.compile(r"\d+")
_SECRET_WORDS = re.compile(r"(?i)pass|pwd|pswd|secret|token|key|mdp|cred")
CAMEL_IDENTIFIER = re.compile(r"[A-Za-z][a-z]+(?:[A-Z][a-z0-9]+)+")  # userPassword, DbPass
_SLUG = re.compile(r"[A-Za-z]+(?:[-.][A-Za-z]+)+")
SNAKE_IDENTIFIER = re.compile(r"_*[a-z][a-z0-9]*(?:_[a-z0-9]+)+|_*[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_TOKEN_ALPHABET = re.compile(r"[A-Za-z0-9+/=_.~-]+")  # base64, base64url, hex, dotted
# Case and digit segments: `OAuthClient2` -> O, Auth, Client, 2. A segment is a word when it is
# pronounceable: a vowel, never five consonants in a row (`Tvtplbdr` is not a word).
_PARTS = re.compile(r"[._/\-]")
_SEGMENT = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_LOWER_WORD = re.compile(
    r"[A-Z]?(?=[a-z]*[aeiouy])(?![a-z]*[b-df-hj-np-tv-xz]{5})[a-z]{3,}"
    r"|[A-Z](?=[a-z]*[aeiouy])[a-z]{2}"
)
_UPPER_WORD = re.compile(r"(?=[A-Z]*[AEIOUY])[A-Z]{3,}")
_HASH_WORDS = re.compile(r"(?i)sha\d*|md5|hash|digest|checksum|commit|revision|fingerprint|etag")
VERSION = re.compile(r"v?\d+(?:\.\d+)+\w*", re.I)


def near_hash_word(text: str, start: int, end: int) -> bool:
    """Hex next to "sha256", "commit", "checksum"... is a digest, not a key."""
    return _HASH_WORDS.search(text, max(0, start - 64), min(len(text), end + 32)) is not None


def is_placeholder(value: str) -> bool:
    """A mask, a template, a stand-in or a type name rather than a secret."""
    lower = value.lower()
    return (
        lower in _NOT_VALUES
        or _PLACEHOLDER_WHOLE.fullmatch(lower) is not None
        or _PLACEHOLDER_PART.search(lower) is not None
        or _CAMEL_YOUR.search(value) is not None
        or _SHELL_VARIABLE.fullmatch(value) is not None
        or _ENV_REFERENCE.match(value) is not None
    )


def char_classes(value: str) -> int:
    """How many of lower case, upper case and digits the value uses."""
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
    )


def _class_switch_rate(value: str) -> float:
    """How often neighbouring characters switch between lower case, upper case and digit."""
    kinds = [0 if c.islower() else 1 if c.isupper() else 2 if c.isdigit() else -1 for c in value]
    pairs = [(a, b) for a, b in pairwise(kinds) if a >= 0 and b >= 0]
    return sum(a != b for a, b in pairs) / max(len(pairs), 1)


def is_wordy(value: str) -> bool:
    """Words run together: `self.parser.CurrentLineNumber`, `app/Http/Controllers`, `PKCS7Key`.

    Most of an identifier's letters sit in pronounceable words; a random string's letters sit
    in short runs between digits and capitals, and its digits are scattered.
    """
    alnum = sum(c.isalnum() for c in value)
    if not alnum or len(_DIGIT_RUNS.findall(value)) >= 3:
        return False
    in_words = 0
    for part in _PARTS.split(value):
        if part.isalpha() and part.isupper() and _UPPER_WORD.fullmatch(part):
            in_words += len(part)  # NO_VALUE_SET
        else:
            in_words += sum(len(s) for s in _SEGMENT.findall(part) if _LOWER_WORD.fullmatch(s))
    return in_words >= 0.6 * alnum


def names_a_secret(value: str) -> bool:
    """An identifier naming a secret rather than holding one: `db_password`, `challengePassword`,
    `PASSWORD`; not `Password1`, which people do use."""
    if not _SECRET_WORDS.search(value):
        return False
    if _SLUG.fullmatch(value):
        return True  # profile-username-password, my-secret-token
    if not value.isidentifier():
        return False
    return (
        "_" in value
        or not any(c.isdigit() for c in value)
        or bool(CAMEL_IDENTIFIER.fullmatch(value))
    )


def looks_random(value: str, min_len: int = 16) -> bool:
    """A machine-made token rather than words or an identifier (`DJANGO_SECRET_KEY_V2`).

    Random strings switch often between lower case, upper case and digits; single-case ones
    (`a3f9...`, `K7Q2...`) at least scatter their digits.
    """
    if len(value) < min_len or UUID.fullmatch(value) or not _TOKEN_ALPHABET.fullmatch(value):
        return False
    if char_classes(value) < 2 or len(set(value)) < min(10, len(value) // 2):
        return False
    if is_wordy(value):
        return False
    return _class_switch_rate(value) >= 0.2 or len(_DIGIT_RUNS.findall(value)) >= 3


def looks_like_password(value: str) -> bool:
    """A value in prose: a digit, a symbol or scrambled case, so "incorrect", "case-sensitive"
    or "McDonald" are not taken."""
    if len(value) < 4 or _HYPHEN_WORDS.fullmatch(value) or _DATE.match(value):
        return False
    if not any(c.isalpha() for c in value):
        return value.isdigit() and len(value) >= 6
    if any(c.isdigit() or not (c.isalnum() or c.isspace() or c == "_") for c in value):
        return True
    return len(value) >= 8 and looks_scrambled(value)


def looks_scrambled(value: str) -> bool:
    """Letters in random case (`ZoaqWBcLQHse`), not a word or a CamelCase name."""
    return _class_switch_rate(value) >= 0.2 and not CAMEL_IDENTIFIER.fullmatch(value.strip("_"))


def looks_like_token(value: str) -> bool:
    """A value named as a token, secret or API key: no spaces, mixed characters."""
    return (
        len(value) >= 8
        and char_classes(value) >= 2
        and not any(c.isspace() for c in value)
        and not _DATE.match(value)
        and not PATH.match(value)
    )


# ------------------------------------------------------------------------------ reading values

_VALUE = re.compile(
    r"""(?:[rbfuRBFU]{1,2}(?=["']))?
    (?: \\(?P<eq>["'])(?P<esc>(?:[^"'\\\n]|\\(?!(?P=eq))){1,512})\\(?P=eq)  # \"x\" in JSON
      | "(?P<dq>[^"\n]{0,512})" | '(?P<sq>[^'\n]{0,512})' | `(?P<bt>[^`\n]{0,512})`
      | “(?P<cq>[^”\n]{0,512})” | ‘(?P<cs>[^’\n]{0,512})’
      | «[ \u00a0\u202f]?(?P<gq>[^»\n]{0,512}?)[ \u00a0\u202f]?»
      | (?P<bare>(?:[^\s"'`,;<>&]|&(?![\w.\-]+=)){1,256}) )""",
    re.X,
)
_ESCAPED_BREAK = re.compile(r"\\[nrt]")
_CLOSERS: Final = {")": "(", "]": "[", "}": "{"}
_CLOSER = re.compile(r"[)\]}]")
STRING_SEAM = re.compile(r"[)\]}][\s,;)\]}.]|[,;]")  # "Password:"),$?Re.createElement("


@dataclass(frozen=True, slots=True)
class Value:
    start: int
    end: int
    text: str
    quoted: bool


def _balanced_prefix(value: str) -> int:
    """Where a bare value stops: its first closing bracket without an opener (`t})=>`)."""
    if _CLOSER.search(value) is None:
        return len(value)
    depth = {opener: 0 for opener in _CLOSERS.values()}
    for i, char in enumerate(value):
        if char in depth:
            depth[char] += 1
        elif char in _CLOSERS:
            opener = _CLOSERS[char]
            if depth[opener] == 0:
                return i
            depth[opener] -= 1
    return len(value)


def read_value(text: str, pos: int) -> Value | None:
    """The quoted or bare value at `pos`; a bare one stops at an unbalanced closing bracket and
    loses its trailing punctuation."""
    match = _VALUE.match(text, pos)
    if match is None or match.lastgroup is None:
        return None
    group = "esc" if match.group("esc") is not None else match.lastgroup
    start, end = match.span(group)
    quoted = group != "bare"
    if not quoted:
        end = start + _balanced_prefix(text[start:end])
        # Inside a JSON string or a log line, `\n` and `\t` (two characters) end the value.
        escape = _ESCAPED_BREAK.search(text, start, end)
        end = escape.start() if escape else end
        while end > start and text[end - 1] in ".,:;":
            end -= 1
    return Value(start, end, text[start:end], quoted) if end > start else None


def secret_span(value: Value, score: float) -> Span:
    return Span(SECRET, value.start, value.end, score, PRIORITY)


def best_spans(spans: list[Span]) -> list[Span]:
    """One span per overlapping group: the longest, then the highest score."""
    spans.sort(key=lambda s: (s.start, -(s.end - s.start), -s.score))
    kept: list[Span] = []
    for span in spans:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
        elif (span.end - span.start, span.score) > (kept[-1].end - kept[-1].start, kept[-1].score):
            kept[-1] = span
    return kept


# -------------------------------------------------------------------------------------- code

CODE_REF = re.compile(r"[A-Za-z_$][\w$]*(?:(?:\.|\?\.|::|->)[A-Za-z_$][\w$]*)*")
_MEMBER_SEPARATORS = re.compile(r"\?\.|\.|::|->")
_IDENTIFIER_PART = re.compile(
    r"[a-z_$][a-z0-9_$]*|[A-Z][A-Z0-9_]*|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*"
)


def is_code(value: str) -> bool:
    """A call, a subscript, a member, a bracket, an operator: `getenv(...`, `self.password`,
    `(user`, `e.auth_password??`; but not `Soleil2024!`."""
    if value[0] in "([{":
        return True
    match = CODE_REF.match(value)
    if match is None:
        return False
    if value.startswith(("(", "[", "?.", "??", ")", "}", "!=", "!.", "=="), match.end()):
        return True
    parts = _MEMBER_SEPARATORS.split(match.group(0))
    if len(parts) == 1 or match.end() < len(value):
        return False  # hunter2, dragon.IdTYVf!
    # self.password, settings.DB_PASSWORD, ed25519.Ed25519PrivateKey
    return parts[0].islower() or all(_IDENTIFIER_PART.fullmatch(p) for p in parts)


def has_alnum_mix(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
