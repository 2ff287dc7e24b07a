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


# Hypothesis profiles for tests/properties and tests/fuzz: "ci" (default) keeps them within a few minutes;
# TALLY_HYPOTHESIS=long is the documented longer run (docs/RELIABILITY.md).
import os  # noqa: E402

from hypothesis import HealthCheck, settings  # noqa: E402

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
          HealthCheck.function_scoped_fixture]
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True, suppress_health_check=_QUIET)
settings.register_profile("long", deadline=None, max_examples=20_000, print_blob=True, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("TALLY_HYPOTHESIS", "ci"))
