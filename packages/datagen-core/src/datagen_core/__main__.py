"""``python -m datagen_core`` is the ``datagen`` command."""

from datagen_core.cli import main

if __name__ == "__main__":
    main(prog_name="datagen")
