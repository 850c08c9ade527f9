"""`croissant.json`: Croissant 1.1 metadata that the real `mlcroissant` validates and reads, offline:
one record set per released config, field types from the same features as the Parquet schema."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from peacetalks.release.croissant import field
from peacetalks.storage import Root

CROISSANT_TYPES = {"string": "sc:Text", "int32": "sc:Integer", "int64": "sc:Integer", "bool": "sc:Boolean"}


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test: validation must not download."""
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def released_configs(out: Path) -> list[str]:
    card = yaml.safe_load((out / "README.md").read_text(encoding="utf-8").split("---\n")[1])
    return [config["config_name"] for config in card["configs"]]


def arrow_type(data_type: pa.DataType) -> tuple[Any, ...]:
    """A Parquet column type in Croissant's terms: (type, is array) or nested fields."""
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        return ("array", arrow_type(data_type.value_type))
    if pa.types.is_struct(data_type):
        return ("struct", tuple((f.name, arrow_type(f.type)) for f in data_type))
    return (CROISSANT_TYPES[str(data_type)],)


def croissant_type(node: dict[str, Any]) -> tuple[Any, ...]:
    inner: tuple[Any, ...] = (("struct", tuple((sub["name"], croissant_type(sub)) for sub in node["subField"]))
                              if "subField" in node else (node["dataType"],))
    return ("array", inner) if node.get("isArray") else inner


def test_mlcroissant_validates_the_croissant_file_offline(built_release: tuple[Root, Path], offline: None) -> None:
    _, out = built_release
    dataset = mlc.Dataset(jsonld=out / "croissant.json")
    assert not dataset.metadata.issues.errors
    assert [record_set.name for record_set in dataset.metadata.record_sets] == released_configs(out)


def test_every_field_has_the_type_of_its_parquet_column(built_release: tuple[Root, Path]) -> None:
    _, out = built_release
    metadata = json.loads((out / "croissant.json").read_text(encoding="utf-8"))
    for record_set in metadata["recordSet"]:
        config = record_set["name"]
        schema = pq.read_schema(out / "data" / config / "train.parquet")
        fields = {node["name"]: croissant_type(node) for node in record_set["field"] if node["name"] != "split"}
        assert fields == {column.name: arrow_type(column.type) for column in schema}


def test_mlcroissant_reads_every_row_of_every_config_with_its_split(built_release: tuple[Root, Path], offline: None) -> None:
    _, out = built_release
    dataset = mlc.Dataset(jsonld=out / "croissant.json")
    for config in released_configs(out):
        splits = [record[f"{config}/split"].decode() for record in dataset.records(config)]
        expected = {path.stem: pq.ParquetFile(path).metadata.num_rows for path in sorted((out / "data" / config).glob("*.parquet"))}
        assert {split: splits.count(split) for split in set(splits)} == expected


def test_a_feature_kind_croissant_has_no_rule_for_is_refused_not_mistyped() -> None:
    from datasets import Image

    with pytest.raises(TypeError, match="no Croissant type for feature"):
        field("documents", ["picture"], Image(), {})
