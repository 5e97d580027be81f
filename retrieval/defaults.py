"""Default values of the retrieval layer's knobs, each defined once.

The models here use them as their own defaults, and ``agent/settings.py`` uses them as the
defaults of the user-facing settings (``SCENEREC_PROFILE_COLLABORATIVE_L2`` ...). Kept apart
from the models so that reading settings imports no numpy, scipy or Chroma.
"""

# EASE's ridge strength, fitted on the MovieLens ratings (benchmarks/personalization.py ease);
# 0 turns EASE off (cosine item-item only: no dense solve at start-up, for very large catalogues)
EASE_L2 = 500.0
TRANSITION_WINDOW = 5  # items after A that count as "watched after A"

# interest profiles: pseudo-ratings of the population prior per attribute family, pseudo-ratings
# pulling a scene view towards the global view, share of in-scene feedback that also updates it
PRIOR_STRENGTH = 20.0
SCENE_STRENGTH = 8.0
SCENE_SPILLOVER = 0.3

# up to this many items the engine keeps items in memory; up to the second, their vectors too
# (exact search); beyond, items are read from SQLite on demand and search uses Chroma's ANN index
MAX_ITEMS_IN_MEMORY = 250_000
EXACT_SEARCH_MAX_ITEMS = 50_000

EMBEDDING_BATCH_SIZE = 64  # texts per encoder batch
