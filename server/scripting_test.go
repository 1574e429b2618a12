package server

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

const (
	busyEval     = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
	busyFunction = "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n"
)

// A script that never ends makes other clients' commands answer BUSY once
// busy-reply-threshold has passed (they wait for that event on the engine
// lock's select, not for a sleep), and SCRIPT KILL from one of them stops
// it. The server keeps serving afterwards.
func TestScriptKillBusyLoop(t *testing.T) {
	for _, tc := range []struct{ name, script string }{
		{"while true", "while true do end"},
		{"pcall loop", "while true do pcall(function() while true do end end) end"},
		{"coroutine loop", "local co = coroutine.create(function() while true do end end) coroutine.resume(co)"},
		{"xpcall loop", "while true do xpcall(function() while true do end end, function(e) return e end) end"},
		// A loop inside a Go library function, where gopher-lua does not
		// look at the context: 2^31 moves of table.insert.
		{"table.insert loop", "table.insert({}, -2^31, 1)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, Config{})
			c1, c2 := dial(t, s), dial(t, s)
			c1.must("+OK\r\n", "CONFIG", "SET", "busy-reply-threshold", "20")
			busy := s.h.Scripting.BusyChan()
			c1.send(encode("EVAL", tc.script, "0"))
			select {
			case <-busy:
			case <-time.After(5 * time.Second):
				t.Fatal("no script turned busy")
			}
			c2.must(busyEval, "PING")
			c2.must(busyEval, "GET", "k")
			c2.must(busyEval, "FUNCTION", "STATS")
			c2.must(busyEval, "FUNCTION", "KILL")
			c2.must("+OK\r\n", "SCRIPT", "KILL")
			got := c1.readReply()
			if !strings.HasPrefix(got, "-ERR Script killed by user with SCRIPT KILL... script: ") {
				t.Errorf("killed script replied %q", got)
			}
			c2.must("+PONG\r\n", "PING")
			c1.must(":1\r\n", "EVAL", "return 1", "0")
			c2.must("-NOTBUSY No scripts in execution right now.\r\n", "SCRIPT", "KILL")
		})
	}
}

// A script that wrote cannot be killed; it runs to its end.
func TestScriptUnkillable(t *testing.T) {
	s := start(t, Config{})
	c1, c2 := dial(t, s), dial(t, s)
	c1.must("+OK\r\n", "CONFIG", "SET", "busy-reply-threshold", "10")
	busy := s.h.Scripting.BusyChan()
	c1.send(encode("EVAL", "redis.call('set', 'k', 'v') local t = os.clock() while os.clock() - t < 0.3 do end return 'done'", "0"))
	select {
	case <-busy:
	case <-time.After(5 * time.Second):
		t.Fatalf("EVAL did not turn busy; it replied %q", c1.readReply())
	}
	c2.must(busyEval, "PING")
	c2.must("-UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.\r\n", "SCRIPT", "KILL")
	if got := c1.readReply(); got != "$4\r\ndone\r\n" {
		t.Errorf("script replied %q", got)
	}
	c2.must("$1\r\nv\r\n", "GET", "k")
}

// FUNCTION KILL stops a busy function; FUNCTION STATS reports it.
func TestFunctionKill(t *testing.T) {
	s := start(t, Config{})
	c1, c2 := dial(t, s), dial(t, s)
	c1.must("+OK\r\n", "CONFIG", "SET", "busy-reply-threshold", "10")
	c1.must("$4\r\nloop\r\n", "FUNCTION", "LOAD", "#!lua name=loop\nredis.register_function('spin', function() while true do end end)")
	busy := s.h.Scripting.BusyChan()
	c1.send(encode("FCALL", "spin", "0"))
	select {
	case <-busy:
	case <-time.After(5 * time.Second):
		t.Fatalf("FCALL did not turn busy; it replied %q", c1.readReply())
	}
	c2.must(busyFunction, "PING")
	c2.must(busyFunction, "SCRIPT", "KILL")
	if got := c2.do("FUNCTION", "STATS"); !strings.HasPrefix(got, "*4\r\n$14\r\nrunning_script\r\n*6\r\n$4\r\nname\r\n$4\r\nspin\r\n$7\r\ncommand\r\n*3\r\n$5\r\nfcall\r\n$4\r\nspin\r\n$1\r\n0\r\n$11\r\nduration_ms\r\n") {
		t.Errorf("FUNCTION STATS while busy: %q", got)
	}
	c2.must("+OK\r\n", "FUNCTION", "KILL")
	if got := c1.readReply(); got != "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n" {
		t.Errorf("killed function replied %q", got)
	}
	c2.must("+PONG\r\n", "PING")
}

// Hostile scripts fail with an error and leave the server serving.
func TestHostileScripts(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	// 16k-deep recursion takes seconds under -race (0.6s without; Redis
	// 0.02s: a known cost of gopher-lua's call stack).
	c.wait = time.Minute
	for _, script := range []string{
		"local function f(n) return f(n + 1) + 1 end return f(1)",
		"return string.rep('x', 1024 * 1024 * 1024)",
		"return unpack({}, 1, 100000)",
		"return getfenv(0)",
		"return setfenv",
		"return io.open('/etc/passwd')",
		"return os.execute('true')",
		"return require('os')",
		"return dofile('/etc/passwd')",
		"return debug.getinfo(1)",
		"return loadstring(string.dump(function() return 1 end))()",
		"setmetatable(_G, nil)",
		"rawset(redis, 'call', print)",
		"getmetatable('').__index = {}",
		"redis = nil",
		"return newproxy(true)",
		"return package.loaded",
		"local t = {} setmetatable(t, {__gc = function() end}) return collectgarbage('collect') + nil",
	} {
		got := c.do("EVAL", script, "0")
		if !strings.HasPrefix(got, "-ERR ") {
			t.Errorf("%s: got %q, want an error", script, got)
		}
		c.must("+PONG\r\n", "PING")
	}
	// Nothing a script tried leaked into the next one.
	c.must("$8\r\nfunction\r\n", "EVAL", "return type(redis.call)", "0")
	c.must("$5\r\ntable\r\n", "EVAL", "return type(getmetatable('').__index)", "0")
}

