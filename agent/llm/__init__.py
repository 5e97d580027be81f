"""One LLM interface (:class:`agent.llm.base.LLM`) and its implementations."""

from agent.llm.base import LLM, Capabilities, Completion, InvalidOutput, LLMError, LLMUnavailable, Message, Usage
from agent.llm.fake import ScriptedLLM
from agent.llm.none import NoLLM

__all__ = ["LLM", "Capabilities", "Completion", "InvalidOutput", "LLMError", "LLMUnavailable", "Message", "NoLLM",
           "ScriptedLLM", "Usage"]
