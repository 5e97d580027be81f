"""The personalisation benchmark's protocol pieces: the time-based split and the metrics."""

import math

import pytest

from benchmarks.personalization import recall_ndcg, time_split


def test_time_split_holds_out_each_users_latest_fifth():
    rows = [("u", str(i), 4.0, 100 - i) for i in range(10)]  # item 9 is the oldest, item 0 the newest
    rows += [("v", "a", 3.0, 5), ("v", "b", 5.0, 1)]
    train, test = time_split(rows, holdout=0.2)
    assert [i for i, _ in test["u"]] == ["1", "0"]  # the two most recent of ten
    assert [i for i, _ in test["v"]] == ["a"]  # at least one held out
    assert {i for u, i, _, _ in train if u == "u"} == {str(i) for i in range(2, 10)}
    assert max(t for u, _, _, t in train if u == "u") < min(100 - int(i) for i, _ in test["u"])


def test_recall_and_ndcg_at_10():
    assert recall_ndcg(["a", "x", "b"], {"a", "b", "c", "d"}) == pytest.approx(
        (0.5, (1 + 1 / math.log2(4)) / sum(1 / math.log2(n + 2) for n in range(4))))
    assert recall_ndcg(["x"] * 10, {"a"}) == (0.0, 0.0)
    assert recall_ndcg(["a"], {"a"}) == (1.0, 1.0)
