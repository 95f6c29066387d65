"""SECRET values named by what precedes them, and the value tests `secrets.py` shares.

Found here: `password = ...` in code, config, .env, YAML, JSON, XML and CLI flags; prose such as
"my password is ..." or "mon mot de passe est ..."; `Pwd=...;` in ODBC connection strings.
The span is the value alone, without quotes.

Not secret values: empty or masked values, templates (`${VAR}`, `{{ var }}`, `%(x)s`,
`<password>`), `YOUR_API_KEY`-style placeholders, literals (`None`, `true`), environment lookups
and other code references (`os.environ[...]`, `self.password`, `password=password`), type hints
(`password: str`). Weak but real credentials such as `changeme` or `admin123` *are* flagged:
they are in use, and a DLP filter that waves them through leaks them.
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

# Case-insensitive regexes run on `ascii_lower(text)`: same offsets, and unlike re.I, a pattern
# that starts with literals lets the regex engine skip ahead fast (5x on large inputs).
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ"
_LOWER_TABLE: Final = str.maketrans(_UPPER, _UPPER.lower())


def ascii_lower(text: str) -> str:
    """`text` lower-cased one character for one character, so offsets stay valid."""
    return text.translate(_LOWER_TABLE)


def boundary_before(text: str, pos: int, extra: str = "_") -> bool:
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in extra)


# ------------------------------------------------------------------------------- value tests

# Run on the lower-cased value. Masks, templates and stand-ins, anywhere in the value:
_PLACEHOLDER_PART = re.compile(
    r"""xxxx|\*\*\*|\.\.\.|…|••|●●|\$\{|\$\(|\{\{|\{%|%\(\w+\)[sd]|your(?:[\s_.-]|$)
    |replace[\s_-]?(?:me|with|this)|insert[\s_-]|placeholder|redacted|example|dummy""",
    re.X,
)
# ... and as the whole value: masked, <password>, [REDACTED], {token}, (hidden), $VAR, %s,
# literals, "... here", YAML tags (!Ref, !vault).
_PLACEHOLDER_WHOLE = re.compile(
    r"""[\s*x•●·#.?_=~-]*|<.*>|\[.*\]|\{[\w\s.-]*\}|\(\w+\)|\$[a-z_]\w*|%[sd]|![a-z]+
    |todo|tbd|fixme|n/?a|none|null|nil|undefined|true|false|yes|no|on|off|.*[\s_-]here""",
    re.X,
)
_CAMEL_YOUR = re.compile(r"your[A-Z]")
_NOT_VALUES: Final = frozenset(
    ["string", "str", "text", "bytes", "int", "integer", "number", "bool", "boolean", "any",
     "object", "optional", "required", "hidden", "masked", "secret", "secrets", "password",
     "passwords", "passwd", "pwd", "pass", "passphrase", "token", "tokens", "key", "keys", "value",
     "default", "empty", "blank", "unknown", "unset", "same", "invalid", "incorrect", "wrong",
     "missing", "expired", "mdp", "requis", "obligatoire", "vide", "aucun", "aucune", "inconnu",
     "identique", "secretstr", "credential", "credentials", "sensitive", "confidential",
     "encrypted", "hashed"]
)  # fmt: skip
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
HEX = re.compile(r"[0-9a-fA-F]+")
_DATE = re.compile(r"\d{4}-\d\d-\d\d|\d\d?[/.]\d\d?[/.]\d{2,4}")
_PATH = re.compile(r"(?:/|\./|\.\./|~/|[A-Za-z]:\\)|\S*\.(?:pem|key|json|txt|p12|pfx|crt|env|ya?ml)$")
_HYPHEN_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+")
_DIGIT_RUNS = re.compile(r"\d+")
_VERSION = re.compile(r"v?\d+(?:\.\d+)+\w*", re.I)


def is_placeholder(value: str) -> bool:
    lower = value.lower()
    return (
        lower in _NOT_VALUES
        or _PLACEHOLDER_WHOLE.fullmatch(lower) is not None
        or _PLACEHOLDER_PART.search(lower) is not None
        or _CAMEL_YOUR.search(value) is not None
    )


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
    """A value in prose: a digit or a symbol, so "incorrect" or "case-sensitive" are not taken."""
    if len(value) < 4 or _HYPHEN_WORDS.fullmatch(value) or _DATE.match(value):
        return False
    if not any(c.isalpha() for c in value):
        return value.isdigit() and len(value) >= 6
    return any(c.isdigit() or not (c.isalnum() or c.isspace() or c == "_") for c in value)


def looks_like_token(value: str) -> bool:
    """A value named as a token, secret or API key: no spaces, mixed characters."""
    return (
        len(value) >= 8
        and char_classes(value) >= 2
        and not any(c.isspace() for c in value)
        and not _DATE.match(value)
        and not _PATH.match(value)
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
    """The quoted or bare value at `pos`; a bare one loses its trailing punctuation."""
    match = _VALUE.match(text, pos)
    if match is None or match.lastgroup is None:
        return None
    start, end = match.span(match.lastgroup)
    quoted = match.lastgroup != "bare"
    while not quoted and end > start:
        last = text[end - 1]
        opener = _CLOSERS.get(last)
        unbalanced = opener and text.count(opener, start, end) < text.count(last, start, end)
        if not (last in ".,:;" or unbalanced):
            break
        end -= 1
    return Value(start, end, text[start:end], quoted) if end > start else None


def secret_span(value: Value, score: float) -> Span:
    return Span(SECRET, value.start, value.end, score, PRIORITY)


def best_spans(spans: list[Span]) -> list[Span]:
    """One span per overlapping group: the longest, then the highest score."""
    spans.sort(key=lambda s: (s.start, -(s.end - s.start), -s.score))
    kept: list[Span] = []
    for span in spans:
        if kept and span.start < kept[-1].end:
            if (span.end - span.start, span.score) > (kept[-1].end - kept[-1].start, kept[-1].score):
                kept[-1] = span
            continue
        kept.append(span)
    return kept


# -------------------------------------------------------------------------------------- keys

_KEY_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-zàâçéèêëîïôûùüÿ]+|\d+")
_PASSWORD_WORDS: Final = frozenset(
    ["password", "passwd", "passwort", "kennwort", "passphrase", "pwd", "pw", "pass", "mdp",
     "motdepasse", "contrasena"]
)  # fmt: skip
_TOKEN_WORDS: Final = frozenset(["secret", "token", "credential", "credentials", "jeton"])
# `<prefix>_key` names a secret after these prefixes; after any other it is weak evidence.
_STRONG_KEY_PREFIXES: Final = frozenset(
    ["api", "secret", "private", "access", "auth", "signing", "encryption", "master", "account",
     "session", "app", "client", "webhook", "jwt", "bearer", "license", "x"]
)  # fmt: skip
_COMPOUND_PREFIXES: Final = _STRONG_KEY_PREFIXES | {"pg", "db", "my", "root", "admin", "user"}
_COMPOUND_ENDINGS: Final[tuple[tuple[str, Tier], ...]] = (
    ("password", "password"), ("passwd", "password"), ("pass", "password"),
    ("secret", "token"), ("token", "token"), ("key", "token"),
)  # fmt: skip
_NON_SECRET_KEY_WORDS: Final = frozenset(
    ["hash", "hashed", "salt", "public", "pub", "publishable", "page", "next", "prev", "cursor",
     "continuation", "max", "min", "num", "count", "eos", "bos", "pad", "unk", "sep", "cls",
     "mask", "special", "length", "len", "policy", "reset", "forgot", "field", "type", "is",
     "has", "use", "show", "hide", "require", "required", "placeholder", "label", "hint",
     "prompt", "sort", "partition", "primary", "foreign", "cache", "idempotency", "hot", "dict",
     "map", "lookup", "index", "unique", "composite", "row", "object", "ssh", "file", "path",
     "id", "name", "url", "uri", "env", "var", "expiry", "expires", "expiration", "ttl",
     "timeout", "format", "regex", "pattern", "encrypted", "digest", "fingerprint", "input",
     "output", "start", "end", "stop", "limit", "usage", "kms", "arn", "ref", "header", "param",
     "location", "storage", "strength", "rules", "manager", "bucket"]
)  # fmt: skip


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
    return 0.7 if looks_random(v) and not HEX.fullmatch(v) else None


# ------------------------------------------------------------------- key = value, in any syntax

_TERM = r"(?:pass|pwd|pw|mdp|kennwort|contrase[nñ]a|secret|token|key|credential|cl[eé]|jeton)"
_ASSIGN = re.compile(  # on ascii_lower(text)
    rf"""(?P<key>{_TERM}[\w.\-]{{0,40}})(?:["']\]?|\])?[ \t]*
    (?P<sep>:[ \t]*[a-z_][\w.]*(?:\[[^\]\n]{{0,40}}\])?(?:[ \t]*\|[ \t]*none)?[ \t]+=(?!=)
      | :=|=>|===?|=(?!~)|:(?!:)|<-)[ \t]*""",
    re.X,
)
_CLI_FLAG = re.compile(r"--(?P<key>[A-Za-z][\w-]{1,40})[ \t]+(?=[^\s-])")
_MYSQL_P = re.compile(r"(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n|;&]{0,200}?[ \t]-p(?=[^\s-])")
_CURL_USER = re.compile(r"""-(?:u|-user)[ \t=]+["']?(?P<user>[^\s:"'-][^\s:"']{0,127}):(?=\S)""")
_AUTH_PAIR = re.compile(  # on ascii_lower(text): requests' auth=(user, pw), HTTPBasicAuth(...)
    r"""(?:auth[ \t]*=[ \t]*[(\[]|(?:basic|digest)auth\()[ \t]*(["'])[^"'\n]{0,128}\1"""
    r"""[ \t]*,[ \t]*(?=["'])"""
)
_CALL_PAIR = re.compile(r"""\([ \t]*(["'])(?P<key>[\w.\-]{1,60})\1[ \t]*,[ \t]*(?=["'])""")
_XML_KEY_VALUE = re.compile(
    r"""(?:key|name)[ \t]*=[ \t]*"(?P<key>[\w.:\-]{1,60})"[ \t]+value[ \t]*=[ \t]*(?=")"""
)
_XML_ELEMENT = re.compile(r"<(?P<key>[\w:.\-]{1,60})>(?P<val>[^<\n]{1,256})</(?P=key)>")
_ODBC = re.compile(  # on ascii_lower(text)
    r"""(?:password|pwd)[ \t]*=[ \t]*
    (?:\{(?P<braced>[^}\n]{1,256})\}|(?P<plain>[^;\n"'{\s][^;\n"']{0,255}))""",
    re.X,
)
_ODBC_CONTEXT = re.compile(r"(?:server|data source|host|uid|user id|database|driver|dsn)\s*=")
_KEY_CHARS = re.compile(r"[\w.\-]*")
_CODE_REF = re.compile(r"[A-Za-z_$][\w$]*(?:(?:\.|\?\.|::|->)[A-Za-z_$][\w$]*)*")
_SECRET_WORDS = re.compile(r"(?i)pass|pwd|secret|token|key|mdp|cred")
_CAMEL = re.compile(r"[a-z][A-Z]")
_LINE_PREFIX = re.compile(r"[ \t]*(?:-[ \t]+)?(?:export[ \t]+|set[ \t]+)?[\"']?")
_LINE_SUFFIX = re.compile(r"[ \t]*(?:#.*)?")


def _key_start(text: str, pos: int) -> int:
    """Walk back from the key word to the start of the whole key (`DB_` in `DB_PASSWORD`)."""
    before = text[max(0, pos - 60) : pos][::-1]
    start = pos - _KEY_CHARS.match(before).end()  # type: ignore[union-attr]
    while start < pos and text[start] in ".-":
        start += 1
    return start


def _is_code(value: str) -> bool:
    """A call, a subscript or a member: `getenv(...`, `os.environ[...`, `self.password`."""
    match = _CODE_REF.match(value)
    if match is None:
        return False
    if match.end() < len(value):
        return value[match.end()] in "(["
    return any(sep in value for sep in (".", "::", "->"))


def _is_reference(text: str, key_start: int, key: str, value: Value) -> bool:
    """A bare value that names something else in code: `self.password`, `getenv(`, `pw`."""
    v = value.text
    if _is_code(v):
        return True
    if _CODE_REF.fullmatch(v) is None:
        return False
    multiword = "_" in v or _CAMEL.search(v) is not None
    if _SECRET_WORDS.search(v) and (multiword or not any(c.isdigit() for c in v)):
        return True  # password=password, token=auth_token
    if text[max(0, key_start - 40) : key_start].rstrip().endswith(("(", ",")):
        return True  # a keyword argument: login(user, password=pw)
    return multiword and not key.isupper()  # .env keys are upper case: DB_PASSWORD=helloWorld


def _on_own_line(text: str, key_start: int, value: Value) -> bool:
    """`password: hunter` as a YAML line, not "Password: incorrect" inside a sentence."""
    line_start = text.rfind("\n", max(0, key_start - 200), key_start) + 1
    line_end = text.find("\n", value.end, value.end + 200)
    line_end = min(len(text), value.end + 200) if line_end < 0 else line_end
    return (
        (line_start > 0 or key_start < 200)
        and _LINE_PREFIX.fullmatch(text, line_start, key_start) is not None
        and _LINE_SUFFIX.fullmatch(text, value.end, line_end) is not None
    )


@dataclass(frozen=True, slots=True)
class _Key:
    match: re.Match[str]
    start: int  # where the whole key starts: `DB_` of `DB_PASSWORD`
    text: str
    tier: Tier


def _with_values(text: str, keys: Iterable[_Key]) -> Iterator[tuple[_Key, Value]]:
    """Each key with the value after it, skipping keys inside the previous value: in
    `password=token=abc` the value is `token=abc`, and reading values of ever-shifting
    overlapping keys would make `password:password:...` quadratic."""
    consumed = 0
    for key in keys:
        if key.start >= consumed and (value := read_value(text, key.match.end())) is not None:
            consumed = value.end
            if value.text.lower() != key.text.lower():  # password=password
                yield key, value


def _assignment_keys(text: str, lower: str) -> Iterator[_Key]:
    for match in _ASSIGN.finditer(lower):
        start = _key_start(text, match.start("key"))
        key = text[start : match.end("key")]
        if tier := classify_key(key):
            yield _Key(match, start, key, tier)


def _assignment(text: str, key: _Key, value: Value) -> Span | None:
    if not value.quoted and _is_reference(text, key.start, key.text, value):
        return None
    sep = key.match.group("sep")
    if sep in ("==", "===") and not value.quoted:
        return None
    loose = sep[0] in "=<" or sep == ":=" or (sep == ":" and _on_own_line(text, key.start, value))
    score = judge(key.tier, value, loose=loose)
    return None if score is None else secret_span(value, score)


# (pattern, whether it runs on the lower-cased text, the tier when it has no key group,
# whether it must start a word)
_FORMS: Final[tuple[tuple[re.Pattern[str], bool, Tier | None, bool], ...]] = (
    (_CLI_FLAG, False, None, True),  # --password hunter2
    (_CALL_PAIR, False, None, False),  # define('DB_PASSWORD', 'x'), getenv("TOKEN", "x")
    (_XML_KEY_VALUE, False, None, True),  # <add key="DbPassword" value="x" />
    (_MYSQL_P, True, "password", True),  # mysql -u root -pS3cret
    (_CURL_USER, False, "password", True),  # curl -u user:pass
    (_AUTH_PAIR, True, "password", False),  # auth=("user", "pw"), HTTPBasicAuth("u", "pw")
)


def _form_keys(text: str, lower: str) -> Iterator[_Key]:
    for pattern, on_lower, fixed_tier, own_word in _FORMS:
        for match in pattern.finditer(lower if on_lower else text):
            if own_word and not boundary_before(text, match.start(), "_-"):
                continue
            key = match.groupdict().get("key") or ""
            if tier := fixed_tier or classify_key(key):
                yield _Key(match, match.start(), key, tier)


def _keyed_values(text: str, lower: str) -> Iterator[Span]:
    for key, value in _with_values(text, _assignment_keys(text, lower)):
        if span := _assignment(text, key, value):
            yield span
    for key, value in _with_values(text, _form_keys(text, lower)):
        pattern = key.match.re
        if pattern is _CURL_USER and value.text.isdigit() and key.match["user"].isdigit():
            continue  # docker -u 1000:1000
        if pattern is _CALL_PAIR and value.text.isidentifier() and value.text.islower():
            continue  # ("password", "email"): a list of field names
        if (score := judge(key.tier, value, loose=True)) is not None:
            yield secret_span(value, score)


def _xml_and_odbc(text: str, lower: str) -> Iterator[Span]:
    for match in _XML_ELEMENT.finditer(text):
        tier = classify_key(match.group("key").rpartition(":")[2])
        raw = match.group("val")
        start = match.start("val") + len(raw) - len(raw.lstrip())
        value = Value(start, start + len(raw.strip()), raw.strip(), True)
        if tier and value.text and (score := judge(tier, value, loose=True)) is not None:
            yield secret_span(value, score)
    for match in _ODBC.finditer(lower):
        group = "braced" if match.group("braced") is not None else "plain"
        start, end = match.span(group)
        while end > start and text[end - 1].isspace():
            end -= 1
        after = match.end() + (group == "braced")
        # A connection string: `;` around the pair, and other keys such as `Server=`.
        if not (text.startswith(";", after) or lower[max(0, match.start() - 9) : match.start()].rstrip(" \t").endswith(";")):
            continue
        window = lower[max(0, start - 200) : end + 200]
        if not boundary_before(text, match.start(), "_.-") or not _ODBC_CONTEXT.search(window):
            continue
        value = Value(start, end, text[start:end], group == "braced")
        if score := judge("password", value, loose=True):
            yield secret_span(value, score)


# ------------------------------------------------------------------------------------- prose

_PASSWORD_PHRASE = r"mots?[ \t]+de[ \t]+passe|mdp|pass[ \t-]?words?|passwd|passphrase|passwort|kennwort"
_PROSE = re.compile(  # on ascii_lower(text)
    rf"""(?P<key>{_PASSWORD_PHRASE}|pwd
      | (?:api|access|secret|private|auth|client|refresh|bearer|app|bot|personal[ \t]+access)
        [ \t_-]?(?:keys?|tokens?|secrets?)
      | cl(?:é|e|ef)s?(?:[ \t]+(?:d['’][ \t]?)?(?:api|secrètes?|secretes?|privées?|accès|acces))?
      | jetons?(?:[ \t]+d['’][ \t]?(?:accès|acces|api|authentification))?
      | tokens? | secrets? | credentials? )
    (?![\w-])
    (?P<mid>(?:[ \t]+[^\s:=]{{1,24}}){{0,4}}?)
    (?:[ \t]*(?::(?!//)|=)|[ \t]+(?:is|est|was|était|sera|will[ \t]+be|are|sont|ist|lautet|war|es|è)(?!\w))
    [ \t]*(?::[ \t]*)?(?:\n[ \t]*)?""",
    re.X,
)
_PROSE_NO_SEP = re.compile(rf"(?P<key>{_PASSWORD_PHRASE})[ \t]+(?=\S)")  # on ascii_lower(text)
_PASSWORD_STEMS: Final = ("pass", "mdp", "pwd", "kennwort")
# Words between the key and its value that make the value a rule, not the secret:
# "Password length: 12-64", "le mot de passe doit contenir : 8 caractères".
_META_WORDS: Final = frozenset(
    ["length", "longueur", "policy", "politique", "requirements", "requirement", "exigences",
     "rules", "règles", "regles", "hash", "reset", "réinitialisation", "field", "champ",
     "strength", "force", "expiry", "expiration", "expires", "format", "min", "max", "minimum",
     "maximum", "size", "taille", "type", "chars", "characters", "caractères", "complexity",
     "complexité", "manager", "gestionnaire", "hint", "indice", "must", "doit", "should",
     "doivent", "needs", "requires", "id", "name", "url", "lien", "link"]
)  # fmt: skip


def _prose_keys(text: str, lower: str, pattern: re.Pattern[str]) -> Iterator[_Key]:
    for match in pattern.finditer(lower):
        mid = match.groupdict().get("mid") or ""
        if not boundary_before(text, match.start(), "_.-"):
            continue
        if mid and {w.strip(".,()'\"") for w in mid.split()} & _META_WORDS:
            continue
        phrase = match.group("key")
        tier: Tier = "password" if any(w in phrase for w in _PASSWORD_STEMS) else "token"
        yield _Key(match, match.start(), phrase, tier)


def _prose_value_ok(key: _Key, value: Value) -> bool:
    v = value.text
    if key.tier == "password":
        ok = (value.quoted and len(v) >= 3) or looks_like_password(v)
    else:
        ok = looks_like_token(v) and (looks_random(v) or (len(v) >= 10 and _has_alnum_mix(v)))
    if not ok or v.lower() in _META_WORDS or "://" in v or _PATH.match(v):
        return False
    return not is_placeholder(v) and (value.quoted or not _is_code(v))


def _prose_values(text: str, lower: str) -> Iterator[Span]:
    for key, value in _with_values(text, _prose_keys(text, lower, _PROSE)):
        if _prose_value_ok(key, value):
            yield secret_span(value, 0.8 if key.tier == "password" else 0.75)
    # No separator at all: "avec le mot de passe Soleil2024!", "use password Tr0ub4dor&3".
    for key, value in _with_values(text, _prose_keys(text, lower, _PROSE_NO_SEP)):
        v = value.text
        if len(v) < 6 or v.isdigit() or HEX.fullmatch(v) or _VERSION.fullmatch(v):
            continue
        if not looks_like_password(v):  # even quoted: "the password 'field' is required"
            continue
        if _prose_value_ok(key, value):
            yield secret_span(value, 0.8)


def _has_alnum_mix(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


class AssignmentRecognizer:
    """Passwords, tokens and keys named by a key, a CLI flag, an XML tag or a prose phrase."""

    name = "secret_assignment"
    entities = (SECRET,)

    def find(self, text: str, language: str) -> list[Span]:
        lower = ascii_lower(text)
        spans = [
            *_keyed_values(text, lower),
            *_xml_and_odbc(text, lower),
            *_prose_values(text, lower),
        ]
        return best_spans(spans)


RECOGNIZERS: Final = (AssignmentRecognizer(),)
