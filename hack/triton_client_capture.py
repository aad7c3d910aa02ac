"""Run Triton's stock Python client (tritonclient, HTTP and gRPC, with its
defaults) against a running Sluice and record the exact requests it sends
and the answers it gets, for the gateway's replay tests.

Used by capture-clients.sh; see there. Arguments: HTTP URL, gRPC
address, output directory.
"""

import base64
import json
import os
import sys

import numpy as np
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient

http_url, grpc_url, out = sys.argv[1], sys.argv[2], sys.argv[3]
records = {"http": [], "grpc": []}


def pairs(headers):
    return headers.items() if hasattr(headers, "items") else headers


def record_http(client):
    """Wraps the client's HTTP connection pool so every request it sends
    (method, URI, headers, body) and the answer are recorded."""
    stub = client._client_stub
    get, post = stub.get, stub.post

    def keep(method, uri, headers, body, resp):
        raw = resp.read()
        rec = {
            "method": method, "uri": uri,
            "headers": {k: str(v) for k, v in (headers or {}).items()},
            "body": base64.b64encode(body or b"").decode(),
            "status": resp.status_code,
            "response_headers": {k: v for k, v in pairs(resp.headers)
                                 if k.lower() in ("content-type", "inference-header-content-length", "content-encoding")},
            "response": base64.b64encode(raw).decode(),
        }
        records["http"].append(rec)

        class Replay:
            status_code = resp.status_code
            headers = resp.headers

            def __init__(self):
                self.off = 0

            def get(self, k, default=None):
                return resp.get(k, default)

            def read(self, length=-1):
                if length == -1:
                    chunk = raw[self.off:]
                    self.off = len(raw)
                else:
                    chunk = raw[self.off:self.off + length]
                    self.off += length
                return chunk
        return Replay()

    def g(uri, headers=None):
        return keep("GET", uri, headers, b"", get(uri, headers=headers) if headers else get(uri))

    def p(request_uri, body, headers=None):
        resp = post(request_uri=request_uri, body=body, headers=headers) if headers else post(request_uri=request_uri, body=body)
        return keep("POST", request_uri, headers, body if isinstance(body, bytes) else body.encode(), resp)
    stub.get, stub.post = g, p


def record_grpc(client):
    """Wraps the client's stub so every request message it sends is
    recorded, serialized, with the method's name."""
    stub = client._client_stub
    for name in ["ServerLive", "ServerReady", "ModelReady", "ServerMetadata", "ModelMetadata",
                 "ModelConfig", "ModelStatistics", "ModelInfer"]:
        method = getattr(stub, name)

        class Wrapped:
            def __init__(self, name, method):
                self.name, self.method = name, method

            def __call__(self, request, *a, **kw):
                records["grpc"].append({"method": self.name, "request": base64.b64encode(request.SerializeToString()).decode()})
                return self.method(request, *a, **kw)

            def future(self, request, *a, **kw):
                records["grpc"].append({"method": self.name, "request": base64.b64encode(request.SerializeToString()).decode()})
                return self.method.future(request, *a, **kw)
        setattr(stub, name, Wrapped(name, method))
    stream = stub.ModelStreamInfer

    def streamed(requests, *a, **kw):
        def tee():
            for r in requests:
                records["grpc"].append({"method": "ModelStreamInfer", "request": base64.b64encode(r.SerializeToString()).decode()})
                yield r
        return stream(tee(), *a, **kw)
    stub.ModelStreamInfer = streamed


def sum_inputs(mod, binary):
    x = mod.InferInput("x", [2, 3], "FP32")
    data = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)
    if binary is None:
        x.set_data_from_numpy(data)
    else:
        x.set_data_from_numpy(data, binary_data=binary)
    return [x]


