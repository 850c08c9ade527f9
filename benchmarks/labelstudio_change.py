"""Change N tasks of a review project as an adjudicator would: on each, the gold tab loses a region that no
relation uses and whose words occur nowhere else in it (so no completeness rule asks for it back).

    python benchmarks/labelstudio_change.py URL PROJECT N      (LABEL_STUDIO_API_KEY: the token)
"""

from __future__ import annotations

import os
import sys
from typing import Any

import httpx

GOLD_AUTHOR = "gold@sets.peacetalks.invalid"  # the account push --with-annotations makes for the gold set


def without_a_free_region(result: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The result less its last such region: what an annotator's deletion sends."""
    related = {item.get(end) for item in result if item["type"] == "relation" for end in ("from_id", "to_id")}
    words = [item["value"]["text"] for item in result if item["type"] == "labels"]
    dropped = next(i for i in reversed(range(len(result))) if result[i]["type"] == "labels" and result[i]["id"] not in related
                   and words.count(result[i]["value"]["text"]) == 1)
    return result[:dropped] + result[dropped + 1:]


def gold_annotation(http: httpx.Client, task_id: int) -> dict[str, Any]:
    """The task's gold tab (a pass's tab edited on a review server is refused by pull)."""
    author = next(user["id"] for user in http.get("/api/users").raise_for_status().json() if user["email"] == GOLD_AUTHOR)
    annotations = http.get(f"/api/tasks/{task_id}/annotations").raise_for_status().json()
    return next(annotation for annotation in annotations if annotation["completed_by"] == author)


def main(url: str, title: str, count: int) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Token {os.environ['LABEL_STUDIO_API_KEY']}"}, timeout=600) as http:
        projects = http.get("/api/projects", params={"page_size": 1000}).raise_for_status().json()["results"]
        project = next(p["id"] for p in projects if p["title"] == title)
        tasks = http.get("/api/tasks", params={"project": project, "include": "id", "page_size": count}).raise_for_status().json()["tasks"]
        for task in tasks:
            annotation = gold_annotation(http, task["id"])
            http.patch(f"/api/annotations/{annotation['id']}", json={"result": without_a_free_region(annotation["result"])}).raise_for_status()
    print(f"changed {len(tasks)} tasks of project {title!r}: one region fewer in each one's gold annotation")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
