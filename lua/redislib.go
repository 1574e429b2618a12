package lua

import (
	"crypto/sha1"
	"encoding/hex"
	"math"
	"strconv"
	"strings"

	"github.com/redcurrent/redcurrent/generated"
	lua "github.com/yuin/gopher-lua"
)

// Redis's replication flags for redis.set_repl (REPL_* constants).
const (
	replNone    = 0
	replAOF     = 1
	replReplica = 2
	replAll     = 3
)

// openRedis builds the redis table of EVAL scripts (luaRegisterRedisAPI).
func (s *State) openRedis() *lua.LTable {
	L := s.L
	t := L.NewTable()
	funcs := map[string]lua.LGFunction{
		"call":               func(L *lua.LState) int { return s.redisCall(L, true) },
		"pcall":              func(L *lua.LState) int { return s.redisCall(L, false) },
		"error_reply":        redisErrorReply,
		"status_reply":       redisStatusReply,
		"sha1hex":            redisSha1hex,
		"acl_check_cmd":      redisACLCheckCmd,
		"log":                s.redisLog,
		"setresp":            s.redisSetresp,
		"set_repl":           redisSetRepl,
		"replicate_commands": func(L *lua.LState) int { L.Push(lua.LTrue); return 1 },
		"breakpoint":         func(L *lua.LState) int { L.Push(lua.LFalse); return 1 },
		"debug":              func(L *lua.LState) int { return 0 },
	}
	for name, fn := range funcs {
		t.RawSetString(name, L.NewFunction(fn))
	}
	for name, v := range map[string]int{"LOG_DEBUG": 0, "LOG_VERBOSE": 1, "LOG_NOTICE": 2, "LOG_WARNING": 3,
		"REPL_NONE": replNone, "REPL_AOF": replAOF, "REPL_SLAVE": replReplica, "REPL_REPLICA": replReplica,
		"REPL_ALL": replAll} {
		t.RawSetString(name, lua.LNumber(v))
	}
	version := s.opts.Version
	if version == "" {
		version = "7.4.0"
	}
	t.RawSetString("REDIS_VERSION", lua.LString(version))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(versionNum(version)))
	return t
}

// versionNum is 0x00MMmmpp for "M.m.p".
func versionNum(v string) int {
	n := 0
	parts := strings.SplitN(v, ".", 3)
	for i := 0; i < 3; i++ {
		x := 0
		if i < len(parts) {
			x, _ = strconv.Atoi(parts[i])
		}
		n = n<<8 | (x & 0xff)
	}
	return n
}

// raiseRedis raises a Redis error table {err="ERR msg"}, as luaPushError and
// luaError do: no Lua position, and the reply keeps the code.
func raiseRedis(L *lua.LState, msg string) {
	t := L.CreateTable(0, 1)
	t.RawSetString("err", lua.LString("ERR "+msg))
	L.Error(t, 0)
}

// commandArgv is luaArgsToRedisArgv: the arguments of redis.call, pcall
// and acl_check_cmd as a command's argv.
func commandArgv(L *lua.LState) [][]byte {
	n := L.GetTop()
	if n == 0 {
		raiseRedis(L, "Please specify at least one argument for this redis lib call")
	}
	// All arguments share one buffer; each is capped at its own length, so
	// a command appending to one cannot run into the next.
	size := 0
	for i := 1; i <= n; i++ {
		if str, ok := L.Get(i).(lua.LString); ok {
			size += len(str)
		} else {
			size += 24
		}
	}
	buf := make([]byte, 0, size)
	var ends [16]int
	end := ends[:0]
	for i := 1; i <= n; i++ {
		var ok bool
		if buf, ok = appendCommandArg(buf, L.Get(i)); !ok {
			raiseRedis(L, "Lua redis lib command arguments must be strings or integers")
		}
		end = append(end, len(buf))
	}
	argv := make([][]byte, n)
	start := 0
	for i, e := range end {
		argv[i] = buf[start:e:e]
		start = e
	}
	return argv
}

