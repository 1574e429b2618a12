package engine

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent/generated"
)

// recorder is the test ReplyWriter: it records reply shapes, renders them
// in RESP2 and RESP3, and checks that exactly one complete reply was written.
type recorder struct {
	ops []op
}

type op struct {
	kind byte // '+', '$', ':', ',', '#', '(', '=', '*', '~', '%', 'P' (PairMap), 'p' (Pair), '>', '_' (Null), 'A' (NullArray), '-'
	s    string
	n    int64
	f    float64
}

func (r *recorder) add(o op)             { r.ops = append(r.ops, o) }
func (r *recorder) Simple(s string)      { r.add(op{kind: '+', s: s}) }
func (r *recorder) Bulk(b []byte)        { r.add(op{kind: '$', s: string(b)}) }
func (r *recorder) BulkString(s string)  { r.add(op{kind: '$', s: s}) }
func (r *recorder) Int(n int64)          { r.add(op{kind: ':', n: n}) }
func (r *recorder) Double(f float64)     { r.add(op{kind: ',', f: f}) }
func (r *recorder) BigNumber(s string)   { r.add(op{kind: '(', s: s}) }
func (r *recorder) Verbatim(f, t string) { r.add(op{kind: '=', s: f + ":" + t}) }
func (r *recorder) Array(n int)          { r.add(op{kind: '*', n: int64(n)}) }
func (r *recorder) Set(n int)            { r.add(op{kind: '~', n: int64(n)}) }
func (r *recorder) Map(n int)            { r.add(op{kind: '%', n: int64(n)}) }
func (r *recorder) PairMap(n int)        { r.add(op{kind: 'P', n: int64(n)}) }
func (r *recorder) Pair()                { r.add(op{kind: 'p'}) }
func (r *recorder) Push(n int)           { r.add(op{kind: '>', n: int64(n)}) }
func (r *recorder) Null()                { r.add(op{kind: '_'}) }
func (r *recorder) NullArray()           { r.add(op{kind: 'A'}) }
func (r *recorder) Error(e *Error)       { r.add(op{kind: '-', s: e.Error()}) }
func (r *recorder) Bool(b bool) {
	n := int64(0)
	if b {
		n = 1
	}
	r.add(op{kind: '#', n: n})
}

// complete reports whether the ops form exactly one reply.
func (r *recorder) complete() error {
	need := 1
	for i, o := range r.ops {
		if need == 0 {
			return fmt.Errorf("extra op %d (%c) after a complete reply", i, o.kind)
		}
		switch o.kind {
		case 'p':
			continue
		case '*', '~', '>', 'P':
			need += int(o.n) - 1
		case '%':
			need += 2*int(o.n) - 1
		default:
			need--
		}
		if o.kind == 'P' {
			need += int(o.n) // each pair holds key and value
		}
	}
	if need != 0 {
		return fmt.Errorf("incomplete reply: %d elements missing", need)
	}
	return nil
}

func (r *recorder) render(proto int) string {
	var b strings.Builder
	for _, o := range r.ops {
		switch o.kind {
		case '+':
			fmt.Fprintf(&b, "+%s\r\n", o.s)
		case '-':
			fmt.Fprintf(&b, "-%s\r\n", o.s)
		case '$':
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(o.s), o.s)
		case ':':
			fmt.Fprintf(&b, ":%d\r\n", o.n)
		case '*':
			fmt.Fprintf(&b, "*%d\r\n", o.n)
		case '~':
			if proto == 3 {
				fmt.Fprintf(&b, "~%d\r\n", o.n)
			} else {
				fmt.Fprintf(&b, "*%d\r\n", o.n)
			}
		case '%':
			if proto == 3 {
				fmt.Fprintf(&b, "%%%d\r\n", o.n)
			} else {
				fmt.Fprintf(&b, "*%d\r\n", 2*o.n)
			}
		case 'P':
			if proto == 3 {
				fmt.Fprintf(&b, "%%%d\r\n", o.n)
			} else {
				fmt.Fprintf(&b, "*%d\r\n", o.n)
			}
		case 'p':
			if proto == 2 {
				b.WriteString("*2\r\n")
			}
		case '_':
			if proto == 3 {
				b.WriteString("_\r\n")
			} else {
				b.WriteString("$-1\r\n")
			}
		case 'A':
			if proto == 3 {
				b.WriteString("_\r\n")
			} else {
				b.WriteString("*-1\r\n")
			}
		case '#':
			if proto == 3 {
				fmt.Fprintf(&b, "#%c\r\n", "ft"[o.n])
			} else {
				fmt.Fprintf(&b, ":%d\r\n", o.n)
			}
		case ',':
			s := strconv.FormatFloat(o.f, 'g', 17, 64)
			if proto == 3 {
				fmt.Fprintf(&b, ",%s\r\n", s)
			} else {
				fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(s), s)
			}
		default:
			fmt.Fprintf(&b, "?%c", o.kind)
		}
	}
	return b.String()
}

