package lua

import (
	"context"
	"strings"
	"testing"

	"github.com/redcurrent/redcurrent/engine"
)

const roErr = "ERR user_script:1: Attempt to modify a readonly table"
const roErrC = "ERR Attempt to modify a readonly table"

func TestSandboxEscapes(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"create global", "x = 1", scriptErr(roErr)},
		{"read undefined global", "return y", scriptErr("ERR user_script:1: Script attempted to access nonexistent global variable 'y'")},
		{"overwrite library", "string = nil", scriptErr(roErr)},
		{"modify string lib", "string.x = 1", scriptErr(roErr)},
		{"replace redis.call", "redis.call = function() end", scriptErr(roErr)},
		{"modify _G via _G", "_G.x = 1", scriptErr(roErr)},
		{"rawset _G", "rawset(_G, 'x', 1)", scriptErr(roErrC)},
		{"rawset library", "rawset(redis, 'call', 1)", scriptErr(roErrC)},
		{"setmetatable _G", "setmetatable(_G, {})", scriptErr(roErrC)},
		{"modify _G metatable", "getmetatable(_G).__index = nil", scriptErr(roErr)},
		{"modify string metatable", "getmetatable('').__index = {}", scriptErr(roErr)},
		{"string metatable index", "getmetatable('').__index.upper = nil", scriptErr(roErr)},
		{"table.insert into lib", "table.insert(string, 1)", scriptErr(roErrC)},
		{"table.sort lib", "table.sort(redis)", scriptErr(roErrC)},
		{"cjson.new is readonly", "cjson.new().encode = nil", scriptErr(roErr)},
		{"setfenv removed", "return setfenv", scriptErr("ERR user_script:1: Script attempted to access nonexistent global variable 'setfenv'")},
		{"getfenv removed", "return getfenv(0)", scriptErr("ERR user_script:1: Script attempted to access nonexistent global variable 'getfenv'")},
		{"newproxy removed", "return newproxy", scriptErr("ERR user_script:1: Script attempted to access nonexistent global variable 'newproxy'")},
		{"io absent", "return io", scriptErr("ERR user_script:1: Script attempted to access nonexistent global variable 'io'")},
		{"require absent", "return require", scriptErr("ERR user_script:1: Script attempted to access nonexistent global variable 'require'")},
		{"debug absent", "return debug", scriptErr("ERR user_script:1: Script attempted to access nonexistent global variable 'debug'")},
		{"print absent", "return print", scriptErr("ERR user_script:1: Script attempted to access nonexistent global variable 'print'")},
		{"dofile absent", "return dofile", scriptErr("ERR user_script:1: Script attempted to access nonexistent global variable 'dofile'")},
		{"os.execute absent", "return type(os.execute)", bulk("nil")},
		{"os.clock present", "return type(os.clock())", bulk("number")},
		{"loadstring env is protected", "local f = loadstring('y = 1') f()", scriptErr(`ERR [string "y = 1"]:1: Attempt to modify a readonly table`)},
		{"loadstring binary", "local f, e = loadstring(string.dump(function() end)) return tostring(f)", bulk("nil")},
		{"KEYS is mutable", "KEYS[1] = 'x' return KEYS[1]", bulk("x")},
		{"KEYS not reassignable", "KEYS = {}", scriptErr(roErr)},
		{"pairs sees globals", "local n = 0 for k in pairs(_G) do n = n + 1 end return n", ":36\r\n"},
		{"ipairs on proxy", "local n = 0 for _, v in ipairs({1, 2}) do n = n + v end return n", ":3\r\n"},
		{"rawget through proxy", "return type(rawget(_G, 'redis'))", bulk("table")},
		{"local table still writable", "local t = {} t.x = 1 rawset(t, 'y', 2) setmetatable(t, {}) return t.x + t.y", ":3\r\n"},
		{"getmetatable library", "return tostring(getmetatable(string))", bulk("nil")},
		{"goto rejected", "goto x", "compile: user_script:1: '=' expected near 'x'"},
		{"collectgarbage count", "return type(collectgarbage('count'))", bulk("number")},
		{"unpack limit", "local ok, e = pcall(unpack, {}, 1, 8000) return e", bulk("too many results to unpack")},
		{"unpack limit in a function", "local ok, e = pcall(function() return unpack({}, 1, 8000) end) return e", bulk("user_script:1: too many results to unpack")},
		{"string.rep bounded", "local ok, e = pcall(string.rep, 'x', 2^40) return e", bulk("not enough memory")},
		{"stack overflow", "local function f(n) return 1 + f(n + 1) end return f(1)", scriptErr("ERR user_script:1: stack overflow")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if got := h.eval(tc.src); got != tc.want {
				t.Fatalf("%s\n got %q\nwant %q", tc.src, got, tc.want)
			}
		})
	}
}

