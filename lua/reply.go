package lua

import (
	"sync"

	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/internal/resp"
	lua "github.com/yuin/gopher-lua"
)

// luaWriter is the engine.ReplyWriter of redis.call: it builds the Lua
// value of a reply directly, with the conversions of Redis's
// redisProtocolToLuaType for the script's redis.setresp level (resp 2 or
// 3), and no RESP encode/parse round trip.
type luaWriter struct {
	L      *lua.LState
	resp   int
	stack  []aggregate // open aggregates, innermost last
	result lua.LValue
	done   bool
	// topError is set when the whole reply is an error: redis.call raises
	// it, redis.pcall returns it.
	topError bool
}

type aggKind int

const (
	aggArray aggKind = iota // array, RESP2 set/push/map, RESP2 pair-map
	aggMap                  // RESP3 map: alternating key, value
	aggSet                  // RESP3 set: members map to true
)

type aggregate struct {
	kind      aggKind
	t         *lua.LTable // the table receiving elements
	outer     lua.LValue  // the value placed in the parent ({map=t} or t)
	remaining int         // elements still expected (map: 2 per pair)
	index     int         // array index of the last element
	key       lua.LValue  // map: pending key
	haveKey   bool
}

// luaWriters recycles writers: redis.call runs one command at a time, and
// its writer (with its aggregate stack) is done once the value is taken.
var luaWriters = sync.Pool{New: func() any { return new(luaWriter) }}

func newLuaWriter(L *lua.LState, resp int) *luaWriter {
	w := luaWriters.Get().(*luaWriter)
	*w = luaWriter{L: L, resp: resp, result: lua.LNil, stack: w.stack[:0]}
	return w
}

// release returns w to the pool; w must not be used afterwards.
func (w *luaWriter) release() {
	clear(w.stack[:cap(w.stack)])
	*w = luaWriter{stack: w.stack[:0]}
	luaWriters.Put(w)
}

// value returns the converted reply; only valid once a complete reply was
// written.
func (w *luaWriter) value() lua.LValue { return w.result }

// put places one complete value in the innermost open aggregate, closing
// aggregates that become full.
func (w *luaWriter) put(v lua.LValue) {
	for {
		if len(w.stack) == 0 {
			if w.done {
				panic("lua: reply written after a complete reply")
			}
			w.result, w.done = v, true
			return
		}
		a := &w.stack[len(w.stack)-1]
		switch a.kind {
		case aggArray:
			a.index++
			a.t.RawSetInt(a.index, v)
		case aggMap:
			if !a.haveKey {
				a.key, a.haveKey = v, true
			} else {
				if a.key != lua.LNil {
					a.t.RawSet(a.key, v)
				}
				a.haveKey = false
			}
		case aggSet:
			if v != lua.LNil {
				a.t.RawSet(v, lua.LTrue)
			}
		}
		a.remaining--
		if a.remaining > 0 {
			return
		}
		v = a.outer
		*a = aggregate{}
		w.stack = w.stack[:len(w.stack)-1]
	}
}

func (w *luaWriter) open(kind aggKind, n int, wrap string) {
	if n < 0 {
		n = 0
	}
	var t *lua.LTable
	if kind == aggArray {
		t = w.L.CreateTable(n, 0)
	} else {
		t = w.L.CreateTable(0, 0)
	}
	var outer lua.LValue = t
	if wrap != "" {
		o := w.L.CreateTable(0, 1)
		o.RawSetString(wrap, t)
		outer = o
	}
	if n == 0 {
		w.put(outer)
		return
	}
	if kind == aggMap {
		n *= 2
	}
	w.stack = append(w.stack, aggregate{kind: kind, t: t, outer: outer, remaining: n})
}

func (w *luaWriter) Simple(s string) {
	t := w.L.CreateTable(0, 1)
	t.RawSetString("ok", lua.LString(s))
	w.put(t)
}

