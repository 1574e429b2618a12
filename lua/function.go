package lua

import (
	"context"
	"strings"

	"github.com/redcurrent/redcurrent/engine"
	lua "github.com/yuin/gopher-lua"
)

// Function is one function of a library (FUNCTION LOAD's
// redis.register_function).
type Function struct {
	Name string
	// Description is nil when none was given (FUNCTION LIST: null).
	Description *string
	// Flags are the flags given, lower case, in the order given.
	Flags   []string
	Library *Library
	sc      *Script
}

// NoWrites reports the no-writes flag.
func (f *Function) NoWrites() bool {
	for _, fl := range f.Flags {
		if fl == "no-writes" {
			return true
		}
	}
	return false
}

// Library is a loaded library: its name, its whole code (shebang included)
// and its functions in registration order.
type Library struct {
	Name      string
	Code      []byte
	Functions []*Function
}

// functionFlags are the flags register_function accepts (scripts_flags_def).
var functionFlags = []string{"no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"}

// validName is functionsVerifyName: letters, digits and '_', at least one.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// NewFunctionState is NewState for functions (Redis's function engine VM):
// the runtime redis table lacks the EVAL-only breakpoint, debug and
// replicate_commands, and no KEYS/ARGV are ever set.
func NewFunctionState(o Options) *State {
	s := NewState(o)
	r := s.real(s.globals.RawGetString("redis").(*lua.LTable))
	for _, name := range []string{"breakpoint", "debug", "replicate_commands"} {
		r.RawSetString(name, lua.LNil)
	}
	// The load-time environment (luaEngineLoadCode): only redis with
	// register_function, log, the log levels and the version fields.
	L := s.L
	lr := L.NewTable()
	lr.RawSetString("register_function", L.NewFunction(s.registerFunction))
	for _, name := range []string{"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE",
		"LOG_WARNING", "REDIS_VERSION", "REDIS_VERSION_NUM"} {
		lr.RawSetString(name, r.RawGetString(name))
	}
	// Missing fields fail as missing globals do (Redis: the same
	// __index error handler).
	lmt := L.NewTable()
	lmt.RawSetString("__index", L.NewFunction(globalMissing))
	L.SetMetatable(lr, lmt)
	s.loadG = L.NewTable()
	s.loadG.RawSetString("redis", s.protect(lr, lua.LNil))
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(globalMissing))
	L.SetMetatable(s.loadG, mt)
	return s
}

// LoadLibrary runs a library's code (after its shebang line, which the
// caller parsed) in the load-time environment and returns the functions it
// registered. ctx bounds the run (FUNCTION LOAD's 500 ms). Errors are the
// reply texts ("Error compiling function: ...", "Error registering
// functions: ...", "No functions registered").
func (s *State) LoadLibrary(ctx context.Context, name string, code, body []byte) (*Library, error) {
	fn, err := s.compile(string(body), "user_function")
	if err != nil {
		return nil, &engine.Error{Code: "ERR", Msg: "Error compiling function: " + err.Error()}
	}
	lib := &Library{Name: name, Code: code}
	// Swap the environment every function of the library shares (the _G
	// proxy) to the load-time one for the duration of the run, as Redis
	// swaps its globals' __index: closures keep the proxy, so at call time
	// they see the full environment again.
	mt := s.L.GetMetatable(s.gproxy).(*lua.LTable)
	mt.RawSetString("__index", s.loadG)
	s.proxies[s.gproxy] = s.loadG
	s.loading = lib
	done := s.runContext(ctx)
	s.ccalls = 1
	s.L.Push(s.trapFn)
	s.L.Push(fn)
	err = s.L.PCall(1, 0, nil)
	done()
	s.loading = nil
	mt.RawSetString("__index", s.globals)
	s.proxies[s.gproxy] = s.globals
	if err != nil {
		s.L.SetTop(0)
		e := errorReply(errorObject(err))
		if ctx.Err() != nil {
			e = engine.ErrFunctionLoadTimeout
		}
		return nil, &engine.Error{Code: "ERR", Msg: "Error registering functions: " + errText(e)}
	}
	if len(lib.Functions) == 0 {
		return nil, engine.ErrNoFunctions
	}
	return lib, nil
}

