// Package parsetest checks the generated parsers (package generated) against
// Redis: the same argv must give the same error reply, or none. The cases are
// data; a case whose command is not in the generated table is skipped.
package parsetest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	// The engine installs the value checks the parsers call (generated.Checks).
	_ "github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/generated"
	"github.com/redcurrent/redcurrent/internal/difftest"
)

type parseCase struct {
	argv string // split on spaces; '' is an empty argument
	want string // the parser's error text, "" when argv parses
	// redis is Redis's reply when it differs from want because the command
	// itself (not its parser) answers: "" means "not an error". want is
	// also the error a late_errors parser leaves in the Args' Err field.
	redis string
	// since is the Redis version whose rule the parser follows where it
	// changed after 7.0: an older reference is not compared.
	since string
}

var cases = []parseCase{
	// SET: option group, oneof conflicts, deferred EX value, range annotation.
	{argv: "SET k v", want: ""},
	{argv: "set k v ex 10 get nx", want: ""},
	{argv: "SET k v EX 10 EX 20", want: ""},
	{argv: "SET k v NX XX", want: "ERR syntax error"},
	{argv: "SET k v EX", want: "ERR syntax error"},
	{argv: "SET k v EX abc", want: "ERR value is not an integer or out of range"},
	{argv: "SET k v EX abc XX NX", want: "ERR syntax error"},
	{argv: "SET k v EX 10 PX 10", want: "ERR syntax error"},
	{argv: "SET k v KEEPTTL EX 10", want: "ERR syntax error"},
	{argv: "SET k v EX 0", want: "ERR invalid expire time in 'set' command"},
	{argv: "SET k v PX -5", want: "ERR invalid expire time in 'set' command"},
	{argv: "SET k v FOO", want: "ERR syntax error"},
	// 8.4: SET's IF* conditions join NX|XX in one oneof; DELEX's argument
	// count comes first (arg_counts), its condition word after the key
	// (late_errors).
	{argv: "SET k v IFEQ a IFEQ b GET", want: "", since: "8.4.0"},
	{argv: "SET k v NX IFEQ a", want: "ERR syntax error", since: "8.4.0"},
	{argv: "SET k v IFDNE", want: "ERR syntax error", since: "8.4.0"},
	{argv: "DELEX k", want: "", since: "8.4.0"},
	{argv: "DELEX k IFDEQ abc", want: "", since: "8.4.0"},
	{argv: "DELEX k IFEQ", want: "ERR wrong number of arguments for 'delex' command", since: "8.4.0"},
	{argv: "DELEX k FOO", want: "ERR wrong number of arguments for 'delex' command", since: "8.4.0"},
	{argv: "DELEX k IFEQ a b", want: "ERR wrong number of arguments for 'delex' command", since: "8.4.0"},
	{argv: "DELEX k FOO bar", want: "ERR Invalid condition. Use IFEQ, IFNE, IFDEQ, or IFDNE", redis: ":0", since: "8.4.0"},
	// MSETEX: numkeys gives the pairs (count_from); options follow.
	{argv: "MSETEX 2 NX v XX w NX", want: "", since: "8.4.0"},
	{argv: "MSETEX 2 k v", want: "ERR wrong number of key-value pairs", since: "8.4.0"},
	{argv: "MSETEX 0 k v", want: "ERR invalid numkeys value", since: "8.4.0"},
	{argv: "MSETEX 1 k v k2 v2", want: "ERR syntax error", since: "8.4.0"},
	{argv: "MSETEX 1 k v EX abc NX XX", want: "ERR syntax error", since: "8.4.0"},
	{argv: "MSETEX 1 k v EX 0", want: "ERR invalid expire time in 'msetex' command", since: "8.4.0"},
	{argv: "GETEX k PERSIST", want: ""},
	{argv: "GETEX k EX", want: "ERR syntax error"}, // the value's own checks are GETEX's (parser "raw")
	{argv: "GETEX k EX 10 PX 10", want: "ERR syntax error"},
	{argv: "GETEX k FOO", want: "ERR syntax error"},
	{argv: "PSETEX k 0 v", want: "ERR invalid expire time in 'psetex' command"},
	{argv: "SETEX k abc v", want: "ERR value is not an integer or out of range"},
	{argv: "SETRANGE k -1 v", want: "ERR offset is out of range"},
	{argv: "INCRBY n 1.5", want: "ERR value is not an integer or out of range"},
	{argv: "INCRBY n +1", want: "ERR value is not an integer or out of range"},
	{argv: "INCRBY n 01", want: "ERR value is not an integer or out of range"},
	{argv: "INCRBY n 9223372036854775808", want: "ERR value is not an integer or out of range"},
	{argv: "INCRBY n -9223372036854775808", want: ""},
	// INCRBYFLOAT's increment is raw: the handler reads it as a long double.
	{argv: "INCRBYFLOAT f abc", want: "", redis: "-ERR value is not a valid float"},
	{argv: "INCRBYFLOAT f 0x10", want: ""},
	{argv: "INCRBYFLOAT f 1e5", want: ""},
	{argv: "MSET a 1 b 2", want: ""},
	{argv: "MSET a 1 b", want: "ERR wrong number of arguments for 'mset' command"},
	{argv: "MSETNX a 1 b", want: "ERR wrong number of arguments for 'msetnx' command"},
	// EXPIRE: a flag set with ordered conflicts, and a deferred value.
	{argv: "EXPIRE k 10", want: ""},
	{argv: "EXPIRE k 10 XX GT", want: ""},
	{argv: "EXPIRE k abc", want: "ERR value is not an integer or out of range"},
	{argv: "EXPIRE k 10 NX XX", want: "ERR NX and XX, GT or LT options at the same time are not compatible"},
	{argv: "EXPIRE k 10 GT LT", want: "ERR GT and LT options at the same time are not compatible"},
	{argv: "EXPIRE k abc foo", want: "ERR Unsupported option foo"},
	{argv: "EXPIRE k abc NX XX", want: "ERR NX and XX, GT or LT options at the same time are not compatible"},
	{argv: "PEXPIREAT k 10 nx nx", want: ""},
	// SCAN: strtoul cursor, min/range_error on COUNT.
	{argv: "SCAN 0", want: ""},
	{argv: "SCAN -1", want: "ERR invalid cursor", since: "7.2.0"}, // string2ull (redis/redis#12209)
	{argv: "SCAN ''", want: "ERR invalid cursor", since: "7.2.0"},
	{argv: "SCAN 00", want: ""},
	{argv: "SCAN abc", want: "ERR invalid cursor"},
	{argv: "SCAN 0 COUNT 0", want: "ERR syntax error"},
	{argv: "SCAN 0 COUNT x", want: "ERR value is not an integer or out of range"},
	{argv: "SCAN 0 MATCH", want: "ERR syntax error"},
	{argv: "SCAN 0 FOO", want: "ERR syntax error"},
	{argv: "SCAN 0 type string count 10 match *", want: ""},
	// Connection.
	{argv: "AUTH a b c", want: "ERR syntax error"},
	{argv: "AUTH pw", want: "", redis: "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"},
	{argv: "HELLO", want: ""},
	{argv: "HELLO 2 SETNAME foo", want: ""},
	{argv: "HELLO x", want: "ERR Protocol version is not an integer or out of range"},
	{argv: "HELLO 4", want: "NOPROTO unsupported protocol version"},
	{argv: "HELLO 2 FOO", want: "ERR Syntax error in HELLO option 'FOO'"},
	{argv: "HELLO 2 AUTH a", want: "ERR Syntax error in HELLO option 'AUTH'"},
	{argv: "PING", want: ""},
	{argv: "PING a b", want: "ERR wrong number of arguments for 'ping' command"},
	{argv: "SELECT abc", want: "ERR value is not an integer or out of range"},
	{argv: "SELECT 9999999999", want: "ERR value is out of range, value must between -2147483648 and 2147483647"},
	{argv: "CLIENT SETNAME foo", want: ""},
	{argv: "CLIENT KILL 1.2.3.4:5", want: "", redis: "-ERR No such client"},
	{argv: "CLIENT KILL ID abc", want: "ERR client-id should be greater than 0"},
	{argv: "CLIENT KILL ID 0", want: "ERR client-id should be greater than 0"},
	{argv: "CLIENT KILL TYPE foo", want: "ERR Unknown client type 'foo'"},
	{argv: "CLIENT KILL FOO bar", want: "ERR syntax error"},
	{argv: "CLIENT KILL ID 99999 TYPE", want: "ERR syntax error"},
	{argv: "CLIENT KILL ID 99999 SKIPME maybe", want: "ERR syntax error"},
	{argv: "CLIENT LIST TYPE normal", want: ""},
	{argv: "CLIENT LIST TYPE slave", want: ""},
	{argv: "CLIENT LIST TYPE foo", want: "ERR Unknown client type 'foo'"},
	{argv: "CLIENT LIST ID 1 abc", want: "ERR Invalid client ID"},
	{argv: "CLIENT LIST TYPE normal ID 1", want: "ERR syntax error"},
	{argv: "CLIENT LIST foo", want: "ERR syntax error"},
	{argv: "CLIENT UNBLOCK 1 FOO", want: "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"},
	{argv: "CLIENT UNBLOCK 1 timeout", want: ""},
	{argv: "CLIENT NO-EVICT maybe", want: "ERR syntax error"},
	// Server and keyspace.
	{argv: "FLUSHALL ASYNC", want: ""},
	{argv: "FLUSHALL ASYNC ASYNC", want: "ERR syntax error"},
	{argv: "FLUSHDB FOO", want: "ERR syntax error"},
	{argv: "SWAPDB a 1", want: "ERR invalid first DB index"},
	{argv: "SWAPDB 0 b", want: "ERR invalid second DB index"},
	{argv: "COPY a b DB x", want: "ERR value is not an integer or out of range"},
	{argv: "COPY a b REPLACE", want: ""},
	{argv: "MOVE k x", want: "ERR value is not an integer or out of range"},
	{argv: "COMMAND GETKEYS SET k v", want: ""},
}