type cmdFunc func(e *Engine, c *Client, argv [][]byte, w ReplyWriter) error

func bind[A any](parse func([][]byte, *A) error, h func(*Engine, *Client, A, ReplyWriter) error) cmdFunc {
	return func(e *Engine, c *Client, argv [][]byte, w ReplyWriter) error {
		var a A
		if err := parse(argv, &a); err != nil {
			return err
		}
		return h(e, c, a, w)
	}
}

// commands maps upper-case names ("OBJECT ENCODING" for a subcommand) to
// their parser and handler, as the dispatcher will.
var commands = map[string]cmdFunc{
	"DEL":             bind(generated.ParseDel, (*Engine).Del),
	"UNLINK":          bind(generated.ParseUnlink, (*Engine).Unlink),
	"EXISTS":          bind(generated.ParseExists, (*Engine).Exists),
	"TOUCH":           bind(generated.ParseTouch, (*Engine).Touch),
	"TYPE":            bind(generated.ParseType, (*Engine).Type),
	"KEYS":            bind(generated.ParseKeys, (*Engine).Keys),
	"SCAN":            bind(generated.ParseScan, (*Engine).Scan),
	"RANDOMKEY":       bind(generated.ParseRandomKey, (*Engine).RandomKey),
	"RENAME":          bind(generated.ParseRename, (*Engine).Rename),
	"RENAMENX":        bind(generated.ParseRenameNX, (*Engine).RenameNX),
	"COPY":            bind(generated.ParseCopy, (*Engine).Copy),
	"MOVE":            bind(generated.ParseMove, (*Engine).Move),
	"EXPIRE":          bind(generated.ParseExpire, (*Engine).Expire),
	"PEXPIRE":         bind(generated.ParsePExpire, (*Engine).PExpire),
	"EXPIREAT":        bind(generated.ParseExpireAt, (*Engine).ExpireAt),
	"PEXPIREAT":       bind(generated.ParsePExpireAt, (*Engine).PExpireAt),
	"TTL":             bind(generated.ParseTTL, (*Engine).TTL),
	"PTTL":            bind(generated.ParsePTTL, (*Engine).PTTL),
	"EXPIRETIME":      bind(generated.ParseExpireTime, (*Engine).ExpireTime),
	"PEXPIRETIME":     bind(generated.ParsePExpireTime, (*Engine).PExpireTime),
	"PERSIST":         bind(generated.ParsePersist, (*Engine).Persist),
	"OBJECT ENCODING": bind(generated.ParseObjectEncoding, (*Engine).ObjectEncoding),
	"OBJECT FREQ":     bind(generated.ParseObjectFreq, (*Engine).ObjectFreq),
	"OBJECT IDLETIME": bind(generated.ParseObjectIdleTime, (*Engine).ObjectIdleTime),
	"OBJECT REFCOUNT": bind(generated.ParseObjectRefCount, (*Engine).ObjectRefCount),
	"OBJECT HELP":     bind(generated.ParseObjectHelp, (*Engine).ObjectHelp),
	"GET":             bind(generated.ParseGet, (*Engine).Get),
	"SET":             bind(generated.ParseSet, (*Engine).Set),
	"SETNX":           bind(generated.ParseSetNX, (*Engine).SetNX),
	"SETEX":           bind(generated.ParseSetEx, (*Engine).SetEx),
	"PSETEX":          bind(generated.ParsePSetEx, (*Engine).PSetEx),
	"GETDEL":          bind(generated.ParseGetDel, (*Engine).GetDel),
	"GETEX":           bind(generated.ParseGetEx, (*Engine).GetEx),
	"MGET":            bind(generated.ParseMGet, (*Engine).MGet),
	"MSET":            bind(generated.ParseMSet, (*Engine).MSet),
	"MSETNX":          bind(generated.ParseMSetNX, (*Engine).MSetNX),
	"INCR":            bind(generated.ParseIncr, (*Engine).Incr),
	"DECR":            bind(generated.ParseDecr, (*Engine).Decr),
	"INCRBY":          bind(generated.ParseIncrBy, (*Engine).IncrBy),
	"DECRBY":          bind(generated.ParseDecrBy, (*Engine).DecrBy),
	"INCRBYFLOAT":     bind(generated.ParseIncrByFloat, (*Engine).IncrByFloat),
	"APPEND":          bind(generated.ParseAppend, (*Engine).Append),
	"STRLEN":          bind(generated.ParseStrLen, (*Engine).StrLen),
	"GETRANGE":        bind(generated.ParseGetRange, (*Engine).GetRange),
	"DIGEST":          bind(generated.ParseDigest, (*Engine).Digest),
	"DELEX":           bind(generated.ParseDelEx, (*Engine).DelEx),
	"MSETEX":          bind(generated.ParseMSetEx, (*Engine).MSetEx),
	"SETRANGE":        bind(generated.ParseSetRange, (*Engine).SetRange),
	"DBSIZE":          bind(generated.ParseDBSize, (*Engine).DBSize),
	"FLUSHDB":         bind(generated.ParseFlushDB, (*Engine).FlushDB),
	"FLUSHALL":        bind(generated.ParseFlushAll, (*Engine).FlushAll),
	"SWAPDB":          bind(generated.ParseSwapDB, (*Engine).SwapDB),
	"SELECT":          bind(generated.ParseSelect, (*Engine).Select),
	"TIME":            bind(generated.ParseTime, (*Engine).Time),
}

