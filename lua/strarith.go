package lua

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// Arithmetic on strings. Lua 5.1 converts a string operand with strtod
// ("010" is 10, "1e2" is 100, "0x10" is 16, " 5 " is 5); gopher-lua's VM
// converts with Go's ParseInt base 0 ("010" is 8, "0b11" is 3). Its VM
// tries the operands' metamethods before its own conversion, and only
// when an operand is not a number, so the string metatable carries
// __add..__pow and __unm doing Lua 5.1's conversion: arithmetic on numbers
// does not reach them and costs nothing more. (Lua 5.1's string metatable
// has only __index; getmetatable("") still shows only that.)

var arithEvents = []struct {
	event string
	op    int
}{
	{"__add", lua.OP_ADD}, {"__sub", lua.OP_SUB}, {"__mul", lua.OP_MUL},
	{"__div", lua.OP_DIV}, {"__mod", lua.OP_MOD}, {"__pow", lua.OP_POW},
}

// setStringArith adds the arithmetic metamethods to the string
// metatable mt.
func (s *State) setStringArith(mt *lua.LTable) {
	L := s.L
	for _, e := range arithEvents {
		op, event := e.op, e.event
		mt.RawSetString(event, L.NewFunction(func(L *lua.LState) int {
			return s.stringArith(L, op, event)
		}))
	}
	mt.RawSetString("__unm", L.NewFunction(func(L *lua.LState) int {
		v := L.Get(1)
		if n, ok := toNumber(v); ok {
			L.Push(lua.LNumber(-n))
			return 1
		}
		// A string that is not a number (the VM asks only for strings).
		reg := -1
		if f, ok := frameAt(L, 1); ok && opOf(f.inst()) == lua.OP_UNM {
			reg = argB(f.inst())
		}
		f, _ := frameAt(L, 1)
		raiseError(L, "%s", typeErrorText(f, reg, "perform arithmetic on", v))
		return 0
	}))
}

// stringArith is the metamethod for event of a string operand: Lua 5.1's
// arithmetic when both operands convert to numbers, else the other
// operand's metamethod, else Lua's error naming the first operand that
// does not convert.
func (s *State) stringArith(L *lua.LState, op int, event string) int {
	a, b := L.Get(1), L.Get(2)
	x, aok := toNumber(a)
	y, bok := toNumber(b)
	if aok && bok {
		L.Push(lua.LNumber(arith(op, x, y)))
		return 1
	}
	for _, v := range []lua.LValue{a, b} {
		if _, isStr := v.(lua.LString); isStr {
			continue
		}
		if h := L.GetMetaField(v, event); h != lua.LNil {
			L.Push(h)
			L.Push(a)
			L.Push(b)
			s.call(L, 2, 1, true)
			return 1
		}
	}
	bad, which := a, 0
	if aok {
		bad, which = b, 1
	}
	reg := -1
	f, ok := frameAt(L, 1)
	if ok && opOf(f.inst()) == op {
		reg = rkReg([]int{argB(f.inst()), argC(f.inst())}[which])
	}
	raiseError(L, "%s", typeErrorText(f, reg, "perform arithmetic on", bad))
	return 0
}

// arith is Lua 5.1's arithmetic on numbers (luai_num*).
func arith(op int, x, y float64) float64 {
	switch op {
	case lua.OP_ADD:
		return x + y
	case lua.OP_SUB:
		return x - y
	case lua.OP_MUL:
		return x * y
	case lua.OP_DIV:
		return x / y
	case lua.OP_MOD:
		return x - math.Floor(x/y)*y
	case lua.OP_POW:
		return math.Pow(x, y)
	}
	return math.NaN()
}

// forNumberCheck is the hidden fornum(v, which): a numeric for's bound as
// a number, converting a string as Lua 5.1 does, or Lua 5.1's error.
func forNumberCheck(L *lua.LState) int {
	v := L.Get(1)
	if _, ok := v.(lua.LNumber); ok {
		L.Push(v)
		return 1
	}
	if n, ok := toNumber(v); ok {
		L.Push(lua.LNumber(n))
		return 1
	}
	what := [...]string{"initial value", "limit", "step"}[L.CheckInt(2)]
	raiseError(L, "'for' %s must be a number", what)
	return 0
}
