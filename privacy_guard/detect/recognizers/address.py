"""Full postal addresses (France, Switzerland, United Kingdom, United States) as LOCATION.

A full address is a street line followed by a locality line (postcode and city, in the order
the country uses), optionally a country name; the span covers all of it. Street lines pair only
with the locality formats of their own countries, so that "Chapter 3 Results 2019 Revenue"
cannot pass for an address. A street line alone counts (lower score) when a phrase such as
"I live at" or "j'habite au" precedes it.

Every quantifier is bounded, words are atomic and keyword lists are prefix trees, so matching
is linear in the length of the text; the full pattern only runs near a postcode-like anchor.
Names must be capitalised, except in French street lines after a house number and French cities
after a five-digit postcode ("12 rue de la paix 75002 paris"); an all-lower-case English address
is not found.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from privacy_guard.detect.recognizers._word_index import (
    left_bounded,
    lowered,
    occurrences,
    scan_at,
)
from privacy_guard.detect.recognizers.base import Recognizer, context_before
from privacy_guard.detect.recognizers.wordtrie import trie_pattern
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
# A capitalised word, with an optional elided article ("l'Hôpital", "d'Alésia"). Words are atomic
# groups: a word never gives characters back, which keeps failing attempts cheap.
_CAPWORD = rf"(?>(?:[dlDL]['’])?[{_UPPER}]{_WORD_TAIL})"
_WORD = rf"(?>(?:[dlDL]['’])?[^\W\d_]{_WORD_TAIL})"


def _one_of(words: str) -> str:
    """A non-capturing regex for "|"-separated literal words, as a prefix tree (fast to try)."""
    return "(?:" + trie_pattern(words.split("|"), space=_SP) + ")"


_PARTICLE = _one_of(
    "de|du|des|la|le|les|di|da|del|della|dei|degli|delle|dello|van|von|der|den|am|an|im"
    "|zum|zur|et|sur|sous|aux|au|en|à|of|the|and|près"
)
_PARTICLES = rf"(?:{_PARTICLE}{_SP}){{0,3}}"
# A date in a street name: "rue du 4 Septembre", "place du 8-Mai-1945".
_DATE = (
    r"\d{1,2}(?:er)?[ \t-](?i:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout"
    r"|septembre|octobre|novembre|décembre|decembre)(?:[ \t-]\d{4})?(?![^\W_])"
)
# Street names: capitalised words with particles between them; the loose form (after a house
# number, where the rest of the pattern carries the evidence) takes any words, particles included.
_NAME_STRICT = (
    rf"{_PARTICLES}(?:{_CAPWORD}|{_DATE})(?:{_SP}{_PARTICLES}(?:{_CAPWORD}|{_DATE})){{0,4}}"
)
_NAME_LOOSE = rf"(?:{_WORD}|{_DATE})(?:{_SP}(?:{_WORD}|{_DATE})){{0,7}}"
_NAME_SHORT = rf"(?:{_NAME_STRICT}|{_PARTICLES}{_WORD})"

_NUM = r"\d{1,5}(?:-\d{1,5})?(?:[ \t]?(?i:bis|ter|quater)(?![^\W_])|[A-Za-z](?![^\W_]))?"

# Street types written before the name (French, Italian, and French-speaking Swiss usage).
_PREFIX_TYPES_WORDS = (
    "rue|ruelle|avenue|av.|ave|ave.|boulevard|bd|bd.|bld|bld.|blvd|blvd.|bvd|bvd.|chemin|ch.|allée"
    "|allee|impasse|imp.|place|pl.|quai|route|rte|rte.|cours|faubourg|fbg|fbg.|square|sq.|lieu-dit"
    "|lieudit|passage|villa|cité|cite|résidence|residence|hameau|sentier|voie|promenade"
    "|esplanade|parvis|rond-point|carrefour|chaussée|chaussee|montée|montee|traverse|clos|mail"
    "|venelle|rampe|quartier|domaine|lotissement|zac|za|zi|via|viale|piazza|piazzale|piazzetta"
    "|vicolo|corso|strada|contrada|largo|salita|lungolago|riva"
)
_PREFIX_TYPES = _one_of(_PREFIX_TYPES_WORDS)
_PTYPE = rf"(?<![^\W_])(?i:{_PREFIX_TYPES})(?![^\W_])"

# German street names: one compound word ("Bahnhofstrasse") or "<adjective> Strasse".
_DE_SUFFIXES = (
    "strasse|straße|gasse|gässli|gässchen|weg|platz|allee|ring|rain|halde|graben|quai|steig"
    "|stutz|matte|hof|markt"
)
# The whole word is read first, then its ending is checked (one look-behind per suffix), so a
# capitalised word that is not a street name costs one pass.
_DE_ENDS = "|".join(f"(?<={suffix})" for suffix in _DE_SUFFIXES.split("|"))
_DE_STREET = (
    rf"(?<![^\W_])(?:{_CAPWORD}{_SP})?"
    rf"(?:[{_UPPER}][^\W\d_]*+(?:{_DE_ENDS}|(?<=str)\.)"
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
# Between a postcode and its city: spaces, or a CSV cell boundary ("69002;Lyon").
_CELL = rf"(?:{_SP}|[ \t]*[,;][ \t]*)"
_EU_LOCALITY = (
    rf"(?:(?:BP|B\.P\.|CS|TSA){_SP}?\d{{1,6}}{_SEP})?"
    rf"(?:(?:F|FR|CH)[ \t]?-[ \t]?|(?:F|FR|CH){_SP})?"
    # A lower-case city ("75002 paris") only after a five-digit postcode: "1204 geneve" is too
    # close to "2019 was".
    rf"(?:\d{{5}}{_CELL}(?:{_CITY}|[^\W\d_]{{2,30}}(?![^\W_]))|[1-9]\d{{3}}{_CELL}{_CITY})"
    # "75008 Paris CEDEX 08", "1211 Genève 3", "(VD)".
    rf"(?:{_SP}(?i:cedex))?(?:{_SP}\d{{1,2}}(?!\d))?(?:[ \t]*\([A-Z]{{2}}\))?"
)

# English-speaking countries: the name words are capitalised, ordinals and abbreviations allowed.
_EN_TOKEN = rf"(?:{_CAPWORD}|\d{{1,3}}(?i:st|nd|rd|th))\.?"
_DIRECTION = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?"
_UNIT_WORDS = _one_of(
    "apt|apt.|apartment|suite|ste|ste.|unit|fl|fl.|floor|rm|rm.|room|bldg|bldg.|building"
)
_UNIT = rf"(?i:{_UNIT_WORDS})[ \t]*#?[ \t]*\w{{1,6}}|#[ \t]?\w{{1,6}}"
_EN_NUMBER = r"(?<![\d.,])\b\d{1,6}[A-Za-z]?(?:-\d{1,5})?(?:[ \t]*,)?"
_US_STATE_WORDS = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH"
    "|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|AS|FM|GU|MH|MP|PW|PR|VI"
    "|AA|AE|AP"
)
_US_STATES = _one_of(_US_STATE_WORDS)
_US_NAME_WORDS = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia"
    "|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts"
    "|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey"
    "|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania"
    "|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington"
    "|West Virginia|Wisconsin|Wyoming|District of Columbia|Puerto Rico"
)
_US_STATE_NAMES = _one_of(_US_NAME_WORDS)
_ZIP = r"\d{5}(?:-\d{4})?(?!\d)"
_US_CITY = rf"{_EN_TOKEN}(?:{_SP}{_EN_TOKEN}){{0,3}}"
_US_STATE_ZIP = rf"(?:{_US_STATES}|{_US_STATE_NAMES})\.?{_SP}{_ZIP}"
_US_LOCALITY = rf"{_US_CITY},?{_SP}{_US_STATE_ZIP}"
# Where the street name ends and the town begins is left open: the words between the house
# number and the state (or the UK postcode) are read as one run, which the engine walks once
# instead of trying every split of it.
_EN_RUN_WORD = rf"(?:{_EN_TOKEN}|{_PARTICLE}|upon|{_UNIT})"
_US_FULL = rf"{_EN_NUMBER}{_SP}(?:{_EN_RUN_WORD}{_SEP}){{2,11}}{_US_STATE_ZIP}"

# Every UK postcode shape: A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA, and GIR 0AA.
_UK_POSTCODE = r"(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)[ \t]?\d[A-Z]{2}(?![^\W_])"
_UK_UNIT_WORDS = _one_of("flat|apartment|apt|apt.|studio|unit|suite|room")
_UK_UNIT = rf"(?i:{_UK_UNIT_WORDS})[ \t]+\w{{1,4}}"
# At least two words (street and town): "Model 3 Performance SW1 2AB" has the shape of a
# street and postcode.
_UK_FULL = (
    rf"(?:(?P<uk_unit>{_UK_UNIT}){_SEP_STRONG}(?P<uk_number>{_EN_NUMBER}{_SP})?"
    rf"|{_EN_NUMBER}{_SP})"
    rf"(?:{_EN_RUN_WORD}{_SEP}){{2,10}}{_UK_POSTCODE}"
)

_MILITARY = (
    rf"(?:(?:PSC|CMR|Unit){_SP}\d{{1,5}},?{_SP}Box{_SP}\d{{1,5}}"
    rf"|(?:USS|USNS|USNV|USCGC){_SP}{_CAPWORD}(?:{_SP}{_CAPWORD}){{0,3}})"
    rf"{_SEP}(?:APO|FPO|DPO){_SP}(?:AA|AE|AP){_SP}{_ZIP}"
)

# A post-office box stands in for the street line.
_PO_BOX = (
    r"(?<![^\W_])(?:(?i:bo[iî]te postale|case postale|postfach|casella postale)|B\.?P\.?|CS|TSA)"
    rf"{_SP}?\d{{1,6}}"
)
_PO_BOX_EN = r"(?<![^\W_])(?i:p\.?[ \t]?o\.?[ \t]?box|post office box)[ \t]*\d{1,6}"

_COUNTRY_NAMES = _one_of(
    "france|suisse|switzerland|schweiz|svizzera|svizra|united kingdom|great britain|england"
    "|scotland|wales|northern ireland|united states|united states of america|deutschland"
    "|germany|italia|italy|belgique|belgium|luxembourg|monaco"
)
_COUNTRY_CODES = _one_of("UK|U.K.|USA|U.S.A.|US|U.S.")
_COUNTRY = rf"(?:(?i:{_COUNTRY_NAMES})|{_COUNTRY_CODES})(?![^\W_])"
_COUNTRY_TAIL = rf"(?:{_SEP}{_COUNTRY})?"

_FULL = re.compile(
    rf"(?:{_EU_STREET_NUM}{_SEP}{_EU_LOCALITY}"
    # Without a house number, a plain space before the postcode only with five digits: a
    # four-digit one could be a year ("Place Vendôme 2019 ...").
    rf"|(?P<eu>{_EU_STREET_NONUM})(?:{_SEP_STRONG}|{_SP}(?=\d{{5}}(?!\d))){_EU_LOCALITY}"
    rf"|{_US_FULL}"
    rf"|{_UK_FULL}"
    rf"|{_MILITARY}"
    rf"|(?P<box>{_PO_BOX}){_SEP_STRONG}{_EU_LOCALITY}"
    rf"|(?P<box_en>{_PO_BOX_EN}){_SEP_STRONG}(?:{_US_LOCALITY}|{_US_CITY}{_SEP}{_UK_POSTCODE}))"
    rf"{_COUNTRY_TAIL}"
)

# Street types: the USPS Publication 28 Appendix C1 suffix names (and their standard
# abbreviations, less the two-letter ones that are ordinary words: "Is", "Un", "Via"), and the UK's.
_USPS_C1 = (
    "alley|allee|aly|anex|annex|anx|arcade|arc|avenue|av|ave|avn|bayou|byu|beach|bch|bend|bnd"
    "|bluff|blf|bluffs|blfs|bottom|btm|boulevard|blvd|boul|branch|brnch|bridge|brg|brook|brk"
    "|brooks|brks|burg|burgs|bypass|byp|camp|canyon|cyn|cape|cpe|causeway|cswy|center|centre|ctr"
    "|centers|ctrs|circle|cir|circles|cirs|cliff|clf|cliffs|clfs|club|clb|common|cmn|commons"
    "|cmns|corner|cor|corners|cors|course|crse|court|ct|courts|cts|cove|cv|coves|cvs|creek|crk"
    "|crescent|cres|crest|crst|crossing|xing|crossroad|xrd|crossroads|xrds|curve|curv|dale|dam"
    "|divide|dvd|drive|dr|drives|drs|estate|est|estates|ests|expressway|expy|extension|ext"
    "|extensions|exts|fall|falls|fls|ferry|fry|field|fld|fields|flds|flat|flt|flats|flts|ford"
    "|frd|fords|frds|forest|frst|forge|frg|forges|frgs|fork|frk|forks|frks|fort|ft|freeway|fwy"
    "|garden|gdn|gardens|gdns|gateway|gtwy|glen|gln|glens|glns|green|grn|greens|grns|grove|grv"
    "|groves|grvs|harbor|harbour|hbr|harbors|hbrs|haven|hvn|heights|hts|highway|hwy|hill|hl"
    "|hills|hls|hollow|holw|inlet|inlt|island|isle|islands|iss|junction|jct|junctions|jcts|key"
    "|keys|kys|knoll|knl|knolls|knls|lake|lk|lakes|lks|land|landing|lndg|lane|ln|light|lgt"
    "|lights|lgts|loaf|lock|lck|locks|lcks|lodge|ldg|loop|mall|manor|mnr|manors|mnrs|meadow"
    "|mdw|meadows|mdws|mews|mill|mills|mls|mission|msn|motorway|mtwy|mount|mt|mountain|mtn"
    "|mountains|mtns|neck|nck|orchard|orch|oval|overpass|opas|park|parks|parkway|pkwy|parkways"
    "|pass|passage|psge|path|pike|pine|pne|pines|pnes|place|pl|plain|pln|plains|plns|plaza|plz"
    "|point|pt|points|pts|port|prt|ports|prts|prairie|radial|radl|ramp|ranch|rnch|rapid|rpd"
    "|rapids|rpds|rest|rst|ridge|rdg|ridges|rdgs|river|riv|road|rd|roads|rds|route|rte|row|rue"
    "|run|shoal|shl|shoals|shls|shore|shr|shores|shrs|skyway|skwy|spring|spg|springs|spgs|spur"
    "|spurs|square|sq|squares|sqs|station|sta|stravenue|stra|stream|strm|street|st|streets|sts"
    "|summit|smt|terrace|ter|throughway|trwy|trace|trce|track|trak|trafficway|trfy|trail|trl"
    "|trailer|trlr|tunnel|tunl|turnpike|tpke|underpass|upas|union|unions|valley|vly|valleys"
    "|vlys|viaduct|vdct|view|vw|views|vws|village|vlg|villages|vlgs|ville|vista|vis|walk|walks"
    "|wall|way|ways|well|wl|wells|wls"
)
_UK_STREET_TYPES = (
    "close|rise|wharf|yard|parade|quay|embankment|approach|broadway|circus|vale|gate|wynd|brae"
    "|croft|chase|drove|fold|garth|nook|crescent|terrace|mews|grove|row|walk|green|hill"
)
_EN_STREET_TYPES = _one_of(
    "|".join(
        dict.fromkeys(
            word
            for words in (_USPS_C1, _UK_STREET_TYPES)
            for word in words.split("|")
            # Abbreviations may end in a dot ("Ave.", "Blvd."); a full word's dot ends the
            # sentence.
            for word in ((word, f"{word}.") if len(word) <= 4 else (word,))
        )
    )
)
_STREET_ONLY = re.compile(
    rf"(?:(?<![\d.,])\b{_NUM}(?:[ \t]*,)?{_SP}{_PTYPE}{_SP}{_NAME_SHORT}"
    rf"|{_PTYPE}{_SP}{_NAME_STRICT}{_SP}{_NUM}"
    rf"|{_DE_STREET}{_SP}{_NUM}"
    rf"|{_EN_NUMBER}{_SP}(?:{_EN_TOKEN}{_SP}){{1,3}}(?i:{_EN_STREET_TYPES})(?![^\W_])"
    rf"(?:{_SP}{_DIRECTION}(?![^\W_]))?)"
)
_CONTEXT_WORDS = (
    # English
    *("live", "lives", "lived", "living", "reside", "resides", "resided", "residing"),
    *("located", "situated", "based", "address", "addresses", "ship", "deliver", "send"),
    *("moved", "home", "near", "nearby", "tenant", "neighbour", "neighbor"),
    # French
    *("adresse", "domicile", "domicilié", "domiciliée", "demeurant", "habite", "habites"),
    *("habitons", "habitez", "habitent", "vis", "vit", "vivons", "situé", "située", "livrer"),
    *("livrez", "livraison", "livré", "livrée", "envoyer", "envoyez", "envoyé", "envoi"),
    *("déménagé", "déménagée", "emménager", "emménagé", "emménagée", "emménagés", "près"),
    *("proche", "voisin", "voisine", "locataire"),
    # German, Italian
    *("wohne", "wohnt", "wohnhaft", "abito", "abita", "indirizzo"),
)
_STREET_ONLY_CONTEXT = re.compile(rf"(?i)(?<![^\W_])(?:{trie_pattern(_CONTEXT_WORDS)})(?![^\W_])")
_CONTEXT_REACH = 40  # the street line starts at most this far after the context word

# Every full address holds one of these (postcode or ZIP); the full pattern runs only around
# them, which keeps long texts without addresses cheap.
_ANCHOR = re.compile(r"(?<!\d)\d{4,5}(?!\d)|(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)[ \t]?\d[A-Z]{2}")
_BEFORE_ANCHOR = 400
_AFTER_ANCHOR = 160
_LONGEST_STREET = 240

# The same anchors, found faster: `_ANCHOR`'s first branch is a whole run of four or five
# digits, and its second (a UK postcode, starting with a capital at most five characters before
# the digit that ends it) never shares a digit with such a run (its digits come at most three
# in a row, between capitals), so one scan that skips non-digits in C finds both kinds of hint:
# whole runs of four or more digits, and a digit followed by two capitals.
_ANCHOR_HINT = re.compile(r"\d(?:\d{3,}|[A-Z]{2})")
_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_UK_ANCHOR = re.compile(r"(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)[ \t]?\d[A-Z]{2}")
_UK_ANCHOR_LEAD = 5

# Where a `_FULL` or `_STREET_ONLY` match can start (`_Starts`). Every branch opens with one
# of: a house number (a digit not after a word character, "." or ","), a street type or
# post-office-box word after no letter or digit (`_WORD_KEYS`), a German street (any
# capitalised word before a `_GERMAN_NUMBER`), or a UK unit, "P.O." or military word (no
# boundary asked, so searched anywhere).
#
# A house number is followed by spaces (perhaps after a comma) and the next word, whichever
# branch reads it (`_NUM` or `_EN_NUMBER`, both loosened here); the empty group marks where
# that word starts. The look-ahead keeps the scan from consuming a number that a later "-"
# could start ("12-34 rue").
_NUMBER_HEAD = (
    r"\d+[A-Za-z]?(?:-\d+)?(?:[A-Za-z]|[ \t]?(?i:bis|ter|quater))?[ \t]*,?[ \t]+()(?:[^\W_]|#)"
)
_NUMBER_START = re.compile(rf"[^\w.,](?={_NUMBER_HEAD})")
_NUMBER_AT_START = re.compile(_NUMBER_HEAD)
_WORD_KEYS = tuple(
    dict.fromkeys(
        # The letters and digits a branch's first word starts with, lower-cased.
        re.match(r"[^\W_]+", word).group()  # type: ignore[union-attr]
        for word in (
            *_PREFIX_TYPES_WORDS.split("|"),
            *("boite", "boîte", "case", "casella", "postfach", "po", "post", "bp", "cs", "tsa"),
        )
    )
)
_CONTEXT_SET = frozenset(_CONTEXT_WORDS)
# One scan finds both those words and the street-only context words (all letters and digits:
# a hit inside an earlier hit follows a letter, so it could not start a word anyway, and the
# scan may skip it).
_KEY_START = re.compile(trie_pattern(sorted({*_WORD_KEYS, *_CONTEXT_WORDS})))
_ALNUM_RUN = re.compile(r"[^\W_]*")
# A German street is a word ending in one of these, then spaces and a house number.
_GERMAN_NUMBER = re.compile(
    rf"(?:{_DE_SUFFIXES}|str\.|Strasse|Straße|Gasse|Weg|Platz|Allee)[ \t]+\d"
)


def _merged(windows: Iterator[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in windows:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _score(match: re.Match[str]) -> float:
    if match.group("eu") is not None or match.group("box") or match.group("box_en"):
        return SCORE_FULL_WEAK
    if match.group("uk_unit") is not None and match.group("uk_number") is None:
        return SCORE_FULL_WEAK
    return SCORE_FULL


def _anchors(text: str) -> list[tuple[int, int]]:
    """`_ANCHOR.finditer(text)`'s spans, in order."""
    spans: list[tuple[int, int]] = []
    uk_starts: set[int] = set()
    for hit in _ANCHOR_HINT.finditer(text):
        start, end = hit.span()
        if end - start > 3:  # a whole run of four or more digits
            if end - start <= 5:
                spans.append((start, end))
        else:  # a digit and two capitals: a UK postcode's end, its start a capital before
            uk_starts.update(
                p for p in range(max(0, start - _UK_ANCHOR_LEAD), start) if text[p] in _CAPITALS
            )
    if uk_starts:
        spans.extend(m.span() for m in scan_at(_UK_ANCHOR, text, sorted(uk_starts)))
        spans.sort()
    return spans


