"""SECRET: provider API keys and tokens, JWTs, PEM private keys, credentials in URLs and headers,
and random-looking tokens right after a secret-ish word.

Values named by a key (`password = ...`, "mon mot de passe est ...") are found by
`secret_assignments.py`; the value tests both use live in `secret_values.py`. `RECOGNIZERS`
below lists every SECRET recognizer.

Choices: Stripe publishable keys (`pk_live_`, `pk_test_`) are public by design and not flagged;
nor are AWS's documentation keys (`AKIAIOSFODNN7EXAMPLE`): AWS never issues a key ending in
EXAMPLE, and flagging the samples every tutorial pastes would teach users to ignore the filter.

Provider formats beyond the ones below come from gitleaks' rule set (`gitleaks.py`), Kubernetes
Secret manifests from `secret_manifests.py`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from privacy_guard.detect.recognizers.base import Recognizer, has_context
from privacy_guard.detect.recognizers.gitleaks import RECOGNIZERS as GITLEAKS_RECOGNIZERS
from privacy_guard.detect.recognizers.secret_assignments import (
    RECOGNIZERS as ASSIGNMENT_RECOGNIZERS,
)
from privacy_guard.detect.recognizers.secret_manifests import (
    RECOGNIZERS as MANIFEST_RECOGNIZERS,
)
from privacy_guard.detect.recognizers.secret_values import (
    CAMEL_IDENTIFIER,
    HEX,
    PRIORITY,
    SECRET,
    ascii_lower,
    boundary_before,
    char_classes,
    is_placeholder,
    looks_random,
    names_a_secret,
    near_hash_word,
)
from privacy_guard.detect.types import Span

__all__ = ["RECOGNIZERS"]


# Not `is_placeholder`: "EXAMPLE" inside a real-shaped key does not make it safe to send.
_MASKED = re.compile(r"[xX]{5}|\*{3}|\.{3}|…|(?i:your)[_-]|(?i:redacted)")


@dataclass(frozen=True, slots=True)
class TokenRecognizer:
    """A provider token: a distinctive prefix, then a body of a known alphabet.

    The body is group `b` (`b2`, `b3` in other alternatives) and must not be masked; when the
    prefix alone is weak evidence (`sk-`, `hf_`), `check` must also accept it, which rules out
    `sk-learn-pipeline-tutorial`. The span is group `s` when the pattern has one
    (`AccountKey=<s>`), else the whole match.
    """

    name: str
    pattern: re.Pattern[str]
    check: Callable[[str], bool] | None = None
    score: float = 0.95
    entities: tuple[str, ...] = (SECRET,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        has_span_group = "s" in self.pattern.groupindex
        for match in self.pattern.finditer(text):
            first = text[match.start()]
            if (first.isalnum() or first == "_") and not boundary_before(text, match.start()):
                continue  # inside a longer word
            start, end = match.span("s") if has_span_group else match.span()
            while text[end - 1] == ".":
                end -= 1
            groups = match.groupdict()
            body = groups.get("b") or groups.get("b2") or groups.get("b3") or ""
            if self._plausible(body):
                yield Span(SECRET, start, end, self.score, PRIORITY)

    def _plausible(self, body: str) -> bool:
        if _MASKED.search(body) or len(set(body)) < 6:
            return False
        return self.check(body) if self.check else True


def _mixed_case(body: str) -> bool:
    """Random letters, not `HubModelConfiguration`."""
    return char_classes(body) >= 2 and not CAMEL_IDENTIFIER.fullmatch(body)


def _token(name: str, pattern: str, check: Callable[[str], bool] | None = None) -> TokenRecognizer:
    return TokenRecognizer(f"secret_{name}", re.compile(pattern), check)


_B64URL = "[A-Za-z0-9_-]"
_TOKENS: Final = (
    _token(
        "openai",
        rf"sk-(?!ant-)(?:(?:proj|svcacct|admin|None)-)?(?P<b>{_B64URL}{{20,}})",
        looks_random,
    ),
    _token("anthropic", rf"sk-ant-(?:[a-z]{{2,8}}\d{{2}}-)?(?P<b>{_B64URL}{{20,}})"),
    _token(
        "aws_access_key_id",
        r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)"
        r"(?P<b>[A-Z0-9]{16})(?![A-Za-z0-9])",
        lambda body: not body.endswith("EXAMPLE"),  # AWS's documentation key
    ),
    _token("github", r"(?:gh[pousr]_(?P<b>[A-Za-z0-9]{30,})|github_pat_(?P<b2>[A-Za-z0-9_]{40,}))"),
    _token(
        "gitlab",
        r"(?:gl(?:pat|dt|rt|rtr|ptt|ft|imt|agent|cbt|soat|oas|ffct|sst|wt)-|GR1348941)"
        r"(?P<b>[A-Za-z0-9_.-]{20,})",
    ),
    _token("slack", r"xox[abeoprs](?:\.xox[abp])?-(?P<b>(?=[A-Za-z-]*\d)[A-Za-z0-9-]{10,})"),
    _token("slack_app", r"xapp-\d-(?P<b>[A-Za-z0-9-]{10,})"),
    _token(
        "slack_webhook",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<b>[A-Za-z0-9_/-]{20,})",
    ),
    _token(
        "stripe",
        r"(?:sk|rk)_(?:live|test)_(?P<b>[A-Za-z0-9]{16,})|whsec_(?P<b2>[A-Za-z0-9+/=]{24,})",
    ),
    _token("google_api_key", rf"AIza(?P<b>{_B64URL}{{35}})(?!{_B64URL})"),
    _token(
        "google_oauth",
        rf"GOCSPX-(?P<b>{_B64URL}{{20,}})|ya29\.(?P<b2>{_B64URL}{{30,}})|1//0(?P<b3>{_B64URL}{{30,}})",
    ),
    _token("huggingface", r"(?:hf_|api_org_)(?P<b>[A-Za-z0-9]{30,})", _mixed_case),
    _token("sendgrid", rf"SG\.(?P<b>{_B64URL}{{16,32}}\.{_B64URL}{{30,50}})(?!{_B64URL})"),
    _token("twilio", r"SK(?P<b>[0-9a-fA-F]{32})(?![A-Za-z0-9])", looks_random),
    _token("telegram_bot", rf"\d{{8,10}}:AA(?P<b>{_B64URL}{{30,}})"),
    _token("npm", r"npm_(?P<b>[A-Za-z0-9]{30,})"),
    _token("pypi", rf"pypi-AgE(?P<b>{_B64URL}{{50,}})"),
    _token("azure_storage", r"(?:Account|SharedAccess)Key=(?P<s>(?P<b>[A-Za-z0-9+/]{40,}={0,2}))"),
    _token("azure_sas", r"[?&]sig=(?P<s>(?P<b>[A-Za-z0-9%+/]{30,}(?:%3D|=){0,2}))"),
    _token(
        "misc",
        # Shopify, DigitalOcean, Databricks, Groq, Replicate, xAI, NVIDIA, Perplexity, Docker
        # Hub, Vault, Linear, Notion, Atlassian, Postman, New Relic, Grafana, Sentry, Supabase,
        # age, Square, Doppler.
        r"(?:shp(?:at|ss|ca|pa)_|do[opr]_v1_|dapi|gsk_|r8_|xai-|nvapi-|pplx-|dckr_pat_|hv[sb]\."
        r"|lin_api_|ntn_|secret_|ATATT3|PMAK-|NRAK-|glc_|glsa_|sntry[su]_|sbp_|sb_secret_"
        r"|AGE-SECRET-KEY-1|sq0(?:atp|csp)-|dp\.(?:st|sa|ct|pt)\.)"
        r"(?P<b>[A-Za-z0-9_+/=-]{20,})",
        looks_random,
    ),
)


# --------------------------------------------------------------------------------- JWTs

_JWT = re.compile(  # header.payload.signature; a JWE has two more parts; alg "none" ends in "."
    rf"eyJ{_B64URL}{{8,2048}}\.{_B64URL}{{8,}}\.(?:{_B64URL}+(?:\.{_B64URL}+){{0,2}})?"
)


def _jwt_header(segment: str) -> dict[str, object] | None:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (binascii.Error, ValueError, RecursionError):
        return None
    return decoded if isinstance(decoded, dict) else None


class JwtRecognizer:
    """`eyJ<header>.<payload>.<signature>`: a signed JWT, an unsigned one, or a JWE."""

    name = "secret_jwt"
    entities = (SECRET,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        for match in _JWT.finditer(text):
            start, end = match.span()
            if start and (text[start - 1].isalnum() or text[start - 1] in "_-"):
                continue
            header, payload = match.group(0).split(".")[:2]
            decoded = _jwt_header(header)
            if payload.startswith("ey") or (decoded and {"alg", "enc", "typ"} & decoded.keys()):
                yield Span(SECRET, start, end, 0.95, PRIORITY)


# ------------------------------------------------------------------------ PEM private keys

# -----BEGIN (RSA |EC |OPENSSH |ENCRYPTED |PGP ...)PRIVATE KEY( BLOCK)?-----, and SSH2's
# four-dash "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----".
_PEM_LABEL = r"[ \t](?:[A-Z0-9]+[ \t]){0,3}PRIVATE[ \t]KEY(?:[ \t]BLOCK)?[ \t]?-{4,5}"
_PEM_BEGIN = re.compile(rf"-{{4,5}}[ \t]?BEGIN{_PEM_LABEL}")
_PEM_END = re.compile(rf"-{{4,5}}[ \t]?END{_PEM_LABEL}")
# After BEGIN, when END is missing: optional `Name: value` headers, then base64 chunks. Lines
# break on real or JSON-escaped newlines; a chunk after mere spaces must be long, or it is prose.
_PEM_HEADER = re.compile(r"(?:\s|\\[rn])*[A-Za-z][A-Za-z-]*:[ \t][^\n\\]*")
_PEM_CHUNK = re.compile(r"(?P<sep>(?:[ \t]|\r?\n|\\[rn])*)(?P<b64>[A-Za-z0-9+/=]+)")
_PEM_MAX: Final = 20_000
_B64_CHARS = re.compile(r"[A-Za-z0-9+/]")


class PemPrivateKeyRecognizer:
    """A PEM private key block, BEGIN through END; a truncated one through its base64 body."""

    name = "secret_pem_private_key"
    entities = (SECRET,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        begin = _PEM_BEGIN.search(text)
        while begin is not None:
            next_begin = _PEM_BEGIN.search(text, begin.end())
            limit = min(begin.end() + _PEM_MAX, next_begin.start() if next_begin else len(text))
            end_match = _PEM_END.search(text, begin.end(), limit)
            body_end = end_match.start() if end_match else self._body_end(text, begin.end())
            if len(_B64_CHARS.findall(text, begin.end(), body_end)) >= 32:  # not just the markers
                end = end_match.end() if end_match else body_end
                yield Span(SECRET, begin.start(), end, 0.99, PRIORITY)
            else:
                end = begin.end()
            while next_begin is not None and next_begin.start() < end:
                next_begin = _PEM_BEGIN.search(text, next_begin.end())
            begin = next_begin

    @staticmethod
    def _body_end(text: str, pos: int) -> int:
        while (header := _PEM_HEADER.match(text, pos)) is not None:
            pos = header.end()
        end = pos
        while (chunk := _PEM_CHUNK.match(text, end)) is not None:
            sep, b64 = chunk.group("sep"), chunk.group("b64")
            newlines = sep.count("\n") + sep.count("\\n")  # real and JSON-escaped
            if newlines > 1 or len(sep) > 8:  # a blank line ends the body
                break
            after = text[chunk.end() : chunk.end() + 2]
            whole_line = after in ("", "\\n", "\\r") or after[0] in "\r\n\"'"
            if len(b64) < 16 and not (newlines and whole_line):
                break  # a short word after spaces, or starting a line of prose
            end = chunk.end()
        return end


# ------------------------------------------------------------------- AWS secret access keys

_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=_.-])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=_-])")
_AWS_CONTEXT = re.compile(
    r"(?i)aws|amazon|secret|\bkeys?\b|cl[ée]s?\b|credential|\btoken|\bs3\b|\biam\b|boto"
)
_NOT_AWS = re.compile(r"(?i)public|publique|ssh-|ecdsa-|sha\d|base64")
_WORD_PIECE = re.compile(r"[A-Z]?[a-z]{3,}")  # Http, Controllers, app
_SLASH_OR_PLUS = re.compile(r"[/+]")


class AwsSecretKeyRecognizer:
    """40 characters of base64: near a key word, or on its own when shaped like nothing else.

    Either way it must look random; on its own it also needs a '/' or '+' and no word between
    them, which rules out paths such as `app/Http/Controllers/Auth/Login2Controller`.
    """

    name = "secret_aws_secret_access_key"
    entities = (SECRET,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        for match in _AWS_SECRET.finditer(text):
            value = match.group(0)
            if char_classes(value) < 3 or len(set(value)) < 15 or not looks_random(value):
                continue
            if "EXAMPLE" in value:  # wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, AWS's sample
                continue
            if _NOT_AWS.search(text, max(0, match.start() - 40), match.start()):
                continue
            if has_context(text, match.start(), match.end(), _AWS_CONTEXT, window=80):
                yield Span(SECRET, match.start(), match.end(), 0.9, PRIORITY)
            elif self._unmistakable(value):
                yield Span(SECRET, match.start(), match.end(), 0.8, PRIORITY)

    @staticmethod
    def _unmistakable(value: str) -> bool:
        pieces = _SLASH_OR_PLUS.split(value)
        return len(pieces) > 1 and not any(
            _WORD_PIECE.fullmatch(p) for p in pieces if not any(c.isdigit() for c in p)
        )


# ---------------------------------------------------------------- Authorization headers

_TOKEN_CHARS = r"[A-Za-z0-9._~+/=\-]"
_AUTH_HEADER = re.compile(  # on ascii_lower(text)
    rf"""(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?
    (?:(?P<scheme>bearer|basic|token|bot|api-?key|ssws|jwt|oauth|key)[ \t]+)?
    (?P<v>{_TOKEN_CHARS}{{8,4096}})""",
    re.X,
)
_BEARER = re.compile(rf"bearer[ \t]+(?P<v>{_TOKEN_CHARS}{{16,4096}})")  # on ascii_lower(text)


class AuthorizationRecognizer:
    """The credential of an `Authorization:` header, or any `Bearer <token>`."""

    name = "secret_authorization"
    entities = (SECRET,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        lower = ascii_lower(text)
        seen: set[int] = set()
        for match in _AUTH_HEADER.finditer(lower):
            start, end = match.span("v")
            value = text[start:end]
            if not boundary_before(text, match.start(), "_-") or is_placeholder(value):
                continue
            if value.upper().startswith("AWS4-HMAC") or names_a_secret(value):
                continue  # Bearer LITELLM_VIRTUAL_KEY, Bearer sk-litellm-key
            if match.group("scheme") or looks_random(value):
                seen.add(start)
                yield Span(SECRET, start, end, 0.9, PRIORITY)
        for match in _BEARER.finditer(lower):
            start, end = match.span("v")
            while text[end - 1] == ".":
                end -= 1
            value = text[start:end]
            if start in seen or not boundary_before(text, match.start(), "_-"):
                continue
            if not is_placeholder(value) and (looks_random(value) or value.startswith("eyJ")):
                yield Span(SECRET, start, end, 0.85, PRIORITY)


# ------------------------------------------------------------ passwords in connection URLs

# scheme://user:PASSWORD@host. The password may itself hold '@': the greedy run backs off to
# the last '@' that is followed by a host.
_URL_CREDENTIALS = re.compile(
    r"""://(?P<user>[^\s:/?#@"'<>]{0,128}):(?P<pw>[^\s/"'<>]{1,256})@(?=[\w\[])"""
)
_PORT_AND_QUERY = re.compile(r"\d{1,5}[?#].*")


