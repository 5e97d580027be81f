"""Directors and cast: the Wikidata join, finding names in a message, the people feature."""

import numpy as np
import pytest

from agent.state import DialogueState
from agent.understanding.embedded import EmbeddedUnderstander
from agent.understanding.mentions import TitleFinder
from retrieval.dense import DenseIndex
from retrieval.sources import MovieRow, movielens_items
from retrieval.items import Item
from retrieval.people import PeopleIndex, PersonHit, name_tokens
from retrieval.ranking import Candidate, RankRequest, feature_values
from retrieval.titles import TitleResolver

FILMS = [
    Item(id="1", title="Big", year=1988, genres=["Comedy"], popularity=50, directors=["Penny Marshall"],
         cast=["Tom Hanks", "Robert Loggia"]),
    Item(id="2", title="Cast Away", year=2000, genres=["Drama"], popularity=80, directors=["Robert Zemeckis"],
         cast=["Tom Hanks", "Helen Hunt"]),
    Item(id="3", title="Adam", year=2009, genres=["Drama", "Romance"], popularity=5),
    Item(id="4", title="Billy Madison", year=1995, genres=["Comedy"], popularity=40, cast=["Adam Sandler"]),
    Item(id="5", title="Being John Malkovich", year=1999, genres=["Comedy"], popularity=60,
         directors=["Spike Jonze"], cast=["John Malkovich", "John Cusack"]),
    Item(id="6", title="Forrest Gump", year=1994, genres=["Drama"], popularity=300, directors=["Robert Zemeckis"],
         cast=["Tom Hanks"]),
]


@pytest.fixture(scope="module")
def people():
    return PeopleIndex(FILMS)


@pytest.fixture(scope="module")
def nlu(people):
    return EmbeddedUnderstander(TitleFinder(TitleResolver(FILMS), people))


def test_names_are_found_whole_and_films_listed_by_popularity(people):
    norms = "anything with tom hanks's or robert zemeckis films , not tom alone".split()
    assert [(h.start, h.end, h.name) for h in people.find(norms)] == [(2, 4, "Tom Hanks"), (5, 7, "Robert Zemeckis")]
    assert people.find(["tom"]) == [] and people.find(norms, masked={3})[0].name == "Robert Zemeckis"
    assert people.find(". tom hanks !".split()) == [PersonHit(1, 3, "Tom Hanks")]  # a name starts and ends at a word
    assert people.films("Tom Hanks") == ["6", "2", "1"] and people.films("Tom Hanks", 1) == ["6"]
    assert people.films("Nobody Known") == []


def test_name_tokens_fold_accents_and_punctuation():
    assert name_tokens("Penélope Cruz") == ("penelope", "cruz")
    assert name_tokens("Robert Downey Jr.") == ("robert", "downey", "jr")
    assert name_tokens("Bjørn Floberg") == ("bjørn", "floberg")  # a letter of its own stays, and stays whole


def test_lookup_gives_the_catalogue_spelling_of_a_whole_name(people):
    assert people.lookup("tom hanks") == "Tom Hanks" and people.lookup("TOM HANKS's") == "Tom Hanks"
    assert people.lookup("Tom Hnaks") == "Tom Hanks" and people.lookup("robert zemekis") == "Robert Zemeckis"
    assert people.lookup("Tom") is None and people.lookup("Made Up Person") is None
    assert people.lookup("tom hanks cast away") is None  # a whole name, not a name in a phrase


TYPO_FILMS = FILMS + [
    Item(id="7", title="Jaws", year=1975, popularity=90, directors=["Steven Spielberg"], cast=["Roy Scheider"]),
    Item(id="8", title="Fast Five", year=2011, popularity=30, cast=["Paul Walker", "Vin Diesel", "Jet Li"]),
    Item(id="9", title="The Big Lebowski", year=1998, popularity=70, directors=["Joel Coen"], cast=["Jeff Bridges"]),
    Item(id="10", title="Banks", year=2001, popularity=1, cast=["Tom Banks"]),
]


@pytest.fixture(scope="module")
def typo_nlu():
    return EmbeddedUnderstander(TitleFinder(TitleResolver(TYPO_FILMS), PeopleIndex(TYPO_FILMS)))


@pytest.mark.parametrize("text, name", [
    ("tom hnaks movies", "Tom Hanks"), ("I love Tom Hanks", "Tom Hanks"), ("anything by steven spielburg", "Steven Spielberg"),
    ("I loved Tom Hnaks in it", "Tom Hanks"), ("more with jeff bridgs please", "Jeff Bridges"),
])
def test_a_misspelt_full_name_is_read_as_the_person_and_no_unknown_title(typo_nlu, text, name):
    u = typo_nlu.understand(text)
    assert u.liked_people == [name] and u.unknown_titles == [] and u.mentions == []


