from retrieval.titles import TitleResolver, normalize_title, split_year, title_aliases


def test_normalize_moves_trailing_article_and_drops_alternative_titles():
    assert normalize_title("Godfather, The") == "the godfather"
    assert normalize_title("Seven (a.k.a. Se7en)") == "seven"
    assert normalize_title("Amélie") == "amelie"
    assert normalize_title("Fast & Furious") == "fast and furious"


def test_split_year():
    assert split_year("Super Troopers (2001)") == ("Super Troopers", 2001)
    assert split_year("Up") == ("Up", None)


def test_aliases_cover_short_forms():
    aliases = title_aliases("Star Wars: Episode IV - A New Hope")
    assert {"star wars", "a new hope", "new hope"} <= aliases
    assert "se7en" in title_aliases("Seven (a.k.a. Se7en)")


def test_resolver_exact_fuzzy_and_year(tiny_items):
    r = TitleResolver(tiny_items)
    assert r.resolve("toy story")[0].item_id == "1"
    assert r.resolve("The Godfather")[0].item_id == "7"
    best = r.resolve("Terminater 2")
    assert best and best[0].item_id == "2" and not best[0].exact
    # ambiguous: the more popular first, a year picks the other
    assert [m.item_id for m in r.resolve("Halloween")] == ["5", "6"]
    assert r.resolve("Halloween (2007)")[0].item_id == "6"
    assert r.resolve("Halloween", year=2008)[0].item_id == "6"  # a year off still helps
    assert r.resolve("Blorpfest Ultra 3000") == []


def test_a_series_named_by_its_opening_words_is_its_first_film():
    """"harry potter" names the series' first film; openings shared by remakes of one title, or
    made of an article and an everyday word ("the ghost"), name none."""
    from retrieval.items import Item

    items = [Item(id="1", title="Harry Potter and the Chamber of Secrets", year=2002, genres=["Fantasy"]),
             Item(id="2", title="Harry Potter and the Sorcerer's Stone", year=2001, genres=["Fantasy"]),
             Item(id="3", title="Of Mice and Men", year=1939, genres=["Drama"]),
             Item(id="4", title="Of Mice and Men", year=1992, genres=["Drama"]),
             Item(id="5", title="Ghost and Mrs. Muir, The", year=1947, genres=["Drama"]),
             Item(id="6", title="Ghost and the Darkness, The", year=1996, genres=["Action"])]
    r = TitleResolver(items)
    assert [m.item_id for m in r.exact("harry potter")] == ["2"]
    assert r.exact("of mice") == [] and r.exact("the ghost") == [] and r.exact("ghost") == []
