// Command sluice is the cost-aware inference gateway: one binary whose
// subcommands serve traffic, emulate workers, validate configuration and
// run benchmarks.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one subcommand. run receives the arguments after the
// subcommand's name and returns the process exit code.
type command struct {
	summary string
	run     func(args []string) int
}

// commandSet is a level of subcommands: `sluice <command>` or
// `sluice bench <benchmark>`.
type commandSet struct {
	// path is how the level is invoked ("sluice", "sluice bench").
	path string
	// noun names one entry in messages ("command", "benchmark"), heading
	// the list of entries ("Commands").
	noun, heading string
	// intro is printed above the usage.
	intro   string
	entries map[string]command
}

// commands is filled by the init functions of this package's files, one
// file per subcommand.
var commands = map[string]command{}

var root = commandSet{
	path:    "sluice",
	noun:    "command",
	heading: "Commands",
	intro:   "Sluice is a cost-aware inference gateway for the Open Inference Protocol v2.\n\n",
	entries: commands,
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stderr))
}

func dispatch(args []string, stderr io.Writer) int { return root.dispatch(args, stderr) }

// dispatch runs the entry named by args[0] with the rest of args and
// returns its exit code: 2 for a missing or unknown entry, 0 for help.
func (cs commandSet) dispatch(args []string, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		cs.usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := cs.entries[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown %s %q\n\n", cs.path, cs.noun, args[0])
		cs.usage(stderr)
		return 2
	}
	return cmd.run(args[1:])
}

func (cs commandSet) usage(w io.Writer) {
	fmt.Fprintf(w, "%sUsage: %s <%s> [flags]\n\n%s:\n", cs.intro, cs.path, cs.noun, cs.heading)
	names := make([]string, 0, len(cs.entries))
	for name := range cs.entries {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, cs.entries[name].summary)
	}
	fmt.Fprintf(w, "\nRun '%s <%s> --help' for its flags.\n", cs.path, cs.noun)
}

// parseNoArgs parses flags for a command that takes no positional
// argument: one is reported on stderr with the usage, as an error.
func parseNoArgs(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return err
	}
	return nil
}
