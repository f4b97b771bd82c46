"""Path 3 and after: approval with a ``.manifest.yaml`` (``approve``, ``manifest_build``), optional Ed25519
signatures (``signing``), ``verify`` of an approved dataset, and ``export`` to catalog standards
(Frictionless, Croissant, ODCS)."""
