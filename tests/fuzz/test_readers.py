"""Fuzzing the readers (tally/sources/files.py): generated and mutated text files, JSON Lines (plain and gzipped)
and standard input. Zero crashes: every input gives reports or rejects that name the file or line and say why."""
from __future__ import annotations

import gzip
import io
import sys
from collections import Counter

import pytest
from hypothesis import given, settings

from fuzz_strategies import jsonl_bytes, text_files
from tally.models import RawArticle, Rejected
from tally.sources.files import read_paths
from trust_log import scaled


def check(items: list[RawArticle | Rejected], origin: str) -> None:
    assert items, "a file always gives a report or a reject"
    for item in items:
        assert isinstance(item, (RawArticle, Rejected))
        assert item.origin.startswith(origin), item
        if isinstance(item, Rejected):
            assert item.reason.strip() and item.code.startswith("T2"), item
        else:
            assert item.text.strip() and item.key, item




def read_file(factory: pytest.TempPathFactory, name: str, data: bytes, max_bytes: int) -> None:
    path = factory.getbasetemp() / name
    path.write_bytes(data)
    check(list(read_paths([str(path)], max_bytes=max_bytes)), str(path))


@settings(max_examples=scaled(2000))
@given(data=text_files)
def test_text_files_never_crash_the_reader(tmp_path_factory: pytest.TempPathFactory, fuzz_cases: Counter[str],
                                           data: bytes) -> None:
    read_file(tmp_path_factory, "fuzz-report.txt", data, 4096)
    fuzz_cases["reader: text files"] += 1


@settings(max_examples=scaled(600))
@given(data=jsonl_bytes())
def test_jsonl_files_never_crash_the_reader(tmp_path_factory: pytest.TempPathFactory, fuzz_cases: Counter[str],
                                            data: bytes) -> None:
    read_file(tmp_path_factory, "fuzz-records.jsonl", data, 2048)
    fuzz_cases["reader: JSON Lines files"] += 1


@settings(max_examples=scaled(200))
@given(data=jsonl_bytes())
def test_gzipped_and_truncated_jsonl_never_crash_the_reader(tmp_path_factory: pytest.TempPathFactory,
                                                           fuzz_cases: Counter[str], data: bytes) -> None:
    packed = gzip.compress(data)
    read_file(tmp_path_factory, "fuzz-records.jsonl.gz",
              packed[: max(1, len(packed) * 2 // 3)] if len(data) % 3 == 0 else packed, 2048)
    fuzz_cases["reader: gzipped JSON Lines"] += 1


@settings(max_examples=scaled(200))
@given(data=jsonl_bytes())
def test_stdin_never_crashes_the_reader(monkeypatch: pytest.MonkeyPatch, fuzz_cases: Counter[str],
                                        data: bytes) -> None:
    fake = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="strict")
    with monkeypatch.context() as m:
        m.setattr(sys, "stdin", fake)
        check(list(read_paths(["-"], max_bytes=2048)), "<stdin>")
    fuzz_cases["reader: standard input"] += 1
