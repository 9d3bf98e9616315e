"""Language data kept as data files: trigger lexicons, date words, dependency patterns."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml


def load_data(path: str) -> Any:
    """The parsed YAML data file `kg/data/PATH`."""
    text = resources.files("kg").joinpath(f"data/{path}").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def load_lexicon(name: str) -> Any:
    """The parsed YAML file `kg/data/lexicon/NAME.yaml`."""
    return load_data(f"lexicon/{name}.yaml")
