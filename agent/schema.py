"""One home for the agent's vocabularies of kinds: actions, intents, critique kinds, feedback kinds.

Intents and critique kinds are defined with the understanding's result model
(:mod:`agent.understanding.schema`) and named here; actions and feedback kinds are defined here.
Everything else (the policy, the API's models and OpenAPI enums, the LLM understander's JSON
schema, the chat commands, the web widget served by the API) takes them from this module.
"""

from __future__ import annotations

from typing import Literal, get_args

from agent.understanding.schema import INTENT_MEANINGS, CritiqueKind, Intent

Action = Literal["recommend", "ask", "answer", "acknowledge"]
FeedbackKind = Literal["like", "dislike", "seen", "accept"]  # on a shown item; "seen" and "dislike" exclude it

ACTIONS: tuple[str, ...] = get_args(Action)
INTENTS: tuple[str, ...] = get_args(Intent)
CRITIQUE_KINDS: tuple[str, ...] = get_args(CritiqueKind)
FEEDBACK_KINDS: tuple[str, ...] = get_args(FeedbackKind)
# what a model may choose: "empty" is the agent's own reading of a message with nothing in it
LLM_INTENTS: tuple[str, ...] = tuple(i for i in INTENTS if i != "empty")

__all__ = ["ACTIONS", "CRITIQUE_KINDS", "FEEDBACK_KINDS", "INTENTS", "INTENT_MEANINGS", "LLM_INTENTS", "Action",
           "CritiqueKind", "FeedbackKind", "Intent"]
