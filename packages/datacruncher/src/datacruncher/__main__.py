"""``python -m datacruncher`` is the ``datacruncher`` command."""

from datacruncher.cli import main

if __name__ == "__main__":
    main(prog_name="datacruncher")
