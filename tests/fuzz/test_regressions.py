"""Bugs the fuzzers found, each pinned by the smallest input that showed it."""
from __future__ import annotations

from pathlib import Path

import pytest

from tally.models import Rejected
from tally.sources.files import EMPTY, read_paths


@pytest.mark.parametrize("data", [b"\xff\xfe", b"\xfe\xff", "  \n".encode("utf-16"), b"\xef\xbb\xbf \n"])
def test_a_file_that_decodes_to_nothing_is_rejected_as_empty(tmp_path: Path, data: bytes) -> None:
    # found by test_text_files_never_crash_the_reader: a UTF-16 byte-order mark alone became an empty report
    path = tmp_path / "bom-only.txt"
    path.write_bytes(data)
    (item,) = read_paths([str(path)])
    assert isinstance(item, Rejected) and item.code == EMPTY and item.origin == str(path)
