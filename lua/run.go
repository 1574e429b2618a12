package lua

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/redcurrent/redcurrent/engine"
	lua "github.com/yuin/gopher-lua"
)

// Script is a compiled script body bound to the State that compiled it.
type Script struct {
	// Name identifies the script in error suffixes: the SHA1 for EVAL, the
	// function name for FCALL.
	Name string
	// Chunk is the Lua chunk name: "user_script" or "user_function".
	Chunk string
	fn    *lua.LFunction
}

// Compile compiles body as chunk ("user_script" for EVAL, "user_function"
// for FUNCTION LOAD). The error text is Lua's ("user_script:1: unexpected
// symbol near '<eof>'"); EVAL prefixes it with "Error compiling script (new
// function): ".
func (s *State) Compile(name, chunk string, body []byte) (*Script, error) {
	fn, err := s.compile(string(body), chunk)
	if err != nil {
		return nil, err
	}
	// A main chunk is vararg without Lua 5.1's compatibility "arg" table
	// (scripts cannot name it); gopher-lua would build one on every run.
	fn.Proto.IsVarArg &^= lua.VarArgNeedsArg
	return &Script{Name: name, Chunk: chunk, fn: fn}, nil
}

// Run runs sc for client c with KEYS and ARGV set, and writes its reply (or
// its error, with Redis's " script: <name>, on @<chunk>:<line>." suffix)
// to w. The engine lock must be held. Cancelling ctx stops the script
// (SCRIPT KILL): it then fails with "Script killed by user with SCRIPT
// KILL...", and pcall cannot catch that.
func (s *State) Run(ctx context.Context, c *engine.Client, sc *Script, keys, argv [][]byte, w engine.ReplyWriter) {
	L := s.L
	s.SetGlobal("KEYS", bytesTable(L, keys))
	s.SetGlobal("ARGV", bytesTable(L, argv))
	s.run(ctx, c, sc, w, nil)
}

// run calls sc.fn with the arguments push pushes (none when nil).
func (s *State) run(ctx context.Context, c *engine.Client, sc *Script, w engine.ReplyWriter, push func(*lua.LState) int) {
	L := s.L
	s.client, s.resp, s.errLine, s.ccalls = c, 2, 0, 1
	s.coActive, s.coCalls = s.coActive[:0], s.coCalls[:0]
	defer func() { s.client = nil }()
	done := s.runContext(ctx)
	top := L.GetTop()
	L.Push(s.runTrapFn)
	L.Push(sc.fn)
	nargs := 0
	if push != nil {
		nargs = push(L)
	}
	err := L.PCall(nargs+1, 1, nil)
	done()
	if err != nil {
		L.SetTop(top)
		if ctx != nil && errors.Is(ctx.Err(), context.Canceled) {
			if errors.Is(context.Cause(ctx), errScriptMemory) {
				// Stopped by ScriptingConfig.MemoryLimit: worded as Lua's
				// own allocation failure (LUA_ERRMEM).
				w.Error(s.suffix(sc, &engine.Error{Code: "ERR", Msg: sc.Chunk + ":" + strconv.Itoa(max(s.errLine, 1)) + ": not enough memory"}))
				return
			}
			w.Error(s.suffix(sc, errKilled))
			return
		}
		obj := errorObject(err)
		if s.isProtected(obj) {
			// Redis's error handler (err_handler_def) stores source and line
			// in the error table by assignment, at its line 10: into a
			// read-only table (error(redis)) that raises, and the handler,
			// called again, turns that error into the reply.
			w.Error(errorText("ERR " + handlerROError + " script: " + sc.Name + ", on @err_handler_def:10."))
			return
		}
		writeError(w, obj, s.suffix(sc, errorReply(obj)))
		return
	}
	v := L.Get(-1)
	L.SetTop(top)
	s.toReply(v, w)
}

