"""Document-level splits: stable across versions, near-duplicates kept together, every split non-empty."""

from __future__ import annotations

from collections import Counter

import pytest

from peacetalks.split import (
    SPLITS, assign_splits, cross_split_leaks, hash_split, near_duplicate_groups, overlaps, shingles,
)

QUOTE = "we want to stop the war and bring the soldiers home now"


def test_shingles_are_lower_cased_word_8_grams() -> None:
    assert shingles("One two three four five six seven EIGHT nine") == {
        "one two three four five six seven eight", "two three four five six seven eight nine"}
    assert shingles("too short to share") == frozenset()


def test_documents_sharing_a_long_passage_are_grouped_transitively() -> None:
    sets = {
        "a": shingles(f"Outlet A reports: {QUOTE}."),
        "b": shingles(f"{QUOTE}, the president said, adding that talks would continue in Riyadh next week."),
        "c": shingles("Officials in Moscow confirmed that talks would continue in Riyadh next week."),
        "d": shingles("Something else entirely about markets and weather in a different story."),
    }
    assert near_duplicate_groups(sets) == [["a", "b", "c"], ["d"]]


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
