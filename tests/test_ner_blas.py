"""NER multiplies with numpy's OpenBLAS, held to one thread while it runs (detect/blas.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from faker import Faker
from thinc.api import NumpyOps

from privacy_guard import Detector
from privacy_guard.detect import blas

pytestmark = pytest.mark.skipif(
    blas.ner_ops() is None, reason="numpy's BLAS here is not an OpenBLAS that can be held"
)


def _threads() -> int:
    return blas._numpy_openblas()._get()  # type: ignore[union-attr]


@pytest.fixture
def two_threads() -> Iterator[None]:
    """OpenBLAS at two threads for the test (as numpy sets it on a 2-core machine), then back."""
    guard = blas._numpy_openblas()
    assert guard is not None
    before = guard._get()
    guard._set(2)
    yield
    guard._set(before)


def test_one_thread_while_held_and_the_setting_put_back_after(two_threads: object) -> None:
    assert _threads() == 2
    with blas.one_blas_thread():
        assert _threads() == 1
    assert _threads() == 2


def test_put_back_only_when_the_last_concurrent_call_ends(two_threads: object) -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, int] = {}

    def first() -> None:
        with blas.one_blas_thread():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with blas.one_blas_thread():
            second_in.set()
            first_out.wait(5)
            seen["after the first left"] = _threads()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen["after the first left"] == 1
    assert _threads() == 2


def test_held_from_any_thread(two_threads: object) -> None:
    """NER runs in whichever worker thread the gateway hands it to."""
    seen = []

    def worker() -> None:
        with blas.one_blas_thread():
            seen.append(_threads())

    for _ in range(3):
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(10)
    assert seen == [1, 1, 1]
    assert _threads() == 2


def test_an_exception_inside_still_puts_the_setting_back(two_threads: object) -> None:
    with pytest.raises(RuntimeError), blas.one_blas_thread():
        raise RuntimeError("boom")
    assert _threads() == 2


def test_the_loaded_pipelines_multiply_with_numpy() -> None:
    detector = Detector()
    for language in ("en", "fr"):
        nlp = detector._ner.pipeline(language)
        for _, component in nlp.pipeline:
            for layer in component.model.walk():
                assert isinstance(layer.ops, NumpyOps)
                assert layer.ops.use_blis is False


@pytest.mark.parametrize("locale,language", [("en_GB", "en"), ("fr_FR", "fr")])
def test_numpy_and_blis_find_the_same_entities(locale: str, language: str) -> None:
    """Floating-point sums differ in their last bits between BLIS and OpenBLAS; the entities
    must not."""
    fake = Faker(locale)
    Faker.seed(20261204)
    sentences = [
        f"{fake.sentence(nb_words=6)} {fake.name()} {fake.sentence(nb_words=5)} "
        f"{fake.city()}, {fake.name()}."
        for _ in range(40)
    ]
    nlp = Detector()._ner.pipeline(language)
    layers = [layer for _, component in nlp.pipeline for layer in component.model.walk()]
    numpy_ops = layers[0].ops

    def entities() -> list[tuple[str, int, int]]:
        with blas.one_blas_thread():
            docs = nlp.pipe(sentences)
            return [(e.label_, e.start_char, e.end_char) for doc in docs for e in doc.ents]

    with_numpy = entities()
    try:
        for layer in layers:
            layer.ops = NumpyOps()  # thinc's default: BLIS
        with_blis = entities()
    finally:
        for layer in layers:
            layer.ops = numpy_ops
    assert len(with_numpy) >= 40
    assert with_numpy == with_blis
