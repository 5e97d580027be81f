import pytest

from agent.understanding.embedded import EmbeddedUnderstander, TurnContext
from agent.understanding.mentions import TitleFinder
from agent.understanding.verdicts import mention_polarity
from retrieval.titles import TitleResolver


@pytest.fixture(scope="module")
def nlu(tiny_items):
    return EmbeddedUnderstander(TitleFinder(TitleResolver(tiny_items)), max_year=2016)


def test_kids_scene_negation_and_mood(nlu):
    u = nlu.understand("something light and funny to watch with my two kids tonight, nothing scary")
    assert u.intent == "recommend"
    assert u.scene.companions == "kids"
    assert u.scene.time_of_day == "evening"
    assert {"light", "funny"} <= set(u.scene.mood)
    # "nothing scary" avoids an attribute (the state turns it into a hard Horror exclusion), it is
    # not a dislike of the whole genre
    assert "scary" in u.avoided_attributes and "Comedy" in u.liked_genres and u.disliked_genres == []
    assert u.mentions == []  # "kids" is not the movie Kids (1995)


def test_seen_title_and_runtime(nlu):
    u = nlu.understand("we've already seen Toy Story, and something under 90 minutes", TurnContext(last_shown=["9"]))
    assert [(m.item_id, m.polarity) for m in u.mentions] == [("1", "seen")]
    assert u.constraints.max_runtime == 90
    assert u.intent == "recommend"


@pytest.mark.parametrize("text,film_limit,time_budget", [
    ("only an hour and a half", None, 90), ("under 2 hours", 120, None), ("less than 100 mins", 100, None),
    ("we have two hours tops", None, 120), ("keep them busy for an hour", 60, None),
])
def test_runtime_phrases(nlu, text, film_limit, time_budget):
    """A limit on the film is a constraint; time the person has is part of the scene."""
    u = nlu.understand(f"a comedy, {text}")
    assert (u.constraints.max_runtime, u.scene.time_budget_min) == (film_limit, time_budget)


def test_decades_years_quality_and_mpaa(nlu):
    c = nlu.understand("a thriller from the 90s").constraints
    assert (c.year_min, c.year_max) == (1990, 1999)
    assert nlu.understand("sci-fi newer than 2010").constraints.year_min == 2011
    assert nlu.understand("something well reviewed").constraints.min_rating == 7.0
    assert nlu.understand("a comedy, nothing rated R").constraints.mpaa_max == "PG-13"


def test_negation_scope(nlu):
    u = nlu.understand("anything but horror, maybe a comedy")
    assert u.disliked_genres == ["Horror"] and u.liked_genres == ["Comedy"]
    u = nlu.understand("no cartoons please, i like action")
    assert "Animation" in u.disliked_genres and "Action" in u.liked_genres


def test_capitalised_common_word_titles_only(nlu):
    assert [m.item_id for m in nlu.understand("how long is Up?", TurnContext()).mentions] == ["3"]
    assert nlu.understand("cheer me up").mentions == []
    assert [m.item_id for m in nlu.understand("we loved Date Night").mentions] == ["10"]
    assert nlu.understand("a romantic date night movie").mentions == []


def test_misspelt_and_unknown_titles(nlu):
    u = nlu.understand("I loved Terminater 2")
    assert [m.item_id for m in u.mentions] == ["2"] and u.mentions[0].polarity == "liked"
    u = nlu.understand('have you seen "Blorpfest Ultra"? I liked Zanzibar Moonquake')
    assert "Blorpfest Ultra" in u.unknown_titles and "Zanzibar Moonquake" in u.unknown_titles


