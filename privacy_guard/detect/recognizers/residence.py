"""LOCATION where a text says where someone lives, was born or is moving to.

A place name alone is not personal data ("a haiku about Geneva"); "j'habite à Genève" is. spaCy's
NER only runs on English and French and misses many Swiss towns, so the cue words decide here,
in English, French, German and Italian, and the capitalised words after them are the place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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


class ResidenceRecognizer:
    name = "residence"
    entities = ("LOCATION",)

    def find(self, text: str, language: str) -> Iterator[Span]:
        for match in _RESIDENCE.finditer(text):
            place = match.group("place").rstrip(".")
            if len(place) < 2:
                continue
            start = match.start("place")
            yield Span("LOCATION", start, start + len(place), 0.75, 3)


RECOGNIZERS = [ResidenceRecognizer()]
