package difftest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// The case file format is documented in README.md; keep the two in step.

const maxConns = 3

type stepKind int

const (
	stepCommand     stepKind = iota // send, read and compare one reply
	stepSend                        // send; the reply stays pending
	stepRead                        // read and compare one pending reply
	stepWaitBlocked                 // wait until n clients are blocked
)

// step is one line of a case that does something.
type step struct {
	kind  stepKind
	line  int    // line number in the file
	text  string // the source line, for messages
	conn  int    // 1..maxConns
	args  []string
	n     int       // stepWaitBlocked: the count to wait for
	relax []relaxer // relaxations for this step's reply
	// expect holds expected raw replies from @reply lines, indexed by
	// protocol-2 (0: RESP2, 1: RESP3); nil where none was given.
	expect [2]*expected
}

type expected struct {
	raw  []byte
	line int
}

// testCase is one case of a case file.
type testCase struct {
	file  string // path as given
	name  string
	line  int
	since [3]int // zero if no @since marker
	// outdated lists reference versions that predate the case's behaviour
	// in current Redis (@outdated): a pre-release whose change was reverted
	// or fixed before the release. They are not used for the case.
	outdated []outdatedRef
	only     int // 0: both protocols; 2 or 3: only that one
	steps    []*step
	// needIDs[n] is set when a command uses {client-id:n}.
	needIDs [maxConns + 1]bool
}

// outdatedRef is one @outdated marker.
type outdatedRef struct {
	version [3]int
	reason  string
}

// needsReplies names the marker that makes the case carry a written reply
// for every line ("" if none): a case that some reference sits out must say
// what it expects.
func (c *testCase) needsReplies() string {
	switch {
	case c.since != [3]int{}:
		return "@since " + c.sinceString()
	case len(c.outdated) > 0:
		return "@outdated"
	}
	return ""
}

// isOutdated reports whether a reference of version v is marked @outdated
// for the case.
func (c *testCase) isOutdated(v [3]int) bool {
	for _, o := range c.outdated {
		if o.version == v {
			return true
		}
	}
	return false
}

func (c *testCase) sinceString() string {
	if c.since[2] != 0 {
		return fmt.Sprintf("%d.%d.%d", c.since[0], c.since[1], c.since[2])
	}
	return fmt.Sprintf("%d.%d", c.since[0], c.since[1])
}

// protocols lists the protocols the case runs in.
func (c *testCase) protocols() []int {
	if c.only != 0 {
		return []int{c.only}
	}
	return []int{2, 3}
}

var clientIDArg = regexp.MustCompile(`^\{client-id:([1-3])\}$`)

// parseFile reads and parses one case file.
func parseFile(path string) ([]*testCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseCases(path, string(data))
}

// lineError is a parse error at one line of a case file.
type lineError struct {
	file string
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg) }

