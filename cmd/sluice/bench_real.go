package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/sluice-gateway/sluice/bench/sim"
	"github.com/sluice-gateway/sluice/bench/system"
)

func init() {
	benchmarks["real"] = command{
		summary: "replay a trace on the real gateway and local workers, next to the simulator's prediction",
		run:     func(args []string) int { return benchRealMain(args, os.Stdout, os.Stderr) },
	}
}

const benchRealUsage = `Usage: sluice bench real --trace FILE [flags]

Runs the gateway of --config in this process, as sluice serve runs it,
with its pools' local workers and the embedded scaler acting, replays the trace against it open loop (as sluice bench load
does), and prints what it measured next to what the simulator predicts
for the same run (sluice bench sim's report, costaware policy, same
configuration and time compression, and the very requests the real run
sent, at the same times), with the ratios measured/predicted of the p99
latency and of the cost.

--speedup K compresses time: trace second i is replayed during real
seconds [i/K, (i+1)/K) at its own rate, and every time constant of the
configuration that is not a latency (cold starts, the scaler's interval
and windows) is divided by K, so batches and requests take as long as
they really do. The run lasts the trace's length divided by K.

The real run starts serve with the fleet the policy chooses for the
first second's rate and waits until it is ready; then, so that the
scaler does not meet the trace straight out of idleness, it replays the
trace's first second for --prelude of trace time, unmeasured, and then
the trace. The prediction starts the trace from the fleet the real run
had when the prelude ended, already warm. The cost is the ready and
starting replica-seconds times their price, read every 100 ms, with no
minimum billing; the prediction bills alike and draws no random spot
interruption, since local workers are never interrupted. Scripted events
are not replayed (--events is refused).

--workers in-process (the default) serves each worker from goroutines of
this process, on its own loopback ports, as sluice worker would; process
runs each as a child process, as sluice serve does. A real fleet starts
its replicas on other machines; on a small machine a burst of process
starts takes CPU from the gateway and the load generator, and the
measured latency then includes that wait.

Light requests are one row of --light-elements FP32 values for
--light-model; heavy ones --heavy-elements values in --heavy-rows rows for
--heavy-model (bench.yaml's route sends sum requests of 4096 elements or
more to the GPU tier, and a heavy request weighs 2 rows in a batch). Each
is judged against the SLO of its model; its class goes in the
x-sluice-priority header, so the configuration needs auth.mode none.

Flags:
`

// realFlags is what the real benchmark's flags say.
type realFlags struct {
	system.RealOptions
	// prelude is --prelude, unset meaning the default.
	prelude       preludeFlag
	json, verbose bool
}

// benchRealMain runs `sluice bench real` and returns its exit code: 0
// when done or for help, 2 on bad flags, 1 otherwise.
func benchRealMain(args []string, stdout, stderr io.Writer) int {
	f, err := parseRealFlags(args, stderr)
	return benchExit("real", err, stderr, func() error {
		// The system under test logs at error level: its scaler warns at
		// every tick of a budget cut, and a compressed run ticks often.
		ctx, stop, log := benchRuntime(stderr, f.verbose, slog.LevelError)
		defer stop()
		rep, err := system.Real(ctx, f.RealOptions, log)
		if err != nil {
			return err
		}
		if f.json {
			return json.NewEncoder(stdout).Encode(rep)
		}
		return system.WriteRealReport(stdout, rep)
	})
}

