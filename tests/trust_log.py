"""Figures for docs/RELIABILITY.md: the fuzz, fault and security tests count what they did (cases run, faults
injected, probes refused) and, when TALLY_TRUST_LOG names a JSON file, add their counts to it."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Mapping


def record(section: str, counts: Mapping[str, int]) -> None:
    target = os.environ.get("TALLY_TRUST_LOG")
    if not target or not counts:
        return
    path = Path(target)
    data = json.loads(path.read_text()) if path.exists() else {}
    part = data.setdefault(section, {})
    for key, n in counts.items():
        part[key] = part.get(key, 0) + int(n)
    path.write_text(json.dumps(data, indent=2, sort_keys=True))


def scaled(n: int) -> int:
    """``n`` cases in CI; ten times as many in the long run (TALLY_HYPOTHESIS=long)."""
    return n * 10 if os.environ.get("TALLY_HYPOTHESIS") == "long" else n
