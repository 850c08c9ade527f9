"""Document-level splits: stable across versions, near-duplicates kept together, every split non-empty."""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations
from pathlib import Path

import pytest

from peacetalks.split import (
    SPLITS, ShingleIndex, assign_splits, cross_split_leaks, hash_split, near_duplicate_groups, overlaps, shingle_hashes,
    shingles,
)

QUOTE = "we want to stop the war and bring the soldiers home now"


def test_shingles_are_lower_cased_word_8_grams() -> None:
    assert shingles("One two three four five six seven EIGHT nine") == {
        "one two three four five six seven eight", "two three four five six seven eight nine"}
    assert shingles("too short to share") == frozenset()


def test_documents_sharing_a_long_passage_are_grouped_transitively(tmp_path: Path) -> None:
    texts = [
        f"Outlet A reports: {QUOTE}.",
        f"{QUOTE}, the president said, adding that talks would continue in Riyadh next week.",
        "Officials in Moscow confirmed that talks would continue in Riyadh next week.",
        "Something else entirely about markets and weather in a different story.",
    ]
    assert near_duplicate_groups(map(shingle_hashes, texts), tmp_path) == [[0, 1, 2], [3]]


def test_equal_shingles_hash_equal_and_each_text_counts_a_shingle_once() -> None:
    hashes = shingle_hashes(f"{QUOTE}. {QUOTE}.")
    assert len(hashes) == len(shingles(f"{QUOTE}. {QUOTE}.")) and len(set(hashes.tolist())) == len(hashes)
    assert set(shingle_hashes(f"Intro. {QUOTE}").tolist()) >= set(shingle_hashes(QUOTE).tolist())
    assert len(shingle_hashes("too short to share")) == 0


def brute_force_groups(texts: list[str]) -> list[list[int]]:
    """Rule 2 by its definition: join every pair of texts that share a shingle string."""
    sets = [shingles(text) for text in texts]
    group = list(range(len(texts)))
    for a, b in combinations(range(len(texts)), 2):
        if sets[a] & sets[b] and group[a] != group[b]:
            old, new = max(group[a], group[b]), min(group[a], group[b])
            group = [new if g == old else g for g in group]
    return [[i for i in range(len(texts)) if group[i] == g] for g in sorted(set(group))]


@pytest.mark.parametrize("seed", range(8))
def test_spilled_hash_grouping_equals_the_definition(tmp_path: Path, seed: int) -> None:
    """Random texts over a small vocabulary (so 8-grams recur and chain), indexed with tiny flushes
    so every bucket file is appended to many times."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(6)]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 14))) for _ in range(40)]
    index = ShingleIndex(tmp_path / "index")
    index.FLUSH_AT = 5
    for text in texts:
        index.add(shingle_hashes(text))
    assert index.groups() == brute_force_groups(texts)
    assert len(list((tmp_path / "index").iterdir())) > 1, "hashes spread over several buckets"


def test_fresh_groups_fill_every_split_first_largest_group_in_train() -> None:
    assignment = assign_splits([["a", "b"], ["c"], ["d"], ["e"]], existing={})
    assert assignment.splits["a"] == assignment.splits["b"] == "train"
    assert set(assignment.splits.values()) == set(SPLITS)
    assert assignment.new == ["a", "b", "c", "d", "e"]


def test_assignment_is_deterministic() -> None:
    groups = [[f"doc{i}"] for i in range(20)]
    assert assign_splits(groups, {}).splits == assign_splits(list(reversed(groups)), {}).splits


def test_released_documents_never_change_split() -> None:
    existing = {"a": "test", "b": "validation", "c": "train"}
    assignment = assign_splits([["a"], ["b"], ["c"], ["new"]], existing)
    assert {doc: assignment.splits[doc] for doc in existing} == existing
    assert assignment.splits["new"] == hash_split("new")
    assert assignment.new == ["new"]


def test_a_new_near_duplicate_joins_the_split_of_its_released_group() -> None:
    assignment = assign_splits([["a", "new"], ["b"], ["c"]], {"a": "test", "b": "train", "c": "validation"})
    assert assignment.splits["new"] == "test"


def test_removed_documents_keep_their_entry() -> None:
    assert assign_splits([["a"]], {"a": "train", "gone": "test"}).splits["gone"] == "test"


def test_unknown_split_names_are_refused() -> None:
    with pytest.raises(ValueError, match="dev"):
        assign_splits([["a"]], {"a": "dev"})


def test_hash_split_is_roughly_80_10_10() -> None:
    counts = Counter(hash_split(f"doc-{i}") for i in range(5000))
    assert 0.77 < counts["train"] / 5000 < 0.83
    assert 0.08 < counts["validation"] / 5000 < 0.12
    assert 0.08 < counts["test"] / 5000 < 0.12


def test_leaks_are_reported_when_old_assignments_split_a_group() -> None:
    sets = {"a": shingles(f"A: {QUOTE}"), "b": shingles(f"B: {QUOTE}"), "c": shingles("unrelated words only here")}
    splits = {"a": "train", "b": "test", "c": "test"}
    leaks = cross_split_leaks(sets, splits)
    assert [leak.docs for leak in leaks] == [("a", "b")]
    assert leaks[0].shared == len(shingles(QUOTE)) and leaks[0].examples[0] in shingles(QUOTE)
    assert cross_split_leaks(sets, {"a": "test", "b": "test", "c": "train"}) == []


def test_overlaps_list_every_sharing_pair_of_a_group() -> None:
    sets = {"a": shingles(f"A: {QUOTE}"), "b": shingles(f"B: {QUOTE} and more"), "c": shingles("unrelated words only here")}
    assert [(o.docs, o.shared) for o in overlaps(sets, ["c", "b", "a"])] == [(("a", "b"), len(shingles(QUOTE)))]
