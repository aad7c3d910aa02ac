// Command sluice is the cost-aware inference gateway: one binary whose
// subcommands serve traffic, emulate workers, validate configuration and
// run benchmarks.
package main

import (
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

// commands is filled by the init functions of this package's files, one
// file per subcommand.
var commands = map[string]command{}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stderr))
}

func dispatch(args []string, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "sluice: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return cmd.run(args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Sluice is a cost-aware inference gateway for the Open Inference Protocol v2.")
	fmt.Fprintln(w, "\nUsage: sluice <command> [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'sluice <command> --help' for a command's flags.")
}
