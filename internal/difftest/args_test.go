package difftest

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		line string
		want []string
	}{
		{"SET k v", []string{"SET", "k", "v"}},
		{"  SET   k\tv  ", []string{"SET", "k", "v"}},
		{`SET k "a b"`, []string{"SET", "k", "a b"}},
		{`SET k "\r\n\t\b\a\"\\\q"`, []string{"SET", "k", "\r\n\t\b\a\"\\q"}},
		{`SET k "\x00\xff\x4A\xZZ"`, []string{"SET", "k", "\x00\xffJxZZ"}},
		{`SET k 'a\nb \'q\''`, []string{"SET", "k", `a\nb 'q'`}},
		{`SET k ""`, []string{"SET", "k", ""}},
		{`SET k ''`, []string{"SET", "k", ""}},
		{`GET a"b c"`, []string{"GET", "ab c"}},
		{"", nil},
	}
	for _, tc := range cases {
		got, err := SplitArgs(tc.line)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitArgs(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
		}
	}
	for _, bad := range []string{`SET "k`, `SET 'k`, `SET "k"v`, `SET 'k'v`, `SET "k\"`} {
		if got, err := SplitArgs(bad); err == nil {
			t.Errorf("SplitArgs(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseCases(t *testing.T) {
	text := strings.Join([]string{
		"# comment",
		"=== first",
		"@since 7.2",
		"@only resp3",
		"SET k v",
		`@reply "+OK\r\n"`,
		"@conn 2",
		"@sorted",
		"@send SMEMBERS s",
		"@wait-blocked 0",
		"@mask id",
		"@read",
		`@reply "~0\r\n"`,
		"CLIENT UNBLOCK {client-id:3}",
		`@reply ":0\r\n"`,
		"",
		"=== second",
		"GET k",
		`@reply2 "$-1\r\n"`,
		`@reply3 "_" "\r\n"`,
	}, "\n")
	cs, err := parseCases("mem.txt", text)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("%d cases, want 2", len(cs))
	}
	c := cs[0]
	if c.name != "first" || c.since != [3]int{7, 2, 0} || c.only != 3 || len(c.steps) != 5 || !c.needIDs[3] {
		t.Fatalf("first case parsed as %+v", c)
	}
	send, read := c.steps[1], c.steps[3]
	if send.kind != stepSend || send.conn != 2 || len(send.relax) != 1 || send.relax[0].name() != "@sorted" {
		t.Errorf("@send step parsed as %+v", send)
	}
	if read.kind != stepRead || read.conn != 2 || len(read.relax) != 1 || read.relax[0].name() != "@mask id" || string(read.expect[1].raw) != "~0\r\n" {
		t.Errorf("@read step parsed as %+v", read)
	}
	if w := c.steps[2]; w.kind != stepWaitBlocked || w.n != 0 {
		t.Errorf("@wait-blocked parsed as %+v", w)
	}
	g := cs[1].steps[0]
	if string(g.expect[0].raw) != "$-1\r\n" || string(g.expect[1].raw) != "_\r\n" || cs[1].only != 0 {
		t.Errorf("second case parsed as %+v", g)
	}
}

func TestParseCasesErrors(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"command before header", "GET k", "mem.txt:1: line before the first case header"},
		{"no cases", "# nothing", "no cases"},
		{"empty case", "=== a\n=== b\nGET k", `mem.txt:1: case "a" has no commands`},
		{"duplicate name", "=== a\nGET k\n=== a\nGET k", `mem.txt:3: duplicate case name "a"`},
		{"bad quoting", "=== a\nGET \"k", "mem.txt:2: unbalanced quotes"},
		{"unknown directive", "=== a\n@frobnicate\nGET k", "mem.txt:2: unknown directive @frobnicate"},
		{"bad conn", "=== a\n@conn 4\nGET k", "mem.txt:2: @conn takes a connection number from 1 to 3"},
		{"unread send", "=== a\n@send BLPOP l 0\n", `case "a" ends with 1 unread @send reply on connection 1`},
		{"command behind a send", "=== a\n@send BLPOP l 0\nGET k\n@read", "mem.txt:3: connection 1 has 1 unread @send reply: @read first"},
		{"dangling relaxation", "=== a\nGET k\n@sorted", "ends with a relaxation"},
		{"relaxation before conn", "=== a\n@sorted\n@conn 2\nKEYS *", "mem.txt:3: a relaxation must be directly followed"},
		{"since needs replies", "=== a\n@since 7.2\nGET k\n@reply2 \"$-1\\r\\n\"", "mem.txt:3: case \"a\" is marked @since 7.2, so this line needs an expected reply for RESP3"},
		{"since after command", "=== a\nGET k\n@since 7.2", "mem.txt:3: @since must come before"},
		{"bad version", "=== a\n@since seven\nGET k", "mem.txt:2: @since: version \"seven\""},
		{"bad only", "=== a\n@only resp4\nGET k", "mem.txt:2: @only takes resp2 or resp3"},
		{"reply not RESP", "=== a\nGET k\n@reply \"hello\"", "mem.txt:3: @reply: not exactly one RESP reply"},
		{"reply of two replies", "=== a\nGET k\n@reply \"+a\\r\\n+b\\r\\n\"", "trailing bytes"},
		{"reply after send", "=== a\n@send GET k\n@reply \"+a\\r\\n\"\n@read", "mem.txt:3: @reply must follow a command or @read"},
		{"two replies", "=== a\nGET k\n@reply \"+a\\r\\n\"\n@reply3 \"+a\\r\\n\"", "mem.txt:4: second expected RESP3 reply"},
		{"bad approx", "=== a\n@approx x\nTTL k", "mem.txt:2: @approx: bad tolerance"},
		{"mask without fields", "=== a\n@mask\nINFO", "mem.txt:2: @mask takes one or more field names"},
		{"bad sorted", "=== a\n@sorted sideways\nKEYS *", "mem.txt:2: @sorted takes"},
		{"bad wait", "=== a\n@wait-blocked -1\nGET k", "mem.txt:2: @wait-blocked takes a client count"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseCases("mem.txt", tc.text)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("parse error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	// Every bad line is reported, not just the first.
	_, err := parseCases("mem.txt", "=== a\n@conn 9\n@only x\nGET k")
	if err == nil || !strings.Contains(err.Error(), "mem.txt:2:") || !strings.Contains(err.Error(), "mem.txt:3:") {
		t.Fatalf("parse error = %v, want both lines 2 and 3", err)
	}
}
