"""Where the planted-inconsistency corpus lives (a module of its own: `from conftest import ...` breaks when
another test folder's conftest was imported first)."""
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
