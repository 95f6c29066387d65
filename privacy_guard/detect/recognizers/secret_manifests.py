"""SECRET: the values of Kubernetes Secret manifests, in YAML (`kubectl get -o yaml`, Helm
output) and JSON (`-o json`).

A Secret's `data:` holds base64 of the secret bytes and `stringData:` the bytes themselves, so
every value under either is secret whatever it looks like: `YWRtaW4=` is "admin". The key names
(`password`, `tls.key`) say nothing reliable, and a ConfigMap's `data:` is not secret at all:
only a document whose `kind` is `Secret` counts. Templates (`{{ .Values.x }}`) and empty values
are not secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from privacy_guard.detect.recognizers.secret_values import PRIORITY, SECRET, is_placeholder
from privacy_guard.detect.types import Span

__all__ = ["KubernetesSecretRecognizer"]

_KIND_YAML = re.compile(r"""(?m)^[ \t]*kind:[ \t]*(["']?)Secret\1[ \t]*(?:#.*)?\r?$""")
_KIND_JSON = re.compile(r""""kind"[ \t]*:[ \t]*"Secret\"""")
_DOC_SEPARATOR = re.compile(r"(?m)^---[ \t]*(?:#.*)?\r?$")
_YAML_SECTION = re.compile(r"(?m)^(?P<indent>[ \t]*)(?P<name>data|stringData):[ \t]*(?:#.*)?\r?$")
_YAML_ENTRY = re.compile(
    r"""(?P<indent>[ \t]+)(?P<key>[\w.-]+|"[^"\n]+"|'[^'\n]+'):[ \t]*
    (?: "(?P<dq>[^"\n]*)" | '(?P<sq>[^'\n]*)' | (?P<block>[|>][-+]?) | (?P<bare>[^\s#][^\n#]*?) )?
    [ \t]*(?:\#.*)?\r?$""",
    re.X,
)
_JSON_SECTION = re.compile(r""""(?P<name>data|stringData)"[ \t]*:[ \t]*\{""")
_JSON_ENTRY = re.compile(
    r"""\s*"(?:[^"\\\n]|\\.)*"[ \t]*:[ \t]*"(?P<v>(?:[^"\\\n]|\\.)*)"\s*(?P<sep>,|\})"""
)
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_MAX_DOC: Final = 200_000


def _documents(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for separator in _DOC_SEPARATOR.finditer(text):
        yield start, separator.start()
        start = separator.end()
    yield start, len(text)


def _is_value(value: str, section: str) -> bool:
    if not value or is_placeholder(value):
        return False
    return section == "stringData" or _BASE64.fullmatch(value) is not None


class KubernetesSecretRecognizer:
    name = "secret_kubernetes_manifest"
    entities = (SECRET,)

    def find(self, text: str, language: str) -> list[Span]:
        if "Secret" not in text:
            return []
        spans: list[Span] = []
        if _KIND_JSON.search(text):
            spans += self._json(text)
        if _KIND_YAML.search(text):
            for start, end in _documents(text):
                if end - start <= _MAX_DOC and _KIND_YAML.search(text, start, end):
                    spans += self._yaml(text, start, end)
        return spans

    @staticmethod
    def _yaml(text: str, start: int, end: int) -> Iterator[Span]:
        for section in _YAML_SECTION.finditer(text, start, end):
            parent = len(section.group("indent").expandtabs())
            pos = section.end() + 1
            while pos < end:
                line_end = text.find("\n", pos, end)
                line_end = end if line_end < 0 else line_end
                line = text[pos:line_end]
                if not line.strip():
                    pos = line_end + 1
                    continue
                entry = _YAML_ENTRY.fullmatch(text, pos, line_end)
                if entry is None or len(entry.group("indent").expandtabs()) <= parent:
                    break
                pos = line_end + 1
                if entry.group("block"):  # `key: |` then the value on deeper lines
                    own = len(entry.group("indent").expandtabs())
                    first = last = -1
                    while pos < end:
                        nxt = text.find("\n", pos, end)
                        nxt = end if nxt < 0 else nxt
                        body = text[pos:nxt]
                        if body.strip() and len(body) - len(body.lstrip()) <= own:
                            break
                        if body.strip():
                            first = pos + len(body) - len(body.lstrip()) if first < 0 else first
                            last = pos + len(body.rstrip())
                        pos = nxt + 1
                    if first >= 0 and not is_placeholder(text[first:last]):
                        yield Span(SECRET, first, last, 0.95, PRIORITY)
                    continue
                group = next((g for g in ("dq", "sq", "bare") if entry.group(g) is not None), None)
                if group and _is_value(entry.group(group), section.group("name")):
                    yield Span(SECRET, entry.start(group), entry.end(group), 0.95, PRIORITY)

    @staticmethod
    def _json(text: str) -> Iterator[Span]:
        for section in _JSON_SECTION.finditer(text):
            pos = section.end()
            while (entry := _JSON_ENTRY.match(text, pos)) is not None:
                if _is_value(entry.group("v"), section.group("name")):
                    yield Span(SECRET, entry.start("v"), entry.end("v"), 0.95, PRIORITY)
                if entry.group("sep") == "}":
                    break
                pos = entry.end()


RECOGNIZERS: Final = (KubernetesSecretRecognizer(),)
