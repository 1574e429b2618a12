package lua

import (
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Runtime errors raised by gopher-lua's VM, reworded as Lua 5.1 words them.
//
// gopher-lua says "attempt to index a non-table object(nil) with key 'x'"
// where Lua 5.1 says "attempt to index local 't' (a nil value)". Lua 5.1
// names the value from the function's bytecode: a value in a register is
// a local if a local variable lives there; otherwise it is what the last
// instruction writing that register loaded: a global, a field of a table
// (its key when that is a constant string, else '?'), an upvalue, a method,
// or (through a move from a lower register) whatever that register holds.
// gopher-lua compiles to the same instruction set, its FunctionProto
// carries the code, constants and local and upvalue names, and when the
// error reaches a protected call (trap) the failing frame is still on the
// stack with its registers, so the same naming can be done here. The one
// missing piece, the frame's instruction counter, is read through
// GetInfo's current line with an identity line table swapped in.

// gopher-lua's instruction layout: opcode in the top 6 bits, then A (8
// bits), C (9 bits) and B (9 bits), or A and Bx (18 bits).
func opOf(i uint32) int   { return int(i >> 26) }
func argA(i uint32) int   { return int(i>>18) & 0xff }
func argB(i uint32) int   { return int(i & 0x1ff) }
func argC(i uint32) int   { return int(i>>9) & 0x1ff }
func argBx(i uint32) int  { return int(i & 0x3ffff) }
func argSBx(i uint32) int { return argBx(i) - 0x3ffff>>1 }

// rkConst marks an RK operand that is a constant index, not a register.
const rkConst = 1 << 8

// luaFrame is a Lua function's frame at the time of an error.
type luaFrame struct {
	fn *lua.LFunction
	pc int // index of the instruction being executed
}

// frameAt returns the Lua frame at level (0: the running function), or
// false for a Go function or no frame.
func frameAt(L *lua.LState, level int) (luaFrame, bool) {
	dbg, ok := L.GetStack(level)
	if !ok {
		return luaFrame{}, false
	}
	v, err := L.GetInfo("f", dbg, lua.LNil)
	fn, _ := v.(*lua.LFunction)
	if err != nil || fn == nil || fn.IsG || fn.Proto == nil {
		return luaFrame{}, false
	}
	p := fn.Proto
	pc, ok := framePC(L, dbg, p)
	if !ok {
		return luaFrame{}, false
	}
	return luaFrame{fn: fn, pc: pc}, true
}

// framePC reads the index of the instruction dbg's frame is executing:
// gopher-lua reports only its line, so the line table is swapped, for the
// one call, for one that maps each instruction to its index + 1.
func framePC(L *lua.LState, dbg *lua.Debug, p *lua.FunctionProto) (int, bool) {
	saved := p.DbgSourcePositions
	defer func() { p.DbgSourcePositions = saved }()
	ident := make([]int, len(p.Code))
	for i := range ident {
		ident[i] = i + 1
	}
	p.DbgSourcePositions = ident
	dbg.CurrentLine = 0
	_, err := L.GetInfo("l", dbg, lua.LNil)
	pc := dbg.CurrentLine - 1
	return pc, err == nil && pc >= 0 && pc < len(p.Code)
}

func (f luaFrame) inst() uint32 { return f.fn.Proto.Code[f.pc] }

// rk is the value of an RK operand: a constant, or a register read from
// the frame, which must be the running one (level 0) for L.Get to see it.
func (f luaFrame) rk(L *lua.LState, x int) lua.LValue {
	if x&rkConst != 0 {
		return f.fn.Proto.Constants[x&^rkConst]
	}
	return L.Get(x + 1)
}

// objName names register reg at f.pc as Lua 5.1 does: kind is "local",
// "global", "field", "upvalue" or "method"; "" when it has no name.
func (f luaFrame) objName(reg int) (kind, name string) {
	return objName(f.fn, f.pc, reg, 0)
}

func objName(fn *lua.LFunction, pc, reg, depth int) (kind, name string) {
	p := fn.Proto
	if n, ok := localName(p, reg, pc); ok {
		return "local", n
	}
	if depth > 8 {
		return "", ""
	}
	last := lastWrite(p, pc, reg)
	if last < 0 {
		return "", ""
	}
	i := p.Code[last]
	switch opOf(i) {
	case lua.OP_GETGLOBAL:
		if s, ok := p.Constants[argBx(i)].(lua.LString); ok {
			return "global", string(s)
		}
	case lua.OP_MOVE, lua.OP_MOVEN:
		if b := argB(i); b < argA(i) {
			return objName(fn, pc, b, depth+1)
		}
	case lua.OP_GETTABLE, lua.OP_GETTABLEKS:
		return "field", constName(p, argC(i))
	case lua.OP_GETUPVAL:
		if b := argB(i); b < len(p.DbgUpvalues) {
			return "upvalue", p.DbgUpvalues[b]
		}
	case lua.OP_SELF:
		return "method", constName(p, argC(i))
	}
	return "", ""
}

// localName is the name of the local variable in register reg at
// instruction pc: locals are listed in the order they were declared, and
// the n-th one active at pc lives in register n-1.
func localName(p *lua.FunctionProto, reg, pc int) (string, bool) {
	for _, l := range p.DbgLocals {
		if l.StartPc > pc {
			break
		}
		if pc < l.EndPc {
			if reg == 0 {
				return l.Name, true
			}
			reg--
		}
	}
	return "", false
}

// constName is a key operand's name: a constant string, else "?".
func constName(p *lua.FunctionProto, x int) string {
	if x&rkConst != 0 {
		if s, ok := p.Constants[x&^rkConst].(lua.LString); ok {
			return string(s)
		}
	}
	return "?"
}

// lastWrite returns the index of the last instruction before pc that sets
// register reg, running through the code in order and taking the forward
// jumps that do not pass pc; -1 if none does.
func lastWrite(p *lua.FunctionProto, pc, reg int) int {
	last := -1
	for j := 0; j < pc; j++ {
		i := p.Code[j]
		a := argA(i)
		switch op := opOf(i); op {
		case lua.OP_MOVE, lua.OP_MOVEN, lua.OP_LOADK, lua.OP_LOADBOOL, lua.OP_GETUPVAL, lua.OP_GETGLOBAL,
			lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_NEWTABLE, lua.OP_ADD, lua.OP_SUB, lua.OP_MUL,
			lua.OP_DIV, lua.OP_MOD, lua.OP_POW, lua.OP_UNM, lua.OP_NOT, lua.OP_LEN, lua.OP_CONCAT,
			lua.OP_TESTSET, lua.OP_VARARG:
			if a == reg {
				last = j
			}
		case lua.OP_LOADNIL:
			if a <= reg && reg <= argB(i) {
				last = j
			}
		case lua.OP_SELF:
			if reg == a || reg == a+1 {
				last = j
			}
		case lua.OP_CALL, lua.OP_TAILCALL:
			if reg >= a {
				last = j
			}
		case lua.OP_TFORLOOP:
			if reg >= a+2 {
				last = j
			}
		case lua.OP_CLOSURE:
			if a == reg {
				last = j
			}
			// The upvalue descriptions that follow are not instructions.
			if bx := argBx(i); bx < len(p.FunctionPrototypes) {
				j += int(p.FunctionPrototypes[bx].NumUpvalues)
			}
		case lua.OP_JMP, lua.OP_FORLOOP, lua.OP_FORPREP:
			if (op == lua.OP_FORLOOP || op == lua.OP_FORPREP) && a == reg {
				last = j
			}
			if dest := j + 1 + argSBx(i); j < dest && dest <= pc {
				j = dest - 1
			}
		}
	}
	return last
}

// typeErrorText is luaG_typeerror's message for the value v, named when
// it came from register reg of f (reg < 0: a constant or a copy).
func typeErrorText(f luaFrame, reg int, op string, v lua.LValue) string {
	t := v.Type().String()
	if reg >= 0 {
		if kind, name := f.objName(reg); kind != "" {
			return "attempt to " + op + " " + kind + " '" + name + "' (a " + t + " value)"
		}
	}
	return "attempt to " + op + " a " + t + " value"
}

// rkReg is the register of an RK operand, or -1 for a constant.
func rkReg(x int) int {
	if x&rkConst != 0 {
		return -1
	}
	return x
}

// plainErrorText rewords the VM errors whose Lua 5.1 text names no
// value.
func plainErrorText(msg string) (string, bool) {
	switch {
	case strings.HasPrefix(msg, "attempt to compare "):
		// "attempt to compare table with table" -> "two table values".
		if a, b, ok := strings.Cut(strings.TrimPrefix(msg, "attempt to compare "), " with "); ok && a == b {
			return "attempt to compare two " + a + " values", true
		}
	case msg == "for statement init must be a number":
		return "'for' initial value must be a number", true
	case msg == "for statement limit must be a number":
		return "'for' limit must be a number", true
	case msg == "for statement step must be a number":
		return "'for' step must be a number", true
	case msg == "too many recursions in gettable":
		return "loop in gettable", true
	case msg == "too many recursions in settable":
		return "loop in settable", true
	case msg == "can not yield from outside of a coroutine":
		return "attempt to yield across metamethod/C-call boundary", true
	}
	return msg, false
}

// vmErrorText rewords an error message that gopher-lua's VM raised in the
// running function (level 0), given without its position prefix. ok is
// false when msg is not one of those.
func vmErrorText(L *lua.LState, msg string) (string, bool) {
	if text, ok := plainErrorText(msg); ok {
		return text, true
	}
	f, ok := frameAt(L, 0)
	if !ok {
		return msg, false
	}
	i := f.inst()
	switch op := opOf(i); {
	case strings.HasPrefix(msg, "attempt to index a non-table object("):
		var reg int
		switch op {
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SELF:
			reg = argB(i)
		case lua.OP_SETTABLE, lua.OP_SETTABLEKS:
			reg = argA(i)
		default:
			return msg, false
		}
		obj := L.Get(reg + 1)
		if _, isTable := obj.(*lua.LTable); isTable {
			// Failed further along an __index chain, on a value no
			// variable holds: gopher-lua's message gives its type.
			t, _, _ := strings.Cut(strings.TrimPrefix(msg, "attempt to index a non-table object("), ")")
			return "attempt to index a " + t + " value", true
		}
		return typeErrorText(f, reg, "index", obj), true
	case msg == "attempt to call a non-function object":
		switch op {
		case lua.OP_CALL, lua.OP_TAILCALL:
			return typeErrorText(f, argA(i), "call", L.Get(argA(i)+1)), true
		case lua.OP_TFORLOOP:
			return typeErrorText(f, -1, "call", L.Get(argA(i)+1)), true
		}
	case strings.HasPrefix(msg, "cannot perform "):
		if op < lua.OP_ADD || op > lua.OP_POW {
			return msg, false
		}
		// The first operand that is not a number (or a string that
		// converts to one) is the culprit.
		b, c := argB(i), argC(i)
		if _, ok := toNumber(f.rk(L, b)); ok {
			return typeErrorText(f, rkReg(c), "perform arithmetic on", f.rk(L, c)), true
		}
		return typeErrorText(f, rkReg(b), "perform arithmetic on", f.rk(L, b)), true
	case msg == "__unm undefined" && op == lua.OP_UNM:
		return typeErrorText(f, argB(i), "perform arithmetic on", L.Get(argB(i)+1)), true
	case msg == "__len undefined" && op == lua.OP_LEN:
		return typeErrorText(f, argB(i), "get length of", L.Get(argB(i)+1)), true
	}
	return msg, false
}

// rewordError rewords the message of an error caught by trap, while the
// frame that raised it is still the running one.
func (s *State) rewordError(L *lua.LState, msg lua.LString) lua.LValue {
	str := string(msg)
	prefix := where(L, 0)
	if prefix == "" {
		if text, ok := plainErrorText(strings.TrimPrefix(str, " ")); ok {
			// Raised by gopher-lua with an empty position.
			return lua.LString(text)
		}
		// Raised in one of gopher-lua's library functions: Lua 5.1's
		// luaL_error gives the position of the direct caller, none when
		// that is not Lua code (pcall(math.floor)); gopher-lua's
		// RaiseError that of the first Lua function up the stack.
		if dbg, ok := L.GetStack(0); ok {
			if fn, _ := L.GetInfo("f", dbg, lua.LNil); fn != nil {
				if f, ok := fn.(*lua.LFunction); ok && s.glFuncs[f] {
					if where(L, 1) == "" {
						if p := firstLuaWhere(L); p != "" {
							str = strings.TrimPrefix(str, p)
						}
					}
					return lua.LString(argErrorName(L, str))
				}
			}
		}
		return msg
	}
	body, ok := strings.CutPrefix(str, prefix)
	if !ok {
		return msg
	}
	if text, ok := vmErrorText(L, body); ok {
		return lua.LString(prefix + text)
	}
	return msg
}

// argErrorName rewrites gopher-lua's own argument errors ("bad argument
// #1 to floor (...)") as luaL_argerror words them: the function named by
// its call site (see callName), quoted, self not counted in a method call.
func argErrorName(L *lua.LState, s string) string {
	i := strings.Index(s, "bad argument #")
	if i < 0 {
		return s
	}
	num, after, ok := strings.Cut(s[i+len("bad argument #"):], " to ")
	if !ok {
		return s
	}
	_, tail, ok := strings.Cut(after, " (")
	n, err := strconv.Atoi(num)
	if !ok || err != nil {
		return s
	}
	name, method := callName(L)
	if method {
		n--
		if n == 0 {
			return s[:i] + "calling '" + name + "' on bad self (" + tail
		}
	}
	return s[:i] + "bad argument #" + strconv.Itoa(n) + " to '" + name + "' (" + tail
}

// firstLuaWhere is the position gopher-lua's RaiseError gives an error
// raised in a Go function: that of the first Lua function up the stack.
func firstLuaWhere(L *lua.LState) string {
	for level := 1; ; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			return ""
		}
		if _, ok := frameAt(L, level); ok {
			return frameWhere(L, dbg)
		}
	}
}
