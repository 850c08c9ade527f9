"""Change N tasks of a project as annotators would: on each, the first annotation loses a region no relation uses.

    python benchmarks/labelstudio_change.py URL PROJECT N      (LABEL_STUDIO_API_KEY: the token)
"""

from __future__ import annotations

import os
import sys

import httpx


def main(url: str, title: str, count: int) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Token {os.environ['LABEL_STUDIO_API_KEY']}"}, timeout=600) as http:
        projects = http.get("/api/projects", params={"page_size": 1000}).raise_for_status().json()["results"]
        project = next(p["id"] for p in projects if p["title"] == title)
        tasks = http.get("/api/tasks", params={"project": project, "include": "id", "page_size": count}).raise_for_status().json()["tasks"]
        for task in tasks:
            annotation = http.get(f"/api/tasks/{task['id']}/annotations").raise_for_status().json()[0]
            result = annotation["result"]
            related = {item.get(end) for item in result if item["type"] == "relation" for end in ("from_id", "to_id")}
            dropped = next(i for i in reversed(range(len(result))) if result[i]["type"] == "labels" and result[i]["id"] not in related)
            http.patch(f"/api/annotations/{annotation['id']}", json={"result": result[:dropped] + result[dropped + 1:]}).raise_for_status()
    print(f"changed {len(tasks)} tasks of project {title!r}: one region fewer in each one's first annotation")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
