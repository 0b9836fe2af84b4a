"""The `la2050-search` command line: parse, index, stats and serve.

Public API: `dependencies.main`, the `la2050-search` script (it checks the declared
libraries, then runs `cli.main`, the click group); `server.run_server`, the gunicorn runner.
"""
