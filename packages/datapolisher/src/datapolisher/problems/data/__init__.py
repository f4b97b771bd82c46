"""Problems in the values: fixed in the data (a post-processing step), and at their source in the schema where
generation injected them."""