// redisACLCheckCmd is redis.acl_check_cmd: whether the running user may
// run the command. redcurrent's one user, default, may run them all; the
// command must exist (a container's subcommand too) and, since Redis 8.8
// (redis/redis#14847), have a valid number of arguments.
func redisACLCheckCmd(L *lua.LState) int {
	argv := commandArgv(L)
	cmd := generated.Lookup(argv[0])
	if cmd != nil && len(cmd.Subcommands) > 0 && len(argv) >= 2 {
		cmd = cmd.LookupSub(argv[1])
	}
	if cmd == nil {
		raiseRedis(L, "Invalid command passed to redis.acl_check_cmd()")
	}
	if (cmd.Arity > 0 && len(argv) != cmd.Arity) || len(argv) < -cmd.Arity {
		raiseRedis(L, "Wrong number of args for redis.acl_check_cmd()")
	}
	L.Push(lua.LTrue)
	return 1
}

// appendCommandArg appends one redis.call argument (luaArgsToRedisArgv) to
// buf: strings as they are, integral numbers in range as integers, other
// numbers in shortest round-trip form.
func appendCommandArg(buf []byte, v lua.LValue) ([]byte, bool) {
	switch x := v.(type) {
	case lua.LString:
		return append(buf, x...), true
	case lua.LNumber:
		f := float64(x)
		if f == math.Trunc(f) && f >= -9.2233720368547758e18 && f < 9.2233720368547758e18 {
			return strconv.AppendInt(buf, int64(f), 10), true
		}
		return strconv.AppendFloat(buf, f, 'g', -1, 64), true
	}
	return buf, false
}

func (s *State) redisCall(L *lua.LState, raise bool) int {
	argv := commandArgv(L)
	if s.opts.Caller == nil {
		raiseRedis(L, "Unknown Redis command called from script")
	}
	w := newLuaWriter(L, s.resp)
	s.opts.Caller.Call(s.client, argv, w)
	if !w.done {
		w.release()
		raiseRedis(L, "internal error")
	}
	v, topError := w.value(), w.topError
	w.release()
	if topError && raise {
		L.Error(v, 0)
	}
	L.Push(v)
	return 1
}

// redisErrorReply is redis.error_reply: "-" prepended when missing, then
// split into code and message; a single word gets the ERR code.
func redisErrorReply(L *lua.LState) int {
	str, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		t := L.CreateTable(0, 1)
		t.RawSetString("err", lua.LString("ERR wrong number or type of arguments"))
		L.Push(t)
		return 1
	}
	msg := strings.TrimPrefix(string(str), "-")
	if !strings.Contains(msg, " ") {
		msg = "ERR " + msg
	}
	t := L.CreateTable(0, 1)
	t.RawSetString("err", lua.LString(msg))
	L.Push(t)
	return 1
}

func redisStatusReply(L *lua.LState) int {
	str, ok := L.Get(1).(lua.LString)
	t := L.CreateTable(0, 1)
	if L.GetTop() != 1 || !ok {
		t.RawSetString("err", lua.LString("ERR wrong number or type of arguments"))
	} else {
		t.RawSetString("ok", str)
	}
	L.Push(t)
	return 1
}

func redisSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseRedis(L, "wrong number of arguments")
	}
	str, _ := toStr(L.Get(1))
	sum := sha1.Sum([]byte(str))
	L.Push(lua.LString(hex.EncodeToString(sum[:])))
	return 1
}

func (s *State) redisLog(L *lua.LState) int {
	if L.GetTop() < 2 {
		raiseRedis(L, "redis.log() requires two arguments or more.")
	}
	lv, ok := L.Get(1).(lua.LNumber)
	if !ok {
		raiseRedis(L, "First argument must be a number (log level).")
	}
	level := int(lv)
	if level < 0 || level > 3 {
		raiseRedis(L, "Invalid log level.")
	}
	parts := make([]string, 0, L.GetTop()-1)
	for i := 2; i <= L.GetTop(); i++ {
		str, ok := toStr(L.Get(i))
		if ok {
			parts = append(parts, str)
		}
	}
	if s.opts.Log != nil {
		s.opts.Log(level, strings.Join(parts, " "))
	}
	return 0
}

func (s *State) redisSetresp(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseRedis(L, "redis.setresp() requires one argument.")
	}
	n, ok := toNumber(L.Get(1))
	if !ok || (n != 2 && n != 3) {
		raiseRedis(L, "RESP version must be 2 or 3.")
	}
	s.resp = int(n)
	return 0
}

func redisSetRepl(L *lua.LState) int {
	if L.GetTop() != 1 {
		raiseRedis(L, "redis.set_repl() requires one argument.")
	}
	n, ok := toNumber(L.Get(1))
	if !ok || n < replNone || n > replAll || n != math.Trunc(n) {
		raiseRedis(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
	}
	return 0
}
