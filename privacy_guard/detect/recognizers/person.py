"""PERSON by rules: titles, introductions, kinship, greetings and sign-offs, labelled fields,
name columns of pasted tables, and a given-name gazetteer. Runs in every language; the spaCy
NER (`ner.py`) adds what rules cannot see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from privacy_guard.detect.recognizers._word_index import (
    blanks_before_capital,
    lowered,
    scan_at,
)
from privacy_guard.detect.recognizers.wordtrie import literals, trie_pattern
from privacy_guard.detect.types import Span

ENTITY = "PERSON"
PRIORITY = 2

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zà-öø-ÿß"
# A capitalised name word ("Dupont", "O'Brien", "Jean-Luc") or an upper-case surname ("DUPONT").
# Gaelic and Norman prefixes put a capital inside the word: McAllister, MacLeod, O'Brien, D'Arcy.
_PREFIX = r"(?:Mc|Mac(?=[A-Z])|O['’]|D['’]|Fitz(?=[A-Z]))"
_CAP_WORD = (
    rf"(?:{_PREFIX}?[{_UPPER}][{_LOWER}]+(?:['’][{_UPPER}]?[{_LOWER}]+)?|[{_UPPER}]{{2,}})"
    rf"(?:-[{_UPPER}][{_LOWER}{_UPPER}]+)?"
)
_ANY_WORD = rf"[{_UPPER}{_LOWER}][{_LOWER}{_UPPER}'’]*(?:-[{_UPPER}{_LOWER}][{_LOWER}{_UPPER}]+)?"
_PARTICLE = r"(?i:de|du|des|da|di|del|della|van|von|der|den|le|la|dos|d['’]|bin|ben|al)"
_INITIAL = rf"[{_UPPER}]\."
_IS_PARTICLE = re.compile(rf"^{_PARTICLE}$")
# One to four name words (a middle initial allowed), on one line.
_NAME = rf"{_CAP_WORD}(?:(?:[ \t]+{_PARTICLE}){{0,2}}[ \t]+(?:{_INITIAL}[ \t]+)?{_CAP_WORD}){{0,3}}"
# After a strong cue people also write names in lower case ("titulaire : henriette da silva").
_NAME_ANY_CASE = (
    rf"{_ANY_WORD}(?:(?:[ \t]+{_PARTICLE}){{0,2}}[ \t]+(?:{_INITIAL}[ \t]+)?{_ANY_WORD}){{0,3}}"
)

_TITLES = (
    r"Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Lady|Lord|Mme|Mlle|Mmes|M|MM|Pr|Me|Herr|Herrn|Frau"
    r"|Sig|Sig\.ra|Dott|Dott\.ssa|Avv|Ing"
)
_TITLE_WORDS = (
    r"monsieur|madame|mademoiselle|ma[iî]tre|docteur|docteure|professeur|professeure|signor"
    r"|signora|signorina|dottore|dottoressa|mister|missus|doctor|professor|dott\.ssa|sig\.ra"
)
_TITLE_CHAIN = rf"(?:(?:\b(?:{_TITLES})\b\.?|(?i:\b(?:{_TITLE_WORDS})\b))[ \t]+)+"
_TITLE_NAME = re.compile(rf"{_TITLE_CHAIN}(?P<name>{_NAME})")
_TITLE_NAME_LOWER = re.compile(
    rf"(?i:\b(?:{_TITLE_WORDS}|mr|mrs|ms|mme)\.?)[ \t]+(?P<name>{_NAME_ANY_CASE})"
)

_STRONG_CUES = (
    r"my name is|my name's|call me|je m['’]appelle|mon nom est|moi c['’]est|ich heiße|ich heisse"
    r"|mein name ist|mi chiamo|il mio nome è|je suis|i am|i'm"
    r"|(?:mon|ma|my|notre|our|son|sa|his|her|mio|mia|mein|meine)[ \t]+(?:fils|fille|son|daughter"
    r"|mari|femme|épouse|époux|wife|husband|partner|partenaire|compagne|compagnon|frère|sœur|soeur"
    r"|brother|sister|père|mère|father|mother|colleague|collègue|ami|amie|friend|voisin|voisine"
    r"|neighbour|neighbor|patient|patiente|client|cliente|employé|employée|employee|boss|chef"
    r"|manager|figlio|figlia|marito|moglie|sohn|tochter|frau|mann|kollege|kollegin)"
)
_INTRO = re.compile(rf"(?i:\b(?:{_STRONG_CUES}))[ \t,:]+(?P<name>{_NAME_ANY_CASE})")
_LABELS = (
    r"name|full[ _]?name|first[ _]?name|last[ _]?name|surname|given[ _]?name|nom|prénom|prenom"
    r"|nom complet|nom et prénom|patient|patiente|employee|employé|employée|candidate|candidat"
    r"|author|auteur|owner|titulaire|holder|cardholder|account holder|assigned to|assignee"
    r"|requester|demandeur|demandeuse|signataire|beneficiary|bénéficiaire|de|from|to|à|cc|attn"
    r"|contact|destinataire|expéditeur|sender|recipient|vorname|nachname|nome|cognome"
)
_LABELLED = re.compile(
    rf"(?i:(?:^|[\n{{,;|\"'])[ \t]*[\"']?(?:{_LABELS})[\"']?)[ \t]*[:=][ \t]*[\"']?"
    rf"(?P<name>{_NAME_ANY_CASE})",
    re.MULTILINE,
)
# "Last name? Fischer", "What is your first name?\nHannah": a bare answer to a name question.
_ASKED_WORDS = (
    r"last[ _]?name|surname|family[ _]?name|first[ _]?name|given[ _]?name|full[ _]?name"
    r"|name|nom(?:[ \t]+de[ \t]+famille)?|pr[ée]nom|vorname|nachname|familienname|cognome"
    r"|nome"
)
_ASKED = re.compile(
    rf"(?i:\b(?:{_ASKED_WORDS}))[ \t]*\?"
    rf"[ \t]*(?:\r?\n[ \t]*(?:(?i:a|r|answer|r[ée]ponse|antwort)[ \t]*:[ \t]*)?)?"
    rf"(?P<name>{_NAME_ANY_CASE})"
)
# "Nora: Can you fix this?": a dialogue's speaker label at the start of a line.
_SPEAKER = re.compile(rf"^[ \t]*(?P<name>{_CAP_WORD}(?:[ \t]+{_CAP_WORD})?)[ \t]*:[ \t]+\S", re.M)
_GREETING_WORDS = (
    "dear|hi|hello|hey|bonjour|bonsoir|salut|coucou|cher|chère|liebe|lieber"
    "|hallo|grüezi|caro|cara|ciao|gentile|buongiorno"
)
_GREETING = re.compile(rf"(?i:\b(?:{_GREETING_WORDS}))[ \t]+(?P<name>{_NAME})")
_SIGN_OFF_WORDS = (
    "regards|best|cheers|thanks|thank you|sincerely|yours|cordialement|salutations"
    "|bien à (?:vous|toi)|bises|amitiés|merci|grüsse|grüße|gruss|saluti|cordiali saluti"
    "|a presto"
)
_SIGN_OFF = re.compile(
    rf"(?i:\b(?:{_SIGN_OFF_WORDS}))[,.!]?[ \t]*\r?\n"
    rf"[ \t]*(?P<name>{_NAME_ANY_CASE})[ \t]*(?:\r?\n|$)"
)
# Literal cues, one per alternative (multi-word cues hold single spaces).
_WEAK_WORDS = (
    "with",
    *("avec", "from", "de la part de", "on behalf of", "contact", "contacter", "ask"),
    *("demande à", "to", "à", "for", "pour", "by", "par", "cc", "and", "et", "or", "ou"),
    *("reach", "joindre", "appelle", "call", "von", "und", "oder", "e", "o"),
)
_WEAK_CUES = re.compile(rf"(?i:\b(?:{'|'.join(_WEAK_WORDS)}))[ \t]+(?P<name>{_NAME})")


def _cue_keys(*groups: tuple[str, tuple[str, ...]]) -> re.Pattern[str]:
    """A zero-width pattern, at every word start where a string of one group's (finite)
    alternations starts and that group's `follow` regex matches right after it. One prefix tree
    holds all groups (cheaper than one per group); each string ends with a placeholder
    character for its group's follow regex."""
    words: set[str] = set()
    for index, (_, alternations) in enumerate(groups):
        words.update(word + chr(index) for cue in alternations for word in literals(cue))
    tree = trie_pattern(sorted(words), space=r"[ \t]+")
    for index, (follow, _) in enumerate(groups):
        tree = tree.replace(chr(index), f"(?:{follow})")
    return re.compile(rf"\b(?={tree})")


