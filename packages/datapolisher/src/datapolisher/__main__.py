"""``python -m datapolisher`` is the ``datapolisher`` command."""

from datapolisher.cli import main

if __name__ == "__main__":
    main(prog_name="datapolisher")
