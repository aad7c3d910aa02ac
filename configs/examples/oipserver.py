#!/usr/bin/env python3
"""A small Open Inference Protocol v2 server over HTTP, in Python's standard
library only: a model server that is not Sluice's, which
configs/examples/command-pool.yaml runs as a command pool (and Sluice's
tests run too). Put your own server's command in its place.

It serves one model, "sum", whose input "x" (FP32, shape [rows, n]) gives
the output "sum" (FP32, shape [rows]), each row's sum. A batch of b rows
takes base + per_item * b milliseconds on one emulated device, one batch at
a time. It is ready (--ready-path answers 200) once --cold-start has
passed. GET /stats answers {"batches": ..., "rows": ...}. SIGTERM finishes
the requests in flight, then exits.

    python3 oipserver.py --http-port 8000 --base 30 --per-item 5
"""

import argparse
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "sum"
METADATA = {
    "name": MODEL,
    "versions": ["1"],
    "platform": "python",
    "inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, -1]}],
    "outputs": [{"name": "sum", "datatype": "FP32", "shape": [-1]}],
}


class State:
    def __init__(self, args):
        self.args = args
        self.ready_at = time.monotonic() + args.cold_start
        self.device = threading.Lock()
        self.counts = threading.Lock()
        self.batches = 0
        self.rows = 0

    def infer(self, body):
        inputs = {t["name"]: t for t in body.get("inputs", [])}
        x = inputs.get("x")
        if x is None or x.get("datatype") != "FP32" or len(x.get("shape", [])) != 2:
            raise ValueError("want input x, FP32, of shape [rows, n]")
        rows, n = x["shape"]
        data = x["data"]
        if len(data) != rows * n:
            raise ValueError("x holds %d values, not %d" % (len(data), rows * n))
        with self.device:
            time.sleep((self.args.base + self.args.per_item * rows) / 1000.0)
        with self.counts:
            self.batches += 1
            self.rows += rows
        sums = [float(sum(data[r * n:(r + 1) * n])) for r in range(rows)]
        out = {"name": "sum", "datatype": "FP32", "shape": [rows], "data": sums}
        resp = {"model_name": MODEL, "model_version": "1", "outputs": [out]}
        if "id" in body:
            resp["id"] = body["id"]
        return resp


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    # One write per answer, sent at once: written as headers then body,
    # with Nagle's algorithm on, an answer would wait for the client's
    # delayed acknowledgement (tens of milliseconds).
    disable_nagle_algorithm = True
    wbufsize = 64 << 10

    def log_message(self, fmt, *args):  # one line per request is too many
        pass

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        st = self.server.state
        path = self.path
        if path == st.args.ready_path:
            ready = time.monotonic() >= st.ready_at
            self.reply(200 if ready else 503, {"ready": ready})
        elif path == "/v2/health/live":
            self.reply(200, {"live": True})
        elif path == "/v2":
            self.reply(200, {"name": "oipserver.py", "version": "1", "extensions": []})
        elif path == "/v2/models/" + MODEL:
            self.reply(200, METADATA)
        elif path == "/stats":
            with st.counts:
                self.reply(200, {"batches": st.batches, "rows": st.rows, "replica": st.args.replica})
        else:
            self.reply(404, {"error": "no such path or model: " + path})

    def do_POST(self):
        st = self.server.state
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path not in ("/v2/models/%s/infer" % MODEL, "/v2/models/%s/versions/1/infer" % MODEL):
            self.reply(404, {"error": "unknown model: " + self.path})
            return
        if time.monotonic() < st.ready_at:
            self.reply(503, {"error": "not ready"})
            return
        try:
            self.reply(200, st.infer(json.loads(body)))
        except (ValueError, KeyError, TypeError) as e:
            self.reply(400, {"error": str(e)})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--http-port", type=int, required=True)
    p.add_argument("--replica", default="")
    p.add_argument("--ready-path", default="/v2/health/ready")
    p.add_argument("--base", type=float, default=5.0, help="ms per batch")
    p.add_argument("--per-item", type=float, default=1.0, help="ms per row")
    p.add_argument("--cold-start", type=float, default=0.0, help="seconds")
    args = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", args.http_port), Handler)
    srv.daemon_threads = False  # server_close waits for requests in flight
    srv.state = State(args)

    def stop(signum, frame):
        print("stopping on signal %d" % signum, flush=True)
        threading.Thread(target=srv.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("serving %s on 127.0.0.1:%d (pool %s)" % (args.replica, args.http_port, os.environ.get("POOL", "?")), flush=True)
    print("python %s" % sys.version.split()[0], file=sys.stderr, flush=True)
    srv.serve_forever()
    srv.server_close()
    print("stopped", flush=True)


if __name__ == "__main__":
    main()
