package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sluice-gateway/sluice/configs"
	"github.com/sluice-gateway/sluice/internal/app"
)

func init() {
	commands["xds"] = command{summary: "inspect the xDS control plane (xds dump)", run: func(args []string) int {
		return runXDS(args, os.Stdout, os.Stderr)
	}}
}

// xdsDumpTimeout bounds a dump fetched from a running Sluice.
const xdsDumpTimeout = 10 * time.Second

const xdsUsage = `Usage: sluice xds dump [--node ID] [--admin ADDR]
       sluice xds dump --config FILE

Prints xDS snapshots as JSON (protojson, proto field names).

From a running Sluice (its admin listener, GET /admin/xds): the snapshot
served to the connected node ID, or without --node every flavor's ("envoy"
for Envoy proxies, "grpc" for proxyless gRPC clients).

With --config, starts nothing: prints every flavor's snapshot the file
yields with each pool at its configured minimum size. No worker has an
address then, so each pool's cluster comes with an empty endpoint list.

Flags:`

// runXDS runs `sluice xds ARGS` and returns the exit code.
func runXDS(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "dump" {
		fmt.Fprintln(stderr, xdsUsage)
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
			return 0
		}
		return 2
	}
	fs := flag.NewFlagSet("xds dump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, xdsUsage); fs.PrintDefaults() }
	node := fs.String("node", "", "print the snapshot served to the node with this `ID`")
	admin := fs.String("admin", "127.0.0.1:9090", "admin listener of the running Sluice (`host:port`)")
	config := fs.String("config", "", "print what this configuration `file` yields, starting nothing")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage(err)
	}
	if *config != "" && *node != "" {
		fmt.Fprintln(stderr, "sluice xds dump: --node needs a running Sluice, not --config")
		return 2
	}
	var out []byte
	var err error
	if *config != "" {
		out, err = configDump(*config)
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), xdsDumpTimeout)
		defer cancel()
		out, err = app.FetchXDSDump(ctx, *admin, *node)
	}
	if err != nil {
		fmt.Fprintln(stderr, "sluice xds dump:", err)
		return 1
	}
	_, _ = stdout.Write(out) // nothing to do when stdout is gone
	return 0
}

// configDump returns the JSON of every flavor's snapshot that the
// configuration file yields (see app.ConfigDump).
func configDump(path string) ([]byte, error) {
	cfg, err := configs.Load(path)
	if err != nil {
		return nil, err
	}
	return app.ConfigDump(cfg)
}
