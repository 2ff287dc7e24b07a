from typing import Iterator

import pytest

from webserver import Site


@pytest.fixture
def site() -> Iterator[Site]:
    """A web site on 127.0.0.1 that the test fills with routes; nothing reaches outside."""
    served = Site().start()
    yield served
    served.stop()
