"""The vocabulary files: validated at load, and every named pattern's example and counter-example
sentences hold (the data carries its own tests, like spaCy's or Rasa's)."""

from pathlib import Path

import pytest
import yaml

from agent.understanding.embedded import EmbeddedUnderstander, TurnContext
from agent.understanding.mentions import TitleFinder
from agent.understanding.vocabulary import DATA_DIR, load_vocabulary, vocabulary
from retrieval.titles import TitleResolver

# one file per language, named by its code (zh_reader.yaml is the Chinese reader's own, older vocabulary)
LANGUAGES = sorted(p.stem for p in DATA_DIR.glob("*.yaml") if "_" not in p.stem)
EN = vocabulary("en")


@pytest.fixture(scope="module")
def nlu(tiny_items):
    return EmbeddedUnderstander(TitleFinder(TitleResolver(tiny_items)), max_year=2016)


def _holds(u, expect: dict) -> list[str]:
    """What in ``expect`` the understanding does not show (lists: every value present)."""
    missing = []
    for key, want in expect.items():
        if key == "constraints":
            got = u.constraints.model_dump()
            missing += [f"{k}={v} (got {got[k]})" for k, v in want.items() if got[k] != v]
        elif key == "scene":
            got = u.scene.model_dump()
            for k, v in want.items():
                ok = set(v) <= set(got[k]) if isinstance(v, list) else got[k] == v
                if not ok:
                    missing.append(f"scene.{k}={v} (got {got[k]})")
        elif isinstance(want, list):
            got = [c.kind for c in u.critiques] if key == "critiques" else getattr(u, key)
            missing += [f"{key} has no {v} (got {got})" for v in want if v not in got]
        elif getattr(u, key) != want:
            missing.append(f"{key}={want} (got {getattr(u, key)})")
    return missing


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_file_loads_with_the_same_record_shapes(language):
    v = vocabulary(language)
    assert v.language == language
    assert v.genres and v.attributes and v.numbers.max_before and v.patterns


def test_a_malformed_vocabulary_file_is_refused_with_its_name(tmp_path):
    raw = yaml.safe_load((DATA_DIR / "en.yaml").read_text(encoding="utf-8"))
    raw["attributes"]["gore"]["leanings"] = {"Splatter": 1.0}  # no such genre
    bad = tmp_path / "xx.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ValueError, match=r"(?s)xx.yaml.*Splatter"):
        load_vocabulary(bad)
    (tmp_path / "yy.yaml").write_text("language: [unclosed", encoding="utf-8")
    with pytest.raises(ValueError, match="yy.yaml"):
        load_vocabulary(tmp_path / "yy.yaml")
    raw = yaml.safe_load((DATA_DIR / "en.yaml").read_text(encoding="utf-8"))
    raw["clears"][0]["fields"] = ["the_weather"]
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="unknown state field"):
        load_vocabulary(bad)
    raw = yaml.safe_load((DATA_DIR / "en.yaml").read_text(encoding="utf-8"))
    raw["related_genres"]["Horror"] = ["Slasher"]  # a neighbour must be a genre too
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="Slasher"):
        load_vocabulary(bad)


@pytest.mark.parametrize("pattern", EN.patterns, ids=lambda p: p.name)
def test_named_pattern_examples(nlu, pattern):
    for ex in pattern.examples:
        ctx = TurnContext(last_shown=["1", "2", "3"] if ex.shown else [])
        u = nlu.understand(ex.text, ctx)
        assert not _holds(u, ex.expect), (ex.text, _holds(u, ex.expect))


@pytest.mark.parametrize("pattern", [p for p in EN.patterns if p.counter_examples], ids=lambda p: p.name)
def test_named_pattern_counter_examples(nlu, pattern):
    for ex in pattern.counter_examples:
        u = nlu.understand(ex.text, TurnContext(last_shown=["1", "2", "3"] if ex.shown else []))
        for key, value in ex.absent.items():
            shown = _holds(u, {key: value})
            assert shown, f"{ex.text!r} must not show {key}={value}"


@pytest.mark.parametrize("name", sorted(EN.rules))
def test_named_rules_match_their_examples_and_not_their_counter_examples(name):
    rule, regex = EN.rules[name], EN.regexes[name]
    assert rule.examples, name
    for text in rule.examples:
        assert regex.search(text), (name, text)
    for text in rule.counter_examples:
        assert not regex.search(text), (name, text)


def test_the_english_reader_keeps_no_inline_regex():
    """Its English rules live in the vocabulary file, not in the code (vocabulary as data)."""
    import re

    from agent.understanding import embedded

    source = Path(embedded.__file__).read_text(encoding="utf-8")
    assert not re.findall(r"re\.(?:compile|search|finditer|match|fullmatch)\(r?[\"']", source)


@pytest.mark.parametrize("clear", EN.clears, ids=lambda c: c.name)
def test_clear_patterns(nlu, clear):
    for text in clear.examples:
        assert set(clear.fields) <= set(nlu.understand(text).clears), text
    for text in clear.counter_examples:
        assert not set(clear.fields) & set(nlu.understand(text).clears), text


def test_attribute_phrases_are_not_genre_phrases():
    """A word is either a genre's name or an attribute, so negating it has one meaning."""
    genre_words = {p for phrases in EN.genres.values() for p in phrases}
    both = {p for a in EN.attributes.values() for p in a.phrases} & genre_words
    assert not both, both


def test_data_dir_is_shipped_next_to_the_code():
    assert Path(DATA_DIR, "en.yaml").is_file()
