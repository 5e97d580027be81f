"""One LLM interface (:class:`agent.llm.base.LLM`) and its implementations."""

from agent.llm.base import LLM, LLMError, LLMUnavailable, Message
from agent.llm.fake import ScriptedLLM
from agent.llm.none import NoLLM

__all__ = ["LLM", "LLMError", "LLMUnavailable", "Message", "NoLLM", "ScriptedLLM"]
