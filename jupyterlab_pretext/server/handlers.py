"""Handlers of /pretext/api/tracking: runs and metric histories of the tracking server."""

import base64
import json
import os
from urllib.parse import urlencode, urlsplit

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from .settings import redacted as _redacted
from .settings import resolve_tracking

# Query arguments each endpoint understands; anything else (a `uri`, `url`, `host`, ...) is
# refused, so the browser can never point this extension at another host.
RUNS_ARGS = {"max_results"}
METRICS_ARGS = {"key"}

NOT_CONFIGURED = (
    "no tracking server is configured (set Tracking URI in Settings > Pretext, or start "
    "Jupyter with MLFLOW_TRACKING_URI set)."
)


class TrackingUnavailable(Exception):
    """The tracking server cannot be read now; `status` is the HTTP status that says why."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def tracking_uri():
    return resolve_tracking().uri


def _headers(uri):
    headers = {"Content-Type": "application/json"}
    token = os.environ.get("MLFLOW_TRACKING_TOKEN")
    parts = urlsplit(uri)
    user = os.environ.get("MLFLOW_TRACKING_USERNAME") or parts.username
    password = os.environ.get("MLFLOW_TRACKING_PASSWORD") or parts.password or ""
    if token:
        headers["Authorization"] = f"Bearer {token}"
    elif user:
        pair = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {pair}"
    return headers


class TrackingHandler(APIHandler):
    allowed_args = set()

    def check_args(self):
        # JupyterLab's ServerConnection appends a bare timestamp (`?1796172164329`) to GETs as
        # a cache buster: a name of digits only, with no value, cannot name a host.
        unknown = {
            name
            for name, values in self.request.arguments.items()
            if name not in self.allowed_args and not (name.isdigit() and values == [b""])
        }
        if unknown:
            raise tornado.web.HTTPError(
                400,
                reason=(
                    f"Unknown argument(s) {', '.join(sorted(unknown))}: this endpoint only "
                    "reads the tracking server configured for the Jupyter server (its "
                    "environment or Settings > Pretext)."
                ),
            )

    async def mlflow(self, method, route, body=None, query=None):
        """One MLflow REST call; TrackingUnavailable (with a status and a sentence) if not."""
        tracking = resolve_tracking()
        if not tracking.uri:
            raise TrackingUnavailable(404, tracking.problem or NOT_CONFIGURED)
        uri = tracking.uri
        base = _redacted(uri)
        url = f"{base}/api/2.0/mlflow/{route}" + (f"?{urlencode(query)}" if query else "")
        request = HTTPRequest(
            url,
            method=method,
            headers=_headers(uri),
            body=json.dumps(body) if body is not None else None,
            request_timeout=15,
        )
        try:
            response = await AsyncHTTPClient().fetch(request)
        except HTTPClientError as error:
            if error.code == 599:  # Tornado's code for a timeout or a dropped connection.
                raise TrackingUnavailable(
                    502, f"The tracking server {base} did not answer ({error.message})."
                ) from error
            status = error.code if error.code in (401, 403, 404) else 502
            fix = (
                " Set MLFLOW_TRACKING_TOKEN (or MLFLOW_TRACKING_USERNAME and "
                "MLFLOW_TRACKING_PASSWORD) where Jupyter starts."
                if error.code in (401, 403)
                else ""
            )
            raise TrackingUnavailable(
                status, f"The tracking server {base} answered {error.code}.{fix}"
            ) from error
        except OSError as error:
            raise TrackingUnavailable(
                502, f"Cannot reach the tracking server {base} ({error.strerror or error})."
            ) from error
        return json.loads(response.body or b"{}")


def _tags(run):
    return {t["key"]: t["value"] for t in run.get("data", {}).get("tags", [])}


def _latest_metrics(run):
    return {m["key"]: m for m in run.get("data", {}).get("metrics", [])}


def _row(run, experiments):
    info = run["info"]
    tags = _tags(run)
    latest = _latest_metrics(run)
    loss = latest.get("loss")
    return {
        "source": "mlflow",
        "id": info["run_id"],
        "name": info.get("run_name"),
        "experiment": experiments.get(info["experiment_id"]),
        "method": tags.get("pretext.method"),
        "dataset": tags.get("pretext.dataset"),
        "localRunId": tags.get("pretext.runId"),
        "status": info.get("status"),
        "created": info.get("start_time"),
        "ended": info.get("end_time"),
        "finalLoss": loss["value"] if loss else None,
        # The loss is logged every step, so its latest step is the run's step count.
        "steps": loss.get("step") if loss else None,
        "metrics": {key: m["value"] for key, m in latest.items()},
    }


class RunsHandler(TrackingHandler):
    """The tracking server's runs. Always 200 when the request itself is valid: a server that
    is not configured or not reachable is a state the panel shows in one quiet line, not an
    error it polls into the browser console every few seconds."""

    allowed_args = RUNS_ARGS

    @tornado.web.authenticated
    async def get(self):
        self.check_args()
        try:
            max_results = min(max(int(self.get_argument("max_results", "200")), 1), 1000)
        except ValueError as error:
            raise tornado.web.HTTPError(400, reason="max_results must be a number") from error
        tracking = resolve_tracking()
        reply = {
            "trackingUri": _redacted(tracking.uri) if tracking.uri else None,
            "host": _host(tracking.uri),
            "uriSource": tracking.source or None,
            "available": False,
            "problem": None,
            "runs": [],
        }
        try:
            experiments = await self.mlflow("POST", "experiments/search", {"max_results": 1000})
            names = {e["experiment_id"]: e["name"] for e in experiments.get("experiments", [])}
            runs = []
            if names:
                found = await self.mlflow(
                    "POST",
                    "runs/search",
                    {
                        "experiment_ids": list(names),
                        "max_results": max_results,
                        "order_by": ["attributes.start_time DESC"],
                    },
                )
                runs = found.get("runs", [])
        except TrackingUnavailable as error:
            reply["problem"] = error.message
        else:
            reply["available"] = True
            reply["runs"] = [_row(run, names) for run in runs]
        self.finish(json.dumps(reply))


def _host(uri):
    if not uri:
        return None
    parts = urlsplit(uri)
    return (parts.hostname or "") + (f":{parts.port}" if parts.port else "")


class MetricsHandler(TrackingHandler):
    allowed_args = METRICS_ARGS

    @tornado.web.authenticated
    async def get(self, run_id):
        self.check_args()
        key = self.get_argument("key", "loss")
        history = []
        token = None
        while True:
            query = {"run_id": run_id, "metric_key": key, "max_results": 25000}
            if token:
                query["page_token"] = token
            try:
                page = await self.mlflow("GET", "metrics/get-history", query=query)
            except TrackingUnavailable as error:
                raise tornado.web.HTTPError(error.status, reason=error.message) from error
            history.extend({"step": m["step"], "value": m["value"]} for m in page.get("metrics", []))
            token = page.get("next_page_token")
            if not token:
                break
        self.finish(json.dumps({"runId": run_id, "key": key, "history": history}))


def setup_handlers(server_app):
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], "pretext", "api", "tracking")
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "runs"), RunsHandler),
            (url_path_join(base, "runs", r"([0-9a-f]{32})", "metrics"), MetricsHandler),
        ],
    )
