"""Full postal addresses (France, Switzerland, United Kingdom, United States) as LOCATION.

A full address is a street line followed by a locality line (postcode and city, in the order
the country uses), optionally a country name; the span covers all of it. Street lines pair only
with the locality formats of their own countries, so that "Chapter 3 Results 2019 Revenue"
cannot pass for an address. A street line alone counts (lower score) when a phrase such as
"I live at" or "j'habite au" precedes it.

Every quantifier is bounded and tokens are separated by whitespace, so matching stays linear
in the length of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from privacy_guard.detect.recognizers.base import Recognizer, context_before
from privacy_guard.detect.types import Span

__all__ = ["RECOGNIZERS", "AddressRecognizer"]

ENTITY = "LOCATION"
PRIORITY = 8
SCORE_FULL = 0.9  # house number and postcode both present
SCORE_FULL_WEAK = 0.85  # street line without a house number
SCORE_STREET_ONLY = 0.7

_SP = r"[ \t]+"
_LINE_BREAK = r"(?:\r?\n|\\r\\n|\\n|<br\s?/?>)"
# Between address parts: a comma or semicolon (a CSV cell), line breaks (real or JSON-escaped),
# a spaced bar or dot, or plain spaces.
_SEP_STRONG = (
    rf"(?:[ \t]*[,;][ \t]*(?:{_LINE_BREAK}[ \t]*)?"
    rf"|[ \t]*(?:{_LINE_BREAK}[ \t]*){{1,2}}"
    r"|[ \t]+[|·•–—-][ \t]+)"
)
_SEP = rf"(?:{_SEP_STRONG}|{_SP})"

_UPPER = r"A-ZÀ-ÖØ-ÞŒ"
_ALNUM = r"[^\W_]"
_WORD_TAIL = rf"{_ALNUM}*(?:[-'’/]{_ALNUM}+){{0,4}}"
# A capitalised word, with an optional elided article ("l'Hôpital", "d'Alésia").
_CAPWORD = rf"(?:[dlDL]['’])?[{_UPPER}]{_WORD_TAIL}"
_WORD = rf"(?:[dlDL]['’])?[^\W\d_]{_WORD_TAIL}"
_PARTICLE = (
    r"(?:de|du|des|la|le|les|di|da|del|della|dei|degli|delle|dello|van|von|der|den|am|an|im"
    r"|zum|zur|et|sur|sous|aux|au|en|à|of|the|and|près)"
)
_PARTICLES = rf"(?:{_PARTICLE}{_SP}){{0,3}}"
# Street names: capitalised words with particles between them; the loose form (after a house
# number, where the rest of the pattern carries the evidence) also takes lower-case words.
_NAME_STRICT = rf"{_PARTICLES}{_CAPWORD}(?:{_SP}{_PARTICLES}{_CAPWORD}){{0,4}}"
_NAME_LOOSE = rf"{_PARTICLES}{_WORD}(?:{_SP}{_PARTICLES}{_WORD}){{0,4}}"
_NAME_SHORT = rf"(?:{_NAME_STRICT}|{_PARTICLES}{_WORD})"

_NUM = r"\d{1,5}(?:-\d{1,5})?(?:[ \t]?(?i:bis|ter|quater)(?![^\W_])|[A-Za-z](?![^\W_]))?"

# Street types written before the name (French, Italian, and French-speaking Swiss usage).
_PREFIX_TYPES = (
    r"rue|ruelle|avenue|av\.|ave\.?|boulevard|bd\.?|bld\.?|blvd\.?|bvd\.?|chemin|ch\.|allée|allee"
    r"|impasse|imp\.|place|pl\.|quai|route|rte\.?|cours|faubourg|fbg\.?|square|sq\.|lieu-dit"
    r"|lieudit|passage|villa|cité|cite|résidence|residence|hameau|sentier|voie|promenade"
    r"|esplanade|parvis|rond-point|carrefour|chaussée|chaussee|montée|montee|traverse|clos|mail"
    r"|venelle|rampe|quartier|domaine|lotissement|zac|za|zi|via|viale|piazza|piazzale|piazzetta"
    r"|vicolo|corso|strada|contrada|largo|salita|lungolago|riva"
)
_PTYPE = rf"(?<![^\W_])(?i:{_PREFIX_TYPES})(?![^\W_])"

# German street names: one compound word ("Bahnhofstrasse") or "<adjective> Strasse".
_DE_SUFFIXES = (
    r"strasse|straße|str\.|gasse|gässli|gässchen|weg|platz|allee|ring|rain|halde|graben"
    r"|quai|steig|stutz|matte|hof|markt"
)
_DE_STREET = (
    rf"(?<![^\W_])(?:{_CAPWORD}{_SP}){{0,2}}"
    rf"(?:[{_UPPER}][^\W\d_]{{0,30}}(?:{_DE_SUFFIXES})"
    rf"|{_CAPWORD}{_SP}(?:Strasse|Straße|Gasse|Weg|Platz|Allee))"
)

# Street lines of continental Europe, with a house number or without one.
_EU_STREET_NUM = (
    rf"(?:(?<![\d.,])\b{_NUM}(?:[ \t]*,)?{_SP}{_PTYPE}{_SP}{_NAME_LOOSE}"
    rf"|{_PTYPE}{_SP}{_NAME_STRICT}{_SP}{_NUM}"
    rf"|{_DE_STREET}{_SP}{_NUM})"
)
_EU_STREET_NONUM = rf"{_PTYPE}{_SP}{_NAME_STRICT}"

_CITY_WORD = rf"(?!(?i:cedex)(?![^\W_])){_CAPWORD}(?:(?<=\bSt)\.|(?<=\bSte)\.)?"
_CITY = rf"(?:{_PARTICLE}{_SP})?{_CITY_WORD}(?:{_SP}(?:{_PARTICLE}{_SP}){{0,2}}{_CITY_WORD}){{0,3}}"
_EU_LOCALITY = (
    rf"(?:(?:BP|B\.P\.|CS|TSA){_SP}?\d{{1,6}}{_SEP})?"
    rf"(?:(?:F|FR|CH)[ \t]?-[ \t]?|(?:F|FR|CH){_SP})?"
    # A lower-case city ("75002 paris") only after a five-digit postcode: "1204 geneve" is too
    # close to "2019 was".
    rf"(?:\d{{5}}{_SP}(?:{_CITY}|[^\W\d_]{{2,30}}(?![^\W_]))|[1-9]\d{{3}}{_SP}{_CITY})"
    # "75008 Paris CEDEX 08", "1211 Genève 3", "(VD)".
    rf"(?:{_SP}(?i:cedex))?(?:{_SP}\d{{1,2}}(?!\d))?(?:[ \t]*\([A-Z]{{2}}\))?"
)

# English-speaking countries: the name words are capitalised, ordinals and abbreviations allowed.
_EN_TOKEN = rf"(?:{_CAPWORD}|\d{{1,3}}(?i:st|nd|rd|th))\.?"
_EN_NAME = rf"{_EN_TOKEN}(?:{_SP}(?:{_PARTICLE}{_SP})?{_EN_TOKEN}){{0,5}}"
_DIRECTION = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?"
_UNIT = (
    r"(?i:apt\.?|apartment|suite|ste\.?|unit|fl\.?|floor|rm\.?|room|bldg\.?|building)"
    r"[ \t]*#?[ \t]*\w{1,6}|#[ \t]?\w{1,6}"
)
_EN_NUMBER = r"(?<![\d.,])\b\d{1,6}[A-Za-z]?(?:-\d{1,5})?(?:[ \t]*,)?"
_US_STREET = (
    rf"{_EN_NUMBER}{_SP}{_EN_NAME}(?:{_SP}{_DIRECTION})?"
    rf"(?:(?:[ \t]*,[ \t]*|{_SP}|[ \t]*{_LINE_BREAK}[ \t]*){_UNIT})?"
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH"
    "|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|AS|FM|GU|MH|MP|PW|PR|VI"
    "|AA|AE|AP"
)
_US_STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia"
    "|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts"
    "|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey"
    "|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania"
    "|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington"
    "|West Virginia|Wisconsin|Wyoming|District of Columbia|Puerto Rico"
)
_ZIP = r"\d{5}(?:-\d{4})?(?!\d)"
_US_CITY = rf"{_EN_TOKEN}(?:{_SP}{_EN_TOKEN}){{0,3}}"
_US_LOCALITY = rf"{_US_CITY},?{_SP}(?:{_US_STATES}|{_US_STATE_NAMES})\.?{_SP}{_ZIP}"

# Every UK postcode shape: A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA, and GIR 0AA.
_UK_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)[ \t]?\d[A-Z]{2}(?![^\W_])"
_UK_UNIT = r"(?i:flat|apartment|apt\.?|studio|unit|suite|room)[ \t]+\w{1,4}"
_UK_STREET = (
    rf"(?:{_UK_UNIT}{_SEP_STRONG}(?:{_EN_NUMBER}{_SP})?{_EN_NAME}"
    rf"|{_EN_NUMBER}{_SP}{_EN_NAME})"
)
# The town is required: "Model 3 Performance SW1 2AB" has the shape of a street and postcode.
_UK_LOCALITY = rf"(?:{_SEP}{_US_CITY}){{1,2}}{_SEP}{_UK_POSTCODE}"

_MILITARY = (
    rf"(?:(?:PSC|CMR|Unit){_SP}\d{{1,5}},?{_SP}Box{_SP}\d{{1,5}}"
    rf"|(?:USS|USNS|USNV|USCGC){_SP}{_CAPWORD}(?:{_SP}{_CAPWORD}){{0,3}})"
    rf"{_SEP_STRONG}(?:APO|FPO|DPO){_SP}(?:AA|AE|AP){_SP}{_ZIP}"
)

# A post-office box stands in for the street line.
_PO_BOX = (
    r"(?<![^\W_])(?:(?i:bo[iî]te postale|case postale|postfach|casella postale)|B\.?P\.?|CS|TSA)"
    rf"{_SP}?\d{{1,6}}"
)
_PO_BOX_EN = r"(?<![^\W_])(?i:p\.?[ \t]?o\.?[ \t]?box|post office box)[ \t]*\d{1,6}"

_COUNTRY = (
    r"(?:(?i:france|suisse|switzerland|schweiz|svizzera|svizra|united kingdom|great britain"
    r"|england|scotland|wales|northern ireland|united states(?: of america)?|deutschland|germany"
    r"|italia|italy|belgique|belgium|luxembourg|monaco)|UK|U\.K\.|USA|U\.S\.A\.|US|U\.S\.)"
    r"(?![^\W_])"
)
_COUNTRY_TAIL = rf"(?:{_SEP}{_COUNTRY})?"

_FULL = re.compile(
    rf"(?:(?P<eu_num>{_EU_STREET_NUM}){_SEP}{_EU_LOCALITY}"
    rf"|(?P<eu>{_EU_STREET_NONUM}){_SEP_STRONG}{_EU_LOCALITY}"
    rf"|{_US_STREET}{_SEP}{_US_LOCALITY}"
    rf"|(?P<uk>{_UK_STREET}){_UK_LOCALITY}"
    rf"|{_MILITARY}"
    rf"|(?P<box>{_PO_BOX}){_SEP_STRONG}{_EU_LOCALITY}"
    rf"|(?P<box_en>{_PO_BOX_EN}){_SEP_STRONG}(?:{_US_LOCALITY}|{_US_CITY}{_SEP}{_UK_POSTCODE}))"
    rf"{_COUNTRY_TAIL}"
)

_EN_STREET_TYPES = (
    r"street|st\.?|avenue|ave\.?|road|rd\.?|lane|ln\.?|drive|dr\.?|boulevard|blvd\.?|court|ct\.?"
    r"|place|pl\.?|terrace|way|close|crescent|gardens|square|parkway|highway|circle|row|mews"
    r"|grove|walk|hill|park|alley|plaza|trail|green"
)
_STREET_ONLY = re.compile(
    rf"(?:(?<![\d.,])\b{_NUM}(?:[ \t]*,)?{_SP}{_PTYPE}{_SP}{_NAME_SHORT}"
    rf"|{_PTYPE}{_SP}{_NAME_STRICT}{_SP}{_NUM}"
    rf"|{_DE_STREET}{_SP}{_NUM}"
    rf"|{_EN_NUMBER}{_SP}(?:{_EN_TOKEN}{_SP}){{1,3}}(?i:{_EN_STREET_TYPES})(?![^\W_])"
    rf"(?:{_SP}{_DIRECTION}(?![^\W_]))?)"
)
_STREET_ONLY_CONTEXT = re.compile(
    r"(?i)(?<![^\W_])(?:live[sd]?|living|reside[sd]?|residing|located|situated|based"
    r"|address(?:e|es)?|adresse|domicile|domicilié|domiciliée|demeurant|habite|habites|habitons"
    r"|habitez|habitent|vis|vit|vivons|situé|située|ship|deliver|livr\w{0,6}|send|envoy\w{0,6}"
    r"|wohne|wohnt|wohnhaft|abito|abita|indirizzo|moved|déménagé|déménagée|home)(?![^\W_])"
)


def _score(match: re.Match[str]) -> float:
    if match.group("eu") is not None or match.group("box") or match.group("box_en"):
        return SCORE_FULL_WEAK
    uk = match.group("uk")
    if uk is not None and not re.search(r"\d", uk):
        return SCORE_FULL_WEAK
    return SCORE_FULL


class AddressRecognizer:
    name = "address"
    entities = (ENTITY,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        full: list[tuple[int, int]] = []
        for match in _FULL.finditer(text):
            start, end = match.span()
            full.append((start, end))
            yield Span(ENTITY, start, end, _score(match), PRIORITY)
        for match in _STREET_ONLY.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in full):
                continue
            if context_before(text, start, _STREET_ONLY_CONTEXT, window=40):
                yield Span(ENTITY, start, end, SCORE_STREET_ONLY, PRIORITY)


RECOGNIZERS: list[Recognizer] = [AddressRecognizer()]
