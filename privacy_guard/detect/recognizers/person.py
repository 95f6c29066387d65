"""PERSON by rules: titles, introductions, greetings and sign-offs, labelled fields, and a
given-name gazetteer followed by a surname. Runs in every language; the spaCy NER adds the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from privacy_guard.detect.types import Span

ENTITY = "PERSON"
PRIORITY = 2

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zà-öø-ÿß"
# A capitalised name word ("Dupont", "O'Brien", "Jean-Luc") or an upper-case surname ("DUPONT").
_WORD = rf"(?:[{_UPPER}][{_LOWER}]+(?:['’][{_UPPER}]?[{_LOWER}]+)?|[{_UPPER}]{{2,}})(?:-[{_UPPER}][{_LOWER}{_UPPER}]+)?"
_PARTICLE = r"(?:de|du|des|da|di|del|della|van|von|der|den|le|la|dos|d['’]|bin|ben|al)"
# One to four name words, particles allowed between them; the same line only.
_NAME = rf"{_WORD}(?:(?:[ \t]+{_PARTICLE})?[ \t]+{_WORD}){{0,3}}"

_TITLES = (
    r"Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Sir|Dame|Lady|Lord|Mme|Mlle|Mmes|M|MM|Pr|Me|Monsieur|Madame"
    r"|Mademoiselle|Ma[iî]tre|Docteur|Professeur|Herr|Herrn|Frau|Sig|Sig\.ra|Signor|Signora"
    r"|Dott|Dott\.ssa"
)
_TITLE_NAME = re.compile(rf"\b(?:{_TITLES})\.?[ \t]+(?P<name>{_NAME})")

_INTRO_STRONG = re.compile(
    rf"(?i:\b(?:my name is|my name's|name is|call me|je m['’]appelle|mon nom est|moi c['’]est"
    rf"|ich heiße|ich heisse|mein name ist|mi chiamo|il mio nome è))[ \t]+(?P<name>{_NAME})"
)
_INTRO_WEAK = re.compile(
    rf"(?i:\b(?:i am|i'm|this is|je suis|c['’]est|ich bin|sono|signed|signé|written by|écrit par"
    rf"|de la part de|on behalf of|from|with|avec|contact|contacter|ask|demande à|to|à|for|pour"
    rf"|by|par|cc))[ \t]+(?P<name>{_NAME})"
)
_GREETING = re.compile(
    rf"(?i:\b(?:dear|hi|hello|hey|bonjour|bonsoir|salut|coucou|cher|chère|liebe|lieber"
    rf"|hallo|caro|cara|ciao|gentile))[ \t]+(?P<name>{_NAME})"
)
_SIGN_OFF = re.compile(
    rf"(?i:\b(?:regards|best|cheers|thanks|thank you|sincerely|yours|cordialement|salutations"
    rf"|bien à (?:vous|toi)|bises|amitiés|merci|grüsse|grüße|saluti|cordiali saluti))[,.!]?"
    rf"[ \t]*\r?\n[ \t]*(?P<name>{_NAME})[ \t]*(?:\r?\n|$)"
)
_LABELLED = re.compile(
    rf"(?i:\b(?:name|full[ _]name|first[ _]name|last[ _]name|surname|nom|prénom|prenom"
    rf"|nom complet|patient|patiente|employee|employé|employée|client|cliente|candidate"
    rf"|candidat|candidate|contact|author|auteur|owner|titulaire|assigned to|assignee"
    rf"|requester|demandeur|signataire|beneficiary|bénéficiaire|name_full))"
    rf"[\"']?[ \t]*[:=][ \t]*[\"']?(?P<name>{_NAME})"
)
_CAPITALISED = re.compile(rf"\b{_WORD}")
_SURNAME_AFTER = re.compile(rf"(?:(?:[ \t]+{_PARTICLE})?[ \t]+{_WORD}){{1,3}}")
_UPPER_FIRST = re.compile(rf"\b(?P<name>[{_UPPER}]{{2,}}(?:-[{_UPPER}]{{2,}})?[ \t]+{_WORD})")
_SPLIT = re.compile(r"[ \t]+")

# Capitalised words that follow a title or greeting but are not names.
_NOT_NAMES = frozenset(
    [
        "all", "everyone", "team", "sir", "madam", "madame", "monsieur", "messieurs", "mesdames",
        "tous", "toutes", "world", "there", "customer", "support", "client", "service", "the",
        "this", "that", "it", "and", "or", "but", "please", "thanks", "merci", "bonjour", "hello",
        "dear", "hi", "i", "you", "he", "she", "we", "they", "my", "your", "our", "his", "her",
        "their", "a", "an", "le", "la", "les", "un", "une", "des", "du", "de", "et", "ou", "mais",
        "je", "tu", "il", "elle", "nous", "vous", "ils", "elles", "mon", "ma", "mes", "ton", "ta",
        "son", "sa", "ses", "votre", "vos", "notre", "nos", "ce", "cette", "ces", "monday",
        "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
        "march", "april", "june", "july", "august", "september", "october", "november", "december",
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "janvier",
        "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre", "street", "avenue", "road", "rue", "boulevard", "chemin", "place",
        "team", "équipe", "department", "office", "bureau", "company", "société", "inc", "ltd",
        "llc", "sa", "sarl", "gmbh", "ag", "group", "manager", "director", "directeur",
        "directrice", "admin", "administrator", "user", "utilisateur", "here", "ici", "today",
        "demain", "tomorrow", "yesterday", "hier", "new", "york", "paris", "london", "genève",
        "geneva", "zurich", "lyon", "english", "french", "français", "anglais", "python", "java",
        "javascript", "sql", "linux", "windows", "docker", "kubernetes", "api", "json", "yaml",
        "http", "https", "ok", "yes", "no", "oui", "non", "good", "great", "happy", "sorry", "not",
        "is", "are", "am", "was",
    ]
)


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    text = (
        resources.files("privacy_guard.detect")
        .joinpath("data/first_names.txt")
        .read_text(encoding="utf-8")
    )
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


_NON_SPACE = re.compile(r"\S+")


def _kept_words(match: re.Match[str]) -> list[re.Match[str]]:
    """The name's words, less leading and trailing words that are not names ("Team", "Sir")."""
    words = list(_NON_SPACE.finditer(match.string, match.start("name"), match.end("name")))
    while words and words[-1].group().lower().strip("'’") in _NOT_NAMES:
        words.pop()
    while words and words[0].group().lower() in _NOT_NAMES:
        words.pop(0)
    return words


