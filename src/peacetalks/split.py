"""Split stage, pure rules plus a disk-backed pair index (I/O in a temp folder): document-level train/validation/test splits.

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

Everything here is pure except :class:`ShingleIndex`, which spills hashed 8-grams into a
temp folder so that grouping 100k documents needs the memory of one bucket, not of the corpus.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import numpy as np

from .textsearch import WORD

SPLITS = ("train", "validation", "test")
SHINGLE_WORDS = 8
BUCKETS = (("train", 80), ("validation", 90), ("test", 100))  # cumulative percentages
HASH_ROUND = np.uint64(0x9E3779B97F4A7C15)  # odd: each word's place in the 8-gram changes its hash


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def shingles(text: str, n: int = SHINGLE_WORDS) -> frozenset[str]:
    """Every run of ``n`` consecutive lower-cased words, joined by spaces."""
    found = words(text)
    return frozenset(" ".join(found[i : i + n]) for i in range(len(found) - n + 1))


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads hashes over all 64 bits (the top bits pick a bucket)."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


@lru_cache(maxsize=1 << 20)  # words repeat (Zipf): most lookups are hits
def word_hash(word: str) -> int:
    """A word's 64-bit hash, the same in every process: Python's ``hash`` is salted per process, and
    the engine hashes a corpus's texts in many processes (on many machines) whose hashes are compared."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little", signed=True)


def shingle_hashes(text: str, n: int = SHINGLE_WORDS) -> np.ndarray:
    """The distinct 64-bit hashes of the text's shingles: equal shingles give equal hashes.

    Only equality is used, and a false match needs a 64-bit collision.
    """
    found = words(text)
    if len(found) < n:
        return np.empty(0, dtype=np.uint64)
    word_hashes = _mix(np.fromiter(map(word_hash, found), dtype=np.int64, count=len(found)).view(np.uint64))
    count = len(found) - n + 1
    combined = word_hashes[:count].copy()
    for offset in range(1, n):
        combined = combined * HASH_ROUND + word_hashes[offset : offset + count]
    return np.unique(_mix(combined))


def id_hash(doc_id: str) -> int:
    return int.from_bytes(hashlib.sha256(doc_id.encode("utf-8")).digest()[:8], "big")


def hash_split(doc_id: str) -> str:
    percent = id_hash(doc_id) % 100
    return next(name for name, upper in BUCKETS if percent < upper)


# --- grouping ----------------------------------------------------------------------------


def _flatten(parent: np.ndarray) -> None:
    """Point every document at its root (pointer jumping; ``parent[i] <= i`` keeps it acyclic)."""
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return
        parent[:] = grand


def _union(parent: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    """Join the groups of each pair ``(a[i], b[i])``; a group's root is its smallest document."""
    while True:
        _flatten(parent)
        root_a, root_b = parent[a], parent[b]
        apart = root_a != root_b
        if not apart.any():
            return
        low, high = np.minimum(root_a[apart], root_b[apart]), np.maximum(root_a[apart], root_b[apart])
        np.minimum.at(parent, high, low)
        a, b = low, high


def groups_of(parent: np.ndarray) -> list[list[int]]:
    """Documents (by index) grouped by root, groups in order of their first document."""
    _flatten(parent)
    order = np.argsort(parent, kind="stable")
    cuts = np.flatnonzero(np.diff(parent[order])) + 1
    return [part.tolist() for part in np.split(order, cuts)] if len(parent) else []


class ShingleIndex:
    """Hashed 8-grams of many documents (by index), spilled to bucket files by their top bits.

    Equal hashes land in the same bucket, so near-duplicate groups are found one bucket at a
    time: memory is one bucket (~1/64 of the corpus's 8-grams) plus a few bytes per document.
    """

    BUCKET_BITS = 6
    FLUSH_AT = 2_000_000  # buffered (hash, document) pairs

    def __init__(self, folder: Path) -> None:
        self.folder, self.documents = folder, 0
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []
        self.buffered = 0
        folder.mkdir(parents=True, exist_ok=True)

    def bucket_path(self, bucket: int) -> Path:
        return self.folder / f"{bucket:02d}.bin"

    def add(self, hashes: np.ndarray) -> None:
        """Index one document's :func:`shingle_hashes` (documents are numbered as added)."""
        if len(hashes):
            self.pending.append((hashes, np.full(len(hashes), self.documents, dtype=np.uint64)))
        self.documents += 1
        self.buffered += len(hashes)
        if self.buffered >= self.FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        pairs = np.stack([np.concatenate([h for h, _ in self.pending]), np.concatenate([d for _, d in self.pending])], axis=1)
        self.pending, self.buffered = [], 0
        buckets = pairs[:, 0] >> np.uint64(64 - self.BUCKET_BITS)
        order = np.argsort(buckets, kind="stable")
        pairs, buckets = pairs[order], buckets[order]
        for bucket, start, end in _runs(buckets):
            with self.bucket_path(int(bucket)).open("ab") as handle:
                handle.write(pairs[start:end].tobytes())

    def buckets(self) -> Iterator[np.ndarray]:
        """Each bucket's (hash, document) pairs sorted by hash, then document."""
        self.flush()
        for bucket in range(1 << self.BUCKET_BITS):
            path = self.bucket_path(bucket)
            if path.exists():
                pairs = np.fromfile(path, dtype=np.uint64).reshape(-1, 2)
                yield pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]

    def groups(self) -> list[list[int]]:
        """Near-duplicate groups of document indexes (rule 2), in order of their first document."""
        parent = np.arange(self.documents, dtype=np.int64)
        for pairs in self.buckets():
            same = np.flatnonzero(pairs[1:, 0] == pairs[:-1, 0])  # a document and the next one share an 8-gram
            _union(parent, pairs[same, 1].astype(np.int64), pairs[same + 1, 1].astype(np.int64))
        return groups_of(parent)


def _runs(values: np.ndarray) -> Iterator[tuple[int, int, int]]:
    """(value, start, end) of each run of equal values in a sorted array."""
    starts = np.flatnonzero(np.diff(values)) + 1
    bounds = [0, *starts.tolist(), len(values)]
    for start, end in zip(bounds, bounds[1:]):
        yield int(values[start]), start, end


def near_duplicate_groups(hashes: Iterable[np.ndarray], folder: Path) -> list[list[int]]:
    """Rule 2 over a stream of documents' :func:`shingle_hashes`: groups of their positions, each
    sorted, in order of first position. ``folder`` (empty or missing) receives the spilled index;
    the caller removes it. Hashes made in forked workers are comparable (they share the salt)."""
    index = ShingleIndex(folder)
    for document in hashes:
        index.add(document)
    return index.groups()


# --- assignment --------------------------------------------------------------------------


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


# --- overlaps, for the leakage report (small groups only: pairs grow with the square) ------


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
