"""Problems of how the data behaves (fanout, retention, segments, mixes, patterns): fixed in the schema, which
generates the data again."""
