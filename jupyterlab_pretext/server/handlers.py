"""Handlers of /pretext/api/tracking: runs and metric histories of the tracking server."""

import base64
import json
import os
from urllib.parse import urlencode, urlsplit, urlunsplit

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

# Query arguments each endpoint understands; anything else (a `uri`, `url`, `host`, ...) is
# refused, so the browser can never point this extension at another host.
RUNS_ARGS = {"max_results"}
METRICS_ARGS = {"key"}


def tracking_uri():
    uri = os.environ.get("PRETEXT_TRACKING_URI") or os.environ.get("MLFLOW_TRACKING_URI") or ""
    return uri if uri.startswith(("http://", "https://")) else ""


def _redacted(uri):
    parts = urlsplit(uri)
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else ""
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")).rstrip("/")


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
        unknown = set(self.request.arguments) - self.allowed_args
        if unknown:
            raise tornado.web.HTTPError(
                400,
                reason=(
                    f"Unknown argument(s) {', '.join(sorted(unknown))}: this endpoint only "
                    "reads the tracking server the Jupyter server was started with."
                ),
            )

    async def mlflow(self, method, route, body=None, query=None):
        uri = tracking_uri()
        if not uri:
            raise tornado.web.HTTPError(
                404,
                reason="No tracking server configured: start Jupyter with MLFLOW_TRACKING_URI set.",
            )
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
            status = error.code if error.code in (401, 403, 404) else 502
            raise tornado.web.HTTPError(
                status, reason=f"The tracking server {base} answered {error.code}."
            ) from error
        except OSError as error:
            raise tornado.web.HTTPError(
                502, reason=f"Cannot reach the tracking server {base}: {error}"
            ) from error
        return json.loads(response.body or b"{}")


def _tags(run):
    return {t["key"]: t["value"] for t in run.get("data", {}).get("tags", [])}


def _metric(run, key):
    for m in run.get("data", {}).get("metrics", []):
        if m["key"] == key:
            return m["value"]
    return None


class RunsHandler(TrackingHandler):
    allowed_args = RUNS_ARGS

    @tornado.web.authenticated
    async def get(self):
        self.check_args()
        max_results = min(int(self.get_argument("max_results", "200")), 1000)
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
        rows = []
        for run in runs:
            info = run["info"]
            tags = _tags(run)
            rows.append(
                {
                    "source": "mlflow",
                    "id": info["run_id"],
                    "name": info.get("run_name"),
                    "experiment": names.get(info["experiment_id"]),
                    "method": tags.get("pretext.method"),
                    "dataset": tags.get("pretext.dataset"),
                    "localRunId": tags.get("pretext.runId"),
                    "status": info.get("status"),
                    "created": info.get("start_time"),
                    "finalLoss": _metric(run, "loss"),
                }
            )
        self.finish(json.dumps({"trackingUri": _redacted(tracking_uri()), "runs": rows}))


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
            page = await self.mlflow("GET", "metrics/get-history", query=query)
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
