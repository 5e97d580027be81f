"""Personalisation, one job a module: a person's history (``history``), their user model
(``user_model``), one turn's personal signals (``signals``), grounded facts for reasons
(``facts``), the interest snapshot (``snapshot``), what is stored about people (``privacy``),
and the :class:`~agent.personal.personalizer.Personalizer` that holds the fitted models."""
