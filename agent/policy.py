"""Choose the next dialogue action from the turn's understanding and the updated state."""

from __future__ import annotations

from dataclasses import dataclass

from agent.schema import Action
from agent.state import DialogueState
from agent.understanding.schema import Understanding

MAX_CLARIFY_IN_A_ROW = 2


@dataclass(frozen=True)
class Decision:
    action: Action
    why: str  # a short tag used to pick the reply wording (read only by agent.wording)


def decide(u: Understanding, state: DialogueState, knows_user: bool = False) -> Decision:
    """``knows_user``: the person has enough history that a vague request can be answered from
    their profile instead of with a clarifying question."""
    if u.intent == "empty":
        return Decision("ask", "empty")
    if u.intent == "reset":
        return Decision("acknowledge", "reset")
    if u.intent == "ask_item":
        return Decision("answer", "item_question") if state.focus_item else Decision("ask", "which_item")
    if u.intent == "accept":
        return Decision("acknowledge", "accept")
    if u.intent == "out_of_scope":
        return Decision("acknowledge", "out_of_scope")
    if u.intent == "greeting" and state.is_thin():
        return Decision("ask", "greeting")
    if u.intent == "smalltalk" and state.last_action != "ask":
        return Decision("acknowledge", "smalltalk")
    # after a clarifying question, a vague answer ("dunno") still counts as a request
    if u.intent == "reject":
        return Decision("recommend", "reject")
    if u.intent == "refine":  # "updated to your feedback" only when this turn gave some
        return Decision("recommend", "refine" if u.critiques or u.shown_verdict else "request")
    # a recommendation request
    if state.is_thin() and knows_user:
        return Decision("recommend", "profile")
    if state.is_thin() and state.clarify_streak < MAX_CLARIFY_IN_A_ROW and not u.unknown_titles:
        return Decision("ask", "thin")
    return Decision("recommend", "request")
