"""After generating: parquet files written chunk by chunk (``writer``, ``sink``), the columns later tables keep
(``store``), ids in time order across a table (``time_ranks``), work spread over workers (``scaleout``,
``executors``) and the ``.metadata.json`` of the result (``dataset``, ``tables``)."""