# Where the cue patterns above can match, found without trying each of them at every position
# (see `_cue_starts`). On the lower-cased text, one zero-width scan finds every cue word followed
# by what its pattern needs next (a title word's space, a label's ":", a sign-off's line break).
_CUE_KEYS = _cue_keys(
    (r"[\"']?[ \t]*[:=?]", (_LABELS, _ASKED_WORDS)),
    (
        r"[ \t,:.!\r\n]",
        (rf"{_TITLE_WORDS}|mr|mrs|ms|mme", _STRONG_CUES, _SIGN_OFF_WORDS, _GREETING_WORDS),
    ),
)
# A title as `_TITLE_CHAIN` reads it (case kept), then what follows it there.
_TITLE_KEY = re.compile(rf"(?:{_TITLES})\b\.?[ \t]")
# Weak cues are everyday words ("to", "and", "e"): they are looked for only before the spaces
# that precede a capital letter (`blanks_before_capital`, `_UPPER`), where `_NAME` can start.
_WEAK_BY_LAST = {
    last: [word for word in _WEAK_WORDS if word.endswith(last)]
    for last in {word[-1] for word in _WEAK_WORDS}
}
_LABEL_OPENERS = "\n{,;|\"'"
_CAPITALISED = re.compile(rf"\b{_CAP_WORD}")
_SURNAME_AFTER = re.compile(
    rf"(?:(?:[ \t]+{_PARTICLE}){{0,2}}[ \t]+(?:{_INITIAL}[ \t]+)?{_CAP_WORD}){{1,3}}"
)
_LOWER_SURNAME_AFTER = re.compile(rf"[ \t]+(?:{_PARTICLE}[ \t]+)?(?P<last>[{_LOWER}]{{2,}})\b")
_UPPER_FIRST = re.compile(rf"\b(?P<name>[{_UPPER}]{{2,}}(?:-[{_UPPER}]{{2,}})?[ \t]+{_CAP_WORD})")
_NON_SPACE = re.compile(r"[^\s,;:!?()\"]+")
_SURNAME_FIRST = re.compile(rf"\b(?P<last>{_CAP_WORD})[ \t]+(?P<first>{_CAP_WORD})\b")
_PLACE_BEFORE = re.compile(
    r"(?i:\b(?:in|near|at|en|au|aux|dans|nach|vers|around|visit|visiter|san|santa|saint|sainte"
    r"|st|ste|port|fort|mount|lake|new|los|las|el)\.?\s+)$"
)
_ARTICLE_BEFORE = re.compile(r"(?i:\b(?:the|a|an|this|that|le|la|les|un|une|der|die|das)\s+)$")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"«(]\s*|\n\s*[-*•]\s*)$")

