package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/sluice-gateway/sluice/bench/load"
	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/bench/system"
	"github.com/sluice-gateway/sluice/gateway"
)

func init() {
	benchmarks["load"] = command{
		summary: "replay a scenario trace against a running gateway, open loop",
		run:     func(args []string) int { return benchLoadMain(args, os.Stdout, os.Stderr) },
	}
}

const benchLoadUsage = `Usage: sluice bench load --target URL --trace FILE [flags]

Replays a scenario trace (second,rps,heavy_fraction) against a running
gateway over HTTP, open loop: every request is sent at its time whatever
the answers, and its latency counts from that time, so a stalled server
shows in the numbers. Within each trace second arrivals are Poisson at the
second's rate; each is heavy with the second's heavy fraction, and high,
normal or low priority with probability 20, 70 and 10 %, as in the
simulator. The same seed gives the same requests.

A light request is one row of --light-elements FP32 values for
--light-model, a heavy one --heavy-elements values for --heavy-model (the
bench configuration routes sum requests of 4096 elements or more to the
GPU tier). A class's priority goes in its API key (--keys, sent as
Authorization: Bearer KEY) or, for a class without a key, in the
x-sluice-priority header. Keys given on the command line are visible to
the machine's other users: use test keys.

The report has the simulator's fields: requests sent, served (answered
200), lost (no answer by the end of the trace plus --grace), rejections by
reason from the status and error of the answer (429 rate_limit or
queue_full, 503 shed, no_capacity or queue_timeout, 504 timeout, another
5xx backend, another status http_NNN, and connection when the connection
failed), SLO attainment per kind and class
(answered 200 within the kind's SLO, out of all requests of that kind) and
latency quantiles of the served requests. With --admin, the fleet's
replicas are read from GET /admin/pools every second and priced (from the
answer's price_per_hour, else from --config's pools) into cost_usd and
cost_per_million_usd; without prices both are null.

Flags:
`

// loadFlags is what the load benchmark's flags say.
type loadFlags struct {
	system.LoadOptions
	verbose bool
}

// benchLoadMain runs `sluice bench load` until the trace ends or SIGINT or
// SIGTERM stops it, and returns its exit code: 0 when done or for help, 2
// on bad flags, 1 otherwise.
func benchLoadMain(args []string, stdout, stderr io.Writer) int {
	f, err := parseLoadFlags(args, stderr)
	return benchExit("load", err, stderr, func() error {
		ctx, stop, log := benchRuntime(stderr, f.verbose, slog.LevelWarn)
		defer stop()
		return system.Load(ctx, f.LoadOptions, stdout, log)
	})
}

