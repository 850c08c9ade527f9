"""Enter annotation passes made outside the Label Studio UI as each annotator's own annotations.

A pass made in plain-text markup (scripts/markup_to_spans.py) is an annotation set per
document. This script signs each annotator up on the server (as they would through the
web form), and creates one annotation per task under that annotator's account, exactly
as the labeling interface would send it. `peacetalks labelstudio pull` then brings the
passes back into annotations/ like any other Label Studio work, under stable pseudonyms
(annotators are signed up in the order given, so the first pass becomes ann1).

    python scripts/enter_passes.py --url $LABEL_STUDIO_URL --api-key $LABEL_STUDIO_API_KEY \\
        --pass /work/passes/ann1 --pass /work/passes/ann2
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from label_studio_sdk.client import LabelStudio

from peacetalks.labelstudio import DEFAULT_PROJECT, connect, find_project, results_from_set, server_tasks, sign_up
from peacetalks.models import AnnotationSet
from peacetalks.schema import load_schema
from peacetalks.storage import Root, read_model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True, help="the admin's token (to find the project and its tasks)")
    parser.add_argument("--project", default=DEFAULT_PROJECT)
    parser.add_argument("--pass", dest="passes", type=Path, action="append", required=True, help="folder of <doc_id>.json sets")
    args = parser.parse_args()
    schema = load_schema(Root(args.root))
    admin = connect(args.url, args.api_key)
    project = find_project(admin, args.project)
    if project is None:
        print(f"no project {args.project!r} on {args.url}: run `peacetalks labelstudio push` first", file=sys.stderr)
        return 1
    tasks = server_tasks(admin, project.id)
    for number, folder in enumerate(args.passes, start=1):
        # e-mail addresses stay on the server; pull maps them to pseudonyms
        token = sign_up(args.url, f"annotator{number}.{secrets.token_hex(4)}@peacetalks.invalid", secrets.token_urlsafe(16))
        annotator = LabelStudio(base_url=args.url, api_key=token)
        for path in sorted(folder.glob("*.json")):
            aset = read_model(path, AnnotationSet)
            task = tasks[path.stem]
            annotator.annotations.create(task.id, result=results_from_set(aset, schema))
            print(f"{folder.name}: {path.stem}: {len(aset.spans)} spans, {len(aset.relations)} relations entered", file=sys.stderr)
    print(f"enter_passes: {len(args.passes)} passes entered into project {args.project!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
