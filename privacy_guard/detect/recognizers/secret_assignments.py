"""SECRET values named by what precedes them: a key, a CLI flag, an XML tag or a prose phrase.

Found here: `password = ...` in code, config, .env, YAML, JSON and XML; `--password x`,
`mysql -pX`, `sshpass -p X`, `curl -u user:X`; "my password is ..." or "mon mot de passe est
..."; `Pwd=...;` in ODBC connection strings. The span is the value alone, without quotes.

Not secret values: empty or masked values, templates (`${VAR}`, `{{ var }}`, `%(x)s`,
`<password>`), `YOUR_API_KEY`-style placeholders, literals (`None`, `true`), environment lookups
and other code references (`os.environ[...]`, `self.password`, `password=password`), type hints
(`password: str`), and the stand-ins of documentation (`changeme`, `changeit`, `test:test`).
Weak but real credentials such as `admin123` or `postgres123` *are* flagged: they are in use, and
a DLP filter that waves them through leaks them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final, Literal

from privacy_guard.detect.recognizers.secret_values import (
    CAMEL_IDENTIFIER,
    CODE_REF,
    HEX,
    PATH,
    SECRET,
    SNAKE_IDENTIFIER,
    STRING_SEAM,
    UUID,
    VERSION,
    Value,
    ascii_lower,
    best_spans,
    boundary_before,
    char_classes,
    has_alnum_mix,
    is_code,
    is_placeholder,
    is_wordy,
    looks_like_password,
    looks_like_token,
    looks_random,
    names_a_secret,
    near_hash_word,
    read_value,
    secret_span,
)
from privacy_guard.detect.types import Span

# How a key names its value: a password (any non-placeholder value counts), a token or secret
# (the value must look like one), or a weak hint such as a bare `key` (it must look random).
Tier = Literal["password", "token", "weak"]

# -------------------------------------------------------------------------------------- keys

_KEY_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-zàâçéèêëîïôûùüÿ]+|\d+")
_PASSWORD_WORDS: Final = frozenset(
    ["password", "passwd", "passwort", "kennwort", "passphrase", "pwd", "pw", "pass", "mdp",
     "motdepasse", "contrasena"]
)  # fmt: skip
# `x_pass` is a password only after these; `on_pass`, `first_pass` are verbs or compiler passes.
_PASS_PREFIXES: Final = frozenset(
    ["db", "smtp", "mail", "ftp", "sftp", "admin", "root", "user", "my", "app", "redis", "mysql",
     "postgres", "pg", "sql", "ldap", "proxy", "http", "basic", "auth", "login", "wifi", "vpn",
     "email", "imap", "pop", "ssh", "api", "secret", "master", "default", "new", "old",
     "current", "confirm", "rabbit", "mq", "amqp", "mongo", "es", "elastic", "web", "site"]
)  # fmt: skip
_TOKEN_WORDS: Final = frozenset(["secret", "token", "credential", "credentials", "jeton"])
# `x_key` names a secret after these; after any other word it is weak evidence.
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
     "location", "storage", "strength", "rules", "manager", "bucket", "s", "result"]
)  # fmt: skip
_FRENCH_KEYS: Final = ("cle", "clé", "clef")
_FRENCH_KEY_KINDS: Final = ("api", "secrete", "secrète", "privee", "privée")


def classify_key(key: str) -> Tier | None:
    """How a key names a secret: `DB_PASSWORD`, `apiKey`, `PGPASSWORD`, `mot_de_passe`."""
    words = [w.lower() for w in _KEY_WORD.findall(key)]
    if not words or any(w in _NON_SECRET_KEY_WORDS for w in words):
        return None
    last, prev = words[-1], (words[-2] if len(words) > 1 else "")
    if last == "passe":
        return "password" if prev == "de" else None
    if prev in _FRENCH_KEYS and last in _FRENCH_KEY_KINDS:
        return "token"
    if last in _FRENCH_KEYS:
        return "weak"
    if last == "pass" and prev and prev not in _PASS_PREFIXES:
        return None
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


# ------------------------------------------------------------------------------------ values

# A value with spaces that is a UI label or a sentence ("Mot de passe oublié ?", "Enter your
# password", "The password to use"), not a passphrase.
_LABEL = re.compile(
    r"(?i)\s.*(?:pass|mdp|secret|token|\bkey\b|cl[ée]\b)|(?:pass|mdp|secret|token|\bkey\b)\w*\s"
    r"|\b(?:the|to|is|for|of|and|enter|your|le|la|les|de|du|est|pour|votre|saisir|doit|must)\s"
)
_PUBLIC_VALUE = re.compile(r"pk_(?:live|test)_|ssh-(?:rsa|ed25519|dss) |AAAA[A-Z0-9]")  # public
_BARE_TOKEN = re.compile(r"[A-Za-z0-9+/_.~:!@#$%^&*-]+=*")
_REGEX_LIKE = re.compile(r"\[\^|\][*+?{]|\\[wdsWDSbB]|\(\?[:=!<P]")


def judge(tier: Tier, value: Value, *, loose: bool) -> float | None:
    """The score of `value` named by a key of `tier`, or None; `loose`: a password needs no
    digit or symbol (a config line, not a sentence)."""
    v = value.text
    if is_placeholder(v) or "://" in v or names_a_secret(v) or STRING_SEAM.match(v):
        return None
    if _PUBLIC_VALUE.match(v):
        return None
    if tier == "password":
        if len(v) < 3 or (not value.quoted and PATH.match(v)) or _LABEL.search(v):
            return None
        return 0.85 if value.quoted or loose or looks_like_password(v) else None
    if tier == "token":
        if is_wordy(v) or _REGEX_LIKE.search(v) or UUID.fullmatch(v):
            return None  # PKCS7PrivateKeyTypes, r"[-!#$%&'*+.^_`|~0-9a-z]+", ChangeToken: <uuid>
        if is_code(v) and not any(looks_random(part) for part in v.split(".")):
            return None  # signing_key: "jwt.PyJWK"
        if not value.quoted and not (has_alnum_mix(v) or looks_random(v)):
            return None  # "api_key: Anthropic API key" in a docstring
        if not value.quoted and not _BARE_TOKEN.fullmatch(v):
            return None  # withCredentials:u=!1}=null!=s?s:{}
        return 0.8 if looks_like_token(v) else None
    if HEX.fullmatch(v) or ("/" in v and not set(v) & set("+=")):
        return None  # cache_key: <sha1>, S3Key: my-app/build-150819.war
    return 0.7 if looks_random(v) else None


# ------------------------------------------------------------------- key = value, any syntax

_TERM = r"(?:pass|pwd|pw|mdp|kennwort|contrase[nñ]a|secret|token|key|credential|cl[eé]|jeton)"
_ASSIGN = re.compile(  # on ascii_lower(text); the key's start is found by walking back
    rf"""(?P<key>{_TERM}[\w.\-]{{0,40}})(?:\\?["']\]?|\])?[ \t]*  # \" in JSON strings
    (?P<sep>:[ \t]*[a-z_][\w.]*(?:\[[^\]\n]{{0,40}}\])?(?:[ \t]*\|[ \t]*none)?[ \t]+=(?!=)
      | :=|=>|===?|=(?!~)|:(?!:)|<-|\.=|\+=|\?=)[ \t]*""",
    re.X,
)
_CLI_FLAG = re.compile(r"--(?P<key>[A-Za-z][\w-]{1,40})[ \t]+(?=[^\s-])")
_SSHPASS = re.compile(r"sshpass[ \t]+-p[ \t]*(?=\S)")
# `docker login -u me -p X`, `helm registry login ... --password X`, `redis-cli -a X`.
_LOGIN_FLAG = re.compile(
    r"""(?:(?:docker|podman|nerdctl|buildah|skopeo|oras|helm(?:[ \t]+registry)?)[ \t]+login
    |redis-cli)\b[^\n|;&]{0,200}?[ \t](?:-p|-a|--pass(?:word)?)(?:[ \t]+|=)(?=[^\s-])""",
    re.X,
)
# Makefile and shell: the literal a command prints, `TOKEN := $(shell echo X)`, `PW != echo X`.
_ECHOED = re.compile(
    r"""(?P<key>[A-Za-z_][\w.]{0,60})[ \t]*(?:[:?+!]?=)[ \t]*(?:\$\(shell[ \t]+|`|\$\()?
    (?:echo|printf)[ \t]+(?:-[ne][ \t]+)?(?=\S)""",
    re.X,
)
_ECHO_COMMAND = re.compile(r"(?:echo|printf)[ \t]")
_ECHO_HEAD = re.compile(r"[A-Za-z_][\w.]{0,60}[ \t]*[:?+!]?=[ \t]*(?:\$\(shell[ \t]+|`|\$\()?\Z")


class _Echoed:
    """`_ECHOED`, found from the command word back: tried from every word of every text, a
    regex that starts with the key costs ten times all the other forms together."""

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        for command in _ECHO_COMMAND.finditer(text):
            head = _ECHO_HEAD.search(text, max(0, command.start() - 90), command.start())
            if head is not None and (match := _ECHOED.match(text, head.start())) is not None:
                yield match
_MYSQL_P = re.compile(r"(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n|;&]{0,200}?[ \t]-p(?=[^\s-])")
_CURL_USER = re.compile(r"""-(?:u|-user)[ \t=]+["']?(?P<user>[^\s:"'-][^\s:"']{0,127}):(?=\S)""")
_AUTH_PAIR = re.compile(  # on ascii_lower(text)
    r"""(?:auth[ \t]*=[ \t]*[(\[]|(?:basic|digest)auth\()[ \t]*(["'])[^"'\n]{0,128}\1"""
    r"""[ \t]*,[ \t]*(?=["'])"""
)
_CALL_PAIR = re.compile(r"""\([ \t]*(["'])(?P<key>[\w.\-]{1,60})\1[ \t]*,[ \t]*(?=["'])""")
_XML_KEY_VALUE = re.compile(  # attributes may sit on lines of their own
    r"""(?:key|name)[ \t]*=[ \t]*"(?P<key>[\w.:\-]{1,60})"\s+value[ \t]*=[ \t]*(?=")"""
)
# <password>x</password>, with attributes, the value alone on a line between the tags, or in
# Spring's <property name="password"><value>x</value></property>.
_XML_ELEMENT = re.compile(
    r"""<(?P<key>[\w:.\-]{1,60})(?:[ \t\r\n][^<>]{0,200})?>
    [ \t]*(?:\r?\n[ \t]*)?(?P<val>[^<\n]{1,256}?)[ \t]*(?:\r?\n[ \t]*)?</(?P=key)>""",
    re.X,
)
_XML_NAMED_VALUE = re.compile(
    r"""(?:key|name)[ \t]*=[ \t]*"(?P<key>[\w.:\-]{1,60})"[ \t]*>\s*<value>(?=[^<\n]+</value>)"""
)
# A Kubernetes or Compose environment entry: `- name: DB_PASSWORD` then `value: x`.
_NAME_THEN_VALUE = re.compile(
    r"""name:[ \t]*["']?(?P<key>[\w.\-]{1,60})["']?[ \t]*\r?\n[ \t]*value:[ \t]*(?=\S)"""
)
_DOCKERFILE_ENV = re.compile(
    r"(?m)^[ \t]*(?:ENV|ARG)[ \t]+(?P<key>[A-Za-z_]\w{0,60})[ \t]+(?=[^\s=])"
)
_ODBC = re.compile(  # on ascii_lower(text)
    r"""(?:password|pwd)[ \t]*=[ \t]*
    (?:\{(?P<braced>[^}\n]{1,256})\}|(?P<plain>[^;\n"'{\s][^;\n"']{0,255}))""",
    re.X,
)
_ODBC_CONTEXT = re.compile(r"(?:server|data source|host|uid|user id|database|driver|dsn)\s*=")
_KEY_CHARS = re.compile(r"[\w.\-]*")
_AFTER_A_WORD = re.compile(r"[A-Za-z][ \t]+\Z")
_EXPRESSION_GOES_ON = re.compile(r"[ \t]*(?:[-+*/%|^=?]|&(?![\w.\-]+=)|or\b|and\b|if\b)")
_LINE_PREFIX = re.compile(r"[ \t]*(?:-[ \t]+)?(?:export[ \t]+|set[ \t]+)?[\"']?")
_LINE_SUFFIX = re.compile(r"[ \t]*(?:#.*)?")


@dataclass(frozen=True, slots=True)
class _Key:
    match: re.Match[str]
    start: int  # where the whole key starts: `DB_` of `DB_PASSWORD`
    text: str
    tier: Tier


def _with_values(text: str, keys: Iterable[_Key]) -> Iterator[tuple[_Key, Value]]:
    """Each key with the value after it, skipping keys inside the previous value: in
    `password=token=abc` the value is `token=abc`, and reading the values of ever-shifting
    overlapping keys would make `password:password:...` quadratic."""
    consumed = 0
    for key in keys:
        if key.start >= consumed and (value := read_value(text, key.match.end())) is not None:
            consumed = value.end
            if value.text.lower() != key.text.lower():  # password=password
                yield key, value


def _key_start(text: str, pos: int) -> int:
    """Walk back from the key word to the start of the whole key (`DB_` in `DB_PASSWORD`)."""
    before = text[max(0, pos - 60) : pos][::-1]
    start = pos - _KEY_CHARS.match(before).end()  # type: ignore[union-attr]
    while start < pos and text[start] in ".-":
        start += 1
    if text[start - 1 : start] == "\\" and text[start : start + 1] in ("n", "r", "t"):
        start += 1  # `\tpassword=x` in a log line: the escape is not part of the key
    return start


def _assignment_keys(text: str, lower: str, handled: set[int]) -> Iterator[_Key]:
    for match in _ASSIGN.finditer(lower):
        start = _key_start(text, match.start("key"))
        if text[start - 1 : start] in (":", "/"):
            continue  # inside a path or an ARN: arn:aws:secretsmanager:...:secret:name
        key = text[start : match.end("key")]
        if tier := classify_key(key):
            if match.group("sep") != ":":  # "password: x and y" may be prose, read it twice
                handled.add(match.end("key"))
            yield _Key(match, start, key, tier)


def _is_reference(text: str, key: _Key, sep: str, value: Value) -> bool:
    """A bare value naming something else in code: `self.password`, `getenv(...)`, `pw`."""
    v = value.text
    if is_code(v):
        return True
    if CODE_REF.fullmatch(v) is None:
        return False
    if _EXPRESSION_GOES_ON.match(text, value.end):
        return True  # userid = passwd = acct, key: KeyTypes | None
    if looks_random(v):
        return False
    if names_a_secret(v):
        return True  # password=PASSWORD, token=auth_token
    if text[max(0, key.start - 40) : key.start].rstrip().endswith(("(", ",")):
        return True  # a keyword argument: login(user, password=pw)
    if key.text.isupper():
        return False  # .env keys are upper case: DB_PASSWORD=helloWorld
    multiword = SNAKE_IDENTIFIER.fullmatch(v) or (CAMEL_IDENTIFIER.fullmatch(v) and is_wordy(v))
    spaced = sep == "=" and text[value.start - 1 : value.start] in (" ", "\t")
    return bool(multiword) or (spaced and not any(c.isdigit() for c in v))  # password = pw


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


def _assignment(text: str, key: _Key, value: Value) -> Span | None:
    sep = key.match.group("sep")
    if not value.quoted and _is_reference(text, key, sep, value):
        return None
    if value.quoted and _EXPRESSION_GOES_ON.match(text, value.end + 1):
        return None  # "password" === e.type ? "password" : "select"
    if sep in ("==", "===") and not value.quoted:
        return None
    if key.text.lower().endswith("pass") and not looks_like_password(value.text):
        return None  # {pass: "success", fail: "error"}
    if key.text.lower() in ("pass", "pw") and _AFTER_A_WORD.search(
        text, max(0, key.start - 20), key.start
    ):
        return None  # "Second pass: sanitize/disambiguate"
    loose = sep[0] in "=<" or sep == ":=" or (sep == ":" and _on_own_line(text, key.start, value))
    score = judge(key.tier, value, loose=loose)
    return None if score is None else secret_span(value, score)


# (pattern, whether it runs on the lower-cased text, the tier when it has no key group, whether
# it must start a word, literals it cannot match without: a substring test spares the scan)
_FORMS: Final[
    tuple[tuple[re.Pattern[str] | _Echoed, bool, Tier | None, bool, tuple[str, ...]], ...]
] = (
    (_CLI_FLAG, False, None, True, ("--",)),  # --password hunter2
    (_CALL_PAIR, False, None, False, ("(",)),  # define('DB_PASSWORD', 'x'), getenv("TOKEN", "x")
    (_XML_KEY_VALUE, False, None, True, ("value",)),  # <add key="DbPassword" value="x" />
    (_XML_NAMED_VALUE, False, None, True, ("<value>",)),  # <property name="password"><value>x
    (_NAME_THEN_VALUE, False, None, True, ("value:",)),  # - name: DB_PASSWORD \n value: x
    (_DOCKERFILE_ENV, False, None, False, ("ENV", "ARG")),  # ENV DB_PASSWORD x
    (_MYSQL_P, True, "password", True, ("mysql", "mariadb")),  # mysql -u root -pS3cret
    (_SSHPASS, False, "password", True, ("sshpass",)),  # sshpass -p 'S3cret' ssh host
    (_LOGIN_FLAG, True, "password", True, ("login", "redis-cli")),  # docker login -u me -p X
    (_Echoed(), False, None, True, ("echo", "printf")),  # TOKEN := $(shell echo S3cret)
    (_CURL_USER, False, "password", True, ("-u",)),  # curl -u user:pass
    (_AUTH_PAIR, True, "password", False, ("auth",)),  # auth=("user", "pw"), HTTPBasicAuth(…)
)


def _form_keys(text: str, lower: str) -> Iterator[_Key]:
    for pattern, on_lower, fixed_tier, own_word, needles in _FORMS:
        subject = lower if on_lower else text
        if not any(needle in subject for needle in needles):
            continue
        for match in pattern.finditer(subject):
            if own_word and not boundary_before(text, match.start(), "_-"):
                continue
            key = match.groupdict().get("key") or ""
            if tier := fixed_tier or classify_key(key):
                yield _Key(match, match.start(), key, tier)


def _keyed_values(text: str, lower: str, handled: set[int]) -> Iterator[Span]:
    """`handled` collects where the keys of `key = value` pairs end, so that a prose reading of
    the same pair does not second-guess the code one (`password = user_pw1`)."""
    for key, value in _with_values(text, _assignment_keys(text, lower, handled)):
        if span := _assignment(text, key, value):
            yield span
    for key, value in _with_values(text, _form_keys(text, lower)):
        pattern, v = key.match.re, value.text
        if pattern is _CURL_USER and v.isdigit() and key.match["user"].isdigit():
            continue  # docker -u 1000:1000
        if pattern is _CALL_PAIR and v.isidentifier() and v.islower():
            continue  # ("password", "email"): a list of field names
        if pattern is _CLI_FLAG and not (
            value.quoted or looks_like_password(v) or char_classes(v) > 1
        ):
            continue  # "the --username and --password options"
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
        # A connection string: `;` around the pair, and other keys such as `Server=` nearby.
        before = lower[max(0, match.start() - 9) : match.start()].rstrip(" \t")
        if not (text.startswith(";", match.end() + (group == "braced")) or before.endswith(";")):
            continue
        window = lower[max(0, start - 200) : end + 200]
        if not boundary_before(text, match.start(), "_.-") or not _ODBC_CONTEXT.search(window):
            continue
        value = Value(start, end, text[start:end], group == "braced")
        if score := judge("password", value, loose=True):
            yield secret_span(value, score)


# ------------------------------------------------------------------------------------- prose

_PASSWORD_PHRASE = (
    r"mots?[ \t]+de[ \t]+passe|mdp|pass[ \t-]?words?|passwd|passphrase|passwort|kennwort"
)
_PROSE_VERBS = r"is|est|was|était|sera|will[ \t]+be|are|sont|ist|lautet|war|es|è"
_PROSE = re.compile(  # on ascii_lower(text)
    rf"""(?P<key>{_PASSWORD_PHRASE}|pwd
      | (?:api|access|secret|private|auth|client|refresh|bearer|app|bot|personal[ \t]+access)
        [ \t_-]?(?:keys?|tokens?|secrets?)
      | cl(?:é|e|ef)s?(?:[ \t]+(?:d['’][ \t]?)?(?:api|secrètes?|secretes?|privées?|accès|acces))?
      | jetons?(?:[ \t]+d['’][ \t]?(?:accès|acces|api|authentification))?
      | tokens? | secrets? | credentials? )
    (?![\w-])
    (?P<mid>(?:[ \t]+[\w'’-]{{1,24}}){{0,4}}?)  # "for the admin account", "du serveur"
    (?:[ \t]*(?::(?!//)|=)|[ \t]+(?:{_PROSE_VERBS})(?!\w))
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
     "doivent", "needs", "requires", "id", "name", "url", "lien", "link", "file", "fichier",
     "path", "chemin"]
)  # fmt: skip


def _prose_keys(
    text: str, lower: str, pattern: re.Pattern[str], handled: set[int]
) -> Iterator[_Key]:
    for match in pattern.finditer(lower):
        mid = match.groupdict().get("mid") or ""
        if not mid and match.end("key") in handled:
            continue
        if not boundary_before(text, match.start(), "_.-:/"):  # arn:aws:...:secret:name
            continue
        if mid and {w.strip(".,()'\"") for w in mid.split()} & _META_WORDS:
            continue
        phrase = match.group("key")
        tier: Tier = "password" if any(w in phrase for w in _PASSWORD_STEMS) else "token"
        yield _Key(match, match.start(), phrase, tier)


def _prose_value_ok(text: str, key: _Key, value: Value) -> bool:
    """Stricter than `judge`: prose holds far more words after "password" than passwords."""
    v = value.text
    if value.quoted and text[value.start - 2 : value.start - 1] in (":", "="):
        return False  # the end of a string literal: "Error updating API key:",e)
    if judge(key.tier, value, loose=False) is None or v.lower() in _META_WORDS or PATH.match(v):
        return False
    if not value.quoted and is_code(v):
        return False
    if key.tier == "password":
        return (value.quoted and len(v) >= 3) or looks_like_password(v)
    if HEX.fullmatch(v) and near_hash_word(text, value.start, value.end):
        return False
    return looks_random(v) or (len(v) >= 10 and has_alnum_mix(v))


def _prose_values(text: str, lower: str, handled: set[int]) -> Iterator[Span]:
    for key, value in _with_values(text, _prose_keys(text, lower, _PROSE, handled)):
        if _prose_value_ok(text, key, value):
            yield secret_span(value, 0.8 if key.tier == "password" else 0.75)
    # No separator at all: "avec le mot de passe Soleil2024!", "use password Tr0ub4dor&3".
    for key, value in _with_values(text, _prose_keys(text, lower, _PROSE_NO_SEP, set())):
        v = value.text
        if len(v) < 6 or v.isdigit() or HEX.fullmatch(v) or VERSION.fullmatch(v):
            continue
        if not looks_like_password(v):  # even quoted: "the password 'field' is required"
            continue
        if not (has_alnum_mix(v) or char_classes(v) >= 2):  # "password and/or", "anonymous@"
            continue
        if _prose_value_ok(text, key, value):
            yield secret_span(value, 0.8)


class AssignmentRecognizer:
    """Passwords, tokens and keys named by a key, a CLI flag, an XML tag or a prose phrase."""

    name = "secret_assignment"
    entities = (SECRET,)

    def find(self, text: str, language: str) -> list[Span]:
        lower = ascii_lower(text)
        handled: set[int] = set()
        spans = [*_keyed_values(text, lower, handled), *_xml_and_odbc(text, lower)]
        spans += _prose_values(text, lower, handled)  # after the key = value pairs
        return best_spans(spans)


RECOGNIZERS: Final = (AssignmentRecognizer(),)
