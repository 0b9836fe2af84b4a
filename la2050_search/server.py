"""Run the Flask app under gunicorn, configured in code rather than a config file.

Workers are gevent's (gunicorn's asynchronous worker class), not threads. gunicorn's
`gthread` worker reads a request's headers in one of its few threads: eight clients
trickling a header line every two seconds held all eight threads of `serve` and left
`/healthz` unanswered for 25 s. gunicorn documents async workers for serving clients
directly ("Serving requests directly to the internet" needs them, docs/design), short of
a buffering proxy: a gevent worker waits for each connection's bytes in its event loop,
so a slow client costs one idle greenlet and a socket, never a worker, and one whose
headers take over HEADER_TIMEOUT seconds is disconnected. Searches are CPU
work under one GIL per process, so threads gave no parallelism that processes do not;
a request's CPU is bounded by SEARCH_REQUEST_BUDGET_MS, so none holds its worker long.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

GRACEFUL_TIMEOUT = 10  # seconds a worker gets to finish requests on shutdown
WORKER_TIMEOUT = 120  # seconds of silence before gunicorn restarts a worker (opening a 10x index takes a few)
WORKER_CONNECTIONS = 1000  # open connections one worker keeps, slow ones included (gunicorn's default)
# Seconds a request's headers may take to arrive, and an idle keep-alive connection may
# stay open: gevent workers read each request under a timeout of `keepalive` seconds.
HEADER_TIMEOUT = 5


class _SearchServer(BaseApplication):
    """A gunicorn application that builds the Flask app in each worker after fork."""

    def __init__(self, app_config: dict, options: dict):
        self.app_config = app_config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from search_app import create_app, warm_up

        app = create_app(self.app_config)
        warm_up(app)  # open the live generation now, not on the first user's request
        return app


def run_server(app_config: dict, *, host: str, port: int, workers: int) -> None:
    """Serve until interrupted; gunicorn handles signals and worker restarts."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gevent",
        "worker_connections": WORKER_CONNECTIONS,
        "keepalive": HEADER_TIMEOUT,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "timeout": WORKER_TIMEOUT,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "limit_request_line": 8190,
    }
    _SearchServer(app_config, options).run()
