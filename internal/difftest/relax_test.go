package difftest

import (
	"fmt"
	"strings"
	"testing"
)

// bulk encodes s as a RESP bulk string.
func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

// verbatim encodes s as a RESP3 verbatim string of format txt.
func verbatim(s string) string { return fmt.Sprintf("=%d\r\ntxt:%s\r\n", len(s)+4, s) }

func mustRelax(t *testing.T, directive string) relaxer {
	t.Helper()
	word, rest, _ := strings.Cut(directive, " ")
	r, err := parseRelaxation(word, rest)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustReply(t *testing.T, raw string) reply {
	t.Helper()
	v, err := ParseReply([]byte(raw))
	if err != nil {
		t.Fatalf("ParseReply(%q): %v", raw, err)
	}
	return reply{raw: []byte(raw), v: v}
}

// TestRelaxations checks that each relaxation hides the difference it is
// named after, and no other.
func TestRelaxations(t *testing.T) {
	cases := []struct {
		relax     string // directives separated by ";"
		ref, tgt  string
		equal     bool
		diffShows string // for unequal replies, a substring of the report
	}{
		{"", "$1\r\nv\r\n", "$1\r\nv\r\n", true, ""},
		{"", "$1\r\nv\r\n", "$1\r\nw\r\n", false, `diff: at top level: reference bulk string "v", target bulk string "w"`},
		{"", "*2\r\n:1\r\n:2\r\n", "*2\r\n:1\r\n:3\r\n", false, `diff: at [1]: reference integer "2", target integer "3"`},
		{"", "%1\r\n+a\r\n:1\r\n", "%1\r\n+a\r\n:2\r\n", false, "at [value 0]"},
		{"", "$-1\r\n", "_\r\n", false, "reference null bulk string ($-1), target null (_)"},

		{"@sorted", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n", true, ""},
		{"@sorted", "~2\r\n:1\r\n:2\r\n", "~2\r\n:2\r\n:1\r\n", true, ""},
		{"@sorted", "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\na\r\n$1\r\na\r\n", false, "after @sorted:"},
		{"@sorted", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "*2\r\n$1\r\na\r\n$1\r\nb\r\n", false, "array of 3 elements"},
		{"@sorted", "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "%2\r\n+b\r\n:2\r\n+a\r\n:1\r\n", true, ""},
		{"@sorted", "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "%2\r\n+b\r\n:1\r\n+a\r\n:2\r\n", false, ""},
		{"@sorted pairs", "*4\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "*4\r\n+b\r\n:2\r\n+a\r\n:1\r\n", true, ""},
		{"@sorted pairs", "*4\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "*4\r\n+b\r\n:1\r\n+a\r\n:2\r\n", false, ""},
		{"@sorted", "*2\r\n+OK\r\n*2\r\n:1\r\n:2\r\n", "*2\r\n+OK\r\n*2\r\n:2\r\n:1\r\n", false, ""},
		{"@sorted deep", "*2\r\n+OK\r\n*2\r\n:1\r\n:2\r\n", "*2\r\n+OK\r\n*2\r\n:2\r\n:1\r\n", true, ""},

		{"@error-prefix", "-ERR value is not an integer\r\n", "-ERR not an int\r\n", true, ""},
		{"@error-prefix", "-ERR value\r\n", "-WRONGTYPE value\r\n", false, `reference error "ERR", target error "WRONGTYPE"`},
		{"@error-prefix", "-ERR value\r\n", "+OK\r\n", false, ""},

		{"@shape", ":12\r\n", ":99\r\n", true, ""},
		{"@shape", "*2\r\n$2\r\n17\r\n$3\r\n123\r\n", "*2\r\n$2\r\n18\r\n$3\r\n999\r\n", true, ""},
		{"@shape", ":12\r\n", "$2\r\n12\r\n", false, "reference integer"},
		{"@shape", "*2\r\n:1\r\n:2\r\n", "*1\r\n:1\r\n", false, ""},

		{"@approx 1", ":100\r\n", ":99\r\n", true, ""},
		{"@approx 1", ":100\r\n", ":98\r\n", false, `reference integer "100", target integer "98"`},
		{"@approx 0.01", ",1.5\r\n", ",1.505\r\n", true, ""},
		{"@approx 5", "*2\r\n$3\r\nttl\r\n$3\r\n100\r\n", "*2\r\n$3\r\nttl\r\n$2\r\n97\r\n", true, ""},
		{"@approx 5", "$3\r\nabc\r\n", "$3\r\nabd\r\n", false, ""},

		{"@mask run_id uptime_in_seconds", bulk("# Server\r\nrun_id:abc\r\nuptime_in_seconds:3\r\nhz:10\r\n"),
			bulk("# Server\r\nrun_id:defgh\r\nuptime_in_seconds:17\r\nhz:10\r\n"), true, ""},
		{"@mask run_id", bulk("# Server\r\nrun_id:abc\r\nhz:10\r\n"), bulk("# Server\r\nrun_id:abc\r\nhz:11\r\n"), false, `bulk string line 3: reference "hz:10", target "hz:11"`},
		{"@mask id idle", bulk("id=3 addr=x idle=0 db=0\n"), bulk("id=12 addr=x idle=1 db=0\n"), true, ""},
		{"@mask id", bulk("id=3 addr=x db=0"), bulk("id=3 addr=y db=0"), false, ""},
		{"@mask id", "%2\r\n$2\r\nid\r\n:3\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n", "%2\r\n$2\r\nid\r\n:9\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n", true, ""},
		{"@mask id", "*4\r\n$2\r\nid\r\n:3\r\n$4\r\nmode\r\n$1\r\na\r\n", "*4\r\n$2\r\nid\r\n:9\r\n$4\r\nmode\r\n$1\r\na\r\n", true, ""},
		{"@mask id", "*4\r\n$2\r\nid\r\n:3\r\n$4\r\nmode\r\n$1\r\na\r\n", "*4\r\n$2\r\nid\r\n:9\r\n$4\r\nmode\r\n$1\r\nb\r\n", false, ""},

		{"@mask avg_ttl", bulk("db0:keys=2,expires=1,avg_ttl=100000\r\n"), bulk("db0:keys=2,expires=1,avg_ttl=0\r\n"), true, ""},
		{"@mask avg_ttl", bulk("db0:keys=2,expires=1,avg_ttl=1\r\n"), bulk("db0:keys=3,expires=1,avg_ttl=0\r\n"), false, ""},
		{"@mask id", bulk("xid=1 id=2"), bulk("xid=2 id=3"), false, ""},
		{"@mask id", verbatim("id=3 addr=x\n"), verbatim("id=12 addr=x\n"), true, ""},
		{"", bulk(strings.Repeat("x", 200) + "a"), bulk(strings.Repeat("x", 200) + "b"), false, `bulk string byte 200: reference ..."xxxxxxxxxxxxxxxxxxxxa" (201 bytes)`},
		{"", bulk("l1\r\n" + strings.Repeat("y", 100) + "a\r\n"), bulk("l1\r\n" + strings.Repeat("y", 100) + "b\r\n"), false, "bulk string line 2 byte 100"},
		{"", bulk("l1\r\n"), bulk("l1\r\nl2"), false, `line 2: reference "", target "l2"`},

		{"@stream-ids", "$15\r\n1700000000000-0\r\n", "$15\r\n1700000000005-0\r\n", true, ""},
		{"@stream-ids", "*2\r\n$5\r\n100-0\r\n$5\r\n100-1\r\n", "*2\r\n$5\r\n200-0\r\n$5\r\n201-0\r\n", true, ""},
		{"@stream-ids", "*2\r\n$5\r\n100-0\r\n$5\r\n100-0\r\n", "*2\r\n$5\r\n200-0\r\n$5\r\n201-0\r\n", false, "<id:1>"},
		{"@stream-ids", "$5\r\n100-0\r\n", "$5\r\n100-x\r\n", false, ""},

		{"@approx 1;@sorted", "*2\r\n:10\r\n:20\r\n", "*2\r\n:21\r\n:9\r\n", false, ""}, // approx pairs positions before sorting
		{"@sorted;@mask x", "*2\r\n$3\r\nx:1\r\n$3\r\ny:2\r\n", "*2\r\n$3\r\ny:2\r\n$3\r\nx:5\r\n", true, ""},
	}
	for _, tc := range cases {
		var relax []relaxer
		if tc.relax != "" {
			for _, d := range strings.Split(tc.relax, ";") {
				relax = append(relax, mustRelax(t, d))
			}
		}
		msg := compareReplies(mustReply(t, tc.ref), mustReply(t, tc.tgt),
			source{"reference", map[string]int{}}, source{"target", map[string]int{}}, relax)
		if tc.equal != (msg == "") {
			t.Errorf("%s: %q vs %q: equal = %v, want %v\n%s", tc.relax, tc.ref, tc.tgt, msg == "", tc.equal, msg)
			continue
		}
		if !tc.equal && !strings.Contains(msg, tc.diffShows) {
			t.Errorf("%s: %q vs %q: report does not contain %q:\n%s", tc.relax, tc.ref, tc.tgt, tc.diffShows, msg)
		}
	}
}

// TestStreamIDsSpanLines checks that @stream-ids numbering carries across
// the lines of a case run, so an ID returned by XADD must reappear as such.
func TestStreamIDsSpanLines(t *testing.T) {
	r := mustRelax(t, "@stream-ids")
	ref, tgt := source{"reference", map[string]int{}}, source{"target", map[string]int{}}
	steps := []struct {
		ref, tgt string
		equal    bool
	}{
		{"$3\r\n1-0\r\n", "$3\r\n5-0\r\n", true},
		{"$3\r\n2-0\r\n", "$3\r\n6-0\r\n", true},
		{"*2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n", "*2\r\n$3\r\n5-0\r\n$3\r\n6-0\r\n", true},
		{"$3\r\n1-0\r\n", "$3\r\n6-0\r\n", false},
	}
	for i, s := range steps {
		msg := compareReplies(mustReply(t, s.ref), mustReply(t, s.tgt), ref, tgt, []relaxer{r})
		if s.equal != (msg == "") {
			t.Fatalf("line %d: equal = %v, want %v\n%s", i, msg == "", s.equal, msg)
		}
	}
}

func TestClosedConnections(t *testing.T) {
	a, b := source{"reference", nil}, source{"target", nil}
	if msg := compareReplies(reply{closed: true}, reply{closed: true}, a, b, nil); msg != "" {
		t.Errorf("both closed: %s", msg)
	}
	msg := compareReplies(reply{closed: true}, mustReply(t, "+OK\r\n"), a, b, nil)
	if !strings.Contains(msg, "reference: <connection closed>") || !strings.Contains(msg, `target:    "+OK\r\n"`) {
		t.Errorf("one side closed: %s", msg)
	}
}
