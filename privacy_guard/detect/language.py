"""Which spaCy pipelines a text needs: English, French, both (mixed) or none (other languages).

Counting frequent function words is enough to tell English from French on prompts as short as a
few words, costs microseconds and needs no model; German and Italian are recognised so they are
not forced through an English or French NER model (they still get every pattern recognizer).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_WORDS = {
    "en": """the a an and or but of to in on at for with from by about as is are was were be been
        being have has had do does did will would can could should may might must i you he she it
        we they me him her us them my your his its our their this that these those what which who
        whom whose where when why how not no yes please thanks thank hi hello dear regards there
        here if then than so because just also any all some into out up down over under again
        write rewrite summarize summarise translate explain help make give tell""",
    "fr": """le la les un une des du de et ou mais donc car ni est sont était étaient être avoir
        ai as avons avez ont je tu il elle nous vous ils elles me te se moi toi lui leur leurs mon
        ma mes ton ta tes son sa ses notre nos votre vos ce cet cette ces qui que quoi dont où
        quand comment pourquoi pas ne plus très bien merci bonjour bonsoir salut cordialement
        madame monsieur avec pour par sur dans chez sans sous entre vers au aux si alors aussi
        peux peut pouvez voici voilà écris rédige résume traduis explique aide fais donne""",
    "de": """der die das und oder aber ist sind war waren sein haben hat ich du er sie es wir ihr
        mich dich sich mein meine meinen meinem meiner dein deine sein seine ihre ihren unser
        unsere euer nicht kein keine mit für von zu auf bei nach aus
        über unter bitte danke hallo sehr geehrte grüsse grüße freundlichen ein eine einen dem
        den des wie was wer wo warum wann auch noch schon""",
    "it": """il lo gli le un una uno di da in con su per tra fra che chi cui non sono sei siamo
        siete era erano essere avere ho hai abbiamo avete hanno io tu lui lei noi voi loro mio
        mia miei tuo tua suo sua nostro vostro questo questa quello quella come dove quando perché
        grazie ciao buongiorno buonasera cordiali saluti gentile signor signora anche della delle
        degli dello nel nella""",
}
_LEXICON: dict[str, frozenset[str]] = {
    lang: frozenset(words.split()) for lang, words in _WORDS.items()
}
FUNCTION_WORDS: frozenset[str] = frozenset().union(*_LEXICON.values())
# French elisions (l', d', j', qu', n', s', c', m', t') are a strong French signal.
_ELISION = re.compile(r"\b(?:[ldjnsmtc]|qu)['’][a-zàâäéèêëîïôöùûüç]", re.IGNORECASE)
_TOKEN = re.compile(r"[a-zàâäéèêëîïôöùûüçß]+", re.IGNORECASE)
_FRENCH_LETTERS = re.compile(r"[àâéèêëîïôùûç]", re.IGNORECASE)
# Sampling bounds the cost on huge texts; 20 000 characters decide the language plainly.
_SAMPLE_CHARS = 20_000
# Below this, a text may be one short paragraph with no language signal of its own.
SHORT_TEXT = 400
# English and French prose run at 30-50 % function words; junk and data at almost none.
_MIN_PROSE_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str  # "en", "fr" or "other" (German, Italian, anything else)
    ner_languages: tuple[str, ...]  # the spaCy pipelines to run: ("en",), ("fr",), both, or ()


def detect_language(text: str) -> LanguageGuess:
    sample = text[:_SAMPLE_CHARS]
    counts, tokens = _counts(sample)
    if not counts:
        if len(sample) > SHORT_TEXT:
            # A long text without one English or French function word is not prose in
            # either language (code, data, another language): NER would only add noise.
            return LanguageGuess("other", ())
        # A name, an identifier, a fragment: run both pipelines, since recall matters more
        # than a few milliseconds on such short texts.
        return LanguageGuess("fr" if _FRENCH_LETTERS.search(sample) else "en", ("en", "fr"))
    if len(sample) > SHORT_TEXT and sum(counts.values()) < _MIN_PROSE_SHARE * tokens:
        # Words, but hardly any function words: junk, data or code rather than prose.
        return LanguageGuess("other", ())
    return _ranked(counts)


def segment_language(text: str, start: int = 0, end: int = -1) -> LanguageGuess | None:
    """The language of one segment of a text (a paragraph), or None when the segment alone
    does not say (no function word, or code and data with hardly any): the caller then goes by
    the whole text. Prompts mix an English question with a French e-mail and a block of code;
    deciding per segment runs one pipeline where the text is in one language."""
    end = len(text) if end < 0 else end
    counts, tokens = _counts(text[start : min(end, start + _SAMPLE_CHARS)])
    if not counts or sum(counts.values()) < _MIN_PROSE_SHARE * tokens:
        return None
    return _ranked(counts)


def _counts(sample: str) -> tuple[Counter[str], int]:
    """Function words per language (French elisions count double), and the number of words."""
    counts: Counter[str] = Counter()
    tokens = _TOKEN.findall(sample)
    for token in tokens:
        if len(token) < 2:  # "a", "e", "y": too common in code and junk to mean anything
            continue
        word = token.lower()
        for lang, lexicon in _LEXICON.items():
            if word in lexicon:
                counts[lang] += 1
    elisions = len(_ELISION.findall(sample))
    if elisions:
        counts["fr"] += 2 * elisions
    return counts, len(tokens)


def _ranked(counts: Counter[str]) -> LanguageGuess:
    ranked = counts.most_common()
    top, top_count = ranked[0]
    if top not in ("en", "fr"):
        return LanguageGuess("other", ())
    other = "fr" if top == "en" else "en"
    other_count = counts.get(other, 0)
    if other_count >= 2 and other_count >= 0.3 * top_count:
        return LanguageGuess(top, (top, other))
    return LanguageGuess(top, (top,))


def forced_language(language: str) -> LanguageGuess:
    """The caller said which language the text is in."""
    code = language.lower().split("-")[0].split("_")[0]
    if code in ("en", "fr"):
        return LanguageGuess(code, (code,))
    return LanguageGuess("other", ())