// registerFunction is redis.register_function, in both its positional
// (name, callback) and its table form (function_name, callback, flags,
// description). Errors are raised as Redis error tables.
func (s *State) registerFunction(L *lua.LState) int {
	lib := s.loading
	if lib == nil {
		raiseRedis(L, "redis.register_function can only be called on FUNCTION LOAD command")
	}
	f := &Function{Library: lib}
	var callback *lua.LFunction
	switch L.GetTop() {
	case 1:
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			raiseRedis(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		var msg string
		t.ForEach(func(k, v lua.LValue) {
			if msg != "" {
				return
			}
			key, _ := k.(lua.LString)
			switch string(key) {
			case "function_name":
				str, ok := toStr(v)
				if !ok {
					msg = "function_name argument given to redis.register_function must be a string"
					return
				}
				f.Name = str
			case "description":
				d, ok := toStr(v)
				if !ok {
					msg = "description argument given to redis.register_function must be a string"
					return
				}
				f.Description = &d
			case "callback":
				fn, ok := v.(*lua.LFunction)
				if !ok {
					msg = "callback argument given to redis.register_function must be a function"
					return
				}
				callback = fn
			case "flags":
				ft, ok := v.(*lua.LTable)
				if !ok {
					msg = "flags argument to redis.register_function must be a table representing function flags"
					return
				}
				ft.ForEach(func(_, fv lua.LValue) {
					str, ok := fv.(lua.LString)
					found := ""
					if ok {
						for _, name := range functionFlags {
							if strings.EqualFold(name, string(str)) {
								found = name
							}
						}
					}
					if found == "" {
						if msg == "" {
							msg = "unknown flag given"
						}
						return
					}
					f.Flags = append(f.Flags, found)
				})
			default:
				msg = "unknown argument given to redis.register_function"
			}
		})
		if msg != "" {
			raiseRedis(L, msg)
		}
		if f.Name == "" && callback == nil {
			raiseRedis(L, "redis.register_function must get a function name argument")
		}
		if f.Name == "" {
			raiseRedis(L, "redis.register_function must get a function name argument")
		}
		if callback == nil {
			raiseRedis(L, "redis.register_function must get a callback argument")
		}
	case 2:
		str, ok := toStr(L.Get(1))
		if !ok {
			raiseRedis(L, "first argument to redis.register_function must be a string")
		}
		fn, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			raiseRedis(L, "second argument to redis.register_function must be a function")
		}
		f.Name, callback = str, fn
	default:
		raiseRedis(L, "wrong number of arguments to redis.register_function")
	}
	if !validName(f.Name) {
		// Redis's text says "Library" here too (functionsVerifyName).
		raiseRedis(L, engine.ErrLibName.Msg)
	}
	for _, g := range lib.Functions {
		if g.Name == f.Name {
			raiseRedis(L, "Function already exists in the library")
		}
	}
	f.sc = &Script{Name: f.Name, Chunk: "user_function", fn: callback}
	lib.Functions = append(lib.Functions, f)
	return 0
}

// RunFunction calls f's callback with (keys, args) for client c and writes
// its reply or its error (" script: <name>, on @user_function:N.") to w.
// The engine lock must be held; ctx as for Run.
func (s *State) RunFunction(ctx context.Context, c *engine.Client, f *Function, keys, args [][]byte, w engine.ReplyWriter) {
	s.run(ctx, c, f.sc, w, func(L *lua.LState) int {
		L.Push(bytesTable(L, keys))
		L.Push(bytesTable(L, args))
		return 2
	})
}
