"""No cast member or director is a name suffix: Wikidata's credit strings write "Robert Downey,
Jr.", and a split on every comma made "Jr." a person credited in 114 films."""

from __future__ import annotations

import pytest

from retrieval.sources import NAME_SUFFIXES, split_names


@pytest.mark.parametrize("credits,names", [
    ("Robert Downey, Jr., Gene Hackman", ["Robert Downey Jr.", "Gene Hackman"]),
    ("Sammy Davis, Jr., Frank Sinatra, Sr.", ["Sammy Davis Jr.", "Frank Sinatra Sr."]),
    ("Frank Sinatra Jr., Kim Basinger", ["Frank Sinatra Jr.", "Kim Basinger"]),
    ("Thurston Howell, III, Cher, Eve", ["Thurston Howell III", "Cher", "Eve"]),
    ("Jr., Gene Wilder", ["Gene Wilder"]),  # a suffix with no name before it is no person
    ("Louis Gossett, Jr", ["Louis Gossett Jr"]),
    ("", []), (None, []), (" , ,", []),
])
def test_a_suffix_stays_with_its_name(credits, names):
    assert split_names(credits) == names


def test_no_person_in_the_default_catalogue_is_a_suffix(agent):
    items = list(agent.engine.items.values())
    assert len(items) > 9000
    people = {name for it in items for name in it.directors + it.cast}
    suffixes = sorted(p for p in people if p.strip().rstrip(".").lower() in NAME_SUFFIXES)
    assert suffixes == []
    assert any(p.endswith(" Jr.") for p in people)  # "Jr." kept inside names, e.g. Robert Downey Jr.
    frankenstein = [it for it in items if it.name.startswith("Young Frankenstein")]
    assert frankenstein and "Jr." not in frankenstein[0].cast