# Capitalised words that follow a title or cue but are not names.
NOT_NAMES = frozenset(
    """all everyone team sir madam madame monsieur messieurs mesdames tous toutes world there
    customer support client service the this that it and or but please thanks merci bonjour hello
    dear hi i you he she we they my your our his her their a an le la les un une des du de et ou
    mais je tu il elle nous vous ils elles mon ma mes ton ta son sa ses votre vos notre nos ce
    cette ces monday tuesday wednesday thursday friday saturday sunday january february march
    april june july august september october november december lundi mardi mercredi jeudi
    vendredi samedi dimanche janvier février mars avril mai juin juillet août septembre octobre
    novembre décembre street avenue road rue boulevard chemin place team équipe department
    office bureau company société inc ltd llc sa sarl sas gmbh ag group manager director
    directeur directrice admin administrator user utilisateur here ici today demain tomorrow
    yesterday hier english french français anglais german allemand italian italien spanish
    python java javascript sql linux windows docker kubernetes api json yaml http https ok yes
    no oui non good great happy sorry not is are am was est sont suis writing looking sure
    glad able going trying new just also still very really interested available lead senior
    junior head chief ceo cto cfo hr rh it dev devops ops qa ticket invoice facture order
    commande project projet meeting réunion mail email e-mail phone téléphone tel tél number
    numéro address adresse account compte card carte bank banque iban vat tva id ssn nir avs
    ahv uid siren siret code key token password mot passe secret data données file fichier
    vies rcs siège herr frau mr mrs ms mx dr prof mme mlle m mm me pr signor signora dott
    sig avv ing docteur professeur maître mademoiselle miss can could should would will did does do
    let ask tell send call write email reach contact meet""".split()
)
# Ordinary words (months, nationalities, virtues) that are also given names or surnames: "April
# Johnson", "Grace Miller", "Sarah English". Next to a known name they are names.
WORDLIKE_NAMES = frozenset(
    """april may june july august january grace hope faith joy rose summer dawn english french
    german irish scott welsh dutch england france england holland""".split()
)
# Given names that are better known as places; alone they are not taken for a person.
_PLACE_NAMES = frozenset(
    """Paris Milan Austin Florence Victoria Georgia Chelsea Sydney Dallas Lyon Geneva Jordan
    Adelaide Madison Orlando Denver Houston Charlotte Savannah Phoenix Vienna Siena Lourdes
    France Brighton Chester Lincoln Kent Devon Preston Camden Albany Eugene Nancy Florian
    Valence Lorraine Provence Océane Berlin Lausanne Sion Lugano Luzern Basel Zurich Bern""".split()
)