// State survives between runs: libraries stay intact after an attempted
// modification, and cjson configuration persists (as until SCRIPT FLUSH).
func TestStatePersistence(t *testing.T) {
	h := newHarness(t)
	h.eval("string.upper = nil")
	if got := h.eval("return string.upper('a')"); got != bulk("A") {
		t.Fatalf("string.upper after failed overwrite: %q", got)
	}
	h.eval("cjson.encode_number_precision(3)")
	if got := h.eval("return cjson.encode(1/3)"); got != bulk("0.333") {
		t.Fatalf("precision did not persist: %q", got)
	}
	if got := h.eval("redis.setresp(3) return redis.call('nil')"); got != "$-1\r\n" {
		t.Fatalf("resp3 nil: %q", got)
	}
	if got := h.eval("return redis.call('nil')"); got != "$-1\r\n" {
		t.Fatalf("setresp must reset to 2 each run: %q", got)
	}
	if got := h.eval("return type(redis.call('nil'))"); got != bulk("boolean") {
		t.Fatalf("setresp must reset to 2 each run: %q", got)
	}
}

// A cancelled context stops a busy script, even one hiding in pcall.
func TestKill(t *testing.T) {
	h := newHarness(t)
	sc, err := h.s.Compile(testSHA, "user_script", []byte("while true do pcall(function() while true do end end) end"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	// Cancel before running: the first instruction check stops it.
	cancel()
	w := &respWriter{proto: 2}
	h.s.Run(ctx, &engine.Client{}, sc, nil, nil, w)
	if got := w.b.String(); !strings.HasPrefix(got, "-ERR Script killed by user with SCRIPT KILL... script: "+testSHA+", on @user_script:") {
		t.Fatalf("got %q", got)
	}
	// The State is still usable afterwards.
	if got := h.eval("return 1"); got != ":1\r\n" {
		t.Fatalf("after kill: %q", got)
	}
}

func TestRedisAPI(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"call no args", "return redis.call()", scriptErr("ERR Please specify at least one argument for this redis lib call")},
		{"call table arg", "return redis.call('echo', {})", scriptErr("ERR Lua redis lib command arguments must be strings or integers")},
		{"call bool arg", "return redis.call('echo', true)", scriptErr("ERR Lua redis lib command arguments must be strings or integers")},
		{"call error keeps code", "return redis.call('incr')", scriptErr("ERR value is not an integer or out of range")},
		{"pcall returns error", "return redis.pcall('incr')", "-ERR value is not an integer or out of range\r\n"},
		{"lua pcall gets string", "local ok, e = pcall(redis.call, 'incr') return type(e) .. ':' .. e", bulk("string:ERR value is not an integer or out of range")},
		{"xpcall gets table", "local ok, e = xpcall(function() redis.call('incr') end, function(e) return e end) return type(e)", bulk("table")},
		{"integer args", "return redis.call('args', 1e9, 0.1, 1e20, -3)", "*4\r\n$10\r\n1000000000\r\n$3\r\n0.1\r\n$5\r\n1e+20\r\n$2\r\n-3\r\n"},
		{"error_reply", "return redis.error_reply('MY x')", "-MY x\r\n"},
		{"error_reply one word", "return redis.error_reply('boom')", "-ERR boom\r\n"},
		{"error_reply non-string", "return redis.error_reply(1)", "-ERR wrong number or type of arguments\r\n"},
		{"status_reply", "return redis.status_reply('FINE')", "+FINE\r\n"},
		{"sha1hex", "return redis.sha1hex('')", bulk("da39a3ee5e6b4b0d3255bfef95601890afd80709")},
		{"sha1hex arity", "return redis.sha1hex()", scriptErr("ERR wrong number of arguments")},
		{"setresp arity", "redis.setresp()", scriptErr("ERR redis.setresp() requires one argument.")},
		{"setresp value", "redis.setresp(4)", scriptErr("ERR RESP version must be 2 or 3.")},
		{"set_repl bad", "redis.set_repl(9)", scriptErr("ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")},
		{"log arity", "redis.log(1)", scriptErr("ERR redis.log() requires two arguments or more.")},
		{"log level type", "redis.log('x', 'y')", scriptErr("ERR First argument must be a number (log level).")},
		{"log level range", "redis.log(9, 'y')", scriptErr("ERR Invalid log level.")},
		{"replicate_commands", "return redis.replicate_commands()", ":1\r\n"},
		{"version", "return redis.REDIS_VERSION .. ' ' .. redis.REDIS_VERSION_NUM", bulk("7.4.0 459776")},
		{"error line", "local x = 1\nlocal y = 2\nerror('boom')", "-ERR user_script:3: boom script: " + testSHA + ", on @user_script:3.\r\n"},
		{"error table", "error({err='MYERR x'})", scriptErr("MYERR x")},
		{"error no position", "error('boom', 0)", scriptErr("ERR boom")},
		{"error nil", "error()", scriptErr("ERR nil")},
		{"error CRLF stripped", "return {err='BAD a\\r\\nb'}", "-BAD a  b\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if got := h.eval(tc.src); got != tc.want {
				t.Fatalf("%s\n got %q\nwant %q", tc.src, got, tc.want)
			}
		})
	}
}

