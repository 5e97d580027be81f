"""The root of SceneRec's own exceptions: ``except SceneRecError`` catches every expected failure
the product raises (a bad file, a missing catalogue, an LLM that did not answer ...), never a bug.

Each subclass keeps its historical built-in base too (``IngestError`` is still a ``ValueError``,
``UnknownSession`` a ``KeyError``), so callers that catch those keep working. It lives in the
innermost package so every layer can use it (ui → evaluation → agent → retrieval).
"""


class SceneRecError(Exception):
    """An expected failure of SceneRec, with a message for a person."""
