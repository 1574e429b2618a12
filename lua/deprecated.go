package lua

import (
	lua "github.com/yuin/gopher-lua"
)

// The deprecated globals getfenv, setfenv and newproxy, which Redis 8.2.2
// and 8.4 took out of scripts' globals (CVE-2025-46818) and puts back with
// the immutable config lua-enable-deprecated-api (Options.DeprecatedAPI).
// They behave as Lua 5.1's (lbaselib.c), levels counted as where counts
// them.

func (s *State) openDeprecated(g *lua.LTable) {
	g.RawSetString("getfenv", s.L.NewFunction(s.baseGetfenv))
	g.RawSetString("setfenv", s.L.NewFunction(baseSetfenv))
	marks := s.L.NewTable() // the metatables newproxy made (a weak table in Lua)
	g.RawSetString("newproxy", s.L.NewFunction(func(L *lua.LState) int { return baseNewproxy(L, marks) }))
}

// envFunc is lbaselib's getfunc: argument 1 if it is a function, else the
// function at the level it gives (opt: 1 when absent).
func envFunc(L *lua.LState, fname string, opt bool) lua.LValue {
	if fn, ok := L.Get(1).(*lua.LFunction); ok {
		return fn
	}
	var level int64
	if opt {
		level = optCInt(L, 1, fname, 1)
	} else {
		level = checkCInt(L, 1, fname)
	}
	if level < 0 {
		argError(L, 1, fname, "level must be non-negative")
	}
	_, fn, ok, tail := stackLevel(L, int(level))
	if !ok {
		argError(L, 1, fname, "invalid level")
	}
	if tail {
		raiseError(L, "no function environment for tail call at level %d", level)
	}
	return fn
}

func (s *State) baseGetfenv(L *lua.LState) int {
	fn, _ := envFunc(L, "getfenv", true).(*lua.LFunction)
	if fn == nil || fn.IsG || fn.Env == nil {
		// A Go function: the thread's globals.
		L.Push(L.Env)
		return 1
	}
	L.Push(fn.Env)
	return 1
}

func baseSetfenv(L *lua.LState) int {
	t := checkTable(L, 2, "setfenv")
	fn := envFunc(L, "setfenv", false)
	if n, ok := L.Get(1).(lua.LNumber); ok && n == 0 {
		L.Env = t // the running thread's globals
		return 0
	}
	f, _ := fn.(*lua.LFunction)
	if f == nil || f.IsG {
		raiseError(L, "'setfenv' cannot change environment of given object")
	}
	f.Env = t
	L.Push(f)
	return 1
}

func baseNewproxy(L *lua.LState, marks *lua.LTable) int {
	u := L.NewUserData()
	arg := L.Get(1)
	switch {
	case !lua.LVAsBool(arg):
		L.Push(u)
		return 1
	case arg.Type() == lua.LTBool:
		mt := L.NewTable()
		marks.RawSet(mt, lua.LTrue)
		u.Metatable = mt
	default:
		mt, ok := L.GetMetatable(arg).(*lua.LTable)
		if !ok || marks.RawGet(mt) != lua.LTrue {
			argError(L, 1, "newproxy", "boolean or proxy expected")
		}
		u.Metatable = mt
	}
	L.Push(u)
	return 1
}