class _Starts:
    """Sorted positions where a `_FULL` or `_STREET_ONLY` match can start, for one text."""

    def __init__(
        self, text: str, low: str, anchors: list[tuple[int, int]], keys: list[int]
    ) -> None:
        self._text = text
        words = [start for start in keys if low.startswith(_WORD_KEYS, start)]
        anywhere = occurrences(low, ("b.p",))
        if "box" in low:
            anywhere |= occurrences(low, _PO_BOX_KEYS)
        uk = any(text[start].isalpha() for start, _ in anchors)
        if uk:
            anywhere |= occurrences(low, _UK_UNIT_KEYS)
        if "PO" in text:  # APO, FPO, DPO
            anywhere |= occurrences(text, _MILITARY_KEYS)
        self._words = sorted({*words, *anywhere})
        # A full address led by a house number has a street type after it (continental
        # Europe), or a US state and ZIP or a UK postcode further on (`_US_FULL`, `_UK_FULL`):
        # without those, only numbers right before a street type word are tried.
        self._any_number = uk or any(_after_state(text, start, end) for start, end in anchors)
        self._numbers_before_words = (
            [] if self._any_number else sorted({n for w in words for n in self._numbers_to(w)})
        )
        # House numbers right after a German street word: the street may start at any
        # capitalised word before them (`within` adds those).
        self._german = [m.end() - 1 for m in _GERMAN_NUMBER.finditer(text)]

    def within(self, lo: int, hi: int, full: bool) -> list[int]:
        """The starts in [lo, hi) for `_FULL` (`full`) or `_STREET_ONLY`."""
        found = self._words[bisect_left(self._words, lo) : bisect_left(self._words, hi)]
        if full and not self._any_number:
            numbers = self._numbers_before_words
            found += numbers[bisect_left(numbers, lo) : bisect_left(numbers, hi)]
        else:
            found += self._numbers(lo, hi)
        index = bisect_left(self._german, lo)
        if index < len(self._german) and self._german[index] < hi:
            found += [m.start() for m in _CAPWORD_START.finditer(self._text, lo, hi)]
        return sorted(set(found))

    def _numbers(self, lo: int, hi: int) -> list[int]:
        """House numbers starting in [lo, hi)."""
        text = self._text
        found = [m.start() + 1 for m in _NUMBER_START.finditer(text, max(0, lo - 1), hi)]
        if lo == 0 and _NUMBER_AT_START.match(text):
            found.insert(0, 0)
        return found

    def _numbers_to(self, word: int) -> list[int]:
        """House numbers whose next word starts at `word`."""
        text = self._text
        end = word
        while end > 0 and text[end - 1] in " \t":  # `_NUMBER_HEAD`'s "[ \t]*,?[ \t]+"
            end -= 1
        if end == word:
            return []
        if end > 0 and text[end - 1] == ",":
            end -= 1
            while end > 0 and text[end - 1] in " \t":
                end -= 1
        # What is left of `_NUMBER_HEAD` before the spaces is at most this long: a house number
        # has six digits at most (a longer run fails `_NUM` and `_EN_NUMBER`).
        lo = max(0, end - _LONGEST_NUMBER)
        found = [
            m.start() + 1
            for m in _NUMBER_START.finditer(text, max(0, lo - 1), word + 1)
            if m.start(1) == word
        ]
        head = _NUMBER_AT_START.match(text, 0, word + 1) if lo == 0 else None
        if head is not None and head.start(1) == word:
            found.append(0)
        return found