def test_titles_typed_as_they_sound():
    """A title spelt as it sounds is found in free text ("fite club", "the dark night"), while
    everyday words that only sound like a title's single word, or a phrase that is no title, are not."""
    from retrieval.items import Item

    items = [Item(id="1", title="Fight Club", year=1999, genres=["Drama"]),
             Item(id="2", title="The Dark Knight", year=2008, genres=["Action"]),
             Item(id="3", title="Night", year=2001, genres=["Drama"])]
    nlu = EmbeddedUnderstander(TitleFinder(TitleResolver(items)))
    assert [m.item_id for m in nlu.understand("liked fite club").mentions] == ["1"]
    assert [m.item_id for m in nlu.understand("liked the dark night but not nolan's others").mentions] == ["2"]
    assert nlu.understand("loved the night we went out").mentions == []
    titanic = EmbeddedUnderstander(TitleFinder(TitleResolver([Item(id="4", title="Titanic", year=1997, genres=["Drama"])])))
    assert [m.item_id for m in titanic.understand("i liked forest gump and titanik").mentions] == ["4"]
    assert titanic.understand("something titillating").mentions == []
    assert nlu.understand("something dark tonight").mentions == []


def test_a_sequel_by_its_part_and_a_slip_in_a_short_word():
    """"part 2" after a film named is its sequel, not a film whose title ends so; alone it is left as
    found. One slip in a four-letter word of a longer title ("finding nimo") is still that title."""
    from retrieval.items import Item

    items = [Item(id="1", title="Godfather, The", year=1972, genres=["Crime"]),
             Item(id="2", title="Godfather: Part II, The", year=1974, genres=["Crime"]),
             Item(id="3", title="Harry Potter and the Deathly Hallows: Part 2", year=2011, genres=["Fantasy"]),
             Item(id="4", title="Finding Nemo", year=2003, genres=["Animation"]),
             Item(id="5", title="Toy Story", year=1995, genres=["Animation"]),
             Item(id="6", title="Toy Story 2", year=1999, genres=["Animation"])]
    nlu = EmbeddedUnderstander(TitleFinder(TitleResolver(items)))
    u = nlu.understand("The Godfather was amazing but i didnt like part 2 tbh")
    assert [(m.item_id, m.polarity) for m in u.mentions] == [("1", "liked"), ("2", "disliked")]
    assert [m.item_id for m in nlu.understand("loved toy story, part 2 less so").mentions] == ["5", "6"]
    assert [m.item_id for m in nlu.understand("is part 2 any good?").mentions] == ["3"]
    assert [m.item_id for m in nlu.understand("my kids are obsessed with finding nimo").mentions] == ["4"]
    assert nlu.understand("my kids love nimo the clownfish").mentions == []
    assert [m.item_id for m in nlu.understand("we liked toy stroy 2").mentions] == ["6"]


def test_a_title_by_its_head_or_other_name_and_a_time_in_a_title():
    """A rare word that is a title's head before a colon or its other name ("borat", "se7en") names it
    in lower case; a subtitle word people use ("redemption") does not; the colon of a time ("3:10 to
    Yuma") splits no title, so "3 kids" names no film."""
    from retrieval.items import Item

    items = [Item(id="1", title="Borat: Cultural Learnings of America", year=2006, genres=["Comedy"]),
             Item(id="2", title="Seven (a.k.a. Se7en)", year=1995, genres=["Thriller"]),
             Item(id="3", title="24: Redemption", year=2008, genres=["Action"]),
             Item(id="4", title="3:10 to Yuma", year=2007, genres=["Western"])]
    nlu = EmbeddedUnderstander(TitleFinder(TitleResolver(items)))
    assert [m.item_id for m in nlu.understand("i loved borat and se7en").mentions] == ["1", "2"]
    assert nlu.understand("a story of redemption").mentions == []
    assert nlu.understand("for 2 adults and 3 kids").mentions == []
    assert [m.item_id for m in nlu.understand("loved 3:10 to yuma").mentions] == ["4"]