@lru_cache(maxsize=4)
def _names(filename: str) -> frozenset[str]:
    text = (
        resources.files("privacy_guard.detect")
        .joinpath(f"data/{filename}")
        .read_text(encoding="utf-8")
    )
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def first_names() -> frozenset[str]:
    return _names("first_names.txt")


def last_names() -> frozenset[str]:
    return _names("last_names.txt")


def ambiguous_first_names() -> frozenset[str]:
    return _names("ambiguous_first_names.txt")


@lru_cache(maxsize=1)
def _lower_given_pattern() -> re.Pattern[str]:
    # One trie regex instead of a set lookup per lower-case word: the regex engine walks the
    # text once in C.
    return re.compile(rf"\b(?:{trie_pattern(sorted(_lower_first_names()))})\b")


@lru_cache(maxsize=1)
def _known_names() -> frozenset[str]:
    return first_names() | last_names() | ambiguous_first_names()


@lru_cache(maxsize=1)
def _lower_first_names() -> frozenset[str]:
    return frozenset(n.lower() for n in first_names() if len(n) >= 4)


def _kept_words(text: str, start: int, end: int) -> list[re.Match[str]]:
    """The name's words, less leading and trailing words that are not names ("Team", "Sir")."""
    words = list(_NON_SPACE.finditer(text, start, end))
    if _wordlike_pair([w.group() for w in words], _known_names()):
        return words
    while words and words[-1].group().lower().strip("'’.") in NOT_NAMES:
        words.pop()
    while words and words[0].group().lower().strip("'’.") in NOT_NAMES:
        words.pop(0)
    return words


def trim_person(text: str, start: int, end: int) -> tuple[int, int] | None:
    """An NER PERSON span without leading or trailing non-name words ("Can Rebecca"), or None
    when it is not worth keeping: spaCy's small models call many capitalised words persons
    ("Rédige", "Fluent English", "Django")."""
    words = _kept_words(text, start, end)
    if not words:
        return None
    start, end = words[0].start(), words[-1].end()
    return (start, end) if plausible_person(text, start, text[start:end]) else None