// lateError is the parse error a command with late_errors leaves in its
// Args' Err field for the handler, or nil.
func lateError(args any) *generated.ArgError {
	v := reflect.ValueOf(args)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("Err")
	if !f.IsValid() {
		return nil
	}
	ae, _ := f.Interface().(*generated.ArgError)
	return ae
}

func split(s string) [][]byte {
	var argv [][]byte
	for _, f := range strings.Fields(s) {
		if f == "''" {
			f = ""
		}
		argv = append(argv, []byte(f))
	}
	return argv
}

// lookup resolves argv to a command as the dispatcher does, checking arity;
// nil when the command is absent or argv has the wrong arity.
func lookup(argv [][]byte) *generated.Command {
	if len(argv) == 0 {
		return nil
	}
	cmd := generated.Lookup(argv[0])
	if cmd != nil && len(cmd.Subcommands) > 0 && len(argv) > 1 {
		cmd = cmd.LookupSub(argv[1])
	}
	if cmd == nil {
		return nil
	}
	if (cmd.Arity > 0 && len(argv) != cmd.Arity) || (cmd.Arity < 0 && len(argv) < -cmd.Arity) {
		return nil
	}
	return cmd
}

func TestParse(t *testing.T) {
	rc := redisConn(t)
	for _, tc := range cases {
		t.Run(tc.argv, func(t *testing.T) {
			argv := split(tc.argv)
			cmd := lookup(argv)
			if cmd == nil {
				t.Skipf("%s is not in the generated table (or arity differs)", argv[0])
			}
			args, err := generated.ParseArgs(cmd, argv)
			got := ""
			if err != nil {
				var ae *generated.ArgError
				if !errors.As(err, &ae) {
					t.Fatalf("error %v is not an *ArgError", err)
				}
				got = ae.Msg
			} else if ae := lateError(args); ae != nil {
				got = ae.Msg
			}
			if got != tc.want {
				t.Fatalf("parser: got %q, want %q", got, tc.want)
			}
			if rc == nil {
				return
			}
			if refOlder(tc.since) {
				t.Logf("not compared: the rule is Redis %s's, the reference is %s", tc.since, refVersion)
				return
			}
			reply := rc.do(t, argv)
			switch {
			case tc.redis != "":
				if reply != tc.redis {
					t.Fatalf("redis replied %q, the case says %q", reply, tc.redis)
				}
			case tc.want != "":
				if reply != "-"+tc.want {
					t.Fatalf("redis replied %q, the parser %q", reply, "-"+tc.want)
				}
			default:
				if strings.HasPrefix(reply, "-") {
					t.Fatalf("redis replied %q, the parser accepted", reply)
				}
			}
		})
	}
}

