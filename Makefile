# Sluice — two commands set everything up: `make run` and `make test`.

GO      ?= go
BIN     := bin/sluice
CONFIG  ?= configs/quickstart.yaml
PROTO   := oip/inferencepb/grpc_service.proto \
           scaler/keda/externalscalerpb/externalscaler.proto

.PHONY: all build run test test-short vet proto clean kube-assets test-tools fuzz

# A real Kubernetes API server (kube-apiserver + etcd) for the tests of
# scaler/kubernetes, built once into this ignored folder (minutes cold).
KUBE_ASSETS := $(CURDIR)/.cache/kube-assets

all: build

build:
	$(GO) build -o $(BIN) ./cmd/sluice

## run: the quickstart — gateway on 127.0.0.1:8080 (HTTP), :8081 (gRPC),
## admin on :9090, with local worker pools. Ctrl-C stops everything.
run: build
	./$(BIN) serve --config $(CONFIG)

## test: vet and every test with the race detector, then the timing tests
## (the rate limiter and worker kills under load, the slow-worker ejection,
## the rate two gateways share through Redis, 16 calls of 16 MB at once),
## which the race detector's slowdown would distort and which build only
## without it.
test: vet test-tools kube-assets
	KUBEBUILDER_ASSETS=$(KUBE_ASSETS) SLUICE_REQUIRE_TEST_TOOLS=1 $(GO) test -race -count=1 -timeout 15m ./...
	$(GO) test -count=1 -run 'UnderLoad$$' ./gateway/
	$(GO) test -count=1 -run '^TestFaultSlowWorker$$' ./internal/app/
	SLUICE_REQUIRE_TEST_TOOLS=1 $(GO) test -count=1 -run '^TestServeSharesRateThroughRedisUnderLoad$$' ./internal/app/
	$(GO) test -count=1 -run '^(TestFaultKillWorkersUnderLoad|TestLargeRequestsConcurrently)$$' ./cmd/sluice/

## test-tools: the tools some tests run (promtool, chromium, etcd, python3),
## installed from Debian's packages when missing, with their services
## neither started nor enabled (prometheus's would take the admin port
## :9090 from `make run`); see hack/install-test-tools.sh. Needs root or sudo.
test-tools:
	bash hack/install-test-tools.sh

## fuzz: run each fuzz target for FUZZTIME (package:target pairs below).
## Their seed corpora (testdata/fuzz/) run in every `make test`; a crash
## found here is written there as a new seed.
FUZZTIME ?= 60s
FUZZ := ./oip:FuzzDecodeRequest ./oip:FuzzDecodeResponse ./oip:FuzzMergeSplit ./oip:FuzzDecodeBinaryRequest \
        ./configs:FuzzParse ./gateway:FuzzParseCredentials ./gateway:FuzzReadBody
fuzz:
	@for pt in $(FUZZ); do \
		pkg=$${pt%%:*}; target=$${pt##*:}; \
		echo "fuzz $$pkg $$target for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

## kube-assets: etcd (Debian's etcd-server) and kube-apiserver for envtest;
## the first build takes minutes and ~2.5 GB of memory.
kube-assets: test-tools
	GO=$(GO) KUBE_ASSETS_DIR=$(KUBE_ASSETS) bash hack/kube-test-assets.sh

test-short:
	$(GO) test -short -count=1 ./...

vet:
	$(GO) vet ./...

## proto: regenerate the committed gRPC code from $(PROTO). Needs protoc
## (Debian: apt-get install protobuf-compiler); the Go plugins come from
## go.mod's tool block.
proto:
	@command -v protoc >/dev/null || { echo "protoc not found: apt-get install -y protobuf-compiler"; exit 1; }
	protoc --plugin=protoc-gen-go=$$($(GO) tool -n protoc-gen-go) \
		--plugin=protoc-gen-go-grpc=$$($(GO) tool -n protoc-gen-go-grpc) \
		--go_out=. --go_opt=paths=source_relative \
		--go-grpc_out=. --go-grpc_opt=paths=source_relative \
		$(PROTO)

clean:
	rm -rf bin