@pytest.mark.parametrize("text", [
    "the big lebowski", "hi there how are you", "tom", "something with tom please",
    "paul walked home and cried",  # "walked" is a word of its own, not a slip for Walker
    "jet lu",  # too short to forgive a slip
    "tom ganks",  # as close to Tom Banks as to Tom Hanks: nobody
])
def test_ordinary_words_and_ambiguous_slips_name_nobody(typo_nlu, text):
    assert typo_nlu.understand(text).liked_people == []


def _films_by(person: str, role: str, first_id: int, n: int) -> list[Item]:
    return [Item(id=str(first_id + k), title=f"{person} Picture {k}", year=1990 + k, popularity=10,
                 **{role: [person]}) for k in range(n)]


# a catalogue where each surname alone stands for its film-maker (three films or more)
LOOSE_FILMS = TYPO_FILMS + _films_by("Steven Spielberg", "directors", 100, 3) + \
    _films_by("Martin Scorsese", "directors", 110, 3) + _films_by("Quentin Tarantino", "directors", 120, 3) + \
    _films_by("Christopher Nolan", "directors", 130, 1) + _films_by("Brad Pitt", "cast", 140, 1)
LOOSE_NAMES = {"anything by spielburg": "Steven Spielberg", "somethin with tom hanx": "Tom Hanks",
               "scorcese gangster films": "Martin Scorsese", "brad pit movies": "Brad Pitt",
               "not a fan of chris nolan": "Christopher Nolan", "no tarantino please": "Quentin Tarantino"}


@pytest.fixture(scope="module")
def loose_nlu():
    return EmbeddedUnderstander(TitleFinder(TitleResolver(LOOSE_FILMS), PeopleIndex(LOOSE_FILMS)))


def test_the_vocabulary_examples_of_loosely_named_people_name_them(loose_nlu):
    """A nickname, a surname typed as it sounds, a surname alone next to a cue (data/en.yaml,
    ``people``): the examples name their person, liked or (negated) disliked."""
    from agent.understanding.vocabulary import vocabulary

    words = vocabulary("en").people
    assert set(words.examples) == set(LOOSE_NAMES)
    for text in words.examples:
        u = loose_nlu.understand(text)
        assert u.liked_people + u.disliked_people == [LOOSE_NAMES[text]], (text, u)
    assert loose_nlu.understand("no tarantino please").disliked_people == ["Quentin Tarantino"]
    assert loose_nlu.understand("not a fan of chris nolan").disliked_people == ["Christopher Nolan"]


@pytest.mark.parametrize("text", [
    "paul walked home", "a film by the sea", "something with a pit bull", "no stone unturned",
    "tom ganks",  # as close to Tom Banks as to Tom Hanks: nobody
    "spielburg",  # a slipped surname alone, with no cue, is nobody
    "scorcese is a word i made up",
])
def test_loose_readings_of_names_keep_everyday_words_and_need_a_cue(loose_nlu, text):
    u = loose_nlu.understand(text)
    assert u.liked_people == [] and u.disliked_people == [], (text, u.liked_people, u.disliked_people)


def test_the_vocabulary_counter_examples_name_nobody(loose_nlu):
    from agent.understanding.vocabulary import vocabulary

    for text in vocabulary("en").people.counter_examples:
        u = loose_nlu.understand(text)
        assert u.liked_people == [] and u.disliked_people == [], text


def test_a_misspelt_name_beats_a_title_inside_it_but_a_title_is_no_name(typo_nlu):
    u = typo_nlu.understand("something funny with Adam Sandlr")
    assert u.liked_people == ["Adam Sandler"] and u.mentions == []  # no mention of "Adam" (2009)
    u = typo_nlu.understand("I loved The Big Lebowski")
    assert u.liked_people == [] and [m.title for m in u.mentions] == ["The Big Lebowski"]


def test_a_surname_alone_needs_a_cue_a_capital_and_a_clear_owner(people, nlu):
    norms = "i love hanks movies".split()
    assert [h.name for h in people.find_surnames(norms, [True, False, True, False])] == ["Tom Hanks"]
    assert people.find_surnames(norms, [True, False, False, False]) == []  # "hanks", not "Hanks"
    assert people.find_surnames("hanks is great".split(), [True, True, False]) == []  # no "movies"/"by"
    assert people.find_surnames("a zemeckis film".split(), [False, True, False]) == []  # only 2 films
    titled = PeopleIndex(FILMS + [Item(id="7", title="The Hanks Story", year=2001)])
    assert titled.find_surnames(norms, [True, False, True, False]) == []  # a word of a title: ambiguous
    assert nlu.understand("anything by Hanks?").liked_people == ["Tom Hanks"]