func (w *luaWriter) Bulk(b []byte)       { w.put(lua.LString(b)) }
func (w *luaWriter) BulkString(s string) { w.put(lua.LString(s)) }
func (w *luaWriter) Int(n int64)         { w.put(lua.LNumber(n)) }

func (w *luaWriter) Double(f float64) {
	if w.resp == 2 {
		w.put(lua.LString(formatDouble(f)))
		return
	}
	t := w.L.CreateTable(0, 1)
	t.RawSetString("double", lua.LNumber(f))
	w.put(t)
}

func (w *luaWriter) Bool(b bool) {
	if w.resp == 2 {
		if b {
			w.put(lua.LNumber(1))
		} else {
			w.put(lua.LNumber(0))
		}
		return
	}
	w.put(lua.LBool(b))
}

func (w *luaWriter) BigNumber(s string) {
	if w.resp == 2 {
		w.put(lua.LString(s))
		return
	}
	t := w.L.CreateTable(0, 1)
	t.RawSetString("big_number", lua.LString(s))
	w.put(t)
}

func (w *luaWriter) Verbatim(format, text string) {
	if w.resp == 2 {
		w.put(lua.LString(text))
		return
	}
	v := w.L.CreateTable(0, 2)
	v.RawSetString("format", lua.LString(format))
	v.RawSetString("string", lua.LString(text))
	t := w.L.CreateTable(0, 1)
	t.RawSetString("verbatim_string", v)
	w.put(t)
}

func (w *luaWriter) Array(n int) { w.open(aggArray, n, "") }
func (w *luaWriter) Push(n int)  { w.open(aggArray, n, "") }

func (w *luaWriter) Set(n int) {
	if w.resp == 2 {
		w.open(aggArray, n, "")
		return
	}
	w.open(aggSet, n, "set")
}

func (w *luaWriter) Map(n int) {
	if w.resp == 2 {
		w.open(aggArray, 2*n, "")
		return
	}
	w.open(aggMap, n, "map")
}

func (w *luaWriter) PairMap(n int) {
	if w.resp == 2 {
		w.open(aggArray, n, "")
		return
	}
	w.open(aggMap, n, "map")
}

func (w *luaWriter) Pair() {
	if w.resp == 2 {
		w.open(aggArray, 2, "")
	}
}

// Null is false under RESP2 and nil under RESP3 (a hole in an array).
func (w *luaWriter) Null() {
	if w.resp == 2 {
		w.put(lua.LFalse)
		return
	}
	w.put(lua.LNil)
}

func (w *luaWriter) NullArray() { w.Null() }

// Error is {err="CODE msg"}, as an element or as the whole reply.
func (w *luaWriter) Error(e *engine.Error) {
	if len(w.stack) == 0 {
		w.topError = true
	}
	w.put(errTable(w.L, e))
}

// The table also says that the error statistics have counted it already
// (ignore_error_stats_update, as redisProtocolToLuaType_Error marks it), so
// a script that fails with it, or returns it, does not count it again.
func errTable(L *lua.LState, e *engine.Error) *lua.LTable {
	t := L.CreateTable(0, 2)
	msg := e.Code
	if e.Msg != "" {
		msg += " " + e.Msg
	}
	t.RawSetString("err", lua.LString(msg))
	t.RawSetString("ignore_error_stats_update", lua.LTrue)
	return t
}

// writeError writes e, the error of v (a script's return value or error
// object), as an error that counts in the error statistics unless v says
// they have counted it (luaExtractErrorInformation).
func writeError(w engine.ReplyWriter, v lua.LValue, e *engine.Error) {
	if t, ok := v.(*lua.LTable); ok && lua.LVAsBool(t.RawGetString("ignore_error_stats_update")) {
		if nw, ok := w.(interface{ ErrorNoStats(*engine.Error) }); ok {
			nw.ErrorNoStats(e)
			return
		}
	}
	w.Error(e)
}

// formatDouble is addReplyDouble's RESP2 text.
func formatDouble(f float64) string { return string(resp.AppendDouble(nil, f)) }

var _ engine.ReplyWriter = (*luaWriter)(nil)
