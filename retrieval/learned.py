"""The models ``scenerec train`` learns from conversations, as one versioned bundle on disk.

A bundle is a folder:

- ``manifest.json``: format version, what data (file names, sizes, sha256) and code made it, the
  seed, the sentence encoder its vectors come from, the ranker's feature weights (for a request, and
  after a critique), and the
  validation figures measured when it was chosen;
- ``comention.npz``: :class:`retrieval.comention.CoMention` (film names and counts);
- ``text_scorer.npz``: :class:`retrieval.text_scorer.TextScorer` (one square matrix);
- ``conversation.npz``: :class:`retrieval.conversation_model.ConversationModel` (a vocabulary of
  words and word pairs, IDF weights, film names and vectors);
- ``sentiment.json``: n-gram weights of the mention-sentiment model
  (:class:`agent.understanding.sentiment.MentionSentiment` reads it);
- ``film_knowledge.npz``: :class:`retrieval.film_knowledge.FilmKnowledge` (film names and the
  sentence vectors of the training catalogue's item text, which the default catalogue's ingest
  blends into its own).

Only learned numbers, ids and titles are stored: never third-party text. ``load_bundle`` checks
everything and raises :class:`ModelBundleError` with a message a person can act on; callers fall
back to the hand-set weights (see :func:`agent.wiring.load_learned`).

Example::

    bundle = load_bundle(Path("models/redial"), encoder="all-MiniLM-L6-v2", dimension=384)
    bundle.weights["co_mention"]
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.comention import CoMention
from retrieval.conversation_model import ConversationModel
from retrieval.film_knowledge import FilmKnowledge
from retrieval.text_scorer import TextScorer

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
COMENTION = "comention.npz"
TEXT_SCORER = "text_scorer.npz"
SENTIMENT = "sentiment.json"
CONVERSATION = "conversation.npz"
FILM_KNOWLEDGE = "film_knowledge.npz"
log = logging.getLogger(__name__)


class ModelBundleError(RuntimeError):
    """A learned-model bundle is missing, corrupt or made for something else."""


@dataclass
class ModelBundle:
    manifest: dict
    comention: CoMention | None = None
    text_scorer: TextScorer | None = None
    weights: dict[str, float] = field(default_factory=dict)  # fitted on the conversations' requests
    # after the person has critiqued a list ("something funnier"): the fitted weights blended with the
    # hand-set ones, which honour an explicit steer that ReDial's recommenders rarely had to follow
    critique_weights: dict[str, float] = field(default_factory=dict)
    sentiment: str | None = None  # the mention-sentiment model, as JSON text
    conversation: ConversationModel | None = None
    film_knowledge: FilmKnowledge | None = None

    @property
    def label(self) -> str:
        data = ", ".join(self.manifest.get("data", {}))
        return f"learned models v{self.manifest.get('format_version')} ({data or 'no data recorded'})"


def file_digest(path: Path) -> dict:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return {"bytes": path.stat().st_size, "sha256": h.hexdigest()}


def save_bundle(folder: Path, bundle: ModelBundle) -> None:
    """Write the bundle; the manifest goes last, so a half-written folder never loads."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MANIFEST).unlink(missing_ok=True)
    files = {}
    if bundle.comention is not None:
        np.savez_compressed(folder / COMENTION, **bundle.comention.to_arrays())
        files[COMENTION] = file_digest(folder / COMENTION)
    if bundle.text_scorer is not None:
        np.savez_compressed(folder / TEXT_SCORER, weights=bundle.text_scorer.weights)
        files[TEXT_SCORER] = file_digest(folder / TEXT_SCORER)
    if bundle.conversation is not None:
        np.savez_compressed(folder / CONVERSATION, **bundle.conversation.to_arrays())
        files[CONVERSATION] = file_digest(folder / CONVERSATION)
    if bundle.film_knowledge is not None:
        np.savez_compressed(folder / FILM_KNOWLEDGE, **bundle.film_knowledge.to_arrays())
        files[FILM_KNOWLEDGE] = file_digest(folder / FILM_KNOWLEDGE)
    if bundle.sentiment is not None:
        (folder / SENTIMENT).write_text(bundle.sentiment, encoding="utf-8")
        files[SENTIMENT] = file_digest(folder / SENTIMENT)
    manifest = dict(bundle.manifest, format_version=FORMAT_VERSION, files=files,
                    weights={k: round(float(v), 6) for k, v in bundle.weights.items()},
                    critique_weights={k: round(float(v), 6) for k, v in bundle.critique_weights.items()})
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(folder / MANIFEST)


