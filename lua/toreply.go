package lua

import (
	"github.com/redcurrent/redcurrent/engine"
	lua "github.com/yuin/gopher-lua"
)

// A reply is converted on Lua's C stack (luaReplyToRedisReply), which
// holds LUAI_MAXCSTACK (8,000) slots: each value is checked for room for 4
// more, and one that lacks it is written as this error, in its place. The
// script's result starts at slot 2; an array element sits one slot above
// its table, a map key four and a map value three (the table, the map, the
// key, the value, the copy of the key), a set member three. So arrays nest
// 7,994 deep and maps 2,664 before the error, as on redis-server, and a
// self-referencing table ends.
const (
	replyFirstSlot = 2
	replySlots     = unpackMax + 1
)

var errStackLimit = &engine.Error{Code: "ERR", Msg: "reached lua stack limit"}

// toReply writes a script's return value to w as Redis's
// luaReplyToRedisReply does: numbers truncate toward zero, strings are
// bulk, booleans follow the script's redis.setresp level, and tables are
// checked with raw lookups for err, ok, double, big_number,
// verbatim_string, map and set, in that order, before being read as an
// array that stops at the first nil.
func (s *State) toReply(v lua.LValue, w engine.ReplyWriter) {
	s.writeValue(v, w, replyFirstSlot)
}

// writeValue writes v, which sits at C stack slot depth.
func (s *State) writeValue(v lua.LValue, w engine.ReplyWriter, depth int) {
	if depth+4 > replySlots {
		w.Error(errStackLimit)
		return
	}
	switch x := v.(type) {
	case lua.LNumber:
		w.Int(castInt(float64(x)))
	case lua.LString:
		w.BulkString(string(x))
	case lua.LBool:
		switch {
		case s.resp == 3:
			w.Bool(bool(x))
		case x == lua.LTrue:
			w.Int(1)
		default:
			w.Null()
		}
	case *lua.LTable:
		s.writeTable(s.real(x), w, depth)
	default:
		w.Null()
	}
}

func (s *State) writeTable(t *lua.LTable, w engine.ReplyWriter, depth int) {
	if e, ok := t.RawGetString("err").(lua.LString); ok {
		writeError(w, t, errorText(string(e)))
		return
	}
	if ok, isStr := t.RawGetString("ok").(lua.LString); isStr {
		w.Simple(string(noCRLF(string(ok))))
		return
	}
	if d, ok := t.RawGetString("double").(lua.LNumber); ok {
		w.Double(float64(d))
		return
	}
	if b, ok := t.RawGetString("big_number").(lua.LString); ok {
		w.BigNumber(noCRLF(string(b)))
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		f, fok := vt.RawGetString("format").(lua.LString)
		str, sok := vt.RawGetString("string").(lua.LString)
		if fok && sok && len(f) == 3 {
			w.Verbatim(string(f), string(str))
			return
		}
	}
	// Maps and sets are written in next's order (the array part, then keys
	// in insertion order), so a table gives the same reply every time. Redis
	// writes Lua 5.1's hash order, which gopher-lua does not reproduce.
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		m = s.real(m)
		n := 0
		for k, _ := m.Next(lua.LNil); k != lua.LNil; k, _ = m.Next(k) {
			n++
		}
		w.Map(n)
		for k, v := m.Next(lua.LNil); k != lua.LNil; k, v = m.Next(k) {
			s.writeValue(k, w, depth+4)
			s.writeValue(v, w, depth+3)
		}
		return
	}
	if set, ok := t.RawGetString("set").(*lua.LTable); ok {
		set = s.real(set)
		n := 0
		for k, _ := set.Next(lua.LNil); k != lua.LNil; k, _ = set.Next(k) {
			n++
		}
		w.Set(n)
		for k, _ := set.Next(lua.LNil); k != lua.LNil; k, _ = set.Next(k) {
			s.writeValue(k, w, depth+3)
		}
		return
	}
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	w.Array(n)
	for i := 1; i <= n; i++ {
		s.writeValue(t.RawGetInt(i), w, depth+1)
	}
}

// noCRLF replaces CR and LF by spaces in status and error texts built by
// scripts, so they cannot inject protocol (Redis 8.10).
func noCRLF(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}
