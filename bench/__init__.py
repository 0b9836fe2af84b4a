"""Benchmarks for la2050-search: indexing, search latency, HTTP load and memory.

Run `python -m bench.run` (or `make bench`); `--quick` is the smoke run used by the tests.
The modules split the work by what is measured:

- `corpus`: find the shared corpus and write scaled copies (5x, 10x) with new ids and text;
- `indexing`: full rebuilds, incremental updates (library and CLI), index size;
- `search`: `/api/search` through the real view code with Flask's test client;
- `http_load`: `la2050-search serve` under concurrent keep-alive clients, worker memory;
- `stats` and `report`: min / median / p95 summaries, tables, targets and JSON;
- `profile`: cProfile of the search path or a rebuild (`python -m bench.profile search`);
- `tune`: the ranking weights chosen on data, from the engine's signals (`engine.tuning`).

Timings are reported against the targets but never fail the run.
"""