// Deep recursion ends as in Redis 7.0.15 on a fresh VM (each case gets a
// new State): Lua-to-Lua calls at 16,384 frames with "stack overflow",
// calls through library functions at the 200th nested C call with "C stack
// overflow". The counts were measured on redis-server.
func TestDeepRecursion(t *testing.T) {
	const so = "ERR user_script:1: stack overflow"
	cases := []struct{ name, src, want string }{
		{"plain", "local function f() return f() + 1 end return f()", scriptErr(so)},
		{"with argument", "local function f(n) return 1 + f(n + 1) end return f(1)", scriptErr(so)},
		{"mutual", "local a, b\nfunction a(n) return 1 + b(n) end\nfunction b(n) return 1 + a(n) end\nreturn a(1)", "-ERR user_script:2: stack overflow script: " + testSHA + ", on @user_script:2.\r\n"},
		{"global function", "function f(n) return f(n + 1) end return f(1)", scriptErr(roErr)},
		// Redis: 16,381; pcall's trap costs one frame more here.
		{"depth under pcall", "local n = 0 local function f() n = n + 1 return 1 + f() end local ok, e = pcall(f) return {n, e}",
			"*2\r\n:16380\r\n" + bulk("user_script:1: stack overflow")},
		{"depth in a coroutine", "local n = 0 local function f() n = n + 1 return 1 + f() end local ok, e = coroutine.resume(coroutine.create(f)) return {n, e}",
			"*2\r\n:16383\r\n" + bulk("user_script:1: stack overflow")},
		{"xpcall handler after overflow", "return {xpcall(function() local function f() return 1 + f() end return f() end, function(e) return 'h:' .. e end)}",
			"*2\r\n$-1\r\n" + bulk("h:user_script:1: stack overflow")},
		{"through pcall", "local n = 0 local function f() n = n + 1 local ok, e = pcall(f) return e end return {f(), n}",
			"*2\r\n" + bulk("C stack overflow") + ":199\r\n"},
		{"through pcall uncaught", "local function f() local ok, e = pcall(f) if not ok then error(e, 0) end return e end return f()", scriptErr("ERR C stack overflow")},
		{"through xpcall", "local n = 0 local function f() n = n + 1 return select(2, xpcall(f, function(e) return e end)) end return {f(), n}",
			"*2\r\n" + bulk("C stack overflow") + ":199\r\n"},
		{"through gsub", "local n = 0 local function f() n = n + 1 return (string.gsub('x', 'x', f)) end local ok, e = pcall(f) return {e, n}",
			"*2\r\n" + bulk("C stack overflow") + ":198\r\n"},
		{"through gsub uncaught", "local function f(s) return 1 + string.gsub('x', 'x', f) end return f()", scriptErr("ERR C stack overflow")},
		{"through sort", "local n = 0 local function f() n = n + 1 table.sort({1,2,3}, function(a, b) f() return a < b end) end local ok, e = pcall(f) return {e, n}",
			"*2\r\n" + bulk("C stack overflow") + ":198\r\n"},
		{"through __tostring", "local n = 0 local function f() n = n + 1 return tostring(setmetatable({}, {__tostring = f})) end local ok, e = pcall(f) return {e, n}",
			"*2\r\n" + bulk("C stack overflow") + ":198\r\n"},
		{"through __concat", "local t = setmetatable({}, {__concat = function(a, b) return a .. b end}) return t .. 'x'", scriptErr("ERR user_script:1: C stack overflow")},
		{"through resume", "local n = 0 local function f() n = n + 1 local co = coroutine.create(f) local ok, e = coroutine.resume(co) if not ok then error(e, 0) end return e end local ok, e = pcall(f) return {e, n}",
			"*2\r\n" + bulk("C stack overflow") + ":199\r\n"},
		{"through wrap", "local n = 0 local function f() n = n + 1 return coroutine.wrap(f)() end local ok, e = pcall(f) return {#e, n}",
			"*2\r\n:3001\r\n:199\r\n"},
		{"inside a coroutine", "return {pcall(coroutine.wrap(function() local function f() return 1 + f() end return f() end))}",
			"*2\r\n$-1\r\n" + bulk("user_script:1: stack overflow")},
		// Redis stops these after 197 metamethod calls; gopher-lua's VM calls
		// metamethods where they cannot be counted, so only the text is the
		// same (see the README).
		{"through __index", "local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end return t.x", scriptErr("ERR user_script:1: C stack overflow")},
		{"through __add", "local t = setmetatable({}, {}) getmetatable(t).__add = function(a, b) return a + b end return t + 1", scriptErr("ERR user_script:1: C stack overflow")},
		{"own error text", "error('stack overflow')", scriptErr(so)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if got := h.eval(tc.src); got != tc.want {
				t.Fatalf("%s\n got %q\nwant %q", tc.src, got, tc.want)
			}
			// The State is usable afterwards, at full depth again: as on
			// redis-server, the 16,382nd call's redis.call is the last to run.
			h.c.calls = nil
			if got := h.eval("local function f() redis.call('ping') return 1 + f() end return f()"); got != scriptErr(so) || len(h.c.calls) != 16382 {
				t.Fatalf("after: %q, %d calls", got, len(h.c.calls))
			}
		})
	}
}