// t0 is the test clock's start: 2026-01-01T00:00:00.5Z, half a second in,
// so that second rounding is exercised.
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 500_000_000, time.UTC)

func newTestEngine() (*Engine, *ManualClock) {
	clk := NewManualClock(t0)
	return New(Options{Clock: clk, Seed: 1}), clk
}

// split splits a command line on spaces; ” is an empty argument and
// single quotes group words.
func split(line string) [][]byte {
	var out [][]byte
	var cur []byte
	in, has := false, false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == '\'':
			in = !in
			has = true
		case ch == ' ' && !in:
			if has {
				out = append(out, cur)
			}
			cur, has = nil, false
		default:
			cur = append(cur, ch)
			has = true
		}
	}
	if has {
		out = append(out, cur)
	}
	return out
}

// run executes one command line and returns its RESP2 and RESP3 renderings.
func run(t testing.TB, e *Engine, c *Client, line string) (string, string) {
	t.Helper()
	argv := split(line)
	name := strings.ToUpper(string(argv[0]))
	if (name == "OBJECT" || name == "XINFO") && len(argv) > 1 {
		name += " " + strings.ToUpper(string(argv[1]))
	}
	f := commands[name]
	if f == nil {
		t.Fatalf("%q: no such command in the test table", line)
	}
	var r recorder
	err := f(e, c, argv, &r)
	if err != nil {
		if len(r.ops) != 0 {
			t.Fatalf("%q: returned %v after writing %d ops", line, err, len(r.ops))
		}
		var ee *Error
		var ae *generated.ArgError
		switch {
		case errors.As(err, &ee):
			r.add(op{kind: '-', s: ee.Error()})
		case errors.As(err, &ae):
			r.add(op{kind: '-', s: ae.Msg})
		default:
			t.Fatalf("%q: untyped error %v", line, err)
		}
	} else if cerr := r.complete(); cerr != nil {
		t.Fatalf("%q: %v", line, cerr)
	}
	if cerr := e.check(); cerr != nil {
		t.Fatalf("after %q: %v", line, cerr)
	}
	return r.render(2), r.render(3)
}

// mustRun runs a setup line and fails on an error reply.
func mustRun(t testing.TB, e *Engine, c *Client, line string) {
	t.Helper()
	if r2, _ := run(t, e, c, line); strings.HasPrefix(r2, "-") {
		t.Fatalf("setup %q: %q", line, r2)
	}
}

// step is one command of a script with its expected replies; resp3 ""
// means the same as resp2. advance moves the clock before the command.
type step struct {
	cmd          string
	resp2, resp3 string
	advance      time.Duration
}

type scriptCase struct {
	name  string
	steps []step
}

func runScripts(t *testing.T, cases []scriptCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, clk := newTestEngine()
			c := &Client{ID: 1}
			for _, s := range tc.steps {
				if s.advance != 0 {
					clk.Advance(s.advance)
				}
				if s.resp2 == "" {
					mustRun(t, e, c, s.cmd)
					continue
				}
				want3 := s.resp3
				if want3 == "" {
					want3 = s.resp2
				}
				got2, got3 := run(t, e, c, s.cmd)
				if got2 != s.resp2 {
					t.Errorf("%q RESP2:\n got %q\nwant %q", s.cmd, got2, s.resp2)
				}
				if got3 != want3 {
					t.Errorf("%q RESP3:\n got %q\nwant %q", s.cmd, got3, want3)
				}
			}
		})
	}
}

// wire helpers for expected replies.
const (
	ok     = "+OK\r\n"
	null2  = "$-1\r\n"
	null3  = "_\r\n"
	wrongT = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
	syntax = "-ERR syntax error\r\n"
	notInt = "-ERR value is not an integer or out of range\r\n"
)

func in(n int64) string    { return ":" + strconv.FormatInt(n, 10) + "\r\n" }
func bulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }
func arr(items ...string) string {
	return "*" + strconv.Itoa(len(items)) + "\r\n" + strings.Join(items, "")
}
func bulks(items ...string) string {
	var b []string
	for _, s := range items {
		b = append(b, bulk(s))
	}
	return arr(b...)
}