_LONGEST_NUMBER = 24  # "123456a-12345 quater"
_PO_BOX_KEYS = ("p.o", "p o", "p\to", "p. o", "p.\to")  # "P.O. Box", "P O Box"
_UK_UNIT_KEYS = ("flat", "apartment", "apt", "studio", "unit", "suite", "room")
_MILITARY_KEYS = ("PSC", "CMR", "Unit", "USS", "USN", "USCGC")


def _after_state(text: str, start: int, end: int) -> bool:
    """Whether an anchor may be a ZIP after a US state (`_US_STATE_ZIP`): five digits after
    spaces after a state code or the last word of a state name (perhaps with a dot)."""
    if end - start != 5 or not text[start].isdigit():
        return False
    before = start
    while before > 0 and text[before - 1] in " \t":
        before -= 1
    if before == start:
        return False
    if text[before - 1] == ".":
        before -= 1
    return text.endswith(_STATE_ENDS, 0, before)


_STATE_ENDS = tuple(
    dict.fromkeys(
        name.rsplit(" ", 1)[-1]
        for name in (*_US_STATE_WORDS.split("|"), *_US_NAME_WORDS.split("|"))
    )
)

# Where a capitalised word (`_CAPWORD`) can start: a German street line's first word. Zero-width,
# so that "l'A" yields both the "l" and the "A".
_CAPWORD_START = re.compile(rf"(?<![^\W_])(?=[dlDL]['’]|[{_UPPER}])")


