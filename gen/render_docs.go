package main

import (
	"bytes"
	"fmt"
	"strings"
)

// renderCommandList writes generated/COMMANDS.md, the list of served
// commands the README links to, so the list cannot drift from the spec:
//
//	## string
//	| command | since | what it does |
//	|---|---|---|
//	| `GET` | 1.0.0 | Returns the string stored at a key. |
func renderCommandList(s *Spec) []byte {
	var b bytes.Buffer
	b.WriteString("<!-- " + header + " -->\n\n# Commands redcurrent serves\n\n")
	names, by := groups(s)
	total := 0
	for _, cs := range by {
		for _, c := range cs {
			if !isContainerOnly(c) {
				total++
			}
		}
	}
	fmt.Fprintf(&b, "%d commands and subcommands, by group. `since` is the Redis version that introduced each.\n", total)
	for _, g := range names {
		fmt.Fprintf(&b, "\n## %s\n\n| command | since | what it does |\n|---|---|---|\n", g)
		for _, c := range by[g] {
			if isContainerOnly(c) {
				continue
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.FullName(), c.Since, strings.ReplaceAll(c.Summary, "|", `\|`))
		}
	}
	return b.Bytes()
}

// isContainerOnly reports a container that cannot run without a subcommand
// (CLIENT, CONFIG); COMMAND alone runs, so it is listed.
func isContainerOnly(c *Command) bool {
	return len(c.subs) > 0 && c.Arity != -1 && c.Arity != 1
}
