"""`tally --help` (and a command's --help) answers at once: it does not load the NLP models, the web app,
the database layer or Spark. Each check runs in a fresh interpreter, so modules other tests loaded don't count."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("spacy", "fastapi", "starlette", "uvicorn", "sqlalchemy", "pyspark", "datasketch", "scipy", "numpy",
         "dateparser", "py3langid", "pandas", "pyarrow", "tally.pipeline", "tally.api", "tally.stages")

PROBE = """
import json, sys
from tally.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy} or m.startswith({prefixes}))))
"""


def _loaded(*args: str) -> list[str]:
    roots = {h for h in HEAVY if "." not in h}
    code = PROBE.format(heavy=roots, prefixes=tuple(h for h in HEAVY if "." in h))
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["ingest", "--help"], ["incidents", "--help"], ["eval", "--help"]])
def test_help_loads_no_heavy_module(args: list[str]) -> None:
    assert _loaded(*args) == []


def test_the_python_api_is_still_there() -> None:
    import tally

    assert callable(tally.open) and tally.Ledger.__name__ == "Ledger"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        tally.nothing  # noqa: B018
