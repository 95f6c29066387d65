"""The model catalog: every model a prompt may be sent to, and how far it is from home.

Catalog files are YAML with a `models:` list. The shipped entries (`models/` at the top of the
repository, see privacy_guard/shipped.py) come first; a deployment's files add entries or replace
shipped ones by name. Within one layer (shipped, or the deployment's), two entries with the same
name are an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from privacy_guard.errors import CatalogError, ConfigFileError, Issue, UnknownModelError
from privacy_guard.shipped import SHIPPED_MODELS
from privacy_guard.yamlsource import YamlDocument, display_path, read_yaml, validation_issues


class Access(StrEnum):
    """How a model is reached. `local*` runs on the organisation's own infrastructure."""

    SAAS_API = "saas-api"
    HF_INFERENCE = "hf-inference"
    LOCAL = "local"
    LOCAL_QUANTIZED = "local-quantized"

    @property
    def is_local(self) -> bool:
        return self in (Access.LOCAL, Access.LOCAL_QUANTIZED)


class Egress(StrEnum):
    """How a request leaves for the target.

    `litellm` (the default) translates the OpenAI-shaped request into the provider's own API.
    `openai-compatible` is for targets whose API *is* OpenAI's (OpenAI, vLLM, llama.cpp's server,
    ...): the request is relayed as the client wrote it — redacted — without litellm's
    translation, which there is an identity that costs milliseconds per request and per chunk.
    """

    LITELLM = "litellm"
    OPENAI_COMPATIBLE = "openai-compatible"


class WireApi(StrEnum):
    """A client-facing API a target's endpoint takes natively (a catalog entry's `apis:`).

    A request in an API the target speaks is relayed as written (redacted); in any other it is
    translated (a Messages request to a local model's OpenAI chat API, ...). Every target accepts
    `openai-chat` requests one way or another: litellm translates them when needed.
    """

    OPENAI_CHAT = "openai-chat"  # /chat/completions, /completions, /embeddings
    ANTHROPIC_MESSAGES = "anthropic-messages"  # /messages, /messages/count_tokens
    OPENAI_RESPONSES = "openai-responses"  # /responses


# Where `openai-compatible` targets without `api_base` are sent, by litellm provider prefix.
DEFAULT_API_BASES: Mapping[str, str] = MappingProxyType({"openai": "https://api.openai.com/v1"})
# Where Messages requests for `anthropic/...` targets without `api_base` go (+ `/messages`).
ANTHROPIC_API_BASE = "https://api.anthropic.com/v1"


def default_apis(litellm_model: str, egress: Egress) -> tuple[WireApi, ...]:
    """What a target speaks when its entry does not say: OpenAI's chat API when relayed as
    OpenAI-compatible, Anthropic's Messages API for `anthropic/...` models."""
    if egress is Egress.OPENAI_COMPATIBLE:
        return (WireApi.OPENAI_CHAT,)
    if provider_of(litellm_model) == "anthropic":
        return (WireApi.ANTHROPIC_MESSAGES,)
    return ()


def provider_of(litellm_model: str) -> str:
    """litellm's provider prefix (`openai` of `openai/gpt-4o`); `openai` when there is none."""
    prefix, slash, _ = litellm_model.partition("/")
    return prefix if slash else "openai"


def upstream_model_of(litellm_model: str) -> str:
    """The model name the provider knows: `litellm_model` without its provider prefix."""
    prefix, slash, rest = litellm_model.partition("/")
    return rest if slash else prefix


@dataclass(frozen=True, slots=True)
class ModelTarget:
    name: str
    litellm_model: str
    access: Access
    jurisdiction: str
    api_base: str | None = None
    api_key_env: str | None = None
    egress: Egress = Egress.LITELLM
    # The wire APIs its endpoint takes natively (see WireApi).
    apis: tuple[WireApi, ...] = ()
    # Where the entry was written, for error messages and `policy explain`.
    source: str = field(default="", compare=False)

    @property
    def is_local(self) -> bool:
        return self.access.is_local

    @property
    def provider(self) -> str:
        return provider_of(self.litellm_model)

    @property
    def upstream_model(self) -> str:
        return upstream_model_of(self.litellm_model)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "litellm_model": self.litellm_model,
            "access": self.access.value,
            "jurisdiction": self.jurisdiction,
            "api_base": self.api_base,
            "api_key_env": self.api_key_env,
            "egress": self.egress.value,
            "apis": [api.value for api in self.apis],
        }


_Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$", max_length=128)]
_Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
_EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class _EntrySchema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: _Name
    litellm_model: _Text
    access: Access
    jurisdiction: _Text
    api_base: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    api_key_env: _EnvName | None = None
    egress: Egress = Egress.LITELLM
    apis: Annotated[list[WireApi], Field(max_length=8)] | None = None

    @property
    def provider(self) -> str:
        return provider_of(self.litellm_model)

    @model_validator(mode="after")
    def _relay_needs_an_address(self) -> _EntrySchema:
        relayed = self.egress is Egress.OPENAI_COMPATIBLE
        if relayed and self.api_base is None and self.provider not in DEFAULT_API_BASES:
            raise ValueError(
                "`egress: openai-compatible` needs `api_base` (the URL that ends before "
                "`/chat/completions`); only `openai/...` models have a default"
            )
        return self


class _FileSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    models: Annotated[list[_EntrySchema], Field(min_length=1)]


@dataclass(frozen=True)
class Catalog:
    """Model targets by name, in the order they were defined."""

    targets: Mapping[str, ModelTarget]

    def __post_init__(self) -> None:
        object.__setattr__(self, "targets", MappingProxyType(dict(self.targets)))

    def get(self, name: str) -> ModelTarget:
        try:
            return self.targets[name]
        except KeyError:
            raise UnknownModelError(name, list(self.targets)) from None

    def __contains__(self, name: object) -> bool:
        return name in self.targets

    def __iter__(self) -> Iterator[ModelTarget]:
        return iter(self.targets.values())

    def __len__(self) -> int:
        return len(self.targets)

    def names(self) -> list[str]:
        return list(self.targets)


def catalog_files(path: Path) -> list[Path]:
    """The YAML files of a catalog folder (sorted), or the file itself."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def load_catalog(extra: Sequence[Path] = (), *, shipped: bool = True) -> Catalog:
    """The shipped entries (unless `shipped=False`) overridden and extended by `extra`.

    `extra` holds catalog files or folders. Raises CatalogError with every problem found.
    """
    catalog, issues = check_catalog(extra, shipped=shipped)
    if issues or catalog is None:
        raise CatalogError(issues)
    return catalog


def check_catalog(
    extra: Sequence[Path] = (), *, shipped: bool = True
) -> tuple[Catalog | None, list[Issue]]:
    """Like `load_catalog`, but returns the problems instead of raising."""
    issues: list[Issue] = []
    layers: list[list[Path]] = []
    if shipped:
        layers.append(catalog_files(SHIPPED_MODELS))
    deployment: list[Path] = []
    for path in extra:
        if not path.exists():
            issues.append(Issue(str(path), 0, 0, "catalog path does not exist", _PATH_HINT))
            continue
        deployment.extend(catalog_files(path))
    layers.append(deployment)
    merged: dict[str, ModelTarget] = {}
    for files in layers:
        layer: dict[str, ModelTarget] = {}
        for path in files:
            for target in _read_entries(path, issues):
                if target.name in layer:
                    issues.append(
                        _issue_at(
                            target.source,
                            f"duplicate model {target.name!r}, already defined at "
                            f"{layer[target.name].source}",
                            "give one of them another name",
                        )
                    )
                    continue
                layer[target.name] = target
        merged.update(layer)
    if issues:
        return None, issues
    return Catalog(merged), []


_PATH_HINT = "check the `models:` setting of the deployment config"


def _issue_at(source: str, message: str, hint: str | None = None) -> Issue:
    file, line, column = source.rsplit(":", 2)
    return Issue(file, int(line), int(column), message, hint)


def _read_entries(path: Path, issues: list[Issue]) -> Iterable[ModelTarget]:
    try:
        doc = read_yaml(path, display_path(path))
    except ConfigFileError as error:
        issues.extend(error.issues)
        return []
    if doc.data is None:
        issues.append(Issue(doc.file, 1, 1, "empty catalog file", "add a `models:` list"))
        return []
    try:
        parsed = _FileSchema.model_validate(doc.data)
    except ValidationError as error:
        issues.extend(validation_issues(error, doc))
        return []
    return [_target(entry, doc, index) for index, entry in enumerate(parsed.models)]


def _target(entry: _EntrySchema, doc: YamlDocument, index: int) -> ModelTarget:
    line, column = doc.position(("models", index))
    return ModelTarget(
        name=entry.name,
        litellm_model=entry.litellm_model,
        access=entry.access,
        jurisdiction=entry.jurisdiction,
        api_base=entry.api_base,
        api_key_env=entry.api_key_env,
        egress=entry.egress,
        apis=tuple(dict.fromkeys(entry.apis))
        if entry.apis is not None
        else default_apis(entry.litellm_model, entry.egress),
        source=f"{doc.file}:{line}:{column}",
    )