def _matches(
    pattern: re.Pattern[str], text: str, lo: int, hi: int, starts: _Starts | None
) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text, lo, hi)`, tried only where a match can start when known."""
    if starts is None:
        return pattern.finditer(text, lo, hi)
    return scan_at(pattern, text, starts.within(lo, hi, pattern is _FULL), lo, hi)


def _context_spans(text: str, low: str | None, keys: list[int]) -> Iterator[tuple[int, int]]:
    """`_STREET_ONLY_CONTEXT.finditer(text)`'s spans: whole words of `_CONTEXT_WORDS` (such a
    word starts at one of `keys`, the left-bounded hits of `_KEY_START`)."""
    if low is None:
        yield from (m.span() for m in _STREET_ONLY_CONTEXT.finditer(text))
        return
    for start in keys:
        end = _ALNUM_RUN.match(text, start).end()  # type: ignore[union-attr]
        if low[start:end] in _CONTEXT_SET:
            yield start, end


class AddressRecognizer:
    name = "address"
    entities = (ENTITY,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        low = lowered(text)
        # Where a street type, post-office-box or context word starts.
        keys = (
            [] if low is None else left_bounded(text, (m.start() for m in _KEY_START.finditer(low)))
        )
        starts: _Starts | None = None
        full_starts: list[int] = []
        full_ends: list[int] = []
        spans = _anchors(text)
        anchors = _merged(
            (max(0, start - _BEFORE_ANCHOR), end + _AFTER_ANCHOR) for start, end in spans
        )
        if anchors and low is not None:
            starts = _Starts(text, low, spans, keys)
        for lo, hi in anchors:
            for match in _matches(_FULL, text, lo, min(hi, len(text)), starts):
                full_starts.append(match.start())
                full_ends.append(match.end())
                yield Span(ENTITY, match.start(), match.end(), _score(match), PRIORITY)
        contexts = _merged(
            (start, end + _CONTEXT_REACH + _LONGEST_STREET)
            for start, end in _context_spans(text, low, keys)
        )
        if contexts and starts is None and low is not None:
            starts = _Starts(text, low, spans, keys)
        for lo, hi in contexts:
            for match in _matches(_STREET_ONLY, text, lo, min(hi, len(text)), starts):
                start, end = match.span()
                # Full spans never overlap each other: the first one ending after `start` decides.
                index = bisect_right(full_ends, start)
                if index < len(full_starts) and full_starts[index] < end:
                    continue
                if context_before(text, start, _STREET_ONLY_CONTEXT, window=_CONTEXT_REACH):
                    yield Span(ENTITY, start, end, SCORE_STREET_ONLY, PRIORITY)


RECOGNIZERS: list[Recognizer] = [AddressRecognizer()]
