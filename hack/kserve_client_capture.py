"""Run KServe's stock REST client (kserve.InferenceRESTClient, protocol v2,
with its defaults) against a running Sluice and record the exact requests
it sends and the answers it gets, for the gateway's replay tests.

Used by capture-clients.sh; see there. Arguments: the kserve package's
source folder (python/kserve/kserve in a checkout of kserve/kserve), the
gateway's HTTP URL, the output directory.

Importing the kserve package pulls in its whole model server (FastAPI,
Ray, the Kubernetes client); the REST client needs a few of its modules
only. They are copied, untouched, into a temporary package, its gRPC
stubs generated from its own grpc_predict_v2.proto; the third-party
modules those files import but the client never calls are stood in for
by empty modules, and orjson, when this Python lacks it, by the standard
json module with orjson's output format.
"""

import asyncio
import base64
import gzip
import json
import os
import shutil
import sys
import tempfile
import types
import zlib

src, http_url, out = sys.argv[1], sys.argv[2], sys.argv[3]

# The client's modules, copied as they are.
MODULES = [
    "inference_client.py", "errors.py", "logging.py",
    "constants/__init__.py", "constants/constants.py",
    "protocol/__init__.py", "protocol/infer_type.py",
    "protocol/rest/__init__.py", "protocol/rest/v2_datamodels.py",
    "protocol/grpc/__init__.py", "protocol/grpc/grpc_predict_v2.proto",
    "utils/__init__.py", "utils/numpy_codec.py", "utils/utils.py",
]


def build_package():
    """Copies the client's modules into a temporary kserve package and
    generates its gRPC stubs; returns the folder to put on sys.path."""
    root = tempfile.mkdtemp()
    pkg = os.path.join(root, "kserve")
    for m in MODULES:
        os.makedirs(os.path.dirname(os.path.join(pkg, m)), exist_ok=True)
        shutil.copy(os.path.join(src, m), os.path.join(pkg, m))
    open(os.path.join(pkg, "__init__.py"), "w").close()
    from grpc_tools import protoc
    proto = "kserve/protocol/grpc/grpc_predict_v2.proto"
    if protoc.main(["protoc", "-I" + root, "--python_out=" + root, "--grpc_python_out=" + root, os.path.join(root, proto)]) != 0:
        sys.exit("protoc failed on " + proto)
    return root


def stand_in(name, **attrs):
    """Registers an empty module name (and its parents) unless importable."""
    try:
        __import__(name)
        return
    except ImportError:
        pass
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        sys.modules.setdefault(".".join(parts[:i]), types.ModuleType(".".join(parts[:i])))
    for k, v in attrs.items():
        setattr(sys.modules[name], k, v)


def stand_in_orjson():
    """orjson's dumps (compact, UTF-8 bytes) and loads over json."""
    try:
        import orjson  # noqa: F401
        return
    except ImportError:
        pass
    mod = types.ModuleType("orjson")
    mod.dumps = lambda o: json.dumps(o, separators=(",", ":"), ensure_ascii=False).encode()
    mod.loads = json.loads
    mod.JSONDecodeError = json.JSONDecodeError
    mod.orjson = mod
    sys.modules["orjson"] = sys.modules["orjson.orjson"] = mod
    print("orjson missing: standing in with json (same bytes for these requests)")


sys.path.insert(0, build_package())
stand_in("psutil")
stand_in("cloudevents.conversion", to_binary=None, to_structured=None)
stand_in("cloudevents.http", CloudEvent=object)
stand_in("fastapi.responses", JSONResponse=object)
stand_in_orjson()

import httpx  # noqa: E402
import numpy as np  # noqa: E402
from kserve.inference_client import InferenceRESTClient, RESTConfig  # noqa: E402
from kserve.protocol.infer_type import InferInput, InferRequest  # noqa: E402

records = {"http": []}
send = httpx.AsyncHTTPTransport.handle_async_request


def decoded(raw, encoding):
    if encoding == "gzip":
        return gzip.decompress(raw)
    if encoding == "deflate":
        return zlib.decompress(raw)
    return raw


async def recording(self, request):
    """Records the request as it goes on the wire and the answer as it
    comes back (decompressed), then hands the client the answer's raw
    bytes to decode itself."""
    body = await request.aread()
    resp = await send(self, request)
    raw = b"".join([chunk async for chunk in resp.aiter_raw()])
    await resp.aclose()
    keep = ("content-type", "inference-header-content-length", "content-encoding")
    records["http"].append({
        "method": request.method, "uri": request.url.raw_path.decode(),
        "headers": {k: v for k, v in request.headers.items()},
        "body": base64.b64encode(body).decode(),
        "status": resp.status_code,
        "response_headers": {k: v for k, v in resp.headers.items() if k in keep},
        "response": base64.b64encode(decoded(raw, resp.headers.get("content-encoding"))).decode(),
    })
    return httpx.Response(resp.status_code, headers=resp.headers, content=raw, extensions=resp.extensions)


httpx.AsyncHTTPTransport.handle_async_request = recording


def say(what, value):
    print(f"{what}: {value}")


async def run():
    c = InferenceRESTClient(RESTConfig(protocol="v2"))
    say("kserve is_server_live", await c.is_server_live(http_url))
    say("kserve is_server_ready", await c.is_server_ready(http_url))
    say("kserve is_model_ready sum", await c.is_model_ready(http_url, "sum"))
    x = InferInput("x", [2, 3], "FP32")
    x.set_data_from_numpy(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    r = await c.infer(http_url, InferRequest("sum", [x]), model_name="sum")
    say("kserve infer sum (defaults: binary in, JSON out)", r.outputs[0].as_numpy().tolist())
    body = {"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6]}]}
    r = await c.infer(http_url, body, model_name="sum")
    say("kserve infer sum (a JSON dict)", r.outputs[0].as_numpy().tolist())
    await c.close()


asyncio.run(run())
with open(os.path.join(out, "kserveclient.json"), "w") as f:
    json.dump(records, f, indent=1)
    f.write("\n")
