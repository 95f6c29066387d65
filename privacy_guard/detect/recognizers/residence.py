"""LOCATION where a text says where someone lives, was born or is moving to.

A place name alone is not personal data ("a haiku about Geneva"); "j'habite à Genève" is. spaCy's
NER only runs on English and French and misses many Swiss towns, so the cue words decide here,
in English, French, German and Italian, and the capitalised words after them are the place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from privacy_guard.detect.recognizers._word_index import blanks_before_capital, lowered, scan_at
from privacy_guard.detect.recognizers.wordtrie import literals
from privacy_guard.detect.types import Span

_CUES = (
    # English
    r"live in|lives in|living in|lived in|reside in|resides in|residing in|resident of"
    r"|moved to|moving to|move to|relocate to|relocating to|relocated to|born in|grew up in"
    r"|hometown is|home town is|settled in"
    # French
    r"|j['’]habite (?:à|a|au|en)|habite (?:à|a|au|en)|habitons (?:à|au|en)|habitez (?:à|au|en)"
    r"|vit (?:à|au|en)|vis (?:à|au|en)|vivons (?:à|au|en)|réside (?:à|au|en)|résidant (?:à|au|en)"
    r"|domicilié(?:e|s|es)? (?:à|au|en)|né(?:e|s|es)? (?:à|au|en)|originaire de"
    r"|déménage (?:à|au|en)|déménager (?:à|au|en)|mutation (?:à|au|en)"
    r"|installé(?:e|s|es)? (?:à|au|en)|emménage (?:à|au|en)"
    # German
    r"|wohne in|wohnt in|wohnen in|wohnhaft in|geboren in|ziehe nach|zieht nach|lebe in|lebt in"
    # Italian
    r"|abito a|abita a|abitiamo a|vivo a|vive a|nato a|nata a|risiedo a|residente a"
    r"|mi trasferisco a"
)
_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’]*(?:\.|(?:-[\w'’]+)*)"
_LINK = r"(?:[ \-](?:de|du|des|la|le|les|sur|en|am|an|der|im|bei|di|del|la)[ \-]|[ \-])"
_RESIDENCE = re.compile(
    rf"(?i:\b(?:{_CUES}))[ \t]+(?P<place>{_WORD}(?:{_LINK}{_WORD}){{0,3}})"
)


# Where `_RESIDENCE` can match: a cue (its spaces are single spaces) ends where spaces before a
# capital begin. Checking the few such places with `str.endswith` is cheaper than trying the
# case-insensitive cue list at every position; the cue's last word is checked first.
_CUE_WORDS = tuple(literals(_CUES))
_LAST_WORDS = tuple({cue.rsplit(" ", 1)[-1] for cue in _CUE_WORDS})


class ResidenceRecognizer:
    name = "residence"
    entities = ("LOCATION",)

    def find(self, text: str, language: str) -> Iterator[Span]:
        low = lowered(text)
        if low is None:
            matches = _RESIDENCE.finditer(text)
        else:
            starts = {
                end - len(cue)
                for end in blanks_before_capital(text)
                if low.endswith(_LAST_WORDS, 0, end) and low.endswith(_CUE_WORDS, 0, end)
                for cue in _CUE_WORDS
                if low.endswith(cue, 0, end)
            }
            matches = scan_at(_RESIDENCE, text, sorted(starts))
        for match in matches:
            place = match.group("place").rstrip(".")
            if len(place) < 2:
                continue
            start = match.start("place")
            yield Span("LOCATION", start, start + len(place), 0.75, 3)


RECOGNIZERS = [ResidenceRecognizer()]