class PersonRuleRecognizer:
    name = "person_rules"
    entities = (ENTITY,)

    def find(self, text: str, language: str) -> Iterator[Span]:
        given = first_names()
        for pattern, score, needs_given in (
            (_TITLE_NAME, 0.85, False),
            (_INTRO_STRONG, 0.85, False),
            (_LABELLED, 0.8, False),
            (_SIGN_OFF, 0.75, False),
            (_GREETING, 0.75, True),
            (_INTRO_WEAK, 0.75, True),
        ):
            for match in pattern.finditer(text):
                span = self._span(match, given if needs_given else None, score)
                if span is not None:
                    yield span
        for word in _CAPITALISED.finditer(text):
            if word.group() in given:
                span = self._gazetteer_span(text, word, given)
                if span is not None:
                    yield span
        for match in _UPPER_FIRST.finditer(text):
            words = _SPLIT.split(match.group("name"))
            if words[-1] in given and words[0].lower() not in _NOT_NAMES and len(words[0]) > 2:
                yield Span(ENTITY, match.start("name"), match.end("name"), 0.75, PRIORITY)

    @staticmethod
    def _span(match: re.Match[str], given: frozenset[str] | None, score: float) -> Span | None:
        words = _kept_words(match)
        if not words:
            return None
        if given is not None and words[0].group() not in given:
            # Weak cues ("with", "to", "pour") need a known given name or a name-shaped pair.
            if len(words) < 2:
                return None
            score -= 0.1
        return Span(ENTITY, words[0].start(), words[-1].end(), score, PRIORITY)

    @staticmethod
    def _gazetteer_span(text: str, given_name: re.Match[str], given: frozenset[str]) -> Span | None:
        """A known given name followed by surname words: "Jean Dupont", "Anna van der Berg"."""
        after = _SURNAME_AFTER.match(text, given_name.end())
        if after is None:
            return None
        end = given_name.end()
        for word in _NON_SPACE.finditer(text, after.start(), after.end()):
            if word.group().lower() in _NOT_NAMES:
                break
            end = word.end()
        if end == given_name.end():
            return None
        return Span(ENTITY, given_name.start(), end, 0.75, PRIORITY)


RECOGNIZERS = [PersonRuleRecognizer()]
