"""Build stage, pure: ``croissant.json``, the release's Croissant 1.1 metadata (JSON-LD).

One record set per released config, its fields generated from the same ``datasets`` features as the
Parquet schema (so they cannot drift apart): strings are ``sc:Text``, integers ``sc:Integer``,
booleans ``sc:Boolean``, a ``ClassLabel`` an ``sc:Integer`` whose description names its classes,
a ``List`` a field with ``isArray``, a struct a field with ``subField``s. Every config's Parquet files
are one ``cr:FileSet``; a ``split`` field is read from the file's path.
"""

from __future__ import annotations

import re
from typing import Any

from datasets import ClassLabel, Features, List, Value

from .layout import CARD_FILE, LICENSE_FILE, parquet_path

CROISSANT_VERSION = "http://mlcommons.org/croissant/1.1"
CONTEXT: dict[str, Any] = {
    "@language": "en", "@vocab": "https://schema.org/", "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/", "dct": "http://purl.org/dc/terms/",
    "citeAs": "cr:citeAs", "column": "cr:column", "conformsTo": "dct:conformsTo", "containedIn": "cr:containedIn",
    "data": {"@id": "cr:data", "@type": "@json"}, "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "equivalentProperty": "cr:equivalentProperty", "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract", "field": "cr:field",
    "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject", "fileSet": "cr:fileSet", "format": "cr:format",
    "includes": "cr:includes", "isArray": "cr:isArray", "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath",
    "key": "cr:key", "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path", "recordSet": "cr:recordSet",
    "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated", "replace": "cr:replace",
    "samplingRate": "cr:samplingRate", "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField",
    "transform": "cr:transform",
}
VALUE_TYPES = {"string": "sc:Text", "bool": "sc:Boolean"}  # any other Value is a number


def value_type(feature: Value) -> str:
    if feature.dtype in VALUE_TYPES:
        return VALUE_TYPES[feature.dtype]
    return "sc:Integer" if "int" in feature.dtype else "sc:Float"


def field(record: str, path: list[str], feature: Any, source: dict[str, Any]) -> dict[str, Any]:
    """The Croissant field of ``feature`` (a column, or a member of a struct column at ``path``)."""
    node: dict[str, Any] = {"@type": "cr:Field", "@id": "/".join([record, *path]), "name": path[-1]}
    if isinstance(feature, List):
        node["isArray"] = True
        feature = feature.feature
    if isinstance(feature, dict):
        node["subField"] = [field(record, [*path, name], member, {**source, "transform": {"jsonPath": name}})
                            for name, member in feature.items()]
        return node
    if isinstance(feature, ClassLabel):
        node["description"] = "Class id: " + ", ".join(f"{i} = {name}" for i, name in enumerate(feature.names))
        node["dataType"] = "sc:Integer"
    elif isinstance(feature, Value):
        node["dataType"] = value_type(feature)
    else:
        raise TypeError(f"no Croissant type for feature {feature!r} at {'/'.join(path)}")  # a new feature kind needs a rule here
    node["source"] = source
    return node


def file_set(config: str) -> str:
    return f"parquet-{config}"


def split_pattern(config: str) -> str:
    """A regular expression whose group is the split, over a Parquet file's path (absolute or relative)."""
    before, after = parquet_path(config, "\0").split("\0")
    return f"(?:^|/){re.escape(before)}([^/]+){re.escape(after)}$"


def record_set(config: str, features: Features) -> dict[str, Any]:
    files = {"fileSet": {"@id": file_set(config)}}
    split = {"@type": "cr:Field", "@id": f"{config}/split", "name": "split", "dataType": "sc:Text",
             "description": "The split the row belongs to (from its file's name).",
             "source": {**files, "extract": {"fileProperty": "fullpath"},
                        "transform": {"regex": split_pattern(config)}}}
    columns = [field(config, [name], feature, {**files, "extract": {"column": name}}) for name, feature in features.items()]
    return {"@type": "cr:RecordSet", "@id": config, "name": config, "field": [split, *columns]}


def croissant(name: str, description: str, version: str, citation: str, configs: list[str], features: dict[str, Features],
              annotation_protocol: str) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CROISSANT_VERSION,
        "name": name,
        "description": description,
        "version": version,
        "license": f"{LICENSE_FILE} (news texts: third-party, not licensed by this project; annotations: Apache-2.0)",
        "url": CARD_FILE,
        "citeAs": citation,
        "rai:dataAnnotationProtocol": annotation_protocol,
        "distribution": [{"@type": "cr:FileSet", "@id": file_set(config), "name": file_set(config),
                          "encodingFormat": "application/x-parquet", "includes": parquet_path(config, "*")} for config in configs],
        "recordSet": [record_set(config, features[config]) for config in configs],
    }
