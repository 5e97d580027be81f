"""Languages, countries, Oscars and critics' scores from the default catalogue's Wikidata snapshot
reach the items' text: "a French comedy", "Oscar winners", "critically acclaimed"."""

from agent.grounding import attribute_in_text
from retrieval.items import Item


def test_the_text_names_a_foreign_language_oscars_and_acclaim_only_when_they_hold():
    amelie = Item(id="1", title="Amelie", year=2001, genres=["Comedy"], languages=["French"], countries=["France"],
                  metacritic=69)
    artist = Item(id="2", title="Artist, The", year=2011, languages=["English"], countries=["Belgium", "France"],
                  oscars=5, metacritic=89)
    plain = Item(id="3", title="Heat", year=1995, languages=["English", "Spanish"], countries=["United States"],
                 oscars=0, metacritic=76)
    assert "Language: French. Country: France." in amelie.document()
    assert artist.recognition() == ["Oscar winner (5 Oscars).", "Critically acclaimed (Metacritic 89)."]
    assert "Oscar" not in artist.document() and not amelie.recognition()  # matched, not embedded
    assert "Language" not in artist.document() and "Country: Belgium, France." in artist.document()
    assert plain.document() == "Heat (1995)."
    assert attribute_in_text("french", amelie) and not attribute_in_text("french", plain)
    assert attribute_in_text("oscar winners", artist) and attribute_in_text("critically acclaimed", artist)
    assert not attribute_in_text("oscar winners", amelie) and not attribute_in_text("critically acclaimed", plain)


def test_the_snapshot_gives_languages_countries_oscars_and_scores():
    from retrieval.sources import wikidata_metadata

    facts = wikidata_metadata()
    amelie, artist = facts[("amelie", 2001)], facts[("the artist", 2011)]
    assert amelie["languages"] == ["French"] and amelie["countries"] == ["France"] and amelie["oscars"] == 0
    assert artist["oscars"] == 3 and artist["metacritic"] == 89 and "France" in artist["countries"]


def test_a_french_comedy_brings_french_films_and_says_so(agent):
    result = agent.turn("a french comedy please")
    french = [it for it in result.items if "French" in (agent.engine.get(it.id).languages or [])]
    assert len(french) >= 3, [it.title for it in result.items]
    assert any("french" in it.reason.lower() for it in french), [it.reason for it in french]
    assert "favouring french" in result.reply, result.reply  # the reply says what was applied
    oscars = agent.turn("some oscar winners from the 90s")
    won = [it for it in oscars.items if agent.engine.get(it.id).oscars > 0]
    assert len(won) >= 3, [it.title for it in oscars.items]


def test_a_wish_said_earlier_still_holds_at_a_lower_weight():
    from agent.grounding import attribute_phrases
    from agent.planning import EARLIER_WISH, described_wishes
    from agent.state import DialogueState

    from agent.understanding.schema import Understanding

    def said(state, intent="refine", **wishes):
        return state.apply(Understanding(intent=intent, **wishes), lambda _: None)

    state = said(DialogueState(), liked_attributes=["french"], avoided_attributes=["gore"])
    assert dict(described_wishes(state)) == {attribute_phrases("french"): 1.0, attribute_phrases("gore"): -1.0}
    state = said(state, liked_attributes=["heist"])
    weights = dict(described_wishes(state))
    assert weights[attribute_phrases("heist")] == 1.0  # said in the last message
    assert weights[attribute_phrases("french")] == EARLIER_WISH and weights[attribute_phrases("gore")] == -EARLIER_WISH
    asked = said(state, intent="ask_item", liked_attributes=["heist"])  # "is it a heist film?" asks, wishes nothing
    assert dict(described_wishes(asked))[attribute_phrases("heist")] == EARLIER_WISH


def test_the_reply_names_an_aversion_once(agent):
    kids = agent.turn("something light and funny with my kids, nothing scary").reply
    assert "no horror films" in kids and "avoiding scary" not in kids, kids
    assert "(avoiding gore" in agent.turn("love horror but not gore").reply