class UrlCredentialRecognizer:
    """The password of `postgres://user:PASSWORD@host` and any other scheme."""

    name = "secret_url_password"
    entities = (SECRET,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        for match in _URL_CREDENTIALS.finditer(text):
            password = match.group("pw")
            if _PORT_AND_QUERY.fullmatch(password):  # http://host:8080?next=a@b
                continue
            if is_placeholder(password) or names_a_secret(password):  # s3://key:my_secret@bucket
                continue
            if password.lower() not in ("pass", "pwd", "pw"):
                yield Span(SECRET, match.start("pw"), match.end("pw"), 0.9, PRIORITY)


# ------------------------------------------------------------- random tokens near a key word

_CANDIDATE = re.compile(r"(?<![\w+/=.\-])[A-Za-z0-9_+/=.\-]{16,200}(?![\w+/=.\-])")
_CONTEXT_WORD = re.compile(  # on ascii_lower(text)
    r"(?P<strong>tokens?|secrets?|credentials?|jetons?|bearer|api[ _-]?keys?|access[ _-]?keys?)"
    r"|(?P<weak>keys?|cl(?:é|e|ef)s?)"
)
_PUBLIC = re.compile(r"(?:public|publique|pub|publishable)[ \t_-]*$")  # on ascii_lower(text)
_CONTEXT_REACH: Final = 48
_DOTTED_CODE = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+")
_SLUG_PARTS = re.compile(r"[-._/:]+")


class ContextTokenRecognizer:
    """A random-looking token a few words after "token", "secret", "clé API", ...

    Never a bare high-entropy string: hashes, UUIDs and base64 blobs are everywhere. Pure hex
    counts only after a strong word ("token", not "key") and away from "sha", "commit", ...
    """

    name = "secret_context_token"
    entities = (SECRET,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        lower = ascii_lower(text)
        for candidate in _CANDIDATE.finditer(text):
            start, end = candidate.span()
            while text[end - 1] in ".-":  # the sentence's full stop
                end -= 1
            if self._not_a_token(text, start, end, candidate.end()):
                continue
            strength = self._context(lower, start)
            value = text[start:end]
            if strength is None or not looks_random(value) or value.startswith("AAAA"):
                continue  # AAAA...: the body of an SSH public key
            if "EXAMPLE" in value:
                continue  # AWS's documentation keys
            if HEX.fullmatch(value) and (strength == "weak" or near_hash_word(text, start, end)):
                continue
            yield Span(SECRET, start, end, 0.65, PRIORITY)

    @staticmethod
    def _not_a_token(text: str, start: int, end: int, raw_end: int) -> bool:
        """A call, a path, code, a slug, key=value pairs, an elided example, base64 JSON, a
        name inside an ARN."""
        value = text[start:end]
        return (
            text.startswith(("(", "["), end)  # copy_token(x)
            or value.startswith("/")
            or _DOTTED_CODE.fullmatch(value) is not None  # ed25519.Ed25519PrivateKey
            or all(p.isdigit() or p.isalpha() for p in _SLUG_PARTS.split(value))  # gpt-4-0613
            or (value.count(".") + value.count("-")) * 100 > len(value) * 15  # 2-2v-5c0-1.1.9
            or "=" in value.rstrip("=")  # callDuringTry=True
            or text.startswith(("..", "…"), end)
            or text[end:raw_end].startswith("..")
            or (value.startswith("eyJ") and "." not in value)  # a JWT's header alone
            or "arn:" in text[max(0, start - 100) : start]
        )

    @staticmethod
    def _context(lower: str, start: int) -> str | None:
        """`"strong"` or `"weak"` for the best key word just before `start` on its line."""
        line_start = lower.rfind("\n", max(0, start - _CONTEXT_REACH), start) + 1
        best = None
        for word in _CONTEXT_WORD.finditer(lower, max(line_start, start - _CONTEXT_REACH), start):
            if not boundary_before(lower, word.start(), "") or (
                word.end() < len(lower) and lower[word.end()].isalnum()
            ):
                continue
            if _PUBLIC.search(lower, max(0, word.start() - 12), word.start()):
                continue
            best = "strong" if word.group("strong") else (best or "weak")
        return best


RECOGNIZERS: Final[list[Recognizer]] = [
    *_TOKENS,
    JwtRecognizer(),
    PemPrivateKeyRecognizer(),
    AwsSecretKeyRecognizer(),
    AuthorizationRecognizer(),
    UrlCredentialRecognizer(),
    ContextTokenRecognizer(),
    *ASSIGNMENT_RECOGNIZERS,
    *MANIFEST_RECOGNIZERS,
    *GITLEAKS_RECOGNIZERS,
]
