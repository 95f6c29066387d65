"""Regenerate detect/data/first_names.txt and last_names.txt from Faker's person providers (MIT).

Run by hand when the list should change; the package ships the file and never imports Faker.
"""

from __future__ import annotations

from pathlib import Path

from faker import Faker

LOCALES = [
    "en_US",
    "en_GB",
    "en_CA",
    "en_IE",
    "en_AU",
    "fr_FR",
    "fr_CH",
    "fr_BE",
    "fr_CA",
    "de_CH",
    "de_DE",
    "de_AT",
    "it_CH",
    "it_IT",
    "nl_BE",
    "nl_NL",
    "es_ES",
    "pt_PT",
]
# Capitalised at the start of a sentence, these are more often words than names.
AMBIGUOUS = {
    "Will",
    "May",
    "Mark",
    "Page",
    "Art",
    "Bill",
    "Guy",
    "Hope",
    "Faith",
    "Joy",
    "Grace",
    "Summer",
    "Rose",
    "Sunny",
    "Story",
    "Young",
    "Else",
    "Alle",
    "Ella",
    "Dean",
    "Major",
    "Marine",
    "Merci",
    "Rich",
    "Chance",
    "Honor",
    "Justice",
    "Case",
    "Star",
    "Golden",
    "Sky",
    "Autumn",
    "Ocean",
    "Angel",
    "Dawn",
    "Eve",
    "Gay",
    "Lane",
    "Glen",
    "Heath",
    "Cliff",
    "Reed",
    "Wade",
}


def main() -> None:
    first: set[str] = set()
    last: set[str] = set()
    for locale in LOCALES:
        provider = next(
            p for p in Faker(locale).providers if p.__provider__ == "faker.providers.person"
        )
        for attribute in ("first_names", "first_names_male", "first_names_female"):
            first.update(getattr(provider, attribute, ()) or ())
        last.update(getattr(provider, "last_names", ()) or ())
    data = Path(__file__).parent.parent / "privacy_guard/detect/data"
    _write(data / "first_names.txt", "Given names", first - AMBIGUOUS)
    _write(data / "ambiguous_first_names.txt", "Given names that are also words", AMBIGUOUS)
    _write(data / "last_names.txt", "Family names", last)


def _write(target: Path, what: str, names: set[str]) -> None:
    kept = sorted(n for n in names if n.replace("-", "").replace("'", "").isalpha())
    header = f"# {what}, from Faker's person providers (MIT); see scripts/build_name_lists.py\n"
    target.write_text(header + "\n".join(kept) + "\n", encoding="utf-8")
    print(f"{len(kept)} names → {target}")


if __name__ == "__main__":
    main()
