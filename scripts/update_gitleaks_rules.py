"""Replace the vendored gitleaks rule set (privacy_guard/detect/data/gitleaks.toml).

    python scripts/update_gitleaks_rules.py SOURCE --version v8.31.0 --commit <sha> [--license F]

SOURCE is gitleaks' `config/gitleaks.toml`: a local file (from a checkout or a release archive)
or an https:// URL such as
https://raw.githubusercontent.com/gitleaks/gitleaks/<tag>/config/gitleaks.toml. The new file is
compiled with the same loader the detector uses before anything is written; rules RE2 rejects
are listed (they are skipped at run time). Then run tests/test_gitleaks_rules.py and the dev-set
evaluation, and review the diff of gitleaks.toml like any other change to detection.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import urllib.request
from pathlib import Path

from privacy_guard.detect.recognizers.gitleaks_rules import (
    RULES_FILE,
    SOURCE_FILE,
    RuleSetError,
    parse_rule_set,
)

DATA = Path(__file__).resolve().parents[1] / "privacy_guard" / "detect" / "data"


def _read(source: str) -> bytes:
    if source.startswith("https://"):
        with urllib.request.urlopen(source, timeout=60) as response:  # https only, see above
            return response.read()
    if "://" in source:
        raise SystemExit("only https:// URLs or local files")
    return Path(source).read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="gitleaks.toml: a file path or an https:// URL")
    parser.add_argument("--version", required=True, help="gitleaks release, e.g. v8.30.1")
    parser.add_argument("--commit", required=True, help="the gitleaks commit the file is from")
    parser.add_argument("--license", help="gitleaks' LICENSE file, when it changed")
    args = parser.parse_args(argv)

    data = _read(args.source)
    try:
        rule_set = parse_rule_set(data, args.version)
    except RuleSetError as error:
        print(f"not updated: {error}", file=sys.stderr)
        return 1
    (DATA / RULES_FILE).write_bytes(data)
    if args.license:
        (DATA / "gitleaks.LICENSE").write_bytes(_read(args.license))
    source = {
        "project": "gitleaks",
        "url": "https://github.com/gitleaks/gitleaks",
        "file": "config/gitleaks.toml",
        "license": "MIT (gitleaks.LICENSE)",
        "version": args.version,
        "commit": args.commit,
        "note": f"updated from {args.source}",
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    (DATA / SOURCE_FILE).write_text(json.dumps(source, indent=2) + "\n", encoding="utf-8")
    print(f"{len(rule_set.rules)} rules compiled, {len(rule_set.skipped)} skipped:")
    for rule_id, reason in sorted(rule_set.skipped.items()):
        print(f"  {rule_id}: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