def test_a_name_beats_a_title_inside_it_and_a_longer_title_beats_a_name(nlu):
    u = nlu.understand("something funny with Adam Sandler")
    assert u.liked_people == ["Adam Sandler"] and u.mentions == [] and "adam" not in u.keywords
    u = nlu.understand("I loved Being John Malkovich")
    assert u.liked_people == [] and [m.title for m in u.mentions] == ["Being John Malkovich"]
    # others' words (a recommender replayed in evaluation) are read the same way
    assert nlu.titles_in("If you like Adam Sandler, try Big (1988) or Being John Malkovich") == ["1", "5"]


def test_a_name_of_everyday_words_in_lower_case_names_nobody():
    films = FILMS + [Item(id="7", title="It Might Get Loud", year=2008, genres=["Documentary"], cast=["The Edge"])]
    nlu = EmbeddedUnderstander(TitleFinder(TitleResolver(films), PeopleIndex(films)))
    u = nlu.understand("I want to be on the edge of my seat the whole time")
    assert u.liked_people == [] and "Thriller" in u.liked_genres
    assert nlu.understand("anything with The Edge in it").liked_people == ["The Edge"]
    assert nlu.understand("something with tom hanks").liked_people == ["Tom Hanks"]


def test_negated_names_are_not_wanted_and_a_later_turn_can_flip_them(nlu):
    u = nlu.understand("a comedy, but nothing with Tom Hanks")
    assert u.disliked_people == ["Tom Hanks"] and u.liked_people == [] and u.liked_genres == ["Comedy"]
    state = DialogueState().apply(u, {it.id: it for it in FILMS}.get)
    assert state.avoid_people == ["Tom Hanks"]
    state = state.apply(nlu.understand("ok, a Tom Hanks movie then"), {it.id: it for it in FILMS}.get)
    assert state.liked_people == ["Tom Hanks"] and state.avoid_people == []


def test_people_feature_live_and_dense_agree():
    rng = np.random.default_rng(1)
    vecs = {it.id: (v := rng.normal(size=4).astype(np.float32)) / np.linalg.norm(v) for it in FILMS}
    index = DenseIndex.build(FILMS, vecs)
    req = RankRequest(people_weights={"Tom Hanks": 1.0, "Robert Zemeckis": 1.0})
    dense = index.features(req, None)["people"]
    for it in FILMS:
        live = feature_values(Candidate(it, 0.0, vecs[it.id]), req, 300)["people"]
        assert dense[index.pos[it.id]] == pytest.approx(live, abs=1e-6)
    assert dense[index.pos["2"]] == pytest.approx(np.tanh(2.0)) and dense[index.pos["4"]] == 0.0


def test_wikidata_fills_people_runtime_and_mpaa_without_overriding_imdb():
    movies = [MovieRow("1", "Big", 1988, ["Comedy"]), MovieRow("2", "Heat", 1995, ["Crime"]),
              MovieRow("3", "Unknown", 2010, ["Drama"])]
    imdb = {("big", 1988): {"runtime": 104, "mpaa": None, "rating": 7.3, "votes": 100}}
    wikidata = {("big", 1988): {"directors": ["Penny Marshall"], "cast": ["Tom Hanks"], "runtime": 130, "mpaa": "PG"},
                ("heat", 1996): {"directors": ["Michael Mann"], "cast": ["Al Pacino"], "runtime": 170, "mpaa": "R"}}
    items, match_rate = movielens_items(movies, [], imdb, wikidata)
    big, heat, unknown = items
    assert (big.runtime, big.mpaa, big.directors, big.cast) == (104, "PG", ["Penny Marshall"], ["Tom Hanks"])
    assert (heat.runtime, heat.mpaa, heat.directors) == (170, "R", ["Michael Mann"])  # one year off
    assert unknown.people == [] and match_rate == pytest.approx(1 / 3)
    assert "Tom Hanks" not in big.document()  # names are matched, not embedded (see README: they diluted genre queries)


def test_the_grounding_check_reads_names_as_names(people):
    from agent.factcheck import GroundingChecker

    lookup = {it.id: it for it in FILMS}.get
    facts = "Billy Madison (1995): stars Adam Sandler."
    with_people = GroundingChecker(TitleFinder(TitleResolver(FILMS), people), lookup)
    assert with_people.check("Billy Madison stars Adam Sandler, as you asked.", {"4"}, facts) == []
    without = GroundingChecker(TitleFinder(TitleResolver(FILMS)), lookup)  # "Adam" (2009) is a title too
    assert without.check("Billy Madison stars Adam Sandler, as you asked.", {"4"}, facts) != []