// handlerROError is the error of Redis's error handler when it writes to a
// read-only error table.
const handlerROError = "err_handler_def:10: " + roError

// errKilled is the error of a script stopped by SCRIPT KILL / FUNCTION KILL.
var errKilled = engine.ErrScriptKilled

// suffix appends Redis's error location (luaCallFunction).
func (s *State) suffix(sc *Script, e *engine.Error) *engine.Error {
	line := "?"
	if s.errLine == 0 {
		// The handler could not run (a full call stack): take the line
		// from Lua's "chunk:N: " prefix.
		if rest, ok := strings.CutPrefix(e.Msg, sc.Chunk+":"); ok {
			if i := strings.IndexByte(rest, ':'); i > 0 {
				if _, err := strconv.Atoi(rest[:i]); err == nil {
					line = rest[:i]
				}
			}
		}
	}
	if s.errLine > 0 {
		line = itoa(s.errLine)
	}
	return errorText(errText(e) + " script: " + sc.Name + ", on @" + sc.Chunk + ":" + line + ".")
}

// errorReply turns a Lua error object into an error reply, as
// luaExtractErrorInformation reads it: a table's err field (looked up
// through __index tables, as lua_getfield does) is the whole text when it
// is a string or a number; a table without one is "ERR unknown error"
// (Redis 8.2, redis/redis#14163: before, such an error crashed the server).
// Any other value v is "ERR tostring(v)".
func errorReply(v lua.LValue) *engine.Error {
	if t, ok := v.(*lua.LTable); ok {
		if msg, ok := toStr(getField(t, "err")); ok {
			return errorText(msg)
		}
		return &engine.Error{Code: "ERR", Msg: "unknown error"}
	}
	msg, ok := toStr(v)
	if !ok {
		msg = v.String()
		if v == lua.LNil {
			msg = "nil"
		}
	}
	return &engine.Error{Code: "ERR", Msg: msg}
}

// getField is t[key] as Lua reads it, following __index tables (Lua 5.1's
// 100 levels at most). An __index function is not called (the script has
// ended): the field is then missing.
func getField(t *lua.LTable, key string) lua.LValue {
	for range 100 {
		if v := t.RawGetString(key); v != lua.LNil {
			return v
		}
		mt, ok := t.Metatable.(*lua.LTable)
		if !ok {
			return lua.LNil
		}
		if t, ok = mt.RawGetString("__index").(*lua.LTable); !ok {
			return lua.LNil
		}
	}
	return lua.LNil
}

// errorText is the error reply whose line is "-" followed by s, exactly
// (Redis writes "-%s" with a script's error text, so a text that starts
// with '-' keeps it, and one ending in a space keeps that); CR and LF
// become spaces so a script cannot inject protocol (Redis 8.10).
func errorText(s string) *engine.Error {
	code, msg, found := strings.Cut(noCRLF(s), " ")
	if found && msg == "" {
		code += " " // the writer adds the separator only before a message
	}
	return &engine.Error{Code: code, Msg: msg}
}

// errText is the text of an error reply, without the leading '-'.
func errText(e *engine.Error) string {
	if e.Msg == "" {
		return e.Code
	}
	return e.Code + " " + e.Msg
}

// errHandler runs with the failing frames still on the stack (gopher-lua
// calls the message handler before unwinding): it records the line of the
// innermost Lua frame, as Redis's __redis__err__handler records
// debug.getinfo's currentline.
func (s *State) errHandler(L *lua.LState) int {
	s.errLine = 0
	for level := 1; ; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			continue
		}
		if dbg.What != "G" && dbg.CurrentLine > 0 {
			s.errLine = dbg.CurrentLine
			break
		}
	}
	L.Push(L.Get(1))
	return 1
}

func bytesTable(L *lua.LState, items [][]byte) *lua.LTable {
	t := L.CreateTable(len(items), 0)
	for i, b := range items {
		t.RawSetInt(i+1, lua.LString(b))
	}
	return t
}
