"""Turn inline-markup annotations of a clean text into an annotation set with exact offsets.

Some annotation passes are made in plain text instead of the Label Studio UI:
the annotator copies the clean text and wraps each span as ``⟦words|LABEL⟧``
(or ``⟦words|LABEL#id⟧`` when a relation needs to name it), one file per layer.
Relations follow a line ``### relations`` as ``HEAD_ID LABEL TAIL_ID`` lines.

This script strips the markup, checks that what remains is exactly the clean
text (so no character was changed), computes code-point offsets, runs the
validator's checks (with the gold completeness checks, to catch missed
mentions), and writes ``<out>/<doc>.json``. It is then entered into Label Studio
through its API as that annotator's annotation, and pulled back like any other.

    python scripts/markup_to_spans.py --root . --doc 000_82625007ee74e6f5 \\
        --annotator ann1 --markup passes/ann1/000.entity.txt passes/ann1/000.attribution.txt --out passes/ann1
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from peacetalks.models import AnnotationSet, Provenance, Relation, Span
from peacetalks.schema import load_schema
from peacetalks.storage import Root, write_model
from peacetalks.problems import Place
from peacetalks.validate import set_problems

MARK = re.compile(r"⟦([^⟦⟧|]+)\|([A-Z_]+)(?:#([A-Za-z0-9_]+))?⟧")
RELATION_HEADER = "### relations"


def parse_markup(markup: str, prefix: str) -> tuple[str, list[Span], list[Relation]]:
    """The plain text, its spans and relations; span ids default to prefix + counter."""
    body, _, relation_block = markup.partition(RELATION_HEADER)
    body = body.rstrip("\n") if relation_block else body
    text_parts: list[str] = []
    spans: list[Span] = []
    position = cursor = 0
    for match in MARK.finditer(body):
        text_parts.append(body[cursor : match.start()])
        position += match.start() - cursor
        words, label, given_id = match.groups()
        spans.append(Span(id=given_id or f"{prefix}{len(spans) + 1}", start=position, end=position + len(words), label=label, text=words))
        text_parts.append(words)
        position += len(words)
        cursor = match.end()
    text_parts.append(body[cursor:])
    relations = [
        Relation(id=f"{prefix}r{i}", head=head, label=label, tail=tail)
        for i, (head, label, tail) in enumerate((line.split() for line in relation_block.splitlines() if line.strip()), start=1)
    ]
    return "".join(text_parts), spans, relations


def first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--doc", required=True)
    parser.add_argument("--annotator", required=True)
    parser.add_argument("--markup", type=Path, nargs="+", required=True, help="one markup file per layer")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    root = Root(args.root)
    text = root.corpus_text(args.doc).read_text(encoding="utf-8")
    spans: list[Span] = []
    relations: list[Relation] = []
    for number, path in enumerate(args.markup, start=1):
        plain, layer_spans, layer_relations = parse_markup(path.read_text(encoding="utf-8"), prefix=f"L{number}_")
        if plain != text:
            at = first_difference(plain, text)
            print(f"{path}: text differs from corpus/{args.doc}.txt at character {at}: "
                  f"markup has {plain[at:at + 40]!r}, corpus has {text[at:at + 40]!r}", file=sys.stderr)
            return 1
        spans += layer_spans
        relations += layer_relations
    aset = AnnotationSet(provenance=Provenance(annotator=args.annotator, method="inline markup"), spans=spans, relations=relations)
    findings = set_problems(aset, text, load_schema(root), Place(str(path), args.doc), gold=True)
    for problem in findings:
        print(problem, file=sys.stderr)
    write_model(args.out / f"{args.doc}.json", aset)
    print(f"{args.doc}: {len(spans)} spans, {len(relations)} relations, {len(findings)} problems", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