def load_bundle(folder: Path, encoder: str | None = None, dimension: int | None = None) -> ModelBundle:
    """Read and check a bundle; ``encoder`` / ``dimension`` are the running sentence encoder's."""
    path = folder / MANIFEST
    if not path.is_file():
        raise ModelBundleError(f"no learned models in {folder} (no {MANIFEST}): run `scenerec train`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except (ValueError, UnicodeDecodeError) as e:
        raise ModelBundleError(f"{path} is corrupt ({e}): run `scenerec train` again") from None
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelBundleError(f"{folder} holds learned models of format {version!r}; this SceneRec reads "
                               f"format {FORMAT_VERSION}: run `scenerec train` again")
    made_with = manifest.get("encoder") or {}
    if encoder and made_with.get("name") not in (None, encoder):
        raise ModelBundleError(f"{folder} was trained on {made_with.get('name')} vectors, the catalogue uses "
                               f"{encoder}: run `scenerec train` again")
    files = manifest.get("files") or {}
    for name, digest in files.items():
        f = folder / name
        if not f.is_file() or file_digest(f) != digest:
            raise ModelBundleError(f"{f} is missing or does not match its manifest: run `scenerec train` again")
    weights = {str(k): float(v) for k, v in (manifest.get("weights") or {}).items()}
    critique = {str(k): float(v) for k, v in (manifest.get("critique_weights") or {}).items()}
    bundle = ModelBundle(manifest, weights=weights, critique_weights=critique or dict(weights))
    try:
        if COMENTION in files:
            with np.load(folder / COMENTION, allow_pickle=False) as z:
                bundle.comention = CoMention.from_arrays({k: z[k] for k in z.files})
        if TEXT_SCORER in files:
            with np.load(folder / TEXT_SCORER, allow_pickle=False) as z:
                bundle.text_scorer = TextScorer(z["weights"])
        if CONVERSATION in files:
            with np.load(folder / CONVERSATION, allow_pickle=False) as z:
                bundle.conversation = ConversationModel.from_arrays({k: z[k] for k in z.files})
        if FILM_KNOWLEDGE in files:
            bundle.film_knowledge = _film_knowledge_file(folder / FILM_KNOWLEDGE)
        if SENTIMENT in files:
            bundle.sentiment = (folder / SENTIMENT).read_text(encoding="utf-8")
            json.loads(bundle.sentiment)
    except (OSError, KeyError, IndexError, ValueError, zipfile.BadZipFile) as e:
        raise ModelBundleError(f"{folder}: a model file cannot be read ({e}): run `scenerec train` again") from None
    if bundle.text_scorer is not None and dimension and bundle.text_scorer.dimension != dimension:
        raise ModelBundleError(f"{folder}: the text scorer expects {bundle.text_scorer.dimension}-d vectors, the "
                               f"encoder gives {dimension}-d: run `scenerec train` again")
    knowledge = bundle.film_knowledge
    if knowledge is not None and ((encoder and knowledge.encoder != encoder) or (dimension and knowledge.dimension != dimension)):
        raise ModelBundleError(f"{folder}: the film knowledge holds {knowledge.dimension}-d {knowledge.encoder} vectors, "
                               f"the catalogue uses {dimension}-d {encoder} ones: run `scenerec train` again")
    return bundle


def read_film_knowledge(folder: Path, encoder: str) -> FilmKnowledge | None:
    """Only the bundle's film knowledge (the default catalogue's ingest needs nothing else), or None
    when the bundle lists none, made it with another encoder, or cannot be read (logged)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        digest = manifest["files"][FILM_KNOWLEDGE]
        if (manifest.get("encoder") or {}).get("name") not in (None, encoder):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no bundle, or none with film knowledge: load_bundle reports what is wrong
    path = folder / FILM_KNOWLEDGE
    try:
        if file_digest(path) != digest:
            raise ValueError("it does not match its manifest")
        knowledge = _film_knowledge_file(path)
    except (OSError, KeyError, IndexError, ValueError, zipfile.BadZipFile) as e:
        log.warning("%s cannot be read (%s): the catalogue is built without it", path, e)
        return None
    return knowledge if knowledge.encoder == encoder else None


def _film_knowledge_file(path: Path) -> FilmKnowledge:
    with np.load(path, allow_pickle=False) as z:
        return FilmKnowledge.from_arrays({k: z[k] for k in z.files})
