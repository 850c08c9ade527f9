"""Add (or replace) one named annotation set, e.g. the adjudicated gold, in every annotation file.

Adjudication here is done outside Label Studio (in inline markup, converted by
scripts/markup_to_spans.py); this script files the result next to the annotators'
sets with its provenance, validating first and writing atomically. Other sets are
never touched.

    python scripts/add_set.py --name gold --from /work/passes/gold --method adjudication \\
        --guidelines 1.1.0 --tool "inline markup (scripts/markup_to_spans.py)" --updated 2026-11-22
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from peacetalks.annotations import read_annotation_file, write_annotation_file
from peacetalks.models import AnnotationFile, AnnotationSet, Provenance
from peacetalks.schema import load_schema
from peacetalks.storage import Root, read_model, sha256_text
from peacetalks.validate import FileContext, annotation_problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--name", required=True)
    parser.add_argument("--from", dest="source", type=Path, required=True, help="folder of <doc_id>.json annotation sets")
    parser.add_argument("--method", required=True)
    parser.add_argument("--guidelines", default=None)
    parser.add_argument("--tool", default=None)
    parser.add_argument("--updated", default=None)
    args = parser.parse_args()
    root = Root(args.root)
    schema = load_schema(root)
    provenance = Provenance(annotator=args.name, method=args.method, pre_annotation=None,
                            guidelines_version=args.guidelines, tool=args.tool, updated=args.updated)
    for path in sorted(args.source.glob("*.json")):
        doc_id, text = path.stem, root.corpus_text(path.stem).read_text(encoding="utf-8")
        aset = read_model(path, AnnotationSet).model_copy(update={"provenance": provenance})
        current = read_annotation_file(root, doc_id) or AnnotationFile(
            document_id=doc_id, text_sha256=sha256_text(text), schema_version=schema.version, annotators={})
        updated = current.model_copy(update={"annotators": {**current.annotators, args.name: aset}})
        problems = annotation_problems(updated, FileContext(text, expected_id=doc_id), schema, str(path))
        for problem in problems:
            print(problem, file=sys.stderr)
        if any(problem.is_error for problem in problems):
            return 1
        write_annotation_file(root, updated)
        print(f"{doc_id}: set {args.name!r} with {len(aset.spans)} spans, {len(aset.relations)} relations", file=sys.stderr)
    print(f"add_set: {args.name!r} filed from {args.source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
