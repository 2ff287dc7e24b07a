import pytest

from tally.eval.grouping import bcubed


def test_perfect_clustering_scores_one():
    gold = {"a": 1, "b": 1, "c": 2}
    assert bcubed({"a": "x", "b": "x", "c": "y"}, gold)["f1"] == pytest.approx(1.0)


def test_everything_in_one_cluster_keeps_recall_and_loses_precision():
    gold = {"a": 1, "b": 1, "c": 2, "d": 2}
    res = bcubed({k: "one" for k in gold}, gold)
    assert res["recall"] == pytest.approx(1.0)
    assert res["precision"] == pytest.approx(0.5)


def test_reports_left_unclustered_are_singletons():
    gold = {"a": 1, "b": 1}
    res = bcubed({}, gold)
    assert res["precision"] == pytest.approx(1.0)
    assert res["recall"] == pytest.approx(0.5)


def test_reports_outside_the_gold_are_not_scored():
    res = bcubed({"a": "x", "b": "x", "z": "x"}, {"a": 1, "b": 1})
    assert res["f1"] == pytest.approx(1.0) and res["reports"] == 2
