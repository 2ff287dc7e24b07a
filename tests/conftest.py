from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"the shared folder with the seed reports is absent ({SHARED}); the acceptance test needs it")
    return SHARED


@pytest.fixture(params=["sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL for one test. Storage and API tests take this fixture so they run on
    every backend in `params` (PostgreSQL joins when a server is available)."""
    return f"sqlite:///{tmp_path / 'tally.db'}"