// TestGetKeys compares Command.GetKeys with COMMAND GETKEYS.
func TestGetKeys(t *testing.T) {
	rc := redisConn(t)
	for _, tc := range []struct{ argv, want string }{
		{"SET k v EX 10", "k"},
		{"GET k", "k"},
		{"MSET a 1 b 2", "a b"},
		{"DEL a b c", "a b c"},
		{"COPY a b", "a b"},
		{"RENAME a b", "a b"},
		{"EXPIRE k 10", "k"},
		{"GETEX k PERSIST", "k"},
		{"ECHO x", "ERR The command has no key arguments"},
	} {
		t.Run(tc.argv, func(t *testing.T) {
			argv := split(tc.argv)
			cmd := lookup(argv)
			if cmd == nil {
				t.Skipf("%s is not in the generated table", argv[0])
			}
			var got string
			if len(cmd.KeySpecs) == 0 {
				got = "ERR The command has no key arguments" // COMMAND GETKEYS checks this first
			} else if pos, err := cmd.GetKeys(argv); err != nil {
				got = err.Error()
			} else {
				var keys []string
				for _, p := range pos {
					keys = append(keys, string(argv[p]))
				}
				got = strings.Join(keys, " ")
			}
			if got != tc.want {
				t.Fatalf("GetKeys: got %q, want %q", got, tc.want)
			}
			if rc == nil {
				return
			}
			reply := rc.do(t, append(split("COMMAND GETKEYS"), argv...))
			if strings.HasPrefix(reply, "-") {
				reply = reply[1:]
			}
			if reply != tc.want {
				t.Fatalf("redis: %q, want %q", reply, tc.want)
			}
		})
	}
}