def test_a_swapped_pair_in_a_short_title_a_comparative_and_a_sequel_said_with_its_article():
    """Two letters swapped in a five-letter title ("sherk") still name it; a comparative after "but"
    compares ("but cleaner" is no *Cleaner*); "the terminator 2" is *Terminator 2*."""
    from retrieval.items import Item

    items = [Item(id="1", title="Shrek", year=2001, genres=["Animation"]),
             Item(id="2", title="Cleaner", year=2007, genres=["Thriller"]),
             Item(id="3", title="Terminator, The", year=1984, genres=["Action"]),
             Item(id="4", title="Terminator 2: Judgment Day", year=1991, genres=["Action"]),
             Item(id="5", title="Hangover, The", year=2009, genres=["Comedy"])]
    nlu = EmbeddedUnderstander(TitleFinder(TitleResolver(items)))
    assert [m.item_id for m in nlu.understand("something like sherk").mentions] == ["1"]
    assert nlu.understand("something like shkre").mentions == []
    assert [m.item_id for m in nlu.understand("like the hangover but cleaner").mentions] == ["5"]
    assert [m.item_id for m in nlu.understand("I liked cleaner").mentions] == ["2"]
    assert [m.item_id for m in nlu.understand("like the terminator 2").mentions] == ["4"]



def test_a_long_title_with_its_last_word_in_the_singular():
    from retrieval.items import Item

    items = [Item(id="1", title="Lord of the Rings: The Fellowship of the Ring, The", year=2001, genres=["Fantasy"]),
             Item(id="2", title="Ring, The", year=2002, genres=["Horror"])]
    nlu = EmbeddedUnderstander(TitleFinder(TitleResolver(items)))
    assert [m.item_id for m in nlu.understand("i like lord of the ring movies").mentions] == ["1"]
    assert [m.item_id for m in nlu.understand("i like The Ring").mentions] == ["2"]


def test_item_questions_and_ordinals(nlu):
    ctx = TurnContext(last_shown=["1", "9", "3"])
    u = nlu.understand("is the first one scary?", ctx)
    assert (u.intent, u.question, u.references) == ("ask_item", "scary", [0])
    u = nlu.understand("more like the second one", ctx)
    assert u.intent == "refine" and u.critiques[-1].kind == "more_like" and u.critiques[-1].ref_index == 1
    assert nlu.understand("something shorter", ctx).critiques[0].kind == "shorter"
    # a question about a shown film is a question, even with accept-like words ("that one", "it is")
    for question in ("Is that one any good?", "how long is that one?", "Tell me more about that one?"):
        assert nlu.understand(question, ctx).intent == "ask_item", question


def test_numbers_are_not_ratings_without_a_rating_word(nlu):
    for text in ("something for kids aged 6 or above", "a comedy for 4 or more people", "pg-13 or higher"):
        assert nlu.understand(text).constraints.min_rating is None, text
    assert nlu.understand("a thriller, 6.5 or higher").constraints.min_rating == 6.5
    assert nlu.understand("a thriller rated 7.5 or better").constraints.min_rating == 7.5


def test_other_intents(nlu):
    assert nlu.understand("").intent == "empty"
    assert nlu.understand("start over").intent == "reset"
    assert nlu.understand("hi").intent == "greeting"
    assert nlu.understand("hi, recommend something").intent == "recommend"
    assert nlu.understand("what's the weather in Paris").intent == "out_of_scope"
    assert nlu.understand("I'll watch the second one", TurnContext(last_shown=["1", "9"])).intent == "accept"
    assert nlu.understand("actually, no kids tonight").scene.companions_cleared


def test_mood_by_embedding_prototypes(embedder, tiny_items):
    from agent.understanding.prototypes import MoodPrototypes

    moods = MoodPrototypes(embedder)
    assert moods.closest("something to wind down before sleep") == "relaxing"
    assert moods.closest("a movie about basketball") is None
    nlu = EmbeddedUnderstander(TitleFinder(TitleResolver(tiny_items)), moods=moods)
    assert nlu.understand("I need something to forget my awful week").scene.mood == ["uplifting"]
    assert nlu.understand("a funny one").scene.mood == ["funny"]  # the lexicon comes first


def test_no_mood_is_guessed_for_a_situation_already_said(tiny_items):
    """The embedding's mood guess is for a bare wish ("something to forget my awful week"); a turn
    that names its occasion or time of day leans through those ("something to fall asleep to")."""
    class Guess:
        def closest(self, text):
            return "scary"

    nlu = EmbeddedUnderstander(TitleFinder(TitleResolver(tiny_items)), moods=Guess())
    assert nlu.understand("something to watch on the flight tomorrow").scene.mood == []
    assert nlu.understand("something to fall asleep to").scene.mood == ["relaxing"]  # the lexicon's, not the guess
    assert nlu.understand("need something for my night shift later").scene.mood == []
    assert nlu.understand("I need something to forget my awful week").scene.mood == ["scary"]