// A script that grows a table without bound is stopped by the memory
// limit with Lua's "not enough memory", inside pcall too, and the server
// and its data carry on.
func TestScriptMemoryLimit(t *testing.T) {
	s := start(t, Config{ScriptMemoryLimit: 32 << 20})
	c := dial(t, s)
	c.wait = time.Minute // a few hundred MB of table under -race
	c.must("+OK\r\n", "SET", "k", "v")
	for _, script := range []string{
		"local t = {} local i = 0 while true do i = i + 1 t[i] = i end",
		"local t = {} pcall(function() local i = 0 while true do i = i + 1 t[i] = tostring(i) end end) return 1",
	} {
		// The base of a run includes the garbage present when it begins
		// (earlier tests', the first script's table): collect it here, so
		// the table is stopped near the limit and the test stays quick.
		runtime.GC()
		got := c.do("EVAL", script, "0")
		if !strings.HasPrefix(got, "-ERR user_script:1: not enough memory script: ") {
			t.Errorf("%s: got %q, want the memory error", script, got)
		}
	}
	// Garbage is not retained memory: a script that churns through more
	// than the limit in short-lived strings runs to its end.
	c.must(":1000000\r\n", "EVAL", "local n = 0 for i = 1, 1000000 do local s = tostring(i) .. 'garbage' n = n + 1 end return n", "0")
	c.must("$1\r\nv\r\n", "GET", "k")
	c.must(":3\r\n", "EVAL", "local t = {} for i = 1, 3 do t[i] = i end return #t", "0")
	// Nor is data that commands wrote before the run, whether or not a GC
	// has counted it yet: values of more than the limit, then a script
	// whose garbage sets off GC cycles.
	for r := 0; r < 3; r++ {
		for k := 0; k < 2; k++ {
			c.must(":40000001\r\n", "SETRANGE", fmt.Sprintf("big%d%d", r, k), "40000000", "x")
		}
		c.must(":2000000\r\n", "EVAL", "local s = 0 for i = 1, 2000000 do local t = {i} s = s + #t end return s", "0")
		c.must(":2\r\n", "DEL", fmt.Sprintf("big%d0", r), fmt.Sprintf("big%d1", r))
	}
}

// The reported version is Redis 8.12's, in INFO, HELLO and the Lua
// constants (REDIS_VERSION_NUM is 0x00MMmmpp).
func TestReportedVersion(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	c.must("$6\r\n8.12.0\r\n", "EVAL", "return redis.REDIS_VERSION", "0")
	c.must(fmt.Sprintf(":%d\r\n", 0x080c00), "EVAL", "return redis.REDIS_VERSION_NUM", "0")
	c.must("*2\r\n$6\r\n8.12.0\r\n:527360\r\n", "EVAL", "return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM}", "0")
	c.send(encode("INFO", "server"))
	if got := c.readReply(); !strings.Contains(got, "redis_version:8.12.0\r\n") {
		t.Fatalf("INFO server lacks redis_version:8.12.0:\n%s", got)
	}
}

// lua-enable-deprecated-api (Redis 8.2.2/8.4, CVE-2025-46818) is a hidden
// immutable config: CONFIG GET finds it by name only (not by a pattern),
// CONFIG SET refuses it, and Config.LuaEnableDeprecatedAPI sets it at start,
// which gives EVAL scripts and functions getfenv, setfenv and newproxy.
// Texts as redis-server 7.0.15 (Debian, with the fix) replies.
func TestLuaDeprecatedAPIConfig(t *testing.T) {
	for _, on := range []bool{false, true} {
		s := start(t, Config{LuaEnableDeprecatedAPI: on})
		c := dial(t, s)
		val, typ := "no", "nil"
		if on {
			val, typ = "yes", "function"
		}
		c.must(fmt.Sprintf("*2\r\n$25\r\nlua-enable-deprecated-api\r\n$%d\r\n%s\r\n", len(val), val), "CONFIG", "GET", "lua-enable-deprecated-api")
		c.must("*0\r\n", "CONFIG", "GET", "lua-enable-*")
		c.must("*0\r\n", "CONFIG", "GET", "*deprecated*")
		if got := c.do("CONFIG", "GET", "*"); strings.Contains(got, "deprecated") {
			t.Errorf("CONFIG GET * shows the hidden config: %q", got)
		}
		c.must("-ERR CONFIG SET failed (possibly related to argument 'lua-enable-deprecated-api') - can't set immutable config\r\n",
			"CONFIG", "SET", "lua-enable-deprecated-api", "yes")
		for _, name := range []string{"getfenv", "setfenv", "newproxy"} {
			script := "return type(rawget(_G, '" + name + "'))"
			c.must(fmt.Sprintf("$%d\r\n%s\r\n", len(typ), typ), "EVAL", script, "0")
			c.must("$4\r\nlib1\r\n", "FUNCTION", "LOAD", "REPLACE", "#!lua name=lib1\nredis.register_function('f', function() "+script+" end)")
			c.must(fmt.Sprintf("$%d\r\n%s\r\n", len(typ), typ), "FCALL", "f", "0")
		}
	}
}
