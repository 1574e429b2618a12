package lua

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/redcurrent/redcurrent/engine"
)

// respWriter renders replies as RESP2 or RESP3 text for assertions.
type respWriter struct {
	proto int
	b     strings.Builder
}

func (w *respWriter) Simple(s string)     { fmt.Fprintf(&w.b, "+%s\r\n", s) }
func (w *respWriter) Bulk(b []byte)       { fmt.Fprintf(&w.b, "$%d\r\n%s\r\n", len(b), b) }
func (w *respWriter) BulkString(s string) { w.Bulk([]byte(s)) }
func (w *respWriter) Int(n int64)         { fmt.Fprintf(&w.b, ":%d\r\n", n) }
func (w *respWriter) Double(f float64) {
	if w.proto == 3 {
		fmt.Fprintf(&w.b, ",%s\r\n", formatDouble(f))
		return
	}
	w.BulkString(formatDouble(f))
}
func (w *respWriter) Bool(b bool) {
	switch {
	case w.proto == 3 && b:
		w.b.WriteString("#t\r\n")
	case w.proto == 3:
		w.b.WriteString("#f\r\n")
	case b:
		w.Int(1)
	default:
		w.Int(0)
	}
}
func (w *respWriter) BigNumber(s string) {
	if w.proto == 3 {
		fmt.Fprintf(&w.b, "(%s\r\n", s)
		return
	}
	w.BulkString(s)
}
func (w *respWriter) Verbatim(format, text string) {
	if w.proto == 3 {
		fmt.Fprintf(&w.b, "=%d\r\n%s:%s\r\n", len(text)+4, format, text)
		return
	}
	w.BulkString(text)
}
func (w *respWriter) agg(c3, c2 byte, n int) {
	c := c2
	if w.proto == 3 {
		c = c3
	}
	fmt.Fprintf(&w.b, "%c%d\r\n", c, n)
}
func (w *respWriter) Array(n int) { w.agg('*', '*', n) }
func (w *respWriter) Set(n int)   { w.agg('~', '*', n) }
func (w *respWriter) Map(n int) {
	if w.proto == 3 {
		w.agg('%', '*', n)
		return
	}
	w.agg('*', '*', 2*n)
}
func (w *respWriter) PairMap(n int) { w.agg('%', '*', n) }
func (w *respWriter) Pair() {
	if w.proto == 2 {
		w.b.WriteString("*2\r\n")
	}
}
func (w *respWriter) Push(n int) { w.agg('>', '*', n) }
func (w *respWriter) Null() {
	if w.proto == 3 {
		w.b.WriteString("_\r\n")
		return
	}
	w.b.WriteString("$-1\r\n")
}
func (w *respWriter) NullArray() {
	if w.proto == 3 {
		w.b.WriteString("_\r\n")
		return
	}
	w.b.WriteString("*-1\r\n")
}
func (w *respWriter) Error(e *engine.Error) {
	w.b.WriteString("-" + e.Code)
	if e.Msg != "" {
		w.b.WriteString(" " + e.Msg)
	}
	w.b.WriteString("\r\n")
}

var _ engine.ReplyWriter = (*respWriter)(nil)

// fakeCaller answers commands with canned replies: argv[0] names a reply
// shape written through the ReplyWriter, argv[1:] are echoed where useful.
type fakeCaller struct{ calls [][]string }

func (f *fakeCaller) Call(c *engine.Client, argv [][]byte, w engine.ReplyWriter) {
	args := make([]string, len(argv))
	for i, a := range argv {
		args[i] = string(a)
	}
	f.calls = append(f.calls, args)
	switch strings.ToLower(args[0]) {
	case "echo":
		w.BulkString(args[1])
	case "ping":
		w.Simple("PONG")
	case "int":
		n, _ := strconv.ParseInt(args[1], 10, 64)
		w.Int(n)
	case "nil":
		w.Null()
	case "nilarray":
		w.NullArray()
	case "args":
		w.Array(len(args) - 1)
		for _, a := range args[1:] {
			w.BulkString(a)
		}
	case "mixed":
		w.Array(5)
		w.Int(1)
		w.BulkString("two")
		w.Null()
		w.Array(2)
		w.Simple("OK")
		w.Error(&engine.Error{Code: "WRONGTYPE", Msg: "inner"})
		w.Array(0)
	case "map":
		w.Map(2)
		w.BulkString("a")
		w.Int(1)
		w.BulkString("b")
		w.BulkString("x")
	case "pairmap":
		w.PairMap(1)
		w.Pair()
		w.BulkString("k")
		w.Array(1)
		w.BulkString("v")
	case "set":
		w.Set(2)
		w.BulkString("m1")
		w.BulkString("m2")
	case "double":
		w.Double(3.5)
	case "bool":
		w.Bool(args[1] == "1")
	case "big":
		w.BigNumber("12345678901234567890")
	case "verbatim":
		w.Verbatim("txt", "hello")
	case "incr":
		w.Error(engine.ErrNotInteger)
	default:
		w.Error(&engine.Error{Code: "ERR", Msg: "Unknown Redis command called from script"})
	}
}

const testSHA = "0123456789abcdef0123456789abcdef01234567"

type harness struct {
	t *testing.T
	s *State
	c *fakeCaller
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	c := &fakeCaller{}
	s := NewState(Options{Caller: c, Version: "7.4.0"})
	t.Cleanup(s.Close)
	return &harness{t: t, s: s, c: c}
}

// eval compiles and runs src, returning the reply in the given protocol.
func (h *harness) evalProto(proto int, src string, keys, argv []string) string {
	h.t.Helper()
	sc, err := h.s.Compile(testSHA, "user_script", []byte(src))
	if err != nil {
		return "compile: " + err.Error()
	}
	w := &respWriter{proto: proto}
	toBytes := func(ss []string) [][]byte {
		out := make([][]byte, len(ss))
		for i, s := range ss {
			out[i] = []byte(s)
		}
		return out
	}
	h.s.Run(context.Background(), &engine.Client{}, sc, toBytes(keys), toBytes(argv), w)
	return w.b.String()
}

func (h *harness) eval(src string) string {
	h.t.Helper()
	return h.evalProto(2, src, nil, nil)
}

// bulk is the RESP bulk string of s.
func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }

// scriptErr is an error reply with Redis's script suffix at line 1.
func scriptErr(msg string) string {
	return "-" + msg + " script: " + testSHA + ", on @user_script:1.\r\n"
}
