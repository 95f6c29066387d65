"""The model catalog: shipped entries, deployment overrides, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from privacy_guard.catalog import Access, Egress, check_catalog, load_catalog
from privacy_guard.errors import CatalogError, UnknownModelError


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_catalog_covers_the_usual_providers_and_self_hosted_targets() -> None:
    catalog = load_catalog()
    prefixes = {t.litellm_model.split("/")[0] for t in catalog}
    assert {"openai", "anthropic", "mistral", "groq", "nvidia_nim", "huggingface"} <= prefixes
    assert catalog.get("ollama-llama3").api_base == "http://localhost:11434"
    assert catalog.get("vllm-llama3").access is Access.LOCAL
    assert catalog.get("llamacpp-local").access is Access.LOCAL_QUANTIZED
    assert catalog.get("hf-llama3-8b").access is Access.HF_INFERENCE
    local = {t.name for t in catalog if t.is_local}
    assert local == {"ollama-llama3", "vllm-llama3", "llamacpp-local"}
    # Every remote target names where its key comes from; local ones need none.
    assert all(t.api_key_env for t in catalog if not t.is_local)
    # Servers whose API is OpenAI's own are relayed; the others go through litellm.
    relayed = {t.name for t in catalog if t.egress is Egress.OPENAI_COMPATIBLE}
    assert relayed == {"gpt-4o", "gpt-4o-mini", "vllm-llama3", "llamacpp-local"}


def test_access_classes_starting_with_local_are_the_only_local_ones() -> None:
    assert [a.value for a in Access if a.is_local] == ["local", "local-quantized"]


def test_a_deployment_adds_entries_and_overrides_shipped_ones(tmp_path: Path) -> None:
    _write(
        tmp_path / "models",
        "ours.yaml",
        """models:
  - name: gpt-4o-mini            # same name as a shipped entry: replaces it
    litellm_model: azure/gpt-4o-mini-eu
    api_base: https://example-eu.openai.azure.com
    api_key_env: AZURE_API_KEY
    access: saas-api
    jurisdiction: EU
  - name: tgi-mixtral
    litellm_model: openai/mixtral
    api_base: http://gpu-01.internal:8080/v1
    access: local
    jurisdiction: self-hosted
""",
    )
    shipped = load_catalog()
    catalog = load_catalog([tmp_path / "models"])
    assert len(catalog) == len(shipped) + 1
    assert catalog.get("gpt-4o-mini").jurisdiction == "EU"
    assert catalog.get("gpt-4o-mini").litellm_model == "azure/gpt-4o-mini-eu"
    assert catalog.get("tgi-mixtral").is_local
    assert catalog.get("claude-sonnet") == shipped.get("claude-sonnet")


def test_duplicates_within_the_deployment_are_an_error_naming_both(tmp_path: Path) -> None:
    entry = """  - name: box
    litellm_model: openai/x
    access: local
    jurisdiction: self-hosted
"""
    _write(tmp_path, "a.yaml", "models:\n" + entry)
    _write(tmp_path, "b.yaml", "# comment\nmodels:\n" + entry)
    with pytest.raises(CatalogError) as raised:
        load_catalog([tmp_path])
    (issue,) = raised.value.issues
    assert issue.file.endswith("b.yaml") and (issue.line, issue.column) == (3, 5)
    assert "duplicate model 'box'" in issue.message and "a.yaml:2:5" in issue.message


def test_unknown_access_class_points_at_the_value(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        """models:
  - name: box
    litellm_model: openai/x
    access: on-prem
    jurisdiction: self-hosted
""",
    )
    _, issues = check_catalog([path])
    (issue,) = issues
    assert (issue.line, issue.column) == (4, 13)
    assert "models[0].access" in issue.message
    assert "'saas-api', 'hf-inference', 'local' or 'local-quantized'" in issue.message


def test_missing_and_unknown_fields_are_located(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        """models:
  - name: box
    access: local
    jurisdiction: self-hosted
    api_key: secret-in-the-file
""",
    )
    _, issues = check_catalog([path])
    by_message = {i.message: i for i in issues}
    missing = by_message["models[0].litellm_model: Field required"]
    assert (missing.line, missing.column) == (2, 5) and missing.hint == "add the field"
    extra = next(i for i in issues if "api_key" in i.message)
    assert (extra.line, extra.column) == (5, 5)  # the key, not its value
    assert "secret-in-the-file" not in str(CatalogError(issues))


def test_yaml_problems_are_errors_with_positions(tmp_path: Path) -> None:
    dup = _write(tmp_path / "d", "dup.yaml", "models: []\nmodels: []\n")
    broken = _write(tmp_path / "b", "broken.yaml", "models:\n  - name: [x\n")
    _, dup_issues = check_catalog([dup])
    assert dup_issues[0].line == 2 and "duplicate key 'models'" in dup_issues[0].message
    _, broken_issues = check_catalog([broken])
    assert broken_issues[0].line >= 2 and "YAML syntax error" in broken_issues[0].message


def test_a_missing_catalog_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="catalog path does not exist"):
        load_catalog([tmp_path / "nowhere"])


def test_unknown_model_is_a_lookup_error_listing_the_catalog() -> None:
    catalog = load_catalog()
    with pytest.raises(UnknownModelError) as raised:
        catalog.get("gpt-5-turbo")
    assert isinstance(raised.value, LookupError)
    assert "gpt-4o-mini" in str(raised.value)


def test_egress_defaults_to_litellm_and_openai_compatible_is_chosen_per_entry(
    tmp_path: Path,
) -> None:
    path = _write(
        tmp_path,
        "relay.yaml",
        """models:
  - name: vllm-box
    litellm_model: hosted_vllm/org/model-x
    api_base: http://gpu-01.internal:8000/v1
    access: local
    jurisdiction: self-hosted
    egress: openai-compatible
  - name: openai-direct
    litellm_model: openai/gpt-4o
    api_key_env: OPENAI_API_KEY
    access: saas-api
    jurisdiction: US
    egress: openai-compatible
  - name: claude
    litellm_model: anthropic/claude-x
    api_key_env: ANTHROPIC_API_KEY
    access: saas-api
    jurisdiction: US
""",
    )
    catalog = load_catalog([path], shipped=False)
    assert catalog.get("claude").egress is Egress.LITELLM
    box = catalog.get("vllm-box")
    assert box.egress is Egress.OPENAI_COMPATIBLE
    assert (box.provider, box.upstream_model) == ("hosted_vllm", "org/model-x")
    # Only `openai/` models have an address without `api_base`: OpenAI's own.
    assert catalog.get("openai-direct").api_base is None
    assert box.to_dict()["egress"] == "openai-compatible"


def test_a_relayed_entry_without_an_address_is_located(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.yaml",
        """models:
  - name: ok
    litellm_model: openai/gpt-4o
    access: saas-api
    jurisdiction: US
    egress: openai-compatible
  - name: nowhere
    litellm_model: hosted_vllm/model-x
    access: local
    jurisdiction: self-hosted
    egress: openai-compatible
  - name: typo
    litellm_model: openai/x
    access: local
    jurisdiction: self-hosted
    egress: openai
""",
    )
    _, issues = check_catalog([path], shipped=False)
    first, second = sorted(issues, key=lambda issue: issue.line)
    assert first.line == 7 and "needs `api_base`" in first.message
    assert second.line == 16 and "models[2].egress" in second.message
    assert "'litellm' or 'openai-compatible'" in second.message