// FuzzParse runs every generated parser on arbitrary argv: no panic, and
// every error is an *ArgError. GetKeys must not panic either.
func FuzzParse(f *testing.F) {
	for _, tc := range cases {
		f.Add(strings.ReplaceAll(tc.argv, " ", "\x00"))
	}
	f.Fuzz(func(t *testing.T, s string) {
		var argv [][]byte
		for _, p := range strings.Split(s, "\x00") {
			argv = append(argv, []byte(p))
		}
		cmd := lookup(argv)
		if cmd == nil {
			return
		}
		if _, err := generated.ParseArgs(cmd, argv); err != nil {
			var ae *generated.ArgError
			if !errors.As(err, &ae) || ae.Msg == "" {
				t.Fatalf("%q: error %#v is not an *ArgError with a text", s, err)
			}
		}
		_, _ = cmd.GetKeys(argv)
	})
}

// ---- a real Redis, when installed ----

type conn struct {
	c net.Conn
	r *bufio.Reader
}

var shared *conn

// refVersion is the reference's redis_version, once redisConn has run.
var refVersion string

// ref is a redis-server started for this test binary on first use, by the
// differential harness's starter (free port, readiness wait, cleanup).
var ref = difftest.NewReference()

// redisConn returns a connection to ref, or nil (with a log line) when
// redis-server is not installed and REDCURRENT_REQUIRE_REDIS is not set.
func redisConn(t *testing.T) *conn {
	if shared != nil {
		return shared
	}
	ep, err := ref.Endpoint()
	if err != nil {
		if errors.Is(err, difftest.ErrNoRedis) && os.Getenv("REDCURRENT_REQUIRE_REDIS") != "1" {
			t.Log("redis-server not installed: checking the parsers only")
			return nil
		}
		t.Fatal(err)
	}
	refVersion = strings.TrimPrefix(ep.Name, "redis-server ")
	c, err := net.Dial("tcp", ep.Addr)
	if err != nil {
		t.Fatal(err)
	}
	shared = &conn{c: c, r: bufio.NewReader(c)}
	return shared
}

func TestMain(m *testing.M) { difftest.Main(m, ref) }

// do sends argv and returns the reply flattened: an error as "-text", an
// integer as ":n", a simple string or bulk as itself, an array as its elements joined by spaces.
func (c *conn) do(t *testing.T, argv [][]byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(argv))
	for _, a := range argv {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.c.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	s, err := c.read()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (c *conn) read() (string, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '-':
		return line, nil
	case '+':
		return line[1:], nil
	case ':':
		return line, nil
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "(nil)", nil
		}
		buf := make([]byte, n+2)
		if _, err := io_ReadFull(c.r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*', '%', '~':
		n, _ := strconv.Atoi(line[1:])
		if line[0] == '%' {
			n *= 2
		}
		var parts []string
		for i := 0; i < n; i++ {
			p, err := c.read()
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, " "), nil
	}
	return line, nil
}

