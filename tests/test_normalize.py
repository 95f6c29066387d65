"""The normalised text maps back to exact offsets in the original, whatever was inserted."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from privacy_guard.detect.normalize import normalize, sanitize

_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


def test_ascii_text_is_returned_as_is() -> None:
    norm = normalize("plain ascii 06 12 34 56 78")
    assert norm.is_identity
    assert norm.to_original(3, 9) == (3, 9)


def test_full_width_digits_and_invisible_characters() -> None:
    original = "tel ０６\u200b12\u00ad34 56 78 end"
    norm = normalize(original)
    assert norm.text == "tel 061234 56 78 end"
    start = norm.text.index("06")
    end = norm.text.index(" end")
    mapped = norm.to_original(start, end)
    assert original[mapped[0] : mapped[1]] == "０６\u200b12\u00ad34 56 78"


def test_text_of_only_invisible_characters() -> None:
    norm = normalize("\u200b\u200b\u00ad")
    assert norm.text == ""


def test_ligature_expands_and_maps_to_whole_source_character() -> None:
    original = "ﬁle ok"
    norm = normalize(original)
    assert norm.text == "file ok"
    assert norm.to_original(0, 4) == (0, 3)
    assert norm.to_original(1, 2) == (0, 1)


def test_lone_surrogates_become_replacement_characters_of_the_same_length() -> None:
    text = "a\ud800b\udfffc"
    cleaned = sanitize(text)
    assert len(cleaned) == len(text)
    assert cleaned == "a\ufffdb\ufffdc"


_pieces = st.lists(
    st.one_of(
        st.text(alphabet="abc 0123456789éÉ", min_size=1, max_size=5), st.sampled_from(_INVISIBLE)
    ),
    max_size=20,
)


@given(_pieces, st.text(alphabet="0123456789", min_size=1, max_size=8), _pieces)
def test_a_value_surrounded_by_anything_maps_back_to_itself(
    before: list[str], value: str, after: list[str]
) -> None:
    # Insert invisible characters and full-width digits inside the value, then find it again.
    obfuscated = "".join(
        chr(ord(c) + 0xFEE0) + ("\u200b" if i % 2 else "") for i, c in enumerate(value)
    )
    original = "".join(before) + "[" + obfuscated + "]" + "".join(after)
    norm = normalize(original)
    marker = norm.text.index("[" + value + "]")
    start, end = norm.to_original(marker + 1, marker + 1 + len(value))
    assert normalize(original[start:end]).text == value
    # The mapped span starts on the value's first character and ends after its last digit.
    assert original[start] == chr(ord(value[0]) + 0xFEE0)
    assert original[end - 1] == chr(ord(value[-1]) + 0xFEE0)


def test_json_escapes_read_as_the_characters_they_stand_for() -> None:
    original = '{"note": "call\\n+41 79 123 45 67\\tok", "path": "C:\\\\new"}'
    norm = normalize(original)
    assert norm.text == '{"note": "call\n+41 79 123 45 67\tok", "path": "C:\\\\new"}'
    start = norm.text.index("+41")
    end = norm.text.index("\tok")
    assert original[slice(*norm.to_original(start, end))] == "+41 79 123 45 67"
    # A span over the break covers both characters of the escape.
    assert original[slice(*norm.to_original(start - 5, start))] == "call\\n"


@given(st.lists(st.sampled_from(["a", "1", " ", "\\n", "\\t", "\\\\", "é", "ｆ"]), max_size=40))
def test_escapes_and_rewrites_map_back_exactly(parts: list[str]) -> None:
    original = "".join(parts)
    norm = normalize(original)
    assert norm.to_original(0, len(norm.text)) == (0, len(original))
    # Every normalised character comes from a piece of the original, in order.
    pieces = [norm.to_original(i, i + 1) for i in range(len(norm.text))]
    assert all(a[1] <= b[0] for a, b in pairwise(pieces))
