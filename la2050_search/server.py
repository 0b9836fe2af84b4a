"""Run the Flask app under gunicorn, configured in code rather than a config file."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication

GRACEFUL_TIMEOUT = 10  # seconds a worker gets to finish requests on shutdown
WORKER_TIMEOUT = 120  # seconds of silence before gunicorn restarts a worker (opening a 10x index takes a few)


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


def run_server(app_config: dict, *, host: str, port: int, workers: int, threads: int) -> None:
    """Serve until interrupted; gunicorn handles signals and worker restarts."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "timeout": WORKER_TIMEOUT,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "limit_request_line": 8190,
    }
    _SearchServer(app_config, options).run()
