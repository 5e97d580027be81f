"""Turn understanding: the embedded (rule + lexicon + catalogue) and LLM understanders."""
