package engine

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent/generated"
)

// fuzzHandlers serves the engine's commands through generated.Invoke, as the
// dispatcher does. The engine's methods are promoted from depth 1; every
// other command comes from the nil interface at depth 2 and would panic, so
// the vocabulary below names engine commands only.
type fuzzHandlers struct {
	*Engine
	fuzzRest
}

type fuzzRest struct {
	generated.Handlers[*Client, ReplyWriter]
}

var _ generated.Handlers[*Client, ReplyWriter] = fuzzHandlers{}

// fuzzCommands are the command names FuzzExec draws from: the keyspace and
// string commands, plus "advance", which moves the clock instead of running
// a command (so that keys expire between commands).
var fuzzCommands = []string{
	"DEL", "UNLINK", "EXISTS", "TOUCH", "TYPE", "KEYS", "SCAN", "RANDOMKEY",
	"RENAME", "RENAMENX", "COPY", "MOVE", "EXPIRE", "PEXPIRE", "EXPIREAT",
	"PEXPIREAT", "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "PERSIST",
	"OBJECT", "DBSIZE", "FLUSHDB", "FLUSHALL", "SWAPDB", "SELECT", "TIME",
	"GET", "SET", "SETNX", "SETEX", "PSETEX", "GETDEL", "GETEX", "MGET",
	"MSET", "MSETNX", "INCR", "DECR", "INCRBY", "DECRBY", "INCRBYFLOAT",
	"APPEND", "STRLEN", "GETRANGE", "SETRANGE", "advance",
}

// fuzzArgs are the argument words: a few keys, numbers around the edges
// that matter (shared integers, embstr size, overflow, t0 in s and ms),
// option tokens and glob patterns.
var fuzzArgs = []string{
	"a", "b", "c", "", "a", "b",
	"0", "1", "2", "-1", "15", "16", "100", "9999", "10000", "1.5", "abc",
	"9223372036854775807", "-9223372036854775808", "9223372036854775",
	"1767225600", "1767225600500", "1767225601000",
	"NX", "XX", "GT", "LT", "REPLACE", "DB", "MATCH", "COUNT", "TYPE",
	"string", "EX", "PX", "EXAT", "PXAT", "KEEPTTL", "PERSIST", "GET",
	"ASYNC", "SYNC", "ENCODING", "FREQ", "IDLETIME", "REFCOUNT", "HELP",
	"*", "a*", "?", "[ab]", "[^a]", "\\", "[",
	"123456789012345678901234567890123456789012345",
}

// decodeFuzz turns fuzz bytes into command lines: one byte picks the
// command, the next the argument count (0-5), then one byte per argument.
func decodeFuzz(data []byte) [][][]byte {
	var cmds [][][]byte
	for len(data) >= 2 {
		name := fuzzCommands[int(data[0])%len(fuzzCommands)]
		n := int(data[1]) % 6
		data = data[2:]
		argv := [][]byte{[]byte(name)}
		for i := 0; i < n && len(data) > 0; i++ {
			argv = append(argv, []byte(fuzzArgs[int(data[0])%len(fuzzArgs)]))
			data = data[1:]
		}
		cmds = append(cmds, argv)
	}
	return cmds
}

func fuzzArity(cmd *generated.Command, argc int) bool {
	if cmd.Arity > 0 {
		return argc == cmd.Arity
	}
	return argc >= -cmd.Arity
}

// FuzzExec runs random command sequences on a fresh engine the way the
// dispatcher does (Lookup, LookupSub, arity, Invoke): no panic, exactly one
// complete reply per command (the error is the reply when a handler fails,
// and then nothing else may have been written), and the keyspace invariants
// hold after every command.
func FuzzExec(f *testing.F) {
	idx := func(list []string, s string) byte {
		for i, v := range list {
			if v == s {
				return byte(i)
			}
		}
		panic("fuzz seed word not in vocabulary: " + s)
	}
	seed := func(lines ...string) []byte {
		var b []byte
		for _, l := range lines {
			w := strings.Split(l, " ")
			b = append(b, idx(fuzzCommands, w[0]), byte(len(w)-1))
			for _, a := range w[1:] {
				b = append(b, idx(fuzzArgs, a))
			}
		}
		return b
	}
	f.Add(seed("SET a 1", "EXPIRE a 100 GT", "TTL a", "advance", "RENAME a b", "SCAN 0 MATCH a*"))
	f.Add(seed("MSET a 1 b 2", "COPY a b DB 1", "MOVE b 1", "SWAPDB 0 1", "FLUSHDB ASYNC", "DBSIZE"))
	f.Add(seed("SET a 100", "APPEND a 1", "OBJECT ENCODING a", "INCRBYFLOAT a 1.5", "OBJECT REFCOUNT a"))
	f.Add(seed("SET a 1 PX 100", "advance", "KEYS *", "RANDOMKEY", "SELECT 15", "SET c abc EX 1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, clk := newTestEngine()
		h := fuzzHandlers{Engine: e}
		c := &Client{ID: 1}
		for i, argv := range decodeFuzz(data) {
			if string(argv[0]) == "advance" {
				clk.Advance(time.Duration(len(argv)*400) * time.Millisecond)
				continue
			}
			cmd := generated.Lookup(argv[0])
			if cmd == nil {
				t.Fatalf("command %d %q: not in the table", i, argv[0])
			}
			if len(cmd.Subcommands) > 0 && len(argv) >= 2 {
				sub := cmd.LookupSub(argv[1])
				if sub == nil {
					continue // the dispatcher's unknown-subcommand error
				}
				cmd = sub
			}
			if !fuzzArity(cmd, len(argv)) {
				continue // the dispatcher's arity error
			}
			var r recorder
			err := generated.Invoke[*Client, ReplyWriter](h, cmd, c, argv, &r)
			line := fmt.Sprintf("command %d %q", i, argv)
			if err != nil {
				if len(r.ops) != 0 {
					t.Fatalf("%s: returned %v after writing %d ops", line, err, len(r.ops))
				}
				var ee *Error
				var ae *generated.ArgError
				if !errors.As(err, &ee) && !errors.As(err, &ae) {
					t.Fatalf("%s: untyped error %v", line, err)
				}
			} else if cerr := r.complete(); cerr != nil {
				t.Fatalf("%s: %v", line, cerr)
			}
			if cerr := e.check(); cerr != nil {
				t.Fatalf("after %s: %v", line, cerr)
			}
		}
	})
}

// Watch and Unwatch resolve the clash with the engine's methods of the same
// names, which are not the commands; neither command is in the vocabulary.
func (h fuzzHandlers) Watch(c *Client, a generated.WatchArgs, w ReplyWriter) error {
	return h.fuzzRest.Watch(c, a, w)
}

func (h fuzzHandlers) Unwatch(c *Client, a generated.UnwatchArgs, w ReplyWriter) error {
	return h.fuzzRest.Unwatch(c, a, w)
}
