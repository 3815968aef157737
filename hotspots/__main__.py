"""``python -m hotspots``: the command line, as the ``hotspots`` script runs it."""

from hotspots.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
