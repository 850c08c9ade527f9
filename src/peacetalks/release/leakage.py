"""Build stage, I/O (reads the clean texts of small groups): the leakage report (``leakage.json``):
near-duplicate groups, cross-split leaks and the word 8-grams pairs share."""

from __future__ import annotations

from typing import Any

from ..split import Overlap, cross_split_leaks, overlaps, shingles
from ..storage import Root, read_text
from .plan import Plan


def overlap_record(overlap: Overlap, splits: dict[str, str]) -> dict[str, Any]:
    return {"documents": list(overlap.docs), "splits": [splits[d] for d in overlap.docs],
            "shared_8grams": overlap.shared, "examples": overlap.examples}


PAIRS_LISTED_UP_TO = 10  # documents in a group whose pairs are listed: pairs grow with the square of its size
GROUPS_WITH_PAIRS = 100  # groups whose pairs are listed, so the report stays small at any corpus size


def leakage_report(root: Root, plan: Plan) -> dict[str, Any]:
    """Near-duplicate groups and cross-split leaks, with the shared 8-grams of small groups' pairs."""
    splits = plan.assignment.splits
    shared = [group for group in plan.assignment.groups if len(group) > 1]
    small = [group for group in shared if len(group) <= PAIRS_LISTED_UP_TO][:GROUPS_WITH_PAIRS]
    shingle_sets = {doc_id: shingles(read_text(root.corpus_text(doc_id))) for group in small for doc_id in group}
    listed = {group[0] for group in small}  # groups are disjoint: the first document names one
    mixed = [group for group in shared if len({splits[doc] for doc in group}) > 1]
    return {
        "method": "word 8-grams (lower-cased \\w+ words); documents sharing any 8-gram form a group kept in one split",
        "pairs_listed": f"for the first {GROUPS_WITH_PAIRS} groups of at most {PAIRS_LISTED_UP_TO} documents",
        "near_duplicate_groups": [
            {"documents": group, "split": splits[group[0]], "pairs_listed": group[0] in listed,
             "pairs": [overlap_record(o, splits) for o in overlaps(shingle_sets, group)] if group[0] in listed else []}
            for group in shared
        ],
        "cross_split_groups": [{"documents": group, "splits": [splits[doc] for doc in group]} for group in mixed],
        "cross_split_leaks": [overlap_record(o, splits) for group in mixed if group[0] in listed
                              for o in cross_split_leaks({doc: shingle_sets[doc] for doc in group}, splits)],
    }
