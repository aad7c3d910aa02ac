#!/usr/bin/env bash
# Re-captures the requests the stock clients of Triton and KServe send, for
# the gateway's replay tests (gateway/testdata/tritonclient.json and
# gateway/testdata/kserveclient.json), and prints what each client got.
#
#   hack/capture-clients.sh TRITON_CLIENT KSERVE [TRITON_PROTO_DIR]
#
# TRITON_CLIENT is a checkout of the public repository
# triton-inference-server/client, KSERVE one of kserve/kserve.
# TRITON_PROTO_DIR holds Triton's grpc_service.proto, model_config.proto and
# health.proto: by default the client's src/rust/triton-client/proto, or the
# protobuf folder of triton-inference-server/common.
#
# Needs Debian's python3-numpy python3-geventhttpclient python3-rapidjson
# python3-gevent python3-grpcio python3-grpc-tools python3-packaging
# (Triton) and python3-httpx python3-pydantic python3-pandas python3-yaml
# (KServe; orjson, which Debian does not package, is used when importable).
# The clients' code and gRPC stubs go to a temporary directory, never into
# this repository. Sluice runs the quickstart on its usual ports.
set -euo pipefail
client=${1:?usage: $0 TRITON_CLIENT KSERVE [TRITON_PROTO_DIR]}
kserve=${2:?usage: $0 TRITON_CLIENT KSERVE [TRITON_PROTO_DIR]}
proto=${3:-$client/src/rust/triton-client/proto}
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT

cp -r "$client/src/python/library/tritonclient" "$tmp/"
/usr/bin/python3 -m grpc_tools.protoc -I "$proto" --python_out="$tmp/tritonclient/grpc" \
  --grpc_python_out="$tmp/tritonclient/grpc" "$proto/grpc_service.proto" "$proto/model_config.proto" "$proto/health.proto"
(cd "$tmp/tritonclient/grpc" && mv grpc_service_pb2.py service_pb2.py && mv grpc_service_pb2_grpc.py service_pb2_grpc.py &&
  sed -i 's/^import model_config_pb2/from tritonclient.grpc import model_config_pb2/; s/^import grpc_service_pb2/from tritonclient.grpc import service_pb2/; s/grpc__service__pb2/service__pb2/g' \
    service_pb2.py service_pb2_grpc.py)

(cd "$repo" && go build -o "$tmp/sluice" ./cmd/sluice)
"$tmp/sluice" serve --config "$repo/configs/quickstart.yaml" >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -sf 127.0.0.1:8080/v2/health/ready >/dev/null && break
  sleep 0.2
done
PYTHONPATH="$tmp${PYTHONPATH:+:$PYTHONPATH}" /usr/bin/python3 "$repo/hack/triton_client_capture.py" \
  127.0.0.1:8080 127.0.0.1:8081 "$repo/gateway/testdata"
/usr/bin/python3 "$repo/hack/kserve_client_capture.py" "$kserve/python/kserve/kserve" \
  http://127.0.0.1:8080 "$repo/gateway/testdata"
