"""`python -m la2050_search`: the same command line as the `la2050-search` script."""

from .dependencies import main

if __name__ == "__main__":
    main()
