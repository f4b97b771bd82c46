"""Behaviour blocks of the DSL: vintage curves, funnels, state machines, attribution chains."""
