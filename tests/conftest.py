import os
from pathlib import Path
from typing import Iterator

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"the shared folder with the seed reports is absent ({SHARED}); the acceptance test needs it")
    return SHARED


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL for one test. Storage and API tests take this fixture so they run on
    every backend in `params`: PostgreSQL runs when TALLY_TEST_PG names a server (.ci/run starts one)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tally.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for a test that only makes sense there (skips without TALLY_TEST_PG)."""
    yield from _postgres_database()


@pytest.fixture(scope="module")
def pg_module_url() -> Iterator[str]:
    """Like pg_url, one database for a whole test module (e.g. a reference ledger several tests compare with)."""
    yield from _postgres_database()


@pytest.fixture
def pg_admin() -> str:
    """The TALLY_TEST_PG URL itself: a connection outside the test's database, e.g. to end its sessions."""
    admin = os.environ.get("TALLY_TEST_PG")
    if not admin:
        pytest.skip("needs TALLY_TEST_PG (see db_url)")
    return admin


def _postgres_database() -> Iterator[str]:
    """CREATE DATABASE with a unique name on the server TALLY_TEST_PG names, and DROP it after the test."""
    import uuid

    import sqlalchemy as sa

    admin = os.environ.get("TALLY_TEST_PG")
    if not admin:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: TALLY_TEST_PG is not set (.ci/run sets it)")
        pytest.skip("PostgreSQL tests need a server: set TALLY_TEST_PG=postgresql+psycopg://USER@127.0.0.1:PORT/"
                    "postgres (a role that may CREATE DATABASE); .ci/run starts one")
    name = f"tally_test_{uuid.uuid4().hex[:16]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as cx:
            cx.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        pytest.fail(f"TALLY_TEST_PG={admin} is set but no test database could be created there: {exc}")
    try:
        yield sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(engine, name)
        engine.dispose()


def _drop_database(engine, name: str) -> None:
    """DROP ... WITH (FORCE): the test's own connection pool may still hold connections. An autovacuum worker in
    the database is a session our role may not end (InsufficientPrivilege): it finishes soon, so try again; a
    database still there after that is left on the throwaway server with a warning, not a failed test."""
    import time
    import warnings

    import sqlalchemy as sa

    for attempt in range(20):
        try:
            with engine.connect() as cx:
                cx.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except sa.exc.DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) not in ("42501", "55006"):
                raise
            time.sleep(0.5)
    warnings.warn(f"test database {name} is still in use by another role's session; left in place")


# Hypothesis profiles for tests/properties and tests/fuzz: "ci" (default) keeps them within a few minutes;
# TALLY_HYPOTHESIS=long is the documented longer run (docs/RELIABILITY.md).
from hypothesis import HealthCheck, settings  # noqa: E402

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
          HealthCheck.function_scoped_fixture]
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True, suppress_health_check=_QUIET)
settings.register_profile("long", deadline=None, max_examples=20_000, print_blob=True, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("TALLY_HYPOTHESIS", "ci"))
