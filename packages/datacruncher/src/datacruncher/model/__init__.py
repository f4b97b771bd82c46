"""The semantic model of a dataset: tables mounted in DuckDB (``catalog``), what the producer declared
(``declarations``), and what discovery infers from values — keys (``keys``, ``references``), column roles
(``roles``), activity tables (``activity``) — gathered in ``semantic``."""