@pytest.mark.parametrize("text,shown,verdict,targets", [
    ("I loved all of those.", ["1", "9"], "liked", ["1", "9"]),
    ("I've seen both and liked them.", ["1", "9"], "liked", ["1", "9"]),
    ("Oh yes, classic.", ["1"], "liked", ["1"]),  # a short reply about the one title just named
    ("I didn't like it, too long.", ["1"], "disliked", ["1"]),
    ("I've seen all of those.", ["1", "9"], "seen", ["1", "9"]),  # known, not disliked
    ("Loved the second one", ["1", "9"], "liked", ["9"]),
])
def test_verdicts_on_the_titles_just_shown(nlu, tiny_items, text, shown, verdict, targets):
    from agent.state import DialogueState

    u = nlu.understand(text, TurnContext(last_shown=shown))
    assert u.shown_verdict == verdict
    state = DialogueState(last_shown=shown, shown_items=shown).apply(u, {it.id: it for it in tiny_items}.get)
    lists = {"liked": state.liked_items, "disliked": state.disliked_items, "seen": state.seen_items}
    assert lists[verdict] == targets
    assert all(not other for name, other in lists.items() if name != verdict)


@pytest.mark.parametrize("text,shown", [
    ("great, thanks!", ["1", "9", "3"]),  # thanks for five picks is not "I loved all five"
    ("I liked it", ["1", "9"]),  # which one?
    ("is it good?", ["1"]),  # a question
    ("I haven't seen it", ["1"]),
    ("I loved Shrek", ["1"]),  # the verdict is on the title named, not on the one shown
    ("No, not those. I really liked Shrek.", ["1", "3"]),  # a rejection, and praise for another title
    ("None of those, I loved them all years ago", ["1", "3"]),  # a rejection first
])
def test_no_verdict_without_a_clear_target(nlu, text, shown):
    assert nlu.understand(text, TurnContext(last_shown=shown)).shown_verdict is None


def test_never_seen_is_no_seen_mention(nlu):
    u = nlu.understand("I have never seen Toy Story, I will check it out")
    assert [(m.item_id, m.polarity) for m in u.mentions] == [("1", "unseen")]


def test_a_title_never_seen_in_a_request_is_no_liked_title(nlu, tiny_items):
    """ "I've seen Shrek but never seen Toy Story": Toy Story is new to them, not a taste to match."""
    from agent.state import DialogueState

    u = nlu.understand("Looking for a comedy. I've seen Shrek but never seen Toy Story.")
    state = DialogueState().apply(u, {it.id: it for it in tiny_items}.get)
    assert "1" not in state.liked_items and "1" not in state.seen_items


@pytest.mark.parametrize("text", [
    "I didn't really like Toy Story.",  # an adverb inside the negation
    "I'm not into movies with a lot of singing, like Toy Story.",  # an example of what they don't want
    "Toy Story is not my speed.",  # said after the title
    "Shrek was much better than Toy Story",  # the worse of two
    "I can't stand Toy Story",
    "something unlike Toy Story please",  # away from it
])
def test_titles_the_person_does_not_want(nlu, text):
    assert [(m.item_id, m.polarity) for m in nlu.understand(text).mentions if m.item_id == "1"] == [("1", "disliked")]


def test_an_aversion_in_another_clause_leaves_a_liked_example_alone(nlu):
    u = nlu.understand("I'm not into horror, I love movies like Toy Story")
    assert [(m.item_id, m.polarity) for m in u.mentions] == [("1", "liked")] and "Horror" in u.disliked_genres


@pytest.mark.parametrize("words,polarity", [
    ("i hated heat", "disliked"),
    ("heat is my all-time favourite", "liked"),
    ("heat is one of my favourites", "liked"),
    ("we saw heat yesterday", "seen"),
    ("watched heat before", "seen"),
    ("i've never seen heat", "unseen"),
    ("i loved heat", "liked"),
    ("what about heat ?", "neutral"),
])
def test_mention_polarity_from_the_words_around_a_title(words, polarity):
    norms = words.split()
    at = norms.index("heat")
    assert mention_polarity(norms, at, at + 1, negated=False) == polarity


