"""Language data kept as data files: trigger lexicons, date words, dependency patterns."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml


@functools.cache
def load_lexicon(name: str) -> Any:
    """The parsed YAML file `kg/data/lexicon/NAME.yaml`."""
    text = resources.files("kg").joinpath(f"data/lexicon/{name}.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