def kept_alone(text: str, start: int, word: str, known: frozenset[str] | None = None) -> bool:
    """Whether one word alone at `start` passes as a name (NER's gate asks this before waking
    spaCy for a word with no capitalised neighbour: if not, whatever NER says is dropped)."""
    if word not in (known if known is not None else _known_names()) or word in _PLACE_NAMES:
        return False
    if _PLACE_BEFORE.search(text, max(0, start - 12), start):
        return False
    if _ARTICLE_BEFORE.search(text, max(0, start - 8), start):
        return False  # "the Grace period", "a Hope diamond": a name has no article
    return word in first_names() or not _at_sentence_start(text, start)


def plausible_person(text: str, start: int, value: str) -> bool:
    words = value.split()
    known = _known_names()
    if any(w.lower().strip(".") in NOT_NAMES for w in words) and not _wordlike_pair(words, known):
        return False
    if len(words) == 1:
        return kept_alone(text, start, words[0], known)
    if any(w in known for w in words):
        return True
    return all(w[0].isupper() and not w.isupper() for w in words)


def _wordlike_pair(words: list[str], known: frozenset[str]) -> bool:
    """Two capitalised words, one an ordinary word that is also a name ("April", "English"),
    the other a known name that is not an ordinary word: "April Johnson", "Sarah English"."""
    if len(words) != 2 or not all(w[:1].isupper() and not w.isupper() for w in words):
        return False
    lowered = [w.lower() for w in words]
    wordlike = [w in WORDLIKE_NAMES for w in lowered]
    if wordlike.count(True) != 1:
        return False
    other = words[wordlike.index(False)]
    return other in known and other.lower() not in NOT_NAMES


def _cue_starts(text: str, low: str) -> dict[re.Pattern[str], list[int]]:
    """For each cue pattern, positions (ascending) that include every position where it can
    match in `text` (`low` is its lower-cased copy, see `_word_index.lowered`).

    `_TITLE_NAME_LOWER`, `_INTRO`, `_ASKED`, `_SIGN_OFF` and `_GREETING` start with a cue word
    of `_CUE_KEYS` followed by what `_CUE_KEYS` asks after it; `_TITLE_NAME` with a title word
    (`_CUE_KEYS` again) or a title (`_TITLE_KEY`; inside one of its hits a title could only
    start after a letter, where `\b` fails, or after a dot, which lower case or a blank
    follows); `_LABELLED` a few characters before a label (`_CUE_KEYS`); `_WEAK_CUES` with a
    weak cue ending where blanks before a capital start.
    """
    keys = [m.start() for m in _CUE_KEYS.finditer(low)]
    titles = [m.start() for m in _TITLE_KEY.finditer(text)]
    labelled: set[int] = set()
    for key in keys:
        # `_LABELLED` starts at a line start or an opener, then spaces and perhaps a quote.
        for label in (key, key - 1) if key and text[key - 1] in "\"'" else (key,):
            start = label
            while start and text[start - 1] in " \t":
                start -= 1
            labelled.add(start)
            if start and text[start - 1] in _LABEL_OPENERS:
                labelled.add(start - 1)
    weak = {
        end - len(word)
        for end in blanks_before_capital(text)
        if low.endswith(_WEAK_WORDS, 0, end)
        for word in _WEAK_BY_LAST[low[end - 1]]
        if low.endswith(word, 0, end)
    }
    return {
        _TITLE_NAME: sorted({*keys, *titles}),
        _TITLE_NAME_LOWER: keys,
        _INTRO: keys,
        _LABELLED: sorted(labelled),
        _ASKED: keys,
        _SIGN_OFF: keys,
        _GREETING: keys,
        _WEAK_CUES: sorted(weak),
    }


_INNER_SEPARATOR = re.compile(r"[-'’]")
_BLANKS = frozenset(" \t")


def _prefixes_before_separators(word: str) -> list[str]:
    return [word[: inner.start()] for inner in _INNER_SEPARATOR.finditer(word)]


@lru_cache(maxsize=1)
def _given_or_ambiguous() -> frozenset[str]:
    return first_names() | ambiguous_first_names()