// parseCases parses the text of a case file; file names it in errors.
// All errors are collected, so a broken file reports every bad line at once.
func parseCases(file, text string) ([]*testCase, error) {
	var (
		cases []*testCase
		errs  []error
		cur   *testCase
		conn  = 1
		relax []relaxer
		last  *step // the last step that reads a reply, for @reply
		// pending counts @sends not yet matched by @read, per connection.
		pending [maxConns + 1]int
		names   = map[string]int{}
	)
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &lineError{file, line, fmt.Sprintf(format, args...)})
	}
	finish := func(line int) {
		if cur == nil {
			return
		}
		if len(relax) > 0 {
			fail(line, "case %q ends with a relaxation that applies to no line", cur.name)
		}
		for n := 1; n <= maxConns; n++ {
			if pending[n] > 0 {
				fail(line, "case %q ends with %d unread @send repl%s on connection %d", cur.name, pending[n], plural(pending[n], "y", "ies"), n)
			}
		}
		if len(cur.steps) == 0 {
			fail(cur.line, "case %q has no commands", cur.name)
		}
		if marker := cur.needsReplies(); marker != "" {
			for _, s := range cur.steps {
				if s.kind != stepCommand && s.kind != stepRead {
					continue
				}
				for _, p := range cur.protocols() {
					if s.expect[p-2] == nil {
						fail(s.line, "case %q is marked %s, so this line needs an expected reply for RESP%d (@reply, @reply%d)", cur.name, marker, p, p)
					}
				}
			}
		}
		cases = append(cases, cur)
		cur = nil
	}

	lines := strings.Split(text, "\n")
	for i, l := range lines {
		ln := i + 1
		l = strings.TrimSpace(strings.TrimSuffix(l, "\r"))
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if strings.HasPrefix(l, "===") {
			finish(ln)
			name := strings.TrimSpace(strings.TrimPrefix(l, "==="))
			if name == "" {
				fail(ln, "case header without a name")
				name = fmt.Sprintf("line %d", ln)
			}
			if prev, ok := names[name]; ok {
				fail(ln, "duplicate case name %q (first at line %d)", name, prev)
			}
			names[name] = ln
			cur = &testCase{file: file, name: name, line: ln}
			conn, relax, last, pending = 1, nil, nil, [maxConns + 1]int{}
			continue
		}
		if cur == nil {
			fail(ln, "line before the first case header (=== name)")
			continue
		}
		if !strings.HasPrefix(l, "@") {
			args, err := SplitArgs(l)
			if err != nil {
				fail(ln, "%v", err)
				continue
			}
			if pending[conn] > 0 {
				fail(ln, "connection %d has %d unread @send repl%s: @read first", conn, pending[conn], plural(pending[conn], "y", "ies"))
			}
			s := &step{kind: stepCommand, line: ln, text: l, conn: conn, args: args, relax: relax}
			noteIDs(cur, args)
			cur.steps = append(cur.steps, s)
			relax, last = nil, s
			continue
		}

		word, rest, _ := strings.Cut(l, " ")
		rest = strings.TrimSpace(rest)
		switch word {
		case "@since":
			if len(cur.steps) > 0 {
				fail(ln, "@since must come before the case's first command")
			}
			v, err := parseVersion(rest)
			if err != nil {
				fail(ln, "@since: %v", err)
			}
			cur.since = v
		case "@outdated":
			if len(cur.steps) > 0 {
				fail(ln, "@outdated must come before the case's first command")
			}
			vs, reason, _ := strings.Cut(rest, " ")
			v, err := parseVersion(vs)
			if err != nil {
				fail(ln, "@outdated: %v", err)
			}
			if strings.TrimSpace(reason) == "" {
				fail(ln, "@outdated %s needs a reason: what changed after that version, and the source", vs)
			}
			cur.outdated = append(cur.outdated, outdatedRef{version: v, reason: strings.TrimSpace(reason)})
		case "@only":
			if len(cur.steps) > 0 {
				fail(ln, "@only must come before the case's first command")
			}
			switch strings.ToLower(rest) {
			case "resp2":
				cur.only = 2
			case "resp3":
				cur.only = 3
			default:
				fail(ln, "@only takes resp2 or resp3, not %q", rest)
			}
		case "@conn":
			n, err := strconv.Atoi(rest)
			if err != nil || n < 1 || n > maxConns {
				fail(ln, "@conn takes a connection number from 1 to %d, not %q", maxConns, rest)
				continue
			}
			if len(relax) > 0 {
				fail(ln, "a relaxation must be directly followed by the line it applies to")
			}
			conn, last = n, nil
		case "@send":
			args, err := SplitArgs(rest)
			if err != nil {
				fail(ln, "%v", err)
				continue
			}
			if len(args) == 0 {
				fail(ln, "@send without a command")
				continue
			}
			s := &step{kind: stepSend, line: ln, text: l, conn: conn, args: args, relax: relax}
			noteIDs(cur, args)
			cur.steps = append(cur.steps, s)
			pending[conn]++
			relax, last = nil, nil
		case "@read":
			if rest != "" {
				fail(ln, "@read takes no arguments (use @conn to pick the connection)")
			}
			s := &step{kind: stepRead, line: ln, text: l, conn: conn, relax: relax}
			if pending[conn] > 0 {
				pending[conn]--
			}
			cur.steps = append(cur.steps, s)
			relax, last = nil, s
		case "@wait-blocked":
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 {
				fail(ln, "@wait-blocked takes a client count, not %q", rest)
				continue
			}
			if len(relax) > 0 {
				fail(ln, "a relaxation must be directly followed by the line it applies to")
			}
			cur.steps = append(cur.steps, &step{kind: stepWaitBlocked, line: ln, text: l, conn: conn, n: n})
			last = nil
		case "@reply", "@reply2", "@reply3":
			if last == nil {
				fail(ln, "%s must follow a command or @read line (or another @reply)", word)
				continue
			}
			toks, err := SplitArgs(rest)
			if err != nil {
				fail(ln, "%s: %v", word, err)
				continue
			}
			raw := []byte(strings.Join(toks, ""))
			if _, err := ParseReply(raw); err != nil {
				fail(ln, "%s: not exactly one RESP reply: %v", word, err)
				continue
			}
			e := &expected{raw: raw, line: ln}
			for p := 2; p <= 3; p++ {
				if word == "@reply" || word == fmt.Sprintf("@reply%d", p) {
					if last.expect[p-2] != nil {
						fail(ln, "second expected RESP%d reply for the line %d", p, last.line)
					}
					last.expect[p-2] = e
				}
			}
		default:
			r, err := parseRelaxation(word, rest)
			if err != nil {
				fail(ln, "%v", err)
				continue
			}
			relax = append(relax, r)
			last = nil
		}
	}
	finish(len(lines))
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("%s: no cases (a case starts with a line \"=== name\")", file)
	}
	return cases, nil
}

func noteIDs(c *testCase, args []string) {
	for _, a := range args {
		if m := clientIDArg.FindStringSubmatch(a); m != nil {
			n, _ := strconv.Atoi(m[1])
			c.needIDs[n] = true
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// parseVersion parses "X.Y" or "X.Y.Z".
func parseVersion(s string) ([3]int, error) {
	var v [3]int
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return v, fmt.Errorf("version %q is not X.Y or X.Y.Z", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("version %q is not X.Y or X.Y.Z", s)
		}
		v[i] = n
	}
	if v == [3]int{} {
		return v, fmt.Errorf("version %q must be above 0.0", s)
	}
	return v, nil
}

// versionLess reports whether a is older than b.
func versionLess(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// fileTestName returns the subtest name of a file: its base name without extension.
func fileTestName(path string) string {
	b := filepath.Base(path)
	return strings.TrimSuffix(b, filepath.Ext(b))
}