def echo_inputs(mod, binary):
    ins = [mod.InferInput("h", [1, 2], "FP16"), mod.InferInput("s", [1, 2], "BYTES"), mod.InferInput("i", [1, 2], "INT32")]
    ins[0].set_data_from_numpy(np.array([[1.5, -2]], dtype=np.float16))
    ins[1].set_data_from_numpy(np.array([[b"hi", b""]], dtype=np.object_), **({} if binary is None else {"binary_data": binary}))
    ins[2].set_data_from_numpy(np.array([[7, -8]], dtype=np.int32), **({} if binary is None else {"binary_data": binary}))
    return ins


def say(what, value):
    print(f"{what}: {value}")


def run_http():
    c = httpclient.InferenceServerClient(http_url, concurrency=8)
    record_http(c)
    say("http is_server_live", c.is_server_live())
    say("http is_server_ready", c.is_server_ready())
    say("http is_model_ready sum", c.is_model_ready("sum"))
    say("http get_server_metadata", c.get_server_metadata())
    say("http get_model_metadata sum", c.get_model_metadata("sum"))
    say("http get_model_config sum", c.get_model_config("sum"))
    r = c.infer("sum", sum_inputs(httpclient, None))
    say("http infer sum (defaults: binary in and out)", r.as_numpy("sum").tolist())
    r = c.infer("sum", sum_inputs(httpclient, False), outputs=[httpclient.InferRequestedOutput("sum", binary_data=False)])
    say("http infer sum (JSON in and out)", r.as_numpy("sum").tolist())
    r = c.infer("echo", echo_inputs(httpclient, None))
    say("http infer echo FP16/BYTES/INT32", [r.as_numpy(n).tolist() for n in ("h", "s", "i")])
    futures = [c.async_infer("sum", sum_inputs(httpclient, None), request_id=str(i)) for i in range(8)]
    say("http 8 async_infer sum", [f.get_result().as_numpy("sum").tolist() for f in futures])
    stats = c.get_inference_statistics("sum")
    say("http get_inference_statistics sum: model_stats", [(m["name"], m["inference_count"] > 0) for m in stats["model_stats"]])
    c.close()


def run_grpc():
    c = grpcclient.InferenceServerClient(grpc_url)
    record_grpc(c)
    say("grpc is_server_live", c.is_server_live())
    say("grpc is_server_ready", c.is_server_ready())
    say("grpc is_model_ready sum", c.is_model_ready("sum"))
    say("grpc get_server_metadata", c.get_server_metadata(as_json=True))
    say("grpc get_model_metadata sum", c.get_model_metadata("sum", as_json=True))
    say("grpc get_model_config sum", c.get_model_config("sum", as_json=True))
    r = c.infer("sum", sum_inputs(grpcclient, None))
    say("grpc infer sum", r.as_numpy("sum").tolist())
    r = c.infer("echo", echo_inputs(grpcclient, None))
    say("grpc infer echo FP16/BYTES/INT32", [r.as_numpy(n).tolist() for n in ("h", "s", "i")])
    done = []
    futures = [c.async_infer("sum", sum_inputs(grpcclient, None), callback=lambda result, error: done.append((result, error)), request_id=str(i)) for i in range(8)]
    import time
    for _ in range(200):
        if len(done) == 8:
            break
        time.sleep(0.05)
    say("grpc 8 async_infer sum", sorted([(res.get_response().id, res.as_numpy("sum").tolist()) for res, err in done if err is None]))
    results = []
    c.start_stream(callback=lambda result, error: results.append((result, error)))
    for i in range(4):
        c.async_stream_infer("sum", sum_inputs(grpcclient, None), request_id=f"s{i}")
    c.stop_stream()
    say("grpc 4 stream infers", sorted([(res.get_response().id, res.as_numpy("sum").tolist()) for res, err in results if err is None]))
    stats = c.get_inference_statistics("sum", as_json=True)
    say("grpc get_inference_statistics sum: model_stats", [(m["name"], int(m.get("inference_count", 0)) > 0) for m in stats["model_stats"]])
    c.close()


run_http()
run_grpc()
with open(os.path.join(out, "tritonclient.json"), "w") as f:
    json.dump(records, f, indent=1)
    f.write("\n")
