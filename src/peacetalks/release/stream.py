"""Build stage, I/O (reads): the one stream of rows every output reads, each annotation file and clean
text read once, on the engine's tasks; it refuses the build with every validation problem."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from ..corpus import load_document
from ..engine import ordered_map
from ..models import AnnotationSet, Provenance
from ..progress import progress
from ..schema import Schema
from ..storage import PeacetalksError, Root
from ..problems import Place, Problem, refuse_release, require_no_errors
from ..validate import check_text_file
from ..verdicts import Verdict, Verdicts, read_verdicts
from .features import LabelIds
from .gold import NOT_ANNOTATED, released_sets
from .layout import parquet_path
from .plan import Plan
from .provenance import AnnotationSets
from .rows import ReleaseDoc, Rows, config_with_email, releasable_doc, rows_of
from .stats import SplitStats, stats_document


def release_doc(root: Root, schema: Schema, doc_id: str, gold: AnnotationSet | None) -> ReleaseDoc:
    """The clean document ``doc_id`` with the exported part of ``gold`` (the gold set of a validated file)."""
    refuse_release(check_text_file(root.corpus_text(doc_id), Place(str(root.corpus_text(doc_id)), doc_id)))
    return releasable_doc(root, schema, load_document(root, doc_id), gold)


DocumentRows = tuple[Rows | None, list[Problem], list[Provenance]]
DocumentJob = tuple[tuple[str, str], Verdict | None]  # ((split, document id), validate's verdict on its file)


def document_rows(root: Root, schema: Schema, ids: LabelIds, place: tuple[str, str], verdict: Verdict | None = None) -> DocumentRows:
    """The rows of one document (``place`` is its split and id) and the provenance of its annotation
    sets, once its annotation file validates (``verdict``: validate's, reused when current): the build
    reads each file once. No rows, and the problems, when it does not; refused if the rows hold an e-mail address."""
    split, doc_id = place
    path = root.annotation_file(doc_id)
    sets = released_sets(root, path, schema, verdict) if path.exists() else NOT_ANNOTATED
    if sets.held_back:
        return None, sets.problems, []
    rows = rows_of(root, schema, ids, release_doc(root, schema, doc_id, sets.gold))
    leaked = config_with_email(rows)
    if leaked:
        raise PeacetalksError(f"release files contain an e-mail address: {parquet_path(leaked, split)} (document {doc_id}); nothing built")
    return rows, [], sets.provenances


def judged_rows(root: Root, schema: Schema, ids: LabelIds, job: DocumentJob) -> DocumentRows:
    return document_rows(root, schema, ids, *job)


def places(plan: Plan) -> Iterator[tuple[str, str]]:
    """(split, document id) of every released document, split by split in id order: the order of the row stream."""
    return ((split, doc_id) for split in plan.splits for doc_id in plan.split_docs(split))


def planned_jobs(plan: Plan, verdicts: Verdicts) -> list[DocumentJob]:
    """Every document's job, in :func:`places` order (the jobs keep the verdicts they need, not the whole record)."""
    return [(place, verdicts.get(f"{place[1]}.json")) for place in places(plan)]


def iter_rows(root: Root, plan: Plan) -> Iterator[tuple[str, DocumentRows]]:
    """(split, (rows per config or None, problems, set provenances)), split by split in id order: the
    one stream every output reads. Documents are independent, so they make their rows on the engine's tasks;
    each is sent validate's verdict on its file (a worker never loads the whole record)."""
    make = partial(judged_rows, root, plan.schema, LabelIds.of(plan.schema))
    inputs = (root.corpus, root.annotations, root.schema_dir)
    # the jobs are not kept here: a run of several tasks spills them to its work folder and lets them go (their verdicts
    # were 36 MiB at 100k); one task in this process holds them to the end, as it reads them
    made = ordered_map("build", make, planned_jobs(plan, read_verdicts(root, plan.schema)), inputs)
    for (split, _), rows in zip(places(plan), made, strict=True):  # the places again: the same plan gives the same sequence
        yield split, rows


RowsConsumer = Callable[[str, Rows], None]


def collect_stats(root: Root, plan: Plan, consume: RowsConsumer | None = None, sets: AnnotationSets | None = None) -> dict[str, Any]:
    """The build's statistics; ``consume(split, rows)`` sees every document's rows (the build writes
    them), ``sets`` the provenance of every released document's annotation sets.

    Raises with every validation problem of the root if there is one; from the first, rows are no
    longer passed on, only problems gathered."""
    per_split = {name: SplitStats() for name in plan.splits}
    problems = list(plan.orphan_problems)
    for split, (rows, found, provenances) in progress(iter_rows(root, plan), total=len(plan.doc_ids), desc="release"):
        problems += found
        if rows is None or any(p.is_error for p in (*problems, *plan.artefact_problems)):
            continue
        per_split[split].add(rows.stats)
        if consume is not None:
            consume(split, rows)
        if sets is not None:
            sets.add(provenances)
    require_no_errors([*plan.artefact_problems, *sorted(problems, key=lambda p: p.file)])  # stable: a file keeps its order
    return stats_document(plan, per_split)