// BenchmarkStackOverflow: a script that recurses until the call stack is
// full (16,384 frames) and fails.
func BenchmarkStackOverflow(b *testing.B) {
	for _, bc := range []struct{ name, src string }{
		{"lua", "local function f() return f() + 1 end return f()"},
		{"metamethod", "local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end return t.x"},
		{"pcall", "local function f() local ok, e = pcall(f) return e end return f()"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := NewState(Options{Caller: &fakeCaller{}, Version: "7.4.0"})
			defer s.Close()
			sc, err := s.Compile(testSHA, "user_script", []byte(bc.src))
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			for i := 0; i < b.N; i++ {
				w := &respWriter{proto: 2}
				s.Run(ctx, &engine.Client{}, sc, nil, nil, w)
				if !strings.Contains(w.b.String(), "overflow") {
					b.Fatal(w.b.String())
				}
			}
		})
	}
}

// TestDeprecatedAPI: with lua-enable-deprecated-api (Redis 8.2.2/8.4,
// CVE-2025-46818) getfenv, setfenv and newproxy are back, as in Lua 5.1.
// The replies are redis-server 7.0.15's (Debian, which carries the fix)
// started with --lua-enable-deprecated-api yes; the first three scripts are
// the ones Redis's own test (tests/unit/scripting.tcl) runs.
func TestDeprecatedAPI(t *testing.T) {
	cases := []struct{ src, want string }{
		{"local f = function() return 1 end setfenv(f, {}) return 0", ":0\r\n"},
		{"local f = function() return 1 end getfenv(f) return 0", ":0\r\n"},
		{"getmetatable(newproxy(true)).__gc = function() return 1 end return 0", ":0\r\n"},
		{"local f = function() return x end setfenv(f, {x=5}) return f()", ":5\r\n"},
		{"return (setfenv(function() return z end, {z=3}))()", ":3\r\n"},
		{"local f = loadstring('return y') setfenv(f, {y=7}) return f()", ":7\r\n"},
		{"return getfenv(1) == _G", ":1\r\n"},
		{"return getfenv(0) == _G", ":1\r\n"},
		{"return getfenv() == _G", ":1\r\n"},
		{"return getfenv(string.len) == _G", ":1\r\n"},
		{"return getfenv(pcall) == _G", ":1\r\n"},
		{"local function f() return getfenv(2) end return f() == _G", ":1\r\n"},
		{"local function f() return getfenv(1) end return (function() return f() end)() == _G", ":1\r\n"},
		{"local ok, e = pcall(getfenv, 1) return e == _G", ":1\r\n"},
		{"local ok, e = pcall(getfenv, 2) return e == _G", ":1\r\n"},
		{"local ok, e = pcall(getfenv, 3) return tostring(e)", bulk("bad argument #1 to '?' (invalid level)")},
		{"local function g() return getfenv(2) end local function f() return g() end return f() == _G",
			scriptErr("ERR user_script:1: no function environment for tail call at level 2")},
		{"setfenv(string.len, {})", scriptErr("ERR user_script:1: 'setfenv' cannot change environment of given object")},
		{"getfenv(-1)", scriptErr("ERR user_script:1: bad argument #1 to 'getfenv' (level must be non-negative)")},
		{"getfenv(50)", scriptErr("ERR user_script:1: bad argument #1 to 'getfenv' (invalid level)")},
		{"getfenv({})", scriptErr("ERR user_script:1: bad argument #1 to 'getfenv' (number expected, got table)")},
		{"setfenv(1)", scriptErr("ERR user_script:1: bad argument #2 to 'setfenv' (table expected, got no value)")},
		{"setfenv({}, {})", scriptErr("ERR user_script:1: bad argument #1 to 'setfenv' (number expected, got table)")},
		{"local t = newproxy(true) return type(newproxy(t))", bulk("userdata")},
		{"local t = newproxy(true) return getmetatable(newproxy(t)) == getmetatable(t)", ":1\r\n"},
		{"return type(newproxy())", bulk("userdata")},
		{"return tostring(getmetatable(newproxy()))", bulk("nil")},
		{"return tostring(getmetatable(newproxy(false)))", bulk("nil")},
		{"newproxy({})", scriptErr("ERR user_script:1: bad argument #1 to 'newproxy' (boolean or proxy expected)")},
		{"newproxy(1)", scriptErr("ERR user_script:1: bad argument #1 to 'newproxy' (boolean or proxy expected)")},
		{"local n = 0 for k in pairs(_G) do n = n + 1 end return n", ":39\r\n"},
	}
	s := NewState(Options{Caller: &fakeCaller{}, Version: "7.4.0", DeprecatedAPI: true})
	t.Cleanup(s.Close)
	h := &harness{t: t, s: s}
	for _, tc := range cases {
		if got := h.eval(tc.src); got != tc.want {
			t.Errorf("%s\n got %q\nwant %q", tc.src, got, tc.want)
		}
	}
	// Without the config they stay out of the globals.
	h = newHarness(t)
	for _, name := range []string{"getfenv", "setfenv", "newproxy"} {
		want := scriptErr("ERR user_script:1: Script attempted to access nonexistent global variable '" + name + "'")
		if got := h.eval("return " + name); got != want {
			t.Errorf("%s without the config: got %q, want %q", name, got, want)
		}
	}
}
