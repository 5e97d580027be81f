"""Scripted dialogue tests: a YAML format and a runner that drives the agent turn by turn.

Format (see README "Scripted dialogue tests")::

    name: kids-night-no-scary
    user: null                      # optional profile id, e.g. "ml:42"
    turns:
      - say: "something funny with the kids, nothing scary"
        expect:
          action: recommend
          scene: {companions: kids}
          items: {min: 3, each: {genres_none: [Horror], mpaa_in: [G, PG, null]}}
          state_none: {liked_genres: [Horror]}   # values a state list must not hold

Each check failure is reported as ``turn N: what: why``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from agent.results import RecommendedItem, TurnResult
from retrieval.errors import SceneRecError
from retrieval.titles import normalize_title

EACH_KEYS = {"genres_none", "genres_any", "people_any", "people_none", "mpaa_in", "max_runtime", "min_runtime",
             "year_min", "year_max", "min_rating"}
ITEMS_KEYS = {"min", "max", "exclude_titles", "include_any_titles", "reasons_contain_any", "each"}
EXPECT_KEYS = {"action", "intent", "scene", "state", "state_none", "items", "reply_contains_any", "reply_not_contains"}
TURN_KEYS = {"say", "expect", "feedback"}


class ScriptError(SceneRecError, ValueError):
    """A dialogue script is malformed."""


@dataclass
class Script:
    name: str
    path: Path | None
    turns: list[dict]
    user: str | None = None


@dataclass
class ScriptResult:
    script: Script
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def load_script(path: Path) -> Script:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ScriptError(f"{path}: cannot read YAML: {e}") from e
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list) or not data["turns"]:
        raise ScriptError(f"{path}: a script needs 'name' and a non-empty 'turns' list")
    for n, turn in enumerate(data["turns"], start=1):
        if not isinstance(turn, dict) or "say" not in turn:
            raise ScriptError(f"{path}: turn {n} needs 'say'")
        unknown = set(turn) - TURN_KEYS | set(turn.get("expect") or {}) - EXPECT_KEYS
        unknown |= set((turn.get("expect") or {}).get("items") or {}) - ITEMS_KEYS
        unknown |= set(((turn.get("expect") or {}).get("items") or {}).get("each") or {}) - EACH_KEYS
        if unknown:
            raise ScriptError(f"{path}: turn {n}: unknown keys {sorted(unknown)}")
    return Script(str(data.get("name") or path.stem), path, data["turns"], data.get("user"))


def find_scripts(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(list(p.rglob("*.yaml")) + list(p.rglob("*.yml")))
        elif p.exists():
            out.append(p)
        else:
            raise ScriptError(f"{p}: no such file or folder")
    return out


# --- matching ------------------------------------------------------------------------------------
def subset_mismatches(expected, actual, where: str) -> list[str]:
    """Subset match: dict keys recursively; a scalar expected against a list means membership."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected a mapping, got {actual!r}"]
        out = []
        for k, v in expected.items():
            out += subset_mismatches(v, actual.get(k), f"{where}.{k}")
        return out
    if isinstance(actual, list):
        wanted = expected if isinstance(expected, list) else [expected]
        missing = [w for w in wanted if w not in actual]
        return [f"{where}: {missing} not in {actual}"] if missing else []
    return [] if expected == actual else [f"{where}: expected {expected!r}, got {actual!r}"]


