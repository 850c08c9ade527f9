"""Document-level train/validation/test splits, pure functions (no I/O).

Rules (also stated in the dataset card):

1. A document listed in ``splits.json`` keeps its split forever: splits are stable across versions.
2. Documents sharing any word 8-gram (lower-cased ``\\w+`` words) are near-duplicates
   (e.g. the same quote carried by two outlets); near-duplicates form a group
   (transitively), and a new group joins the split of its already-assigned members.
3. A group with no assigned member is new. While a split is empty, new groups fill
   the empty splits in the order train, validation, test (groups taken in order of
   the sha256 of their smallest id), so a tiny corpus still declares three
   non-empty splits. After that a group's split comes from the sha256 of its
   smallest id: 80 % train, 10 % validation, 10 % test.
4. If old assignments put members of one group in different splits, the old
   assignments win (rule 1) and the leakage report lists the shared n-grams.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

SPLITS = ("train", "validation", "test")
SHINGLE_WORDS = 8
BUCKETS = (("train", 80), ("validation", 90), ("test", 100))  # cumulative percentages
WORD = re.compile(r"\w+")


def shingles(text: str, n: int = SHINGLE_WORDS) -> frozenset[str]:
    """Every run of ``n`` consecutive lower-cased words, joined by spaces."""
    words = [w.lower() for w in WORD.findall(text)]
    return frozenset(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def id_hash(doc_id: str) -> int:
    return int.from_bytes(hashlib.sha256(doc_id.encode("utf-8")).digest()[:8], "big")


def hash_split(doc_id: str) -> str:
    percent = id_hash(doc_id) % 100
    return next(name for name, upper in BUCKETS if percent < upper)


def near_duplicate_groups(shingle_sets: Mapping[str, frozenset[str]]) -> list[list[str]]:
    """Documents connected by any shared shingle, as sorted groups sorted by first id."""
    parent = {doc: doc for doc in shingle_sets}

    def find(doc: str) -> str:
        while parent[doc] != doc:
            parent[doc] = parent[parent[doc]]
            doc = parent[doc]
        return doc

    first_seen: dict[str, str] = {}
    for doc in sorted(shingle_sets):
        for shingle in shingle_sets[doc]:
            other = first_seen.setdefault(shingle, doc)
            a, b = find(doc), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for doc in sorted(shingle_sets):
        groups.setdefault(find(doc), []).append(doc)
    return sorted(groups.values())


@dataclass(frozen=True)
class Assignment:
    splits: dict[str, str]
    new: list[str] = field(default_factory=list)
    groups: list[list[str]] = field(default_factory=list)

    def members(self, split: str, docs: Iterable[str]) -> list[str]:
        return [doc for doc in docs if self.splits[doc] == split]


def assign_splits(groups: list[list[str]], existing: Mapping[str, str]) -> Assignment:
    """Splits for every grouped document, keeping ``existing`` ones (see the module rules)."""
    unknown = sorted(set(existing.values()) - set(SPLITS))
    if unknown:
        raise ValueError(f"unknown split names {unknown}; expected {list(SPLITS)}")
    splits = dict(existing)
    fresh: list[list[str]] = []
    for group in groups:
        held = sorted({existing[doc] for doc in group if doc in existing}, key=SPLITS.index)
        if held:
            splits.update({doc: held[0] for doc in group if doc not in existing})
        else:
            fresh.append(group)
    for group in sorted(fresh, key=lambda g: (-len(g), id_hash(g[0]), g[0])):
        empty = [name for name in SPLITS if name not in splits.values()]
        target = empty[0] if empty else hash_split(group[0])
        splits.update({doc: target for doc in group})
    new = sorted(doc for group in groups for doc in group if doc not in existing)
    return Assignment(splits=splits, new=new, groups=groups)


@dataclass(frozen=True)
class Overlap:
    """Two documents sharing word n-grams, with a few of them as examples."""

    docs: tuple[str, str]
    shared: int
    examples: list[str]


def overlaps(shingle_sets: Mapping[str, frozenset[str]], docs: Iterable[str], examples: int = 5) -> list[Overlap]:
    """Every pair of ``docs`` sharing at least one shingle, in id order."""
    found = []
    for a, b in combinations(sorted(docs), 2):
        shared = shingle_sets[a] & shingle_sets[b]
        if shared:
            found.append(Overlap((a, b), len(shared), sorted(shared)[:examples]))
    return found


def cross_split_leaks(shingle_sets: Mapping[str, frozenset[str]], splits: Mapping[str, str]) -> list[Overlap]:
    """Overlapping pairs whose documents sit in different splits: leakage."""
    return [o for o in overlaps(shingle_sets, shingle_sets) if splits[o.docs[0]] != splits[o.docs[1]]]
