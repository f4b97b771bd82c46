"""Column generators (``values``) and modifiers (``modifiers``), vectorized over one chunk."""
