"""Offline evaluation on conversational-recommendation benchmarks (ReDial, INSPIRED) and a
simulated user. Depends on ``agent`` and ``retrieval``; nothing in the product depends on it."""
