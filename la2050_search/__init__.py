"""The `la2050-search` command line: parse, index, stats and serve."""
