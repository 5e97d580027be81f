"""Load prompt templates from the ``prompts`` package by name and render them strictly.

Example::

    render_prompt("explain", title="Up", facts="PG, 96 min", request="funny")
    render_prompt("explain", title="Up")      # raises PromptError: 'facts' is undefined
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from jinja2 import Environment, StrictUndefined, TemplateNotFound, UndefinedError
from jinja2.loaders import FunctionLoader

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
