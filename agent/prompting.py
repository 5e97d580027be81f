"""Load prompt templates from the ``prompts`` package by name and render them strictly.

Example::

    render_prompt("explain", title="Up", facts="PG, 96 min", request="funny")
    render_prompt("explain", title="Up")      # raises PromptError: 'facts' is undefined
    field_guide(LLMTurn)                      # ['- intent: ... One of: recommend, refine, ...', ...]
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from jinja2 import Environment, StrictUndefined, TemplateNotFound, UndefinedError
from jinja2.loaders import FunctionLoader
from pydantic import BaseModel

from retrieval.errors import SceneRecError


class PromptError(SceneRecError, ValueError):
    pass


def _load(name: str) -> str | None:
    try:
        return resources.files("prompts").joinpath(f"{name}.md").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=FunctionLoader(_load), undefined=StrictUndefined, autoescape=False,
                       keep_trailing_newline=True)


def render_prompt(name: str, **variables) -> str:
    try:
        return _env().get_template(name).render(**variables)
    except TemplateNotFound as e:
        raise PromptError(f"no prompt named {name!r} in prompts/") from e
    except UndefinedError as e:
        raise PromptError(f"prompt {name!r}: {e.message}") from e


def field_guide(output_type: type[BaseModel]) -> list[str]:
    """One line per field of a model a prompt asks for: its name, its description and, for a
    field with a closed set of values, those values, all read from the model's JSON schema (the
    prompt never restates them). Example: ``"- mood: the mood wanted (up to 4). One of: cosy, tense."``"""
    schema = output_type.model_json_schema()
    lines = []
    for name, prop in schema["properties"].items():
        line = f"- {name}: {prop.get('description', name.replace('_', ' '))}"
        values = _enum(prop)
        if values:
            line += f". One of: {', '.join(map(str, values))}"
        lines.append(line + ".")
    return lines


def _enum(prop: dict) -> list | None:
    """The closed set of values of a property (directly, in an array's items, or in an optional's branch)."""
    if "enum" in prop:
        return prop["enum"]
    if "const" in prop:
        return [prop["const"]]
    branches = ([prop["items"]] if isinstance(prop.get("items"), dict) else []) + prop.get("anyOf", [])
    for branch in branches:
        found = _enum(branch)
        if found:
            return found
    return None
