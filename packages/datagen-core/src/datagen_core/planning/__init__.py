"""Before generating: expected rows and bytes (``plan``, ``means``, ``widths``, ``effects``), resource bounds
(``budget``), wall-time and memory estimates (``estimates``), what the engine cannot do (``limits``) and the
generation order with the columns later tables read (``needs``)."""