@lru_cache(maxsize=1)
def _gazetteer_words() -> frozenset[str]:
    """Every `_CAPITALISED` value without a hyphen that `_gazetteer` may keep: a given or
    ambiguous name, or a word-like name capitalised or in capitals (the only two shapes of a
    `_CAP_WORD` whose lower case is such a word)."""
    wordlike = {shape for word in WORDLIKE_NAMES for shape in (word.capitalize(), word.upper())}
    return _given_or_ambiguous() | wordlike


def _at_sentence_start(text: str, start: int) -> bool:
    return _SENTENCE_START.search(text, max(0, start - 4), start) is not None or start == 0


class PersonRuleRecognizer:
    name = "person_rules"
    entities = (ENTITY,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        given = first_names()
        low = lowered(text)
        starts = _cue_starts(text, low) if low is not None else None
        for pattern, score, needs_given in (
            (_TITLE_NAME, 0.85, False),
            (_TITLE_NAME_LOWER, 0.8, False),
            (_INTRO, 0.85, False),
            (_LABELLED, 0.8, False),
            (_ASKED, 0.8, False),
            (_SIGN_OFF, 0.75, False),
            (_GREETING, 0.75, True),
            (_WEAK_CUES, 0.75, True),
        ):
            if pattern is _ASKED and "?" not in text:
                continue  # the name question's mark: a substring test spares the scan
            if starts is None:
                matches = pattern.finditer(text)
            else:
                matches = scan_at(pattern, text, starts[pattern])
            for match in matches:
                span = self._cued_span(text, match, given if needs_given else None, score)
                if span is not None:
                    yield span
        capitalised = list(_CAPITALISED.finditer(text))
        yield from self._gazetteer(text, given, capitalised)
        yield from self._speakers(text, given)
        yield from self._lowercase_pairs(text)
        yield from self._surname_first(text, given, capitalised)

    @staticmethod
    def _cued_span(
        text: str, match: re.Match[str], given: frozenset[str] | None, score: float
    ) -> Span | None:
        words = _kept_words(text, match.start("name"), match.end("name"))
        if not words:
            return None
        first = words[0].group()
        if first[0].isupper():
            # "Zoé est joignable": a capitalised name ends at the first lower-case word.
            for index, word in enumerate(words[1:], start=1):
                if word.group()[0].islower() and not _IS_PARTICLE.match(word.group()):
                    words = words[:index]
                    break
        if len(words) == 1 and (len(first) < 2 or (first.isupper() and len(first) < 3)):
            return None
        if given is not None and first not in given:
            # Weak cues ("with", "to", "pour") need a known given name or a name-shaped pair.
            if len(words) < 2 or words[-1].group() not in last_names():
                return None
            score -= 0.1
        # A lower-case name after a cue must at least start with a known given name,
        # or be a single word after a title ("madame turpin").
        lower_unknown = not first[0].isupper() and first.lower() not in _lower_first_names()
        if lower_unknown and (len(words) > 1 or match.re is not _TITLE_NAME_LOWER):
            return None
        return Span(ENTITY, words[0].start(), words[-1].end(), score, PRIORITY)

    @staticmethod
    def _gazetteer(
        text: str, given: frozenset[str], capitalised: list[re.Match[str]]
    ) -> Iterator[Span]:
        """A known given name, followed by surname words or standing alone mid-sentence
        (`capitalised`: the matches of `_CAPITALISED` in `text`)."""
        ambiguous = ambiguous_first_names()
        surnames = last_names()
        known_heads = _given_or_ambiguous()
        maybe_names = _gazetteer_words()
        for word in capitalised:
            value = word.group()
            # Most capitalised words are no name: two set lookups settle them (what the test
            # below would decide too).
            if value not in maybe_names and (
                "-" not in value or value.split("-", 1)[0] not in known_heads
            ):
                continue
            head = value.split("-", 1)[0]  # "Jean-Luc", "Alphonse-Alfred": the first part decides
            wordlike = value.lower() in WORDLIKE_NAMES
            if (head not in given and head not in ambiguous and not wordlike) or (
                value.lower() in NOT_NAMES and not wordlike
            ):
                continue
            end = word.end()
            after = _SURNAME_AFTER.match(text, end)
            if after is not None:
                for part in _NON_SPACE.finditer(text, after.start(), after.end()):
                    if _IS_PARTICLE.match(part.group()):
                        continue
                    lowered = part.group().lower().strip(".")
                    if lowered in NOT_NAMES and not (
                        lowered in WORDLIKE_NAMES and end == word.end() and not wordlike
                    ):
                        break  # "Sarah English" yes, "Sarah Team" no
                    end = part.end()
            # "Grace Baumgartner" yes, "Grace period" no: the surname must be a known one.
            if (head in ambiguous or wordlike) and (
                end == word.end() or text[word.end() : end].split()[-1] not in surnames
            ):
                continue
            if end > word.end():
                yield Span(ENTITY, word.start(), end, 0.75, PRIORITY)
            elif (
                not _at_sentence_start(text, word.start())
                and value not in _PLACE_NAMES
                and not _PLACE_BEFORE.search(text, max(0, word.start() - 12), word.start())
            ):
                yield Span(ENTITY, word.start(), end, 0.6, PRIORITY)

    @staticmethod
    def _speakers(text: str, given: frozenset[str]) -> Iterator[Span]:
        """Dialogue speaker labels: a known given name, or any name-shaped label when two or
        more different speakers take turns ("Nora: …\nTom: …")."""
        if ": " not in text and ":\t" not in text:
            return  # a speaker label's colon is followed by a space or tab
        labels = [m for m in _SPEAKER.finditer(text) if m["name"].lower() not in NOT_NAMES]
        turns = {m["name"] for m in labels}
        known = _known_names()
        for m in labels:
            first = m["name"].split()[0]
            if first in given or (
                len(turns) >= 2 and (first in known or m["name"].split()[-1] in known)
            ):
                yield Span(ENTITY, m.start("name"), m.end("name"), 0.75, PRIORITY)

    @staticmethod
    def _lowercase_pairs(text: str) -> Iterator[Span]:
        """ "jean dupont": a known given name followed by a known family name, all lower case."""
        surnames = last_names()
        for word in _lower_given_pattern().finditer(text):
            after = _LOWER_SURNAME_AFTER.match(text, word.end())
            if after is None:
                continue
            last = after.group("last")
            if last.capitalize() in surnames and last not in NOT_NAMES:
                yield Span(ENTITY, word.start(), after.end(), 0.6, PRIORITY)

    @staticmethod
    def _surname_first(
        text: str, given: frozenset[str], capitalised: list[re.Match[str]]
    ) -> Iterator[Span]:
        """ "Brun Marie", "DUPONT Jean": a known family name, then a known given name."""
        # Both words of a `_SURNAME_FIRST` match start where `_CAPITALISED` matched, or (the
        # first) after a hyphen or apostrophe inside such a match. The given name, after spaces,
        # is one of those matches, or its part before a hyphen or apostrophe when a word
        # character follows the whole match: with none of those a known given name, no match
        # can count and none is looked for.
        words = {m.group() for m in capitalised}
        # Letters only, or letters with hyphens and apostrophes (`_CAP_WORD`).
        joined = [m for m in capitalised if not m.group().isalpha()]
        if words.isdisjoint(given) and not any(
            part in given for m in joined for part in _prefixes_before_separators(m.group())
        ):
            return
        # The family name is the whole `_CAPITALISED` match (a shorter reading ends before a
        # hyphen or apostrophe, not before spaces); after a separator inside one, any reading.
        starts = {m.start() for m in capitalised if text[m.end() : m.end() + 1] in _BLANKS}
        for m in joined:
            inner = _INNER_SEPARATOR.finditer(m.group())
            starts.update(m.start() + separator.end() for separator in inner)
        surnames = last_names()
        for match in scan_at(_SURNAME_FIRST, text, sorted(starts)):
            last, first = match.group("last"), match.group("first")
            if first in given and (last in surnames or last.capitalize() in surnames):
                yield Span(ENTITY, match.start(), match.end(), 0.7, PRIORITY)


RECOGNIZERS = [PersonRuleRecognizer()]
