"""An in-memory LRU of scan results, keyed by a digest of the text, never the text itself.

Chat clients resend the whole conversation every turn; with the cache, turn 20 pays detection
only for its new message. Entries hold offsets and scores, no text, and nothing goes to disk.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from privacy_guard.detect.types import Finding


def content_key(fingerprint: str, text: str, language: str | None) -> bytes:
    digest = hashlib.blake2b(digest_size=20)
    digest.update(fingerprint.encode())
    digest.update(b"\0" + (language or "").encode() + b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.digest()


class ResultCache:
    def __init__(self, max_entries: int) -> None:
        self._max = max_entries
        self._entries: OrderedDict[bytes, tuple[Finding, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: bytes) -> tuple[Finding, ...] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: bytes, findings: tuple[Finding, ...]) -> None:
        if self._max <= 0:
            return
        with self._lock:
            self._entries[key] = findings
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
