"""SceneRec agent: understanding, dialogue state, policy, explanation and LLM backends."""
