"""Checks: persona YAML files (``personas``) bound to the model (``bindings``) and run as DuckDB SQL (``runner``)
with per-run thresholds (``thresholds``); the schema's declared constraints (``constraints``), drift against it
or a baseline (``drift``, ``baseline``, ``divergence``), and scenario expectations (``scenarios``,
``scenario_scope``)."""
