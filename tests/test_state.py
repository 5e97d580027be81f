from agent.planning import family_safe, filters_for, genre_weights
from agent.state import DialogueState
from agent.understanding.schema import Critique, Mention, SceneUpdate, Understanding


def lookup_from(items):
    by_id = {it.id: it for it in items}
    return by_id.get


def test_kids_scene_becomes_hard_family_safe_filters():
    s = DialogueState().apply(Understanding(scene=SceneUpdate(companions="kids")), lambda i: None)
    f = filters_for(s)
    assert f.mpaa_allowed == ["G", "PG", "NR"] and "Horror" in f.exclude_genres
    assert f.where() is not None


def test_a_family_rating_ceiling_leaves_horror_out_without_disliking_it():
    s = DialogueState().apply(Understanding.model_validate({"constraints": {"mpaa_max": "PG"}}), lambda i: None)
    assert family_safe(s) and "Horror" in filters_for(s).exclude_genres and s.constraints.exclude_genres == []
    s = DialogueState().apply(Understanding.model_validate({"constraints": {"mpaa_max": "PG-13"}}), lambda i: None)
    assert not family_safe(s) and "Horror" not in filters_for(s).exclude_genres


def test_contradiction_replaces_and_reset_clears(tiny_items):
    look = lookup_from(tiny_items)
    s = DialogueState().apply(Understanding(scene=SceneUpdate(companions="kids"), liked_genres=["Comedy"]), look)
    s = s.apply(Understanding(scene=SceneUpdate(companions_cleared=True)), look)
    assert s.scene.companions is None and s.liked_genres == ["Comedy"]
    s = s.apply(Understanding(mentions=[Mention(item_id="1", title="Toy Story", polarity="seen")]), look)
    s = s.apply(Understanding(intent="reset"), look)
    assert s.liked_genres == [] and s.seen_items == ["1"]  # seen items never come back
    assert "1" in s.excluded_ids()


def test_critiques_resolve_against_the_last_shown_list(tiny_items):
    look = lookup_from(tiny_items)
    s = DialogueState(last_shown=["9", "3", "1"])  # Shrek 90, Up 96, Toy Story 81
    shorter = s.apply(Understanding(intent="refine", critiques=[Critique(kind="shorter")]), look)
    assert shorter.constraints.max_runtime == 80  # median 90 - 10
    more_like = s.apply(Understanding(intent="refine", critiques=[Critique(kind="more_like", ref_index=1)]), look)
    assert more_like.anchor_items == ["3"]
    older = s.apply(Understanding(intent="refine", critiques=[Critique(kind="older")]), look)
    assert older.constraints.year_max == 1994
    different = s.apply(Understanding(intent="refine", critiques=[Critique(kind="different")]), look)
    assert "Animation" in different.avoid_genres


def test_a_funnier_critique_requires_comedy_until_the_person_names_genres_again(tiny_items):
    from agent.planning import filters_for

    look = lookup_from(tiny_items)
    drama = DialogueState().apply(Understanding(intent="recommend", liked_genres=["Drama"]), look)
    drama = drama.after_turn("recommend", shown=["9", "3"])
    funnier = drama.apply(Understanding(intent="refine", critiques=[Critique(kind="funnier")]), look)
    assert funnier.critiques == ["funnier"] and "funny" in funnier.scene.mood
    assert filters_for(funnier).any_genres == ["Comedy"]  # not "Drama or Comedy": the steer holds
    assert not funnier.is_thin()
    later = funnier.apply(Understanding(intent="recommend", liked_genres=["Horror"]), look)
    assert later.constraints.require_genres == [] and set(filters_for(later).any_genres) >= {"Horror"}
    different = funnier.apply(Understanding(intent="refine", critiques=[Critique(kind="different")]), look)
    assert different.constraints.require_genres == []
    assert funnier.apply(Understanding(intent="reset"), look).critiques == []


def test_question_turns_do_not_change_preferences(tiny_items):
    s = DialogueState(last_shown=["1"])
    s2 = s.apply(Understanding(intent="ask_item", liked_genres=["Horror"], references=[0], question="scary"),
                 lookup_from(tiny_items))
    assert s2.liked_genres == [] and s2.focus_item == "1"


def test_an_explicit_rating_ceiling_wins_over_the_kids_default():
    s = DialogueState().apply(Understanding(scene=SceneUpdate(companions="kids")), lambda i: None)
    s = s.apply(Understanding.model_validate({"constraints": {"mpaa_max": "PG-13"}}), lambda i: None)
    assert filters_for(s).mpaa_allowed == ["G", "PG", "PG-13", "NR"] and "Horror" in filters_for(s).exclude_genres


def test_titles_the_person_liked_or_chose_are_not_recommended_back(tiny_items):
    look = lookup_from(tiny_items)
    s = DialogueState().apply(Understanding(mentions=[Mention(item_id="1", title="Toy Story", polarity="liked"),
                                                      Mention(item_id="9", title="Shrek", polarity="liked")]), look)
    s = s.apply(Understanding(mentions=[Mention(item_id="3", title="Up", polarity="liked")]), look)
    assert s.anchor_items == ["3"]  # only the latest is the anchor; the earlier likes stay excluded too
    s = s.model_copy(update={"last_shown": ["12"], "shown_items": ["12"]}).apply(Understanding(intent="accept"), look)
    assert {"1", "9", "3", "12"} <= s.excluded_ids()


