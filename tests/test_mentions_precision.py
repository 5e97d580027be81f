"""Title mentions in chatty text: function words and everyday words are not titles."""

import pytest

from agent.understanding.mentions import TitleFinder
from agent.understanding.text import tokenize
from retrieval.items import Item
from retrieval.titles import TitleResolver

ITEMS = [Item(id="a", title="A", year=1998), Item(id="to", title="To", year=1964),
         Item(id="help", title="The Help", year=2011), Item(id="mr", title="Moulin Rouge!", year=2001),
         Item(id="2001", title="2001: A Space Odyssey", year=1968), Item(id="it", title="It", year=2017),
         Item(id="ts", title="Toy Story", year=1995), Item(id="help!", title="Help!", year=1965),
         Item(id="speed", title="Speed", year=1994), Item(id="bean", title="Mr. Bean's Holiday", year=2007),
         Item(id="holiday", title="Holiday, The", year=2006), Item(id="shrek", title="Shrek", year=2001),
         Item(id="irobot", title="I, Robot", year=2004), Item(id="robots", title="Robots", year=2005),
         Item(id="always", title="Always", year=1989), Item(id="water", title="Water", year=1985),
         Item(id="smith", title="Mr. & Mrs. Smith", year=2005)]


@pytest.fixture(scope="module")
def finder():
    return TitleFinder(TitleResolver(ITEMS))


def found(finder, text):
    return [f.matches[0].item_id for f in finder.scan(tokenize(text)).found]


@pytest.mark.parametrize("text", [
    "I would like to watch a comedy.",
    "hi, how can I help you.",
    "Thanks for your help tonight.",
    "Hi, I need some help.",  # "Help!" (1965) is its exact title, yet an everyday word
    "That one is not my speed.",
    "Frozen is always a big one with the kids.",  # "is" is no cue for an everyday word
    "they had all of those glasses of water around",  # nor "of" (the fuzzy path too)
    "I love speed movies",  # a kind of film, even after a cue
])
def test_everyday_words_are_not_titles(finder, text):
    assert found(finder, text) == []


@pytest.mark.parametrize("text,expected", [
    ("I loved Moulin Rouge! (2001) so much", ["mr"]),  # the year is read, not taken for "2001"
    ("It (2017) is a great movie choice.", ["it"]),
    ("have you seen The Help?", ["help"]),
    ("we watched toy story yesterday", ["ts"]),
    ("have you seen speed?", ["speed"]),  # an everyday word after a cue
    ("my son loves shrek", ["shrek"]),  # not an everyday word: no cue needed
    ("Mr. Bean's Holiday (2007) made me laugh", ["bean"]),  # the abbreviation's full stop is inside
    ("something like I, Robot (2004) please", ["irobot"]),  # so is a comma (not "Robots")
    ("I liked Mr. & Mrs. Smith", ["smith"]),  # a lone "&" reads as "and"
    ("loved mr and mrs smith", ["smith"]),
])
def test_real_mentions_still_count(finder, text, expected):
    assert found(finder, text) == expected
