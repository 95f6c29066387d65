"""SECRET values named by what precedes them, and the value tests `secrets.py` shares.

Found here: `password = ...` in code, config, .env, YAML, JSON, XML and CLI flags; prose such as
"my password is ..." or "mon mot de passe est ..."; `Pwd=...;` in ODBC strings; and, at a lower
score, random-looking tokens right after a secret-ish key word ("token", "clé API", ...).

The span is always the value alone, without quotes. What is *not* a secret value: empty or masked
values, templates (`${VAR}`, `{{ var }}`, `%(x)s`, `<password>`), `YOUR_API_KEY`-style
placeholders, literals (`None`, `true`), environment lookups and other code references
(`os.environ[...]`, `self.password`, `password=password`), type hints (`password: str`).
Weak but real credentials such as `changeme` or `admin123` *are* flagged: they are used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final, Literal

from privacy_guard.detect.types import Span

SECRET: Final = "SECRET"
PRIORITY: Final = 30

Tier = Literal["password", "token", "weak"]

# ------------------------------------------------------------------------------- value tests

_PLACEHOLDER = re.compile(
    r"""
      ^[\s*xX•●·#.?_=~-]*$                               # empty or fully masked
    | [xX]{4} | \*{3} | \.{3} | … | •• | ●●              # partly masked: sk-xxxx, abc...xyz
    | \$\{ | \$\( | ^\$[A-Za-z_]\w*$ | \{\{ | \{% | %\(\w+\)[sd] | ^%[sd]$
    | ^<.*>$ | ^\[.*\]$ | ^\{[\w\s.-]*\}$ | ^\(\w+\)$     # <password> [REDACTED] {token} (hidden)
    | (?i:your)(?:[\s_.-]|(?=[A-Z])) | (?i:replace[\s_-]?(?:me|with|this))
    | (?i:insert[\s_-]|placeholder|redacted|example|dummy) | (?i:(?:^|[\s_-])here$)
    | ^(?i:todo|tbd|fixme|n/?a|none|null|nil|undefined|true|false|yes|no|on|off)$
    | ^!\w+                                              # YAML tags: !Ref, !vault
    """,
    re.X,
)
_NOT_VALUES: Final = frozenset(
    [
        "string", "str", "text", "bytes", "int", "integer", "number", "bool", "boolean", "any",
        "object", "optional", "required", "hidden", "masked", "secret", "secrets", "password",
        "passwords", "passwd", "pwd", "pass", "passphrase", "token", "tokens", "key", "keys",
        "value", "default", "empty", "blank", "unknown", "unset", "same", "invalid", "incorrect",
        "wrong", "missing", "expired", "mdp", "requis", "obligatoire", "vide", "aucun", "aucune",
        "inconnu", "identique", "secretstr", "credential", "credentials", "sensitive",
        "confidential", "encrypted", "hashed",
    ]
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_DATE = re.compile(r"\d{4}-\d\d-\d\d|\d\d?[/.]\d\d?[/.]\d{2,4}")
_PATH = re.compile(
    r"(?:/|\./|\.\./|~/|[A-Za-z]:\\)|.*\.(?:pem|key|json|txt|p12|pfx|crt|env|ya?ml)$"
)
_HYPHEN_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+")
_DIGIT_RUNS = re.compile(r"\d+")


def is_placeholder(value: str) -> bool:
    return _PLACEHOLDER.search(value) is not None or value.lower() in _NOT_VALUES


def char_classes(value: str) -> int:
    """How many of lower case, upper case and digits the value uses."""
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
    )


def _class_switch_rate(value: str) -> float:
    kinds = [0 if c.islower() else 1 if c.isupper() else 2 if c.isdigit() else -1 for c in value]
    pairs = [(a, b) for a, b in zip(kinds, kinds[1:], strict=False) if a >= 0 and b >= 0]
    return sum(a != b for a, b in pairs) / max(len(pairs), 1)


def looks_random(value: str, min_len: int = 16) -> bool:
    """A machine-made token rather than words or an identifier (`DJANGO_SECRET_KEY_V2`).

    Random strings switch often between lower case, upper case and digits; single-case ones
    (`a3f9...`, `K7Q2...`) at least scatter their digits.
    """
    if len(value) < min_len or _UUID.fullmatch(value) or any(c.isspace() for c in value):
        return False
    if char_classes(value) < 2 or len(set(value)) < min(10, len(value) // 2):
        return False
    return _class_switch_rate(value) >= 0.2 or len(_DIGIT_RUNS.findall(value)) >= 3


def looks_like_password(value: str) -> bool:
    """Prose values: a digit or a symbol, so "incorrect" or "case-sensitive" are not taken."""
    if len(value) < 4 or _HYPHEN_WORDS.fullmatch(value) or _DATE.match(value):
        return False
    has_alpha = any(c.isalpha() for c in value)
    has_digit = any(c.isdigit() for c in value)
    has_symbol = any(not c.isalnum() and not c.isspace() and c != "_" for c in value)
    if not has_alpha:
        return value.isdigit() and len(value) >= 6
    return has_digit or has_symbol


def looks_like_token(value: str) -> bool:
    """An explicitly named token/secret/API key: no spaces, mixed characters."""
    return (
        len(value) >= 8
        and not any(c.isspace() for c in value)
        and char_classes(value) >= 2
        and not _DATE.match(value)
        and not _PATH.match(value)
        and "://" not in value
    )


# ------------------------------------------------------------------------------ reading values

_VALUE = re.compile(
    r"""(?:[rbfuRBFU]{1,2}(?=["']))?
    (?: "(?P<dq>[^"\n]{0,512})" | '(?P<sq>[^'\n]{0,512})' | `(?P<bt>[^`\n]{0,512})`
      | “(?P<cq>[^”\n]{0,512})” | ‘(?P<cs>[^’\n]{0,512})’
      | «[ \u00a0\u202f]?(?P<gq>[^»\n]{0,512}?)[ \u00a0\u202f]?»
      | (?P<bare>(?:[^\s"'`,;<>&]|&(?![\w.\-]+=)){1,256}) )""",
    re.X,
)
_CLOSERS: Final = {")": "(", "]": "[", "}": "{"}


@dataclass(frozen=True, slots=True)
class Value:
    start: int
    end: int
    text: str
    quoted: bool


def read_value(text: str, pos: int) -> Value | None:
    """The quoted or bare value starting at `pos`; a bare one loses trailing punctuation."""
    match = _VALUE.match(text, pos)
    if match is None or match.lastgroup is None:
        return None
    start, end = match.span(match.lastgroup)
    quoted = match.lastgroup != "bare"
    if not quoted:
        while end > start:
            last = text[end - 1]
            opener = _CLOSERS.get(last)
            if last in ".,:;?" or (
                opener and text.count(opener, start, end) < text.count(last, start, end)
            ):
                end -= 1
            else:
                break
    return Value(start, end, text[start:end], quoted) if end > start else None


# -------------------------------------------------------------------------------------- keys

_KEY_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-zàâçéèêëîïôûùüÿ]+|\d+")
_PASSWORD_WORDS: Final = frozenset(
    [
        "password", "passwd", "passwort", "kennwort", "passphrase", "pwd", "pw", "pass", "mdp",
        "motdepasse", "contrasena",
    ]
)
_TOKEN_WORDS: Final = frozenset(["secret", "token", "credential", "credentials", "jeton"])
# `<prefix>key` is a named secret key; any other `<prefix>_key` is weak evidence.
_STRONG_KEY_PREFIXES: Final = frozenset(
    [
        "api", "secret", "private", "access", "auth", "signing", "encryption", "master", "account",
        "session", "app", "client", "webhook", "jwt", "bearer", "license", "x",
    ]
)
_COMPOUND_PREFIXES: Final = _STRONG_KEY_PREFIXES | {"pg", "db", "my", "root", "admin", "user"}
_COMPOUND_ENDINGS: Final[tuple[tuple[str, Tier], ...]] = (
    ("password", "password"),
    ("passwd", "password"),
    ("pass", "password"),
    ("secret", "token"),
    ("token", "token"),
    ("key", "token"),
)
_NON_SECRET_KEY_WORDS: Final = frozenset(
    [
        "hash", "hashed", "salt", "public", "pub", "publishable", "page", "next", "prev", "cursor",
        "continuation", "max", "min", "num", "count", "eos", "bos", "pad", "unk", "sep", "cls",
        "mask", "special", "length", "len", "policy", "reset", "forgot", "field", "type", "is",
        "has", "use", "show", "hide", "require", "required", "placeholder", "label", "hint",
        "prompt", "sort", "partition", "primary", "foreign", "cache", "idempotency", "hot", "dict",
        "map", "lookup", "index", "unique", "composite", "row", "object", "ssh", "file", "path",
        "id", "name", "url", "uri", "env", "var", "expiry", "expires", "expiration", "ttl",
        "timeout", "format", "regex", "pattern", "encrypted", "digest", "fingerprint", "input",
        "output", "start", "end", "stop", "limit", "usage", "kms", "arn", "ref", "header", "param",
        "location", "storage", "strength", "rules", "manager", "bucket",
    ]
)


def classify_key(key: str) -> Tier | None:
    """How strongly a key names a secret: `DB_PASSWORD`, `apiKey`, `mot_de_passe`, `cle_api`."""
    words = [w.lower() for w in _KEY_WORD.findall(key)]
    if not words or any(w in _NON_SECRET_KEY_WORDS for w in words):
        return None
    last, prev = words[-1], (words[-2] if len(words) > 1 else "")
    if last == "passe":
        return "password" if prev == "de" else None
    if prev in ("cle", "clé", "clef") and last in ("api", "secrete", "secrète", "privee", "privée"):
        return "token"
    if last in ("cle", "clé", "clef"):
        return "weak"
    if last in _PASSWORD_WORDS:
        return "password"
    if last in _TOKEN_WORDS:
        return "token"
    if last == "key":
        return "token" if prev in _STRONG_KEY_PREFIXES else "weak"
    for word, tier in _COMPOUND_ENDINGS:  # pgpassword, apikey, authtoken
        if last.endswith(word) and last[: -len(word)] in _COMPOUND_PREFIXES:
            return tier
    return None


# ---------------------------------------------------------------------------- shared helpers


def best_spans(spans: list[Span]) -> list[Span]:
    """One span per overlapping group: the longest, then the highest score."""
    spans.sort(key=lambda s: (s.start, -(s.end - s.start), -s.score))
    kept: list[Span] = []
    for span in spans:
        if kept and span.start < kept[-1].end:
            prev = kept[-1]
            if (span.end - span.start, span.score) > (prev.end - prev.start, prev.score):
                kept[-1] = span
            continue
        kept.append(span)
    return kept


def secret_span(value: Value, score: float) -> Span:
    return Span(SECRET, value.start, value.end, score, PRIORITY)


# ------------------------------------------------------------------- key = value, in any syntax

_TERM = (
    r"(?:pass(?:w(?:or)?d|wort|phrase)?|pwd|pw|mdp|passe|kennwort|contrase[nñ]a|secret|token"
    r"|key|credentials?|cl[eé]f?|jeton)"
)
_ASSIGN = re.compile(
    rf"""(?P<key>{_TERM}[\w.\-]{{0,40}})(?:["']\]?|\])?[ \t]*
    (?P<sep>:[ \t]*[A-Za-z_][\w.]*(?:\[[^\]\n]{{0,40}}\])?(?:[ \t]*\|[ \t]*None)?[ \t]+=(?!=)
      | :=|=>|===?|=(?!~)|:(?!:)|<-)[ \t]*""",
    re.I | re.X,
)
_CLI_FLAG = re.compile(r"(?<![\w-])--(?P<key>[A-Za-z][\w-]{1,40})[ \t]+(?=[^\s-])")
_MYSQL_P = re.compile(
    r"\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n|;&]{0,200}?[ \t]-p(?=[^\s-])"
)
_CURL_USER = re.compile(r"""(?<![\w-])(?:-u|--user)[ \t=]+["']?(?P<user>[^\s:"']{1,128}):(?=\S)""")
_AUTH_PAIR = re.compile(
    r"""(?:\bauth[ \t]*=[ \t]*[(\[]|\b\w*(?:Basic|Digest)Auth\()[ \t]*(["'])[^"'\n]{0,128}\1"""
    r"""[ \t]*,[ \t]*(?=["'])"""
)
_CALL_PAIR = re.compile(r"""\([ \t]*(["'])(?P<key>[\w.\-]{1,60})\1[ \t]*,[ \t]*(?=["'])""")
_XML_ELEMENT = re.compile(r"<(?P<key>[\w:.\-]{1,60})>(?P<val>[^<\n]{1,256})</(?P=key)>")
_XML_KEY_VALUE = re.compile(
    r"""\b(?:key|name)[ \t]*=[ \t]*"(?P<key>[\w.:\-]{1,60})"[ \t]+value[ \t]*=[ \t]*(?=")"""
)
_ODBC = re.compile(
    r"""(?<![\w.\-])(?:password|pwd)[ \t]*=[ \t]*
    (?:\{(?P<braced>[^}\n]{1,256})\}|(?P<plain>[^;\n"'{\s][^;\n"']{0,255}))""",
    re.I | re.X,
)
_ODBC_CONTEXT = re.compile(
    r"(?i)(?:server|data source|host|uid|user id|username|database|initial catalog|driver|dsn)[ \t]*="
)
_CODE_REF = re.compile(r"[A-Za-z_$][\w$]*(?:(?:\.|\?\.|::|->)[A-Za-z_$][\w$]*)*")
_SECRET_WORDS = re.compile(r"(?i)pass|pwd|secret|token|key|mdp|credential|cred")
_CAMEL = re.compile(r"[a-z][A-Z]")
_LINE_PREFIX = re.compile(r"[ \t]*(?:-[ \t]+)?(?:export[ \t]+|set[ \t]+)?[\"']?")
_LINE_SUFFIX = re.compile(r"[ \t]*(?:#.*)?")


def _key_start(text: str, pos: int) -> int:
    """Walk back from the key word to the start of the whole key (`DB_` in `DB_PASSWORD`)."""
    start = pos
    while (
        start > 0 and pos - start < 60 and (text[start - 1].isalnum() or text[start - 1] in "_.-")
    ):
        start -= 1
    while start < pos and text[start] in ".-":
        start += 1
    return start


def _is_reference(text: str, key_start: int, key: str, value: Value) -> bool:
    """A bare value that names something else in code: `self.password`, `getenv(`, `pw`."""
    v = value.text
    match = _CODE_REF.match(v)
    if match is None:
        return False
    if match.end() < len(v):
        return v[match.end()] in "(["  # a call or a subscript: os.environ[...], getenv(...)
    if any(sep in v for sep in (".", "::", "->")):
        return True
    multiword = "_" in v or _CAMEL.search(v) is not None
    if _SECRET_WORDS.search(v) and (multiword or not any(c.isdigit() for c in v)):
        return True  # password=password, token=auth_token
    before = text[max(0, key_start - 40) : key_start].rstrip()
    if before.endswith(("(", ",")):
        return True  # a keyword argument: login(user, password=pw)
    return multiword and not key.isupper()  # .env keys are upper case: DB_PASSWORD=helloWorld


def _on_own_line(text: str, key_start: int, value: Value) -> bool:
    line_start = text.rfind("\n", 0, key_start) + 1
    line_end = text.find("\n", value.end)
    line_end = len(text) if line_end < 0 else line_end
    return (
        _LINE_PREFIX.fullmatch(text, line_start, key_start) is not None
        and _LINE_SUFFIX.fullmatch(text, value.end, line_end) is not None
    )


def judge(tier: Tier, value: Value, *, loose: bool) -> float | None:
    """The score of `value` named by a key of `tier`; `loose`: any non-placeholder password."""
    v = value.text
    if is_placeholder(v) or "://" in v:
        return None
    if tier == "password":
        if len(v) < 3 or (not value.quoted and _PATH.match(v)):
            return None
        return 0.85 if value.quoted or loose or looks_like_password(v) else None
    if tier == "token":
        return 0.8 if looks_like_token(v) else None
    return 0.7 if looks_random(v) and not _HEX.fullmatch(v) else None


def _assignment(text: str, match: re.Match[str]) -> Span | None:
    key_start = _key_start(text, match.start("key"))
    key = text[key_start : match.end("key")]
    tier = classify_key(key)
    value = read_value(text, match.end()) if tier else None
    if tier is None or value is None or value.text.lower() == key.lower():
        return None
    if not value.quoted and _is_reference(text, key_start, key, value):
        return None
    sep = match.group("sep")
    if sep in ("==", "===") and not value.quoted:
        return None
    loose = sep[0] in "=<" or sep == ":=" or (sep == ":" and _on_own_line(text, key_start, value))
    score = judge(tier, value, loose=loose)
    return None if score is None else secret_span(value, score)


def _keyed_values(text: str) -> Iterator[Span]:
    """Values after a key that names them, read by `_VALUE` from a position the regex ends on."""
    for match in _ASSIGN.finditer(text):
        if span := _assignment(text, match):
            yield span
    forms: tuple[tuple[re.Pattern[str], Tier | None], ...] = (
        (_CLI_FLAG, None),
        (_CALL_PAIR, None),
        (_XML_KEY_VALUE, None),
        (_MYSQL_P, "password"),
        (_CURL_USER, "password"),
        (_AUTH_PAIR, "password"),
    )
    for pattern, fixed_tier in forms:
        for match in pattern.finditer(text):
            tier = fixed_tier or classify_key(match.group("key"))
            value = read_value(text, match.end()) if tier else None
            if tier is None or value is None or value.text.lower() == match.group(0).lower():
                continue
            if pattern is _CURL_USER and value.text.isdigit() and match.group("user").isdigit():
                continue  # docker -u 1000:1000
            if (score := judge(tier, value, loose=True)) is not None:
                yield secret_span(value, score)


def _xml_and_odbc(text: str) -> Iterator[Span]:
    for match in _XML_ELEMENT.finditer(text):
        tier = classify_key(match.group("key").rpartition(":")[2])
        raw = match.group("val")
        start = match.start("val") + len(raw) - len(raw.lstrip())
        value = Value(start, start + len(raw.strip()), raw.strip(), True)
        if tier and value.text and (score := judge(tier, value, loose=True)) is not None:
            yield secret_span(value, score)
    for match in _ODBC.finditer(text):
        group = "braced" if match.group("braced") is not None else "plain"
        start, end = match.span(group)
        while end > start and text[end - 1].isspace():
            end -= 1
        window = text[max(0, start - 200) : end + 200]
        if ";" not in window or not _ODBC_CONTEXT.search(window):
            continue
        value = Value(start, end, text[start:end], group == "braced")
        if (score := judge("password", value, loose=True)) is not None:
            yield secret_span(value, score)


# ------------------------------------------------------------------------------------- prose

_PASSWORD_PHRASE = (
    r"mots?[ \t]+de[ \t]+passe|mdp|pass[ \t-]?words?|passwd|passphrase|passwort|kennwort"
)
_PROSE = re.compile(
    rf"""(?<![\w.\-])
    (?P<key>{_PASSWORD_PHRASE}|pwd
      | (?:api|access|secret|private|auth|client|refresh|bearer|app|bot|personal[ \t]+access)
        [ \t_-]?(?:keys?|tokens?|secrets?)
      | cl(?:é|e|ef)s?(?:[ \t]+(?:d['’][ \t]?)?(?:api|secrètes?|secretes?|privées?|accès|acces))?
      | jetons?(?:[ \t]+d['’][ \t]?(?:accès|acces|api|authentification))?
      | tokens? | secrets? | credentials? )
    (?![\w-])
    (?P<mid>(?:[ \t]+[^\s:=]{{1,24}}){{0,4}}?)
    (?:[ \t]*(?::(?!//)|=)|[ \t]+(?:is|est|was|était|sera|will[ \t]+be|are|sont)(?!\w))
    [ \t]*(?::[ \t]*)?(?:\n[ \t]*)?""",
    re.I | re.X,
)
_PROSE_NO_SEP = re.compile(rf"(?<![\w.\-])(?:{_PASSWORD_PHRASE})[ \t]+(?=\S)", re.I)
# Words between the key and its value that make the value a rule, not the secret:
# "Password length: 12-64", "le mot de passe doit contenir : 8 caractères".
_META_WORDS: Final = frozenset(
    [
        "length", "longueur", "policy", "politique", "requirements", "requirement", "exigences",
        "rules", "règles", "regles", "hash", "reset", "réinitialisation", "field", "champ",
        "strength", "force", "expiry", "expiration", "expires", "format", "min", "max", "minimum",
        "maximum", "size", "taille", "type", "chars", "characters", "caractères", "complexity",
        "complexité", "manager", "gestionnaire", "hint", "indice", "must", "doit", "should",
        "doivent", "needs", "requires", "id", "name", "url", "lien", "link",
    ]
)
_VERSION = re.compile(r"v?\d+(?:\.\d+)+\w*", re.I)


def _prose_values(text: str) -> Iterator[Span]:
    for match in _PROSE.finditer(text):
        mid_words = {w.lower().strip(".,()'\"") for w in match.group("mid").split()}
        value = read_value(text, match.end())
        if value is None or mid_words & _META_WORDS or is_placeholder(value.text):
            continue
        v = value.text
        if "://" in v or _PATH.match(v) or v.lower() in _META_WORDS:
            continue
        key = match.group("key").lower()
        if any(word in key for word in ("pass", "mdp", "pwd", "kennwort")):
            if (value.quoted and len(v) >= 3) or looks_like_password(v):
                yield secret_span(value, 0.8)
        elif looks_like_token(v) and (looks_random(v) or (len(v) >= 10 and _has_alnum_mix(v))):
            yield secret_span(value, 0.75)
    for match in _PROSE_NO_SEP.finditer(text):
        value = read_value(text, match.end())
        if value is None or len(value.text) < 6 or is_placeholder(value.text):
            continue
        v = value.text
        if _HEX.fullmatch(v) or _VERSION.fullmatch(v) or "://" in v or _PATH.match(v):
            continue
        if looks_like_password(v) and any(c.isalpha() for c in v):
            yield secret_span(value, 0.8)


def _has_alnum_mix(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


class AssignmentRecognizer:
    """Passwords, tokens and keys named by a key, a CLI flag, an XML tag or a prose phrase."""

    name = "secret_assignment"
    entities = (SECRET,)

    def find(self, text: str, language: str) -> Iterable[Span]:
        spans = [*_keyed_values(text), *_xml_and_odbc(text), *_prose_values(text)]
        return best_spans(spans)


# ------------------------------------------------------------- random tokens near a key word

_CONTEXT_WORD = re.compile(
    r"(?<![A-Za-z0-9])(?:(?P<strong>tokens?|secrets?|credentials?|jetons?|bearer"
    r"|api[ _-]?keys?|access[ _-]?keys?)|(?P<weak>keys?|cl(?:é|e|ef)s?))(?![A-Za-z0-9])",
    re.I,
)
_CANDIDATE = re.compile(r"(?<![\w+/=.\-])[A-Za-z0-9_+/=.\-]{16,200}(?![\w+/=.\-])")
_HASH_WORDS = re.compile(
    r"(?i)sha\d*|md5|hash|digest|checksum|commit|revision|\brev\b|fingerprint|etag|integrity"
)
_PUBLIC = re.compile(r"(?i)(?:public|publique|pub|publishable)[ \t_-]*$")
_CONTEXT_REACH: Final = 48


class ContextTokenRecognizer:
    """A random-looking token within a few words after "token", "secret", "clé API", ...

    Never a bare high-entropy string: hashes, UUIDs and base64 blobs are everywhere.
    """

    name = "secret_context_token"
    entities = (SECRET,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        for word in _CONTEXT_WORD.finditer(text):
            if _PUBLIC.search(text, max(0, word.start() - 12), word.start()):
                continue
            line_end = text.find("\n", word.end())
            line_end = len(text) if line_end < 0 else line_end
            reach = min(line_end, word.end() + _CONTEXT_REACH)
            # A candidate starting before `reach` ends, lookahead included, before reach + 201.
            for candidate in _CANDIDATE.finditer(text, word.end(), min(line_end, reach + 201)):
                start, end = candidate.span()
                if start >= reach:
                    break
                while text[end - 1] in ".-":  # the sentence's full stop
                    end -= 1
                if self._plausible(text, start, end, strong=word.group("strong") is not None):
                    yield Span(SECRET, start, end, 0.65, PRIORITY)
                    break

    @staticmethod
    def _plausible(text: str, start: int, end: int, *, strong: bool) -> bool:
        value = text[start:end]
        if not looks_random(value) or value.startswith("AAAA"):  # AAAA...: an SSH public key
            return False
        if _HEX.fullmatch(value):
            around = text[max(0, start - 64) : end + 32]
            return strong and _HASH_WORDS.search(around) is None
        return True


RECOGNIZERS: Final = (AssignmentRecognizer(), ContextTokenRecognizer())
