"""EMAIL_ADDRESS: plain addresses and the usual obfuscated spellings.

Plain: `local@domain.tld` with Unicode letters allowed (IDN), a TLD of 2+ letters (no public
suffix list: it would need the network). Not an address: `git@host:org/repo` (an SSH remote),
`user@host` without a dot, `pkg@1.2.3`, decorators and npm scopes (no local part), `icon@2x.png`
and other file names, URL user-info (`https://token@host`).

Obfuscated: `jean [at] example [dot] fr`, `jean (at) example (dot) com`, `jean{at}example{dot}fr`,
`jean arobase example point fr`, `jean @ example . com`, `jean at example dot com`. The bare
English words ("at", "dot") are everyday words, so that spelling needs a common TLD, no stop
words as labels, and either a spelled-out dot or an e-mail word nearby ("meet at noon dot" and
"look at google.com" are not addresses).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from privacy_guard.detect.recognizers._word_index import scan_at
from privacy_guard.detect.recognizers.base import Recognizer, Span, context_before

ENTITY = "EMAIL_ADDRESS"
PRIORITY = 20

# RFC 5322 allows more (!#$&'*/=?^`{|}~), but in prose those characters are punctuation around
# the address ("user=jean@x.fr", "'jean@x.fr'"), not part of it.
_LOCAL_CHARS = r"[\w%+\-]"
_LABEL = r"[^\W_](?:[\w\-]{0,61}[^\W_])?"
_TLD = r"(?:[^\W\d_]{2,24}|xn--[a-z0-9\-]{1,59})"

_PLAIN = re.compile(
    rf"""
    (?<![\w.%+\-@])
    (?P<local>[\w+](?:(?:{_LOCAL_CHARS}|\.(?!\.)){{0,62}}[\w+\-])?)
    @
    (?P<domain>(?:{_LABEL}\.){{1,8}}(?P<tld>{_TLD}))
    (?![\w\-]|\.[^\W_])
    """,
    re.VERBOSE,
)

# Obfuscated spellings. Each separator is tagged by kind through its alternatives' shapes;
# the kind is recovered from the matched text by `_kind`.
_OPEN, _CLOSE = r"[\[({<]", r"[\])}>]"
_SP0, _SP1 = r"[ \t]{0,3}", r"[ \t]{1,3}"
_AT = (
    rf"(?:{_SP0}{_OPEN}{_SP0}(?i:at|@|arobase|arrobase){_SP0}{_CLOSE}{_SP0}"
    rf"|{_SP1}(?i:at|arobase|arrobase){_SP1}"
    rf"|{_SP1}@{_SP0}|{_SP0}@{_SP1}"
    r"|(?i:[\-_]at[\-_]))"
)
_DOT = (
    rf"(?:{_SP0}{_OPEN}{_SP0}(?i:dot|point|pt|\.){_SP0}{_CLOSE}{_SP0}"
    rf"|{_SP1}(?i:dot|point){_SP1}"
    rf"|{_SP0}\.{_SP0}"
    r"|(?i:[\-_]dot[\-_]))"
)
_WORD = r"[^\W_](?:[\w+\-]{0,62}[^\W_])?"
_OBFUSCATED = re.compile(
    rf"""
    (?<![\w.+\-@])
    (?P<local>{_WORD}(?:{_DOT}{_WORD}){{0,4}})
    (?P<at>{_AT})
    (?P<domain>{_LABEL}(?:{_DOT}{_LABEL}){{0,5}})
    {_DOT}
    (?P<tld>{_TLD})
    (?![\w\-]|{_SP0}{_OPEN}{_SP0}(?i:dot|point)|\.[^\W_])
    """,
    re.VERBOSE,
)

# What every _AT alternative holds: "@", or "at"/"arobase"/"arrobase" with no letter or digit
# either side (brackets, spaces, "-" and "_" all qualify).
# Written to open with a character class ("@", "a", "A") so that `re` skips to those characters:
# the same matches as r"@|(?i:(?<![^\W_])(?:at|arr?obase)(?![^\W_]))".
_AT_CUE = re.compile(r"@|[aA](?<![^\W_].)(?i:t|rr?obase)(?![^\W_])")


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# File extensions that are not TLDs (`logo@2x.png`, `config@v2.json`); the ones that are
# (.md, .py, .sh, .rs, .so, .zip) stay addresses.
_FILE_EXTENSIONS = _wordset(
    """
    png jpg jpeg gif svg webp ico bmp tif tiff css scss less js mjs cjs jsx ts tsx json yaml yml
    htm html xml txt rst lock vue java kt rb php go swift toml ini cfg log csv tsv pdf doc
    docx xls xlsx ppt pptx gz tar whl jar bat exe dll
    """
)
# Bare "x at y dot com" must end in one of these to count.
_COMMON_TLDS = _wordset(
    """
    com net org edu gov mil int io co ai app dev info biz me tv us uk fr ch de be it es nl lu at
    eu ca au jp cn ru br in pl pt se no dk fi ie cz gr hu ro sk si hr bg lt lv ee tr il za mx ar
    cl nz sg hk kr tw li mc ma tn dz sn ci cm re swiss paris bzh
    """
)
_STOP_WORDS = _wordset(
    """
    a an the this that these those it its me my us our you your him his her them their we look
    looking meet meeting see here there home work school noon night midnight least most all once
    first last le la les un une des du de mon ma mes ton ta son sa nos vos leur ce cette ces
    """
)
_MAIL_WORDS = re.compile(
    r"(?i)\b(?:e-?mail|mail|courriel|adresse|address|contact|write|[ée]cri(?:re|vez)|send|"
    r"envoy\w*|reach)\b"
)
_SCP_REMOTE = re.compile(r":[\w.~\-]*/")


# `_PLAIN` matches start where a run of local-part characters before an "@" starts (its
# look-behind allows no such character before it) and are at most this long.
_NOT_PLAIN_LOCAL = re.compile(r"[^\w.%+\-]")
_LONGEST_PLAIN_LOCAL = 64


def _plain_matches(text: str) -> Iterator[re.Match[str]]:
    """`_PLAIN.finditer(text)`, tried only at the start of the local part before each "@"."""
    starts: set[int] = set()
    at = text.find("@")
    while at >= 0:
        lo = max(0, at - _LONGEST_PLAIN_LOCAL - 1)
        outside = _NOT_PLAIN_LOCAL.search(text[lo:at][::-1])
        starts.add(lo if outside is None else at - outside.start())
        at = text.find("@", at + 1)
    return scan_at(_PLAIN, text, sorted(starts))


# An `_OBFUSCATED` match's local part and the opening of its "at" hold only these characters
# (word characters, "+", "-", ".", blanks and brackets), and are at most this long: five words
# of 64 characters, four separators of 19 ("  [ point ]  "), 7 before the "at" ("   (   ").
_NOT_OBFUSCATED_LOCAL = re.compile(r"[^\w+\-. \t\[\](){}<>]")
_LONGEST_BEFORE_AT = 5 * 64 + 4 * 19 + 7
# `_OBFUSCATED`'s first character and the look-behind before it.
_OBFUSCATED_START = re.compile(r"(?<![\w.+\-@])[^\W_]")


def _obfuscated_matches(text: str, cues: list[int]) -> Iterator[re.Match[str]]:
    """`_OBFUSCATED.finditer(text)`, tried only where a match can start: at a word start
    (`_OBFUSCATED_START`) in the run of local-part characters just before an "at" cue (`cues`,
    ascending)."""
    starts: list[int] = []
    for cue in cues:
        lo = max(0, cue - _LONGEST_BEFORE_AT, starts[-1] + 1 if starts else 0)
        outside = _NOT_OBFUSCATED_LOCAL.search(text[lo:cue][::-1])
        lo = lo if outside is None else cue - outside.start()
        starts.extend(m.start() for m in _OBFUSCATED_START.finditer(text, lo, cue + 1))
    return scan_at(_OBFUSCATED, text, starts)


def _plain_is_address(text: str, start: int, end: int, local: str, domain: str, tld: str) -> bool:
    if local.lower() == "git" or _SCP_REMOTE.match(text, end):
        return False  # git@github.com:org/repo.git is an SSH remote, not a mailbox
    if text[max(0, start - 3) : start] == "://":
        return False  # URL user-info (a token, handled by the secrets recognizers)
    if tld.lower() in _FILE_EXTENSIONS:
        return False
    return not re.fullmatch(r"\d+x", domain.split(".")[0])


def _kind(separator: str) -> str:
    """'bracket', 'word' or 'literal' for one matched @/dot separator."""
    stripped = separator.strip(" \t")
    if stripped[:1] in "[({<":
        return "bracket"
    if stripped.lower() in ("at", "dot", "point", "arobase", "arrobase"):
        return "word"
    if stripped[:1] in "-_":
        return "word"
    return "literal"


_DOT_SPLIT = re.compile(_DOT)


class EmailRecognizer:
    name = "email"
    entities = (ENTITY,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        taken: list[tuple[int, int]] = []
        has_at = "@" in text
        # Every obfuscated match holds an "@", or "at"/"arobase" as a word of its own; a text
        # without one skips that pattern, and one with them tries it only just before them.
        cues = [m.start() for m in _AT_CUE.finditer(text)]
        for m in _obfuscated_matches(text, cues):
            score = self._obfuscated_score(text, m)
            if score is not None:
                taken.append(m.span())
                yield Span(ENTITY, m.start(), m.end(), score, PRIORITY)
        for m in _plain_matches(text) if has_at else ():
            start, end = m.span()
            if any(a < end and start < b for a, b in taken):
                continue
            if _plain_is_address(text, start, end, m["local"], m["domain"], m["tld"]):
                yield Span(ENTITY, start, end, 0.95, PRIORITY)
        if has_at and "\n" in text:
            yield from _split_by_line_breaks(text)

    @staticmethod
    def _obfuscated_score(text: str, m: re.Match[str]) -> float | None:
        at_kind = _kind(m["at"])
        body = text[m.start("domain") : m.start("tld")]
        dot_kinds = {_kind(d.group(0)) for d in _DOT_SPLIT.finditer(body)}
        dot_kinds |= {_kind(d.group(0)) for d in _DOT_SPLIT.finditer(m["local"])}
        spaced = any(c in " \t" for c in m.group(0))
        if at_kind == "literal" and dot_kinds <= {"literal"} and not spaced:
            return None  # a plain address: _PLAIN reports it
        tld = m["tld"].lower()
        if tld in _FILE_EXTENSIONS:
            return None
        labels = [w.lower() for w in re.split(r"[^\w+\-]+", text[m.start() : m.start("tld")])]
        if at_kind == "bracket" or m["at"].strip(" \t").lower() in ("arobase", "arrobase"):
            return 0.9
        if at_kind == "literal":
            # "jean @ example . com": also what `x @ self.weight` looks like in Python.
            return 0.9 if tld in _COMMON_TLDS else None
        # Bare "at" (or "-at-"): an everyday word, so ask for more.
        if tld not in _COMMON_TLDS or any(w in _STOP_WORDS for w in labels if w):
            return None
        if "bracket" in dot_kinds or "word" in dot_kinds:
            return 0.85
        if context_before(text, m.start(), _MAIL_WORDS, 40):
            return 0.85
        return None


# A line break between two characters an address can hold.
_BREAK = re.compile(r"(?<=[\w.@\-])[ \t]*\r?\n[ \t]*(?=[\w.@\-])")
_LOCAL_AT_LABEL = re.compile(r"[\w%+\-.]+@[\w\-]+\Z")


def _blanks_before_breaks(text: str) -> list[int]:
    """Where each line break's run of spaces and tabs (and "\\r") before it starts: the only
    places `_BREAK` (a line break after an address character) can match."""
    starts = []
    newline = text.find("\n")
    while newline >= 0:
        start = newline - 1 if newline and text[newline - 1] == "\r" else newline
        while start and text[start - 1] in " \t":
            start -= 1
        starts.append(start)
        newline = text.find("\n", newline + 1)
    return starts


def _split_by_line_breaks(text: str) -> Iterator[Span]:
    """Addresses a line break cuts in two: wrapped text or a pasted log cuts at the `@`
    ("anna.berger@" / "example.org"), at a dot, or inside the domain ("jean@exam" / "ple.com").
    A break is only joined where the first line cannot end an address (it ends with `@`, `.` or
    `-`, or with `local@label` and no dot yet) or the next line starts with `@` or `.`: a
    complete address at the end of a line stays as it is."""
    joins: list[tuple[int, int]] = []
    for m in scan_at(_BREAK, text, _blanks_before_breaks(text)):
        before, after = text[m.start() - 1], text[m.end()]
        lo = max(0, m.start() - 80)
        if (
            before in "@.-"
            or after in "@."
            # (`str.find` first: most breaks have no "@" that close before them.)
            or (
                text.find("@", lo, m.start()) >= 0
                and _LOCAL_AT_LABEL.search(text, lo, m.start()) is not None
            )
        ):
            joins.append(m.span())
    if not joins:
        return
    shadow, kept = [], 0
    for start, end in joins:
        shadow.append(text[kept:start])
        kept = end
    shadow.append(text[kept:])
    joined = "".join(shadow)

    def original(position: int, is_end: bool) -> int:
        removed = 0
        for start, end in joins:
            cut = start - removed  # where this break sits in `joined`
            if position > cut or (position == cut and not is_end):
                removed += end - start
            else:
                break
        return position + removed

    for m in _plain_matches(joined):
        start, end = original(m.start(), False), original(m.end(), True)
        if not any(start < a < end for a, _ in joins):
            continue  # whole on one line: found by the plain pass
        if _plain_is_address(joined, m.start(), m.end(), m["local"], m["domain"], m["tld"]):
            yield Span(ENTITY, start, end, 0.9, PRIORITY)


RECOGNIZERS: list[Recognizer] = [EmailRecognizer()]