@pytest.mark.parametrize("text,shown,accepted", [
    ("I haven't seen that. I'll check it out!", ["1"], ["1"]),  # "seen that" inside "haven't seen that": no rejection
    ("No I haven't, will keep an eye out for it.", ["1"], ["1"]),  # "no" answers "have you seen it?"
    ("They sound good. I'll check them out.", ["1", "9"], ["1", "9"]),  # "them": every title just shown
    ("I'll check out the second one.", ["1", "9"], ["9"]),
])
def test_accepting_titles_just_shown(nlu, tiny_items, text, shown, accepted):
    from agent.state import DialogueState

    u = nlu.understand(text, TurnContext(last_shown=shown))
    assert u.intent == "accept"
    state = DialogueState(last_shown=shown).apply(u, {it.id: it for it in tiny_items}.get)
    assert state.accepted_items == accepted and not state.disliked_items


def test_a_year_said_about_a_named_film_is_no_limit(nlu):
    u = nlu.understand('I recently watched "Shrek" which was made in 2001, with my sister')
    assert u.mentions and u.constraints.year_min is None and u.constraints.year_max is None
    both = nlu.understand("loved Scream, which came out in 1996. anything after 2010?")
    assert (both.constraints.year_min, both.constraints.year_max) == (2011, None)
    asked = nlu.understand("something that was made in 2001")
    assert (asked.constraints.year_min, asked.constraints.year_max) == (2001, 2001)


def test_turning_a_list_down_while_asking_anew_refines(nlu):
    shown = TurnContext(last_shown=["2", "7", "5"])
    assert nlu.understand("No, not those. I really liked Toy Story.", shown).intent in ("refine", "recommend")
    assert nlu.understand("No, not those. Maybe with some comedy too.", shown).intent in ("refine", "recommend")
    assert nlu.understand("nah, not those", shown).intent == "reject"
    assert nlu.understand("ugh no , not Scream", shown).intent == "reject"


def test_a_number_after_a_word_of_watching_names_the_film():
    from retrieval.items import Item

    items = [Item(id="1", title="2001: A Space Odyssey", year=1968, genres=["Sci-Fi"])]
    nlu = EmbeddedUnderstander(TitleFinder(TitleResolver(items)))
    assert [m.item_id for m in nlu.understand("i literally fell asleep during 2001").mentions] == ["1"]
    assert [m.item_id for m in nlu.understand("movies like 2001").mentions] == ["1"]
    u = nlu.understand("something from 2001")
    assert u.mentions == [] and u.constraints.year_min == 2001


def test_a_misspelt_long_title_over_a_one_word_title_inside_it():
    from retrieval.items import Item

    items = [Item(id="1", title="Pride", year=2014, genres=["Comedy"]),
             Item(id="2", title="Pride & Prejudice", year=2005, genres=["Romance"])]
    nlu = EmbeddedUnderstander(TitleFinder(TitleResolver(items)))
    assert [m.item_id for m in nlu.understand("my wife loves Pride and Prejudise").mentions] == ["2"]
    assert [m.item_id for m in nlu.understand("we loved Pride").mentions] == ["1"]



@pytest.mark.parametrize("text, field, value", [
    ("something under ninety minutes", "max_runtime", 90),
    ("we have about forty-five minutes", "time_budget_min", 45),
    ("a movie for my son, he is eleven", "companions", "kids"),
])
def test_number_words_come_from_the_one_table_in_the_data(nlu, text, field, value):
    """Runtimes, budgets and ages read number words from en.yaml's ``number_words`` alone."""
    from agent.understanding.vocabulary import vocabulary

    u = nlu.understand(text)
    got = u.scene.companions if field == "companions" else (
        getattr(u.scene, field, None) if field == "time_budget_min" else getattr(u.constraints, field))
    assert got == value
    assert {"ninety", "forty-five", "eleven"} <= set(vocabulary("en").number_words)