// parseLoadFlags parses the load benchmark's flags, printing errors and
// help to stderr; it returns flag.ErrHelp for -h and --help.
func parseLoadFlags(args []string, stderr io.Writer) (loadFlags, error) {
	var f loadFlags
	fs := flag.NewFlagSet("sluice bench load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchLoadUsage); fs.PrintDefaults() }
	fs.StringVar(&f.Target, "target", "", "the gateway's base `URL` (http://host:port); required")
	fs.StringVar(&f.Trace, "trace", "", "the scenario's trace `file` (second,rps,heavy_fraction); required")
	fs.Float64Var(&f.Speedup, "speedup", 1, "compress trace time `K` times: second i is sent at i/K s")
	fs.DurationVar(&f.Duration, "duration", 0, "replay at most this much trace time (before --speedup); 0 means all")
	fs.DurationVar(&f.Grace, "grace", 30*time.Second, "how long after the trace's end answers still count; later ones are lost")
	fs.Var((*classKeys)(&f.Keys), "keys", "API keys by class, any subset: `high=KEY,normal=KEY,low=KEY`")
	fs.Uint64Var(&f.Seed, "seed", 1, "the random `seed` of arrivals, kinds and classes")
	fs.StringVar(&f.Admin, "admin", "", "the gateway's admin base `URL`, to read the fleet's replicas and price them")
	fs.StringVar(&f.Config, "config", "", "the gateway's configuration `file`, for pool prices /admin/pools lacks")
	fs.BoolVar(&f.JSON, "json", false, "print the report as one JSON object")
	fs.BoolVar(&f.verbose, "v", false, "log debug detail to stderr")
	addLoadKindFlags(fs, &f.Kinds)
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if err := checkLoadFlags(f, fs.NArg()); err != nil {
		fmt.Fprintln(stderr, "sluice bench load:", err)
		fs.Usage()
		return f, err
	}
	return f, nil
}

// addLoadKindFlags declares the flags of the two kinds of request.
func addLoadKindFlags(fs *flag.FlagSet, k *[2]system.LoadKind) {
	fs.StringVar(&k[sim.Light].Model, "light-model", "sum", "the `model` of light requests")
	fs.IntVar(&k[sim.Light].Elements, "light-elements", 4, "the FP32 `elements` of a light request's one row")
	fs.DurationVar(&k[sim.Light].SLO, "light-slo", 500*time.Millisecond, "the SLO of light requests")
	fs.StringVar(&k[sim.Heavy].Model, "heavy-model", "sum", "the `model` of heavy requests")
	fs.IntVar(&k[sim.Heavy].Elements, "heavy-elements", 4096, "the FP32 `elements` of a heavy request's one row")
	fs.DurationVar(&k[sim.Heavy].SLO, "heavy-slo", time.Second, "the SLO of heavy requests")
}

// checkLoadFlags checks what the flag package cannot.
func checkLoadFlags(f loadFlags, nargs int) error {
	switch {
	case nargs > 0:
		return errors.New("unexpected arguments")
	case f.Target == "" || f.Trace == "":
		return errors.New("--target and --trace are required")
	case !(f.Speedup > 0):
		return fmt.Errorf("--speedup %g: must be positive", f.Speedup)
	case f.Duration < 0 || f.Grace <= 0:
		return errors.New("--duration must not be negative and --grace must be positive")
	}
	for _, u := range []string{f.Target, f.Admin} {
		if err := checkBaseURL(u); err != nil {
			return err
		}
	}
	for _, k := range f.Kinds {
		if k.Model == "" || k.Elements < 1 || k.SLO <= 0 {
			return fmt.Errorf("model %q with %d elements and SLO %v: want a name, >= 1 element and a positive SLO", k.Model, k.Elements, k.SLO)
		}
	}
	return nil
}

// checkBaseURL accepts "" and absolute http or https URLs.
func checkBaseURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("URL %q: want http://host:port or https://host:port", s)
	}
	return nil
}

// classKeys is the --keys flag: an API key per class, "" for none.
type classKeys [load.NumClasses]string

var _ flag.Value = (*classKeys)(nil)

// String lists the classes that have a key, never the keys.
func (k *classKeys) String() string {
	var with []string
	for c, key := range k {
		if key != "" {
			with = append(with, load.Class(c).String()+"=…")
		}
	}
	return strings.Join(with, ",")
}

// Set parses class=KEY pairs separated by commas. Errors never quote a
// key.
func (k *classKeys) Set(s string) error {
	var out classKeys
	for part := range strings.SplitSeq(s, ",") {
		name, key, ok := strings.Cut(strings.TrimSpace(part), "=")
		c, known := parseClass(name)
		switch {
		case !ok || key == "":
			return fmt.Errorf("want class=KEY, got an entry without a key for %q", name)
		case !known:
			return fmt.Errorf("class %q: want high, normal or low", name)
		case out[c] != "":
			return fmt.Errorf("class %q given twice", name)
		}
		if _, err := gateway.HashKey(key); err != nil {
			return fmt.Errorf("class %s: %w", name, err)
		}
		out[c] = key
	}
	*k = out
	return nil
}

// parseClass returns the class named s.
func parseClass(s string) (load.Class, bool) {
	for c := range load.NumClasses {
		if strings.EqualFold(s, load.Class(c).String()) {
			return load.Class(c), true
		}
	}
	return 0, false
}