// parseRealFlags parses the real benchmark's flags, printing errors and
// help to stderr; it returns flag.ErrHelp for -h and --help.
func parseRealFlags(args []string, stderr io.Writer) (realFlags, error) {
	var f realFlags
	fs := flag.NewFlagSet("sluice bench real", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchRealUsage); fs.PrintDefaults() }
	fs.StringVar(&f.Config, "config", "configs/bench.yaml", "the fleet's configuration `file`")
	fs.StringVar(&f.Trace, "trace", "", "the scenario's trace `file` (second,rps,heavy_fraction); required")
	fs.StringVar(&f.Events, "events", "", "scripted events: refused, see above")
	fs.Float64Var(&f.Speedup, "speedup", 1, "compress time `K` times: trace second i is replayed during [i/K, (i+1)/K) s")
	fs.DurationVar(&f.Duration, "duration", 0, "replay the trace's first whole seconds within this much trace time (before --speedup); 0 means all")
	fs.Var(&f.prelude, "prelude", "replay the trace's first second for this much trace `time` before the trace, unmeasured (default: the scaler's stabilization plus twice the slowest cold start, compressed, plus the router's 10 s stats window)")
	fs.Uint64Var(&f.Seed, "seed", 1, "the random `seed` of the arrivals, here and in the simulator")
	fs.DurationVar(&f.Grace, "grace", 30*time.Second, "how long after the trace's end answers still count; later ones are lost")
	fs.StringVar(&f.Workers, "workers", system.WorkersInProcess, "how local workers run: `in-process` or process")
	fs.BoolVar(&f.json, "json", false, "print one JSON object: measured, predicted and their ratios")
	fs.BoolVar(&f.verbose, "v", false, "log debug detail to stderr")
	addRealKindFlags(fs, &f.Kinds)
	if err := parseNoArgs(fs, args, stderr); err != nil {
		return f, err
	}
	f.Prelude = -1
	if f.prelude.set {
		f.Prelude = f.prelude.d
	}
	if err := checkRealFlags(f); err != nil {
		fmt.Fprintln(stderr, "sluice bench real:", err)
		fs.Usage()
		return f, err
	}
	return f, nil
}

// addRealKindFlags declares the flags of the two kinds of request.
func addRealKindFlags(fs *flag.FlagSet, k *[2]system.RequestKind) {
	k[sim.Light].Rows = 1
	fs.StringVar(&k[sim.Light].Model, "light-model", "sum", "the `model` of light requests")
	fs.IntVar(&k[sim.Light].Elements, "light-elements", 4, "the FP32 `elements` of a light request's one row")
	fs.StringVar(&k[sim.Heavy].Model, "heavy-model", "sum", "the `model` of heavy requests")
	fs.IntVar(&k[sim.Heavy].Elements, "heavy-elements", 4096, "the FP32 `elements` of a heavy request, in all")
	fs.IntVar(&k[sim.Heavy].Rows, "heavy-rows", 2, "the `rows` of a heavy request, what it weighs in a batch")
}

// checkRealFlags checks what the flag package cannot.
func checkRealFlags(f realFlags) error {
	switch {
	case f.Trace == "":
		return errors.New("--trace is required")
	case f.Events != "":
		return system.ErrRealEvents
	case !(f.Speedup > 0):
		return fmt.Errorf("--speedup %g: must be positive", f.Speedup)
	case f.Grace <= 0:
		return fmt.Errorf("--grace %v: must be positive", f.Grace)
	case f.Duration < 0:
		return fmt.Errorf("--duration %v: must not be negative", f.Duration)
	case f.Workers != system.WorkersInProcess && f.Workers != system.WorkersProcess:
		return fmt.Errorf("--workers %q: want %s or %s", f.Workers, system.WorkersInProcess, system.WorkersProcess)
	}
	for i, k := range f.Kinds {
		if err := k.Check(); err != nil {
			return fmt.Errorf("%s requests: %w", kindName(i), err)
		}
	}
	return nil
}

// preludeFlag is the --prelude flag: a duration of trace time, or unset.
type preludeFlag struct {
	d   time.Duration
	set bool
}

var _ flag.Value = (*preludeFlag)(nil)

// String returns the duration, "" when unset.
func (p *preludeFlag) String() string {
	if !p.set {
		return ""
	}
	return p.d.String()
}

// Set parses a duration that is not negative.
func (p *preludeFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("want a duration of at least 0s, got %q", s)
	}
	p.d, p.set = d, true
	return nil
}

// kindName names kind i of sim.Light and sim.Heavy.
func kindName(i int) string { return [2]string{"light", "heavy"}[i] }