def test_newer_or_older_like_named_films_takes_those_films_in(nlu, tiny_items):
    """"Something newer, like Shrek or Up": the films show what is wanted (from 2001 on), where
    "like Toy Story but newer" moves past the film (from 1996 on)."""
    from agent.state import DialogueState

    look = {it.id: it for it in tiny_items}.get
    u = nlu.understand("something newer, like Shrek (2001) or Up (2009)")
    assert [(k.kind, k.by_example) for k in u.critiques] == [("newer", True)]
    assert DialogueState().apply(u, look).constraints.year_min == 2001
    u = nlu.understand("I also like older ones like Halloween (1978) or The Godfather (1972)")
    assert [(k.kind, k.by_example) for k in u.critiques] == [("older", True)]
    assert DialogueState().apply(u, look).constraints.year_max == 1978
    u = nlu.understand("like Toy Story but newer")
    assert [(k.kind, k.by_example) for k in u.critiques] == [("newer", False)]
    assert DialogueState().apply(u, look).constraints.year_min == 1996


def test_older_ones_a_film_is_compared_with_ask_for_nothing(nlu):
    """"The newer Star Wars movies are better than the older ones" judges films; "older than the
    ones you showed" still asks for something older."""
    u = nlu.understand("The newer Star Wars movies are better than the older ones. Loved Toy Story (1995)")
    assert u.critiques == [] and u.constraints.year_max is None
    assert [k.kind for k in nlu.understand("loved Toy Story (1995), something older than that").critiques] == ["older"]


def test_a_title_of_the_list_just_shown_counts_in_lower_case(nlu, tiny_items):
    """On screen, "elf" is the film: a shown title named in any case is a reference to it, and a
    wish to watch it ("i would love ...") takes that pick; a name that is everyday English ("up",
    "scream") does not count, and "i would love something funny" still asks for films."""
    from agent.state import DialogueState

    ctx = TurnContext(last_shown=["9", "7", "3", "12", "11"])  # Shrek, The Godfather, Up, Notting Hill, Scream
    for text, ref in [("i would love shrek", 0), ("godfather sounds great", 1), ("id like to watch notting hill", 3)]:
        u = nlu.understand(text, ctx)
        assert u.intent == "accept" and u.references in ([ref], []), text  # ("shrek" the title finder finds itself)
        state = DialogueState(last_shown=ctx.last_shown, shown_items=ctx.last_shown).apply(u, {it.id: it for it in tiny_items}.get)
        assert state.accepted_items == [ctx.last_shown[ref]], text
    assert nlu.understand("i would love to watch something, i'm up for anything", ctx).references == []
    asked = nlu.understand("anything that makes you scream?", ctx)  # films that do, not the film Scream
    assert asked.references == [] and asked.intent != "ask_item"
    assert nlu.understand("i would love something funny", ctx).intent == "recommend"
    assert nlu.understand("i loved shrek as a kid", ctx).intent != "accept"  # loved it then: no pick taken


@pytest.mark.parametrize("text, avoided", [
    ("I want a silly movie. No high brow humor, just something fun", "high brow humor"),
    ("not a high-brow comedy", "high-brow comedy"),
    ("I don't want a stupid comedy", "stupid comedy"),
])
def test_a_kind_of_a_genre_avoided_is_not_the_genre(nlu, text, avoided):
    """ "no high brow humor" avoids highbrow comedy; it used to exclude every comedy (negation.kind_words)."""
    u = nlu.understand(text)
    assert "Comedy" not in u.disliked_genres and avoided in u.avoided_attributes


@pytest.mark.parametrize("text", [
    "I am not sure if I would call that one an adventure comedy. Though it was a good movie.",
    "Forrest Gump (1994) but I don't consider that a historical drama of course.",
])
def test_filing_a_film_under_a_genre_is_no_aversion(nlu, text):
    """What a film is or is not (rules.classifying) asks for nothing and rules nothing out."""
    u = nlu.understand(text)
    assert u.disliked_genres == [] and u.liked_genres == [] and u.avoided_attributes == []
    assert nlu.understand("i don't consider horror fun").disliked_genres == ["Horror"]
