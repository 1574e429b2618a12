package lua

import (
	"fmt"
	"runtime"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Calls from Go into Lua, and the two depth limits of Redis's Lua 5.1.
//
// Lua calling Lua nests up to about 16,380 calls, then fails with "stack
// overflow": gopher-lua's fixed call stack (callStackSize) raises the same
// text when it is full.
//
// Calls made from C (lua_call and lua_pcall: pcall, xpcall, a function
// given to string.gsub or table.sort, __tostring, coroutine.resume, and
// the metamethods the VM calls) are counted separately, and the 200th
// nested one (LUAI_MAXCCALLS) fails with "C stack overflow". The library
// functions here count their own calls exactly as Lua 5.1 does. The
// metamethods that gopher-lua's VM calls cannot be counted from outside it:
// a metamethod recursion runs until the call stack is full, and its
// "stack overflow" is then reported as the "C stack overflow" Redis would
// have raised (see overflowText).

// maxCCalls is LUAI_MAXCCALLS.
const maxCCalls = 200

const cStackOverflow = "C stack overflow"

// call is lua_call from a library function: the function and its nargs
// arguments are on top of L's stack. meta marks calls that Lua 5.1 makes
// from the VM itself (metamethods), whose C stack overflow error carries
// the position of the Lua code that triggered them.
//
// An error raised through call leaves s.ccalls counted up; every protected
// call restores the count it started with, as lua_pcall does.
func (s *State) call(L *lua.LState, nargs, nret int, meta bool) {
	s.ccalls++
	if s.ccalls >= maxCCalls {
		msg := cStackOverflow
		if meta {
			msg = where(L, 1) + msg
		}
		L.Error(lua.LString(msg), 0)
	}
	L.Call(nargs, nret)
	s.ccalls--
}

// pcall is lua_pcall from a library function: like L.PCall(nargs, nret,
// nil), without the traceback gopher-lua would build for the error (see
// trap), and counted as a C call.
func (s *State) pcall(L *lua.LState, nargs, nret int) error {
	return s.pcallLimit(L, nargs, nret, maxCCalls)
}

// pcallLimit is pcall with another C call limit: Lua 5.1 runs an error
// handler even past maxCCalls, and only fails at 225 nested calls.
func (s *State) pcallLimit(L *lua.LState, nargs, nret, limit int) error {
	saved := s.ccalls
	s.ccalls++
	if s.ccalls >= limit {
		s.ccalls = saved
		L.Pop(nargs + 1)
		return &lua.ApiError{Type: lua.ApiErrorRun, Object: lua.LString(cStackOverflow), StackTrace: noTrace}
	}
	if fn := L.Get(L.GetTop() - nargs); !callable(L, fn) {
		// lua_pcall of a value that is not a function, from C: no
		// position, and the value's own type even when its __call is
		// not a function either.
		s.ccalls = saved
		L.Pop(nargs + 1)
		return &lua.ApiError{Type: lua.ApiErrorRun, Object: lua.LString("attempt to call a " + fn.Type().String() + " value"), StackTrace: noTrace}
	}
	L.Insert(s.trapFn, L.GetTop()-nargs)
	err := L.PCall(nargs+1, nret, nil)
	s.ccalls = saved
	return err
}

// callable reports whether v can be called: a function, or a value whose
// __call metamethod is one.
func callable(L *lua.LState, v lua.LValue) bool {
	if _, ok := v.(*lua.LFunction); ok {
		return true
	}
	_, ok := L.GetMetaField(v, "__call").(*lua.LFunction)
	return ok
}

// noTrace fills ApiError.StackTrace: a non-empty trace stops gopher-lua's
// PCall from building one. Building it walks the call stack once per
// frame, which for a full stack (16,384 frames) took most of a second.
const noTrace = "-"

// trap calls the function below its arguments and passes its results on.
// Every protected call goes through it: its deferred catch sees an error
// while the failing frames are still on L's stacks, before gopher-lua's
// PCall unwinds them.
func (s *State) trap(L *lua.LState) int {
	defer s.catch(L, false)
	L.Call(L.GetTop()-1, lua.MultRet)
	return L.GetTop()
}

// runTrap is trap for the outermost call of a run: it also records the
// script line of the error for the " on @user_script:N." suffix.
func (s *State) runTrap(L *lua.LState) int {
	defer s.catch(L, true)
	L.Call(L.GetTop()-1, lua.MultRet)
	return L.GetTop()
}

// catch turns whatever panicked into a Lua error that carries a stack
// trace (so gopher-lua builds none) and re-raises it.
func (s *State) catch(L *lua.LState, top bool) {
	r := recover()
	if r == nil {
		return
	}
	ae, ok := r.(*lua.ApiError)
	if !ok {
		ae = &lua.ApiError{Type: lua.ApiErrorPanic, Object: lua.LString(fmt.Sprint(r))}
	}
	if ae.StackTrace == "" {
		ae.StackTrace = noTrace
		if msg, ok := ae.Object.(lua.LString); ok {
			ae.Object = s.rewordError(L, msg)
			if msg, ok := ae.Object.(lua.LString); ok {
				ae.Object = overflowText(L, msg)
			}
		}
	}
	if top {
		s.errLine = errorLine(L)
	}
	panic(ae)
}

// threadPanic is the Panic hook of coroutines (see openCoroutine): it
// raises the error as gopher-lua's own hook does, with VM error texts
// reworded while the failing frame is still the running one.
func (s *State) threadPanic(L *lua.LState) {
	obj := L.Get(-1)
	if msg, ok := obj.(lua.LString); ok {
		obj = s.rewordError(L, msg)
	}
	panic(&lua.ApiError{Type: lua.ApiErrorRun, Object: obj, StackTrace: noTrace})
}

// overflowText rewords gopher-lua's "stack overflow" as "C stack overflow"
// when the full call stack was reached through nested calls from Go
// (metamethods calling themselves): Lua 5.1 would have stopped those at
// the 200th nested C call. Plain Lua recursion keeps "stack overflow".
func overflowText(L *lua.LState, msg lua.LString) lua.LValue {
	const so = "stack overflow"
	if !strings.HasSuffix(string(msg), so) || strings.HasSuffix(string(msg), cStackOverflow) {
		return msg
	}
	// Only a full call stack: a script's own error("stack overflow")
	// stays as it is.
	if _, ok := L.GetStack(callStackSize - 16); !ok {
		return msg
	}
	if vmReentries() < maxCCalls {
		return msg
	}
	return lua.LString(strings.TrimSuffix(string(msg), so) + cStackOverflow)
}

// vmReentries counts the gopher-lua VM loops on the goroutine's stack: one
// per call made from Go into Lua, which is what Lua 5.1 counts as C calls.
// Only the innermost frames are looked at, enough to see maxCCalls loops.
func vmReentries() int {
	pcs := make([]uintptr, 64*maxCCalls)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	count := 0
	for {
		f, more := frames.Next()
		switch f.Function {
		case "github.com/yuin/gopher-lua.mainLoop", "github.com/yuin/gopher-lua.mainLoopWithContext":
			count++
		}
		if !more {
			return count
		}
	}
}

// errorLine is the line Redis's error handler reports: that of the
// innermost Lua function on the stack when the error was raised.
func errorLine(L *lua.LState) int {
	for level := 0; ; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			return 0
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			continue
		}
		if dbg.What != "G" && dbg.CurrentLine > 0 {
			return dbg.CurrentLine
		}
	}
}