def test_a_kids_scene_holds_until_the_person_changes_it(tiny_items):
    from agent.understanding.embedded import EmbeddedUnderstander
    from agent.understanding.mentions import TitleFinder
    from retrieval.titles import TitleResolver

    nlu = EmbeddedUnderstander(TitleFinder(TitleResolver(tiny_items)))
    look = lookup_from(tiny_items)
    s = DialogueState()
    for text in ("something fun for my 5 year old", "and nothing depressing", "under 90 minutes please"):
        s = s.apply(nlu.understand(text), look)
        assert s.scene.companions == "kids" and family_safe(s), text
        assert "Horror" in filters_for(s).exclude_genres and filters_for(s).mpaa_allowed
    assert s.constraints.max_runtime == 90
    s = s.apply(nlu.understand("forget the time limit"), look)
    assert s.constraints.max_runtime is None and s.scene.companions == "kids"
    s = s.apply(nlu.understand("ok the kids went to bed, something for us grown-ups now"), look)
    assert s.scene.companions is None and not family_safe(s)


def test_a_negated_attribute_is_a_soft_penalty_not_a_lost_genre(tiny_items):
    from agent.understanding.embedded import EmbeddedUnderstander
    from agent.understanding.mentions import TitleFinder
    from retrieval.titles import TitleResolver

    nlu = EmbeddedUnderstander(TitleFinder(TitleResolver(tiny_items)))
    s = DialogueState().apply(nlu.understand("I love horror but not gore"), lookup_from(tiny_items))
    assert s.liked_genres == ["Horror"] and "Horror" not in filters_for(s).exclude_genres
    assert s.avoid_attributes == ["gore"] and genre_weights(s)["Horror"] > 0
    s = DialogueState().apply(nlu.understand("nothing scary"), lookup_from(tiny_items))
    assert "Horror" in filters_for(s).exclude_genres  # "nothing scary" still never shows Horror


def test_the_persons_own_numbers_win_over_a_critique(tiny_items):
    look = lookup_from(tiny_items)
    s = DialogueState(last_shown=["1", "9", "3"])  # 1995, 2001, 2009
    u = Understanding(intent="refine", critiques=[Critique(kind="newer")])
    u.constraints.year_min = 2006  # "more recent, after 2005"
    assert s.apply(u, look).constraints.year_min == 2006
    u = Understanding(intent="refine", critiques=[Critique(kind="shorter")])
    u.constraints.max_runtime = 120  # "shorter, under two hours"
    assert s.apply(u, look).constraints.max_runtime == 120


def test_newer_than_the_titles_named_when_nothing_was_shown(tiny_items):
    u = Understanding(critiques=[Critique(kind="newer")],
                      mentions=[Mention(item_id="2", title="Terminator 2: Judgment Day", polarity="liked")])
    s = DialogueState().apply(u, lookup_from(tiny_items))
    assert s.constraints.year_min == 1992 and "2" in s.liked_items


def test_the_latest_genres_filter_and_earlier_ones_weigh_in(tiny_items):
    """ "a comedy" filters the list, through a critique and a film named; genres named later replace
    it in the filter (comedy stays liked: the genre score); a question about a film moves on."""
    look = lookup_from(tiny_items)
    s = DialogueState().apply(Understanding(liked_genres=["Comedy"]), look)
    assert filters_for(s).any_genres == ["Comedy"]
    s = s.apply(Understanding(intent="refine", critiques=[Critique(kind="newer")]), look)
    s = s.apply(Understanding(mentions=[Mention(item_id="1", title="Toy Story", polarity="liked")]), look)
    assert filters_for(s).any_genres == ["Comedy"]  # steering and naming a film keep the request
    s = s.apply(Understanding(liked_genres=["Horror"]), look)
    assert filters_for(s).any_genres == ["Horror", "Thriller"]  # the latest genre, with its neighbour
    assert s.liked_genres == ["Comedy", "Horror"] and genre_weights(s)["Comedy"] > 0
    s = s.apply(Understanding(intent="ask_item", references=[0]), look)
    assert filters_for(s).any_genres == []


def test_a_genre_asked_for_lets_its_neighbours_through():
    """Catalogues file a film differently: "a kids movie" lets animated films through, "a thriller"
    horror, mystery and crime (vocabulary: related_genres)."""
    kids = DialogueState().apply(Understanding(liked_genres=["Children"]), lambda i: None)
    assert filters_for(kids).any_genres == ["Children", "Animation"]
    thriller = DialogueState().apply(Understanding(liked_genres=["Thriller"]), lambda i: None)
    assert filters_for(thriller).any_genres == ["Thriller", "Horror", "Mystery", "Crime", "Action"]
    comedy = DialogueState().apply(Understanding(liked_genres=["Comedy"]), lambda i: None)
    assert filters_for(comedy).any_genres == ["Comedy"]


def test_year_bounds_filter_until_a_question_about_a_film_and_are_kept(tiny_items):
    look = lookup_from(tiny_items)
    s = DialogueState().apply(Understanding.model_validate({"constraints": {"year_min": 1990, "year_max": 1999}}), look)
    assert (filters_for(s).year_min, filters_for(s).year_max) == (1990, 1999)
    s = s.apply(Understanding(scene=SceneUpdate(companions="kids")), look)  # a scene steers the same request
    s = s.apply(Understanding(mentions=[Mention(item_id="1", title="Toy Story", polarity="liked")]), look)
    assert filters_for(s).year_min == 1990
    s = s.apply(Understanding(intent="ask_item", references=[0]), look)  # a question about a film moves on
    assert filters_for(s).year_min is None and s.constraints.year_min == 1990  # kept, not applied
    s = s.apply(Understanding.model_validate({"constraints": {"year_min": 1990}}), look)  # said again
    assert filters_for(s).year_min == 1990