def _each_failures(item: RecommendedItem, rules: dict) -> list[str]:
    name = f"{item.title!r}"
    out = []
    genres = set(item.genres)
    if rules.get("genres_none") and genres & set(rules["genres_none"]):
        out.append(f"{name} has genres {sorted(genres & set(rules['genres_none']))}")
    if rules.get("genres_any") and not genres & set(rules["genres_any"]):
        out.append(f"{name} has none of {rules['genres_any']}")
    people = set(item.directors + item.cast)
    if rules.get("people_none") and people & set(rules["people_none"]):
        out.append(f"{name} features {sorted(people & set(rules['people_none']))}")
    if rules.get("people_any") and not people & set(rules["people_any"]):
        out.append(f"{name} features none of {rules['people_any']}")
    if "mpaa_in" in rules and rules["mpaa_in"] is not None and item.mpaa not in rules["mpaa_in"]:
        out.append(f"{name} is rated {item.mpaa}, not in {rules['mpaa_in']}")
    bounds = (("max_runtime", item.runtime, lambda v, b: v <= b), ("min_runtime", item.runtime, lambda v, b: v >= b),
              ("year_min", item.year, lambda v, b: v >= b), ("year_max", item.year, lambda v, b: v <= b),
              ("min_rating", item.rating, lambda v, b: v >= b))
    for key, value, ok in bounds:
        bound = rules.get(key)
        if bound is not None and (value is None or not ok(value, bound)):
            out.append(f"{name} {key.split('_')[-1]} {value} breaks {key}={bound}")
    return out


def check_turn(result: TurnResult, expect: dict) -> list[str]:
    fails: list[str] = []
    for key in ("action", "intent"):
        if key in expect and getattr(result, key) != expect[key]:
            fails.append(f"{key}: expected {expect[key]!r}, got {getattr(result, key)!r}")
    if "scene" in expect:
        fails += subset_mismatches(expect["scene"], result.state.get("scene", {}), "scene")
    if "state" in expect:
        fails += subset_mismatches(expect["state"], result.state, "state")
    for key, values in (expect.get("state_none") or {}).items():  # values a state list ("scene.mood") must not hold
        got = result.state
        for part in key.split("."):
            got = (got or {}).get(part)
        held = [v for v in values if v in (got or [])]
        if held:
            fails.append(f"state.{key}: {held} must not be there")
    reply = result.reply.lower()
    if "reply_contains_any" in expect and not any(s.lower() in reply for s in expect["reply_contains_any"]):
        fails.append(f"reply has none of {expect['reply_contains_any']}: {result.reply[:160]!r}")
    for s in expect.get("reply_not_contains") or []:
        if s.lower() in reply:
            fails.append(f"reply contains {s!r}")
    rules = expect.get("items") or {}
    items = result.items
    if "min" in rules and len(items) < rules["min"]:
        fails.append(f"items: {len(items)} < min {rules['min']}")
    if "max" in rules and len(items) > rules["max"]:
        fails.append(f"items: {len(items)} > max {rules['max']}")
    for title in rules.get("exclude_titles") or []:
        if any(normalize_title(it.title) == normalize_title(title) for it in items):
            fails.append(f"items include excluded {title!r}")
    if rules.get("include_any_titles"):
        wanted = [normalize_title(t) for t in rules["include_any_titles"]]
        if not any(normalize_title(it.title).startswith(w) for it in items for w in wanted):
            fails.append(f"items include none of {rules['include_any_titles']}: {[it.title for it in items]}")
    if rules.get("reasons_contain_any"):
        wanted = [w.lower() for w in rules["reasons_contain_any"]]
        if not any(w in it.reason.lower() for it in items for w in wanted):
            fails.append(f"no item's reason says any of {rules['reasons_contain_any']}: {[it.reason for it in items][:2]}")
    for it in items:
        fails += [f"items.each: {f}" for f in _each_failures(it, rules.get("each") or {})]
    return fails


def run_script(agent, script: Script) -> ScriptResult:
    result = ScriptResult(script)
    session_id = None
    last: TurnResult | None = None
    for n, turn in enumerate(script.turns, start=1):
        fb = turn.get("feedback")
        if fb and last is not None and session_id:
            index = int(fb.get("item", 1)) - 1
            if 0 <= index < len(last.items):
                agent.feedback(session_id, last.items[index].id, fb.get("kind", "like"))
            else:
                result.failures.append(f"turn {n}: feedback on item {index + 1}, but {len(last.items)} were shown")
        last = agent.turn(str(turn["say"]), session_id=session_id, user_id=script.user)
        session_id = last.session_id
        result.failures += [f"turn {n}: {f}" for f in check_turn(last, turn.get("expect") or {})]
    return result