func io_ReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// TestParseAllocs: a parser allocates nothing for a command without multiple
// arguments, and eqFold, ParseInt and ParseFloat never allocate.
func TestParseAllocs(t *testing.T) {
	argv := split("set k v ex 10 get nx")
	var a generated.SetArgs
	if n := testing.AllocsPerRun(100, func() {
		a = generated.SetArgs{}
		if err := generated.ParseSet(argv, &a); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("ParseSet allocates %v times", n)
	}
	for _, s := range []string{"1.5", "-inf", "0x10", "1e-300"} {
		b := []byte(s)
		if n := testing.AllocsPerRun(100, func() { generated.ParseFloat(b) }); n != 0 {
			t.Errorf("ParseFloat(%q) allocates %v times", s, n)
		}
	}
	if cmd := generated.Lookup([]byte("sEt")); cmd == nil || testing.AllocsPerRun(100, func() { generated.Lookup(argv[0]) }) != 0 {
		t.Error("Lookup fails or allocates")
	}
}

// infoSince are the commands whose COMMAND INFO Redis changed after 7.0
// (the table follows 8.x), with the version: an older reference is not
// compared. commandinfo_test.go in the module root says what changed.
var infoSince = map[string]string{
	"client|setname":          "7.4.0",
	"config|resetstat":        "7.4.0",
	"command|getkeys":         "7.2.0",
	"command|getkeysandflags": "7.2.0",
	"msetnx":                  "7.2.0",
	"randomkey":               "7.2.0",
	"scan":                    "7.2.0",
	"eval":                    "8.10.0",
	"evalsha":                 "8.10.0",
	"eval_ro":                 "8.10.0",
	"evalsha_ro":              "8.10.0",
	"fcall":                   "8.10.0",
	"fcall_ro":                "8.10.0",
}

// refOlder reports whether the reference's version is older than since
// ("" is never newer).
func refOlder(since string) bool {
	var a, b [3]int
	fmt.Sscanf(since, "%d.%d.%d", &a[0], &a[1], &a[2])
	fmt.Sscanf(refVersion, "%d.%d.%d", &b[0], &b[1], &b[2])
	for i := range a {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return false
}

// TestCommandInfo compares the table with COMMAND INFO for every command
// Redis also has: arity, flags, legacy key range, ACL categories and tips.
func TestCommandInfo(t *testing.T) {
	rc := redisConn(t)
	if rc == nil {
		t.Skip("no redis-server")
	}
	var all []*generated.Command
	for _, c := range generated.Commands {
		all = append(all, c)
		all = append(all, c.Subcommands...)
	}
	for _, c := range all {
		t.Run(c.Name, func(t *testing.T) {
			if refOlder(infoSince[c.Name]) {
				t.Skipf("changed in Redis %s; the reference is %s", infoSince[c.Name], refVersion)
			}
			rc.send(t, split("COMMAND INFO "+c.Name))
			v, err := rc.value()
			if err != nil {
				t.Fatal(err)
			}
			info, _ := v.([]any)
			if len(info) != 1 || info[0] == nil {
				t.Skipf("redis-server has no %s", c.Name)
			}
			r := info[0].([]any)
			got := fmt.Sprint(c.Arity, c.FlagNames, c.FirstKey, c.LastKey, c.Step, c.ACL, c.Tips)
			want := fmt.Sprint(r[1], strs(r[2]), r[3], r[4], r[5], strs(r[6]), strs(r[7]))
			if got != want {
				t.Errorf("table: %s\nredis: %s", got, want)
			}
		})
	}
}

func strs(v any) []string {
	out := []string{}
	for _, x := range v.([]any) {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func (c *conn) send(t *testing.T, argv [][]byte) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(argv))
	for _, a := range argv {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.c.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
}

// value reads one RESP2 reply as string, int64, []any, nil or error.
func (c *conn) value() (any, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '-':
		return errors.New(line[1:]), nil
	case '+':
		return line[1:], nil
	case ':':
		return strconv.ParseInt(line[1:], 10, 64)
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		buf := make([]byte, n+2)
		if _, err := io_ReadFull(c.r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil, nil
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = c.value(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}
