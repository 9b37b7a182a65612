"""Manifests in and out as YAML, loaded safely.

`yaml.safe_load_all` already refuses tags that construct Python objects. On top of it: aliases are refused
(an alias "bomb" expands a few hundred bytes into gigabytes once the objects are copied or serialized), and a
document may not nest deeper than `MAX_DEPTH` or hold more than `MAX_NODES` nodes (PyYAML composes
recursively). A parse error names its line and column (1-based), as an editor shows them.
"""
from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent

from common.errors import InvalidRequest

MAX_DEPTH = 64
MAX_NODES = 200_000


class ManifestError(InvalidRequest):
    """The manifest is not usable YAML (the message says where)."""


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases, with a depth and node budget."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            mark = event.start_mark
            raise ManifestError(f"YAML aliases (*{event.anchor}) are not accepted (line {mark.line + 1}, "
                                f"column {mark.column + 1}): write the values out")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise ManifestError(f"the manifest has more than {MAX_NODES} YAML nodes")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = event.start_mark
                raise ManifestError(f"the manifest nests deeper than {MAX_DEPTH} levels (line {mark.line + 1}, "
                                    f"column {mark.column + 1})")
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1


def _as_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


# What sigs.k8s.io/yaml (kubectl) makes of an unquoted date or a !!binary value: the text as written.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
_Loader.add_constructor("tag:yaml.org,2002:binary", _as_text)


def load_documents(text: str) -> list[Any]:
    """The documents of `text` (empty ones dropped), or ManifestError with the line and column."""
    loader = _Loader(text)
    try:
        docs = []
        while loader.check_data():
            doc = loader.get_data()
            if doc is not None:
                docs.append(doc)
        return docs
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ManifestError(f"the YAML does not parse{where}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ManifestError(f"the YAML does not parse: {exc}") from None
    except RecursionError:
        raise ManifestError("the manifest nests too deeply") from None
    finally:
        loader.dispose()


def dump(obj: Any) -> str:
    """Block-style YAML in the object's own key order (apiVersion, kind, metadata first when cleaned)."""
    return yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120)
