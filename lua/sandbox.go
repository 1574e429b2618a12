package lua

import (
	"context"
	"math"
	"strings"

	"github.com/redcurrent/redcurrent/engine"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Options configure a State.
type Options struct {
	// Caller runs the commands of redis.call and redis.pcall. Required for
	// scripts that call commands; a nil Caller makes them fail.
	Caller Caller
	// Rand is the server-wide PRNG of math.random. Nil gives the State its own
	// generator, started where Redis's starts.
	Rand *Rand
	// Version is redis.REDIS_VERSION ("7.4.0"); REDIS_VERSION_NUM is derived.
	Version string
	// Log receives redis.log lines (level 0-3, LOG_DEBUG to LOG_WARNING). Nil
	// discards them.
	Log func(level int, msg string)
	// CPUTime is os.clock: the process's CPU time in seconds. Nil reads the
	// process's own usage (getrusage).
	CPUTime func() float64
	// DeprecatedAPI is lua-enable-deprecated-api: the globals getfenv,
	// setfenv and newproxy, which Redis 8.2.2 and 8.4 removed
	// (CVE-2025-46818), are defined.
	DeprecatedAPI bool
}

// callStackSize bounds Lua call depth. Redis's Lua (on a fresh VM) has
// room for 16,383 calls, the script's own included, then fails with "stack
// overflow"; gopher-lua's fixed call stack raises the same text when full.
// One more frame holds runTrap, below the script. (pcall also costs one
// frame more than in Redis, for its trap. The auto-growing stack, which
// coroutines use, panics instead; see resume.)
const callStackSize = 16383 + 1

// The value stack (gopher-lua's registry) grows by a fixed step, copying
// itself each time: a step of a quarter million values keeps a recursion
// to full depth down to a few copies. registryMaxSize fits 16,384 frames
// of 255 registers, the most a Lua function has.
const (
	registrySize       = 1 << 16
	registryMaxSize    = 1 << 22
	threadRegistrySize = 1 << 10
)

// unpackMax is one less than LUAI_MAXCSTACK (8,000), the C stack slots a
// library function may fill: unpack fails with "too many results to
// unpack" when its results and its own arguments would not fit, and
// cmsgpack and struct bound the values they return with it.
const unpackMax = 7999

// roError is the text of every write to a protected table (Redis's readonly
// table flag, lua_enablereadonlytable).
const roError = "Attempt to modify a readonly table"

// State is one long-lived Lua VM with Redis's environment: EVAL scripts
// share one, functions another. A State is not safe for concurrent use: all
// methods need the engine lock held.
type State struct {
	L    *lua.LState
	opts Options
	rand *Rand

	// proxies maps each protected proxy to the table it shows. Scripts see
	// only proxies (_G, string, redis, ...); writes through them fail, and
	// rawset, setmetatable, next, pairs, ipairs, rawget and unpack look
	// through them.
	proxies map[*lua.LTable]*lua.LTable
	// visibleMT is what getmetatable returns for a proxy.
	visibleMT map[*lua.LTable]lua.LValue
	globals   *lua.LTable // backing table of _G
	gproxy    *lua.LTable
	strMT     *lua.LTable // what getmetatable("") returns

	cjson cjsonConfig

	// Function states only: the load-time globals, and the library being
	// loaded (register_function adds to it; nil outside FUNCTION LOAD).
	loadG   *lua.LTable
	loading *Library

	// Per-run state, set by Run.
	client  *engine.Client
	resp    int // redis.setresp level, 2 at the start of every run
	errLine int // line of the innermost Lua frame when the last error was raised
	ccalls  int // nested calls from Go into Lua (Lua 5.1's nCcalls), see call
	// coActive lists the coroutines being resumed, innermost last, and
	// coCalls the ccalls count each runs at.
	coActive []*lua.LState
	coCalls  []int

	trapFn, runTrapFn *lua.LFunction
	glFuncs           map[*lua.LFunction]bool
}

// hiddenConcat is the global that the compiler's rewrite of ".." calls. It
// is not a valid identifier, so scripts cannot name it, and next skips it.
const hiddenConcat = "\x00concat"

// hiddenForNumber is the global that converts a numeric for's bounds.
const hiddenForNumber = "\x00fornum"

// NewState builds a VM as Redis's scriptingInit does: the allowed base
// library, table, string, math, os.clock, coroutine, cjson, cmsgpack,
// struct, bit and redis, all read-only, with undefined-global reads failing.
func NewState(o Options) *State {
	L := lua.NewState(lua.Options{
		CallStackSize:    callStackSize,
		RegistrySize:     registrySize,
		RegistryMaxSize:  registryMaxSize,
		RegistryGrowStep: registrySize * 4,
		SkipOpenLibs:     true,
	})
	// Coroutines get their own LState, built from L.Options when created:
	// a small value stack and a call stack that grows as needed (up to the
	// same depth), so that creating one costs microseconds, not the
	// 1.6 MB of a full-size stack.
	L.Options.RegistrySize = threadRegistrySize
	L.Options.RegistryGrowStep = registrySize
	L.Options.MinimizeStackMemory = true
	s := &State{
		L:         L,
		opts:      o,
		rand:      o.Rand,
		proxies:   make(map[*lua.LTable]*lua.LTable),
		visibleMT: make(map[*lua.LTable]lua.LValue),
		resp:      2,
		cjson:     defaultCJSONConfig(),
	}
	if s.rand == nil {
		s.rand = NewRand()
	}
	s.trapFn = L.NewClosure(s.trap, trapMark)
	s.runTrapFn = L.NewClosure(s.runTrap, runTrapMark)
	for _, open := range []lua.LGFunction{lua.OpenBase, lua.OpenTable, lua.OpenString, lua.OpenMath, lua.OpenCoroutine} {
		L.Push(L.NewFunction(open))
		L.Call(0, 0)
	}
	real := L.G.Global
	g := L.NewTable()
	s.globals = g
	for _, name := range []string{"assert", "error", "getmetatable", "ipairs", "next", "pairs", "rawequal",
		"type", "xpcall"} {
		g.RawSetString(name, real.RawGetString(name))
	}
	g.RawSetString("_VERSION", lua.LString("Lua 5.1"))
	base := map[string]lua.LGFunction{
		"tostring":       s.baseTostring,
		"select":         baseSelect,
		"tonumber":       baseTonumber,
		"error":          baseError,
		"assert":         baseAssert,
		"pcall":          s.basePcall,
		"xpcall":         s.baseXpcall,
		"rawset":         s.baseRawset,
		"rawget":         s.baseRawget,
		"setmetatable":   s.baseSetmetatable,
		"getmetatable":   s.baseGetmetatable,
		"next":           s.baseNext,
		"pairs":          s.basePairs,
		"ipairs":         s.baseIpairs,
		"unpack":         s.baseUnpack,
		"loadstring":     s.baseLoadstring,
		"load":           s.baseLoad,
		"collectgarbage": baseCollectgarbage,
		"gcinfo":         baseGcinfo,
	}
	for name, fn := range base {
		g.RawSetString(name, L.NewFunction(fn))
	}
	if o.DeprecatedAPI {
		s.openDeprecated(g)
	}
	g.RawSetString(hiddenConcat, L.NewFunction(s.luaConcat))
	g.RawSetString(hiddenForNumber, L.NewFunction(forNumberCheck))
	g.RawSetString("__redis__err__handler", L.NewFunction(s.errHandler))

	strlib := s.openString(real.RawGetString("string").(*lua.LTable))
	tablib := s.openTable(real.RawGetString("table").(*lua.LTable))
	mathlib := s.openMath(real.RawGetString("math").(*lua.LTable))
	colib := s.openCoroutine(real.RawGetString("coroutine").(*lua.LTable))
	oslib := L.NewTable()
	oslib.RawSetString("clock", L.NewFunction(s.osClock))

	libs := []struct {
		name string
		t    *lua.LTable
	}{
		{"string", strlib}, {"table", tablib}, {"math", mathlib}, {"coroutine", colib}, {"os", oslib},
		{"redis", s.openRedis()}, {"cjson", s.openCJSON()}, {"cmsgpack", s.openCmsgpack()},
		{"struct", s.openStruct()}, {"bit", s.openBit()},
	}
	for _, lib := range libs {
		g.RawSetString(lib.name, s.protect(lib.t, lua.LNil))
	}

	// gopher-lua's own functions still in use (math's, type, rawequal,
	// coroutine.running and status) raise with its positions; see
	// rewordError.
	s.glFuncs = make(map[*lua.LFunction]bool)
	for _, t := range []*lua.LTable{real.RawGetString("math").(*lua.LTable), real.RawGetString("coroutine").(*lua.LTable)} {
		t.ForEach(func(_, v lua.LValue) {
			if fn, ok := v.(*lua.LFunction); ok {
				s.glFuncs[fn] = true
			}
		})
	}
	for _, fn := range []lua.LValue{real.RawGetString("type"), real.RawGetString("rawequal")} {
		s.glFuncs[fn.(*lua.LFunction)] = true
	}

	// The string metatable: methods resolve to the real string table, and
	// getmetatable("") gives a read-only view of it (CVE-2025-46818).
	mt := L.NewTable()
	mt.RawSetString("__index", strlib)
	s.setStringArith(mt)
	L.SetMetatable(lua.LString(""), mt)
	smt := L.NewTable()
	smt.RawSetString("__index", g.RawGetString("string"))
	s.strMT = s.protect(smt, lua.LNil)

	// Undefined globals: the backing table's own metatable raises on a miss,
	// so reads of defined globals stay on gopher-lua's fast path.
	gmt := L.NewTable()
	undefined := L.NewFunction(globalMissing)
	gmt.RawSetString("__index", undefined)
	L.SetMetatable(g, gmt)
	vmt := L.NewTable()
	vmt.RawSetString("__index", undefined)
	s.gproxy = s.protect(g, s.protect(vmt, lua.LNil))
	g.RawSetString("_G", s.gproxy)
	L.Env = s.gproxy
	return s
}

// Close releases the VM. The State must not be used afterwards.
func (s *State) Close() { s.L.Close() }

// protect returns a read-only proxy for t: reads go to t (natively, through
// __index), writes raise roError with the position of the writing line, and
// the guarded library functions refuse to write to it.
func (s *State) protect(t *lua.LTable, visible lua.LValue) *lua.LTable {
	L := s.L
	p := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", L.NewFunction(readonlyWrite))
	L.SetMetatable(p, mt)
	s.proxies[p] = t
	s.visibleMT[p] = visible
	return p
}

// real returns the table a proxy shows, or t itself.
func (s *State) real(t *lua.LTable) *lua.LTable {
	if b, ok := s.proxies[t]; ok {
		return b
	}
	return t
}

func (s *State) isProtected(v lua.LValue) bool {
	t, ok := v.(*lua.LTable)
	if !ok {
		return false
	}
	_, ok = s.proxies[t]
	return ok
}

// readonlyWrite is __newindex of every proxy: raised from the VM's own
// assignment, so it carries the script position as in Redis.
func readonlyWrite(L *lua.LState) int {
	raiseError(L, roError)
	return 0
}

// readonlyRefuse is the same error raised by a library function (rawset,
// setmetatable, table.insert): Redis raises those without a position.
func readonlyRefuse(L *lua.LState) {
	L.Error(lua.LString(roError), 0)
}

func globalMissing(L *lua.LState) int {
	name, _ := toStr(L.Get(2))
	raiseError(L, "Script attempted to access nonexistent global variable '%s'", name)
	return 0
}

// SetGlobal sets a global of the backing _G (KEYS, ARGV), bypassing the
// read-only protection as Redis does while it prepares a run.
func (s *State) SetGlobal(name string, v lua.LValue) { s.globals.RawSetString(name, v) }

// ---- base library replacements ----

func (s *State) baseTostring(L *lua.LState) int {
	if L.GetTop() < 1 {
		argError(L, 1, "tostring", "value expected")
	}
	switch v := L.Get(1).(type) {
	case lua.LNumber:
		L.Push(lua.LString(fmtNumber(float64(v))))
	case lua.LString:
		L.Push(v)
	default:
		if h := L.GetMetaField(v, "__tostring"); h != lua.LNil {
			L.Push(h)
			L.Push(v)
			s.call(L, 1, 1, false)
			return 1
		}
		L.Push(L.ToStringMeta(v))
	}
	return 1
}

// baseSelect is Lua 5.1's select: "#" counts the arguments after it,
// n > 0 returns those from the n-th on, n < 0 the last -n.
func baseSelect(L *lua.LState) int {
	n := L.GetTop()
	if s, ok := L.Get(1).(lua.LString); ok && s == "#" {
		L.Push(lua.LNumber(n - 1))
		return 1
	}
	i := checkCInt(L, 1, "select")
	switch {
	case i < 0:
		i = int64(n) + i
	case i > int64(n):
		i = int64(n)
	}
	if i < 1 {
		argError(L, 1, "select", "index out of range")
	}
	return n - int(i)
}

func baseTonumber(L *lua.LState) int {
	if L.GetTop() < 1 {
		argError(L, 1, "tonumber", "value expected")
	}
	base := optCInt(L, 2, "tonumber", 10)
	v := L.Get(1)
	if base == 10 {
		if f, ok := toNumber(v); ok {
			L.Push(lua.LNumber(f))
			return 1
		}
		L.Push(lua.LNil)
		return 1
	}
	if base < 2 || base > 36 {
		argError(L, 2, "tonumber", "base out of range")
	}
	str := checkString(L, 1, "tonumber")
	if n, ok := strtoul(str, int(base)); ok {
		L.Push(lua.LNumber(n))
	} else {
		L.Push(lua.LNil)
	}
	return 1
}

// strtoul is C strtoul as Lua 5.1's tonumber uses it: whitespace, a sign
// (negation is unsigned), "0x" for base 16, at least one digit, and only
// whitespace after.
func strtoul(s string, base int) (float64, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if base == 16 && i+2 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && digitValue(s[i+2]) < 16 {
		i += 2
	}
	var n uint64
	overflow := false
	start := i
	for i < len(s) {
		d := digitValue(s[i])
		if d >= base {
			break
		}
		hi, lo := mulAdd(n, uint64(base), uint64(d))
		if hi {
			overflow = true
		}
		n = lo
		i++
	}
	if i == start {
		return 0, false
	}
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return 0, false
	}
	if overflow {
		n = math.MaxUint64
	} else if neg {
		n = -n
	}
	return float64(n), true
}

func mulAdd(n, b, d uint64) (bool, uint64) {
	if n > (math.MaxUint64-d)/b {
		return true, 0
	}
	return false, n*b + d
}

func digitValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// where is luaL_where: "source:line: " for a Lua function at level, "" for
// a Go one (level 0 is the running function). Levels count the frames Lua
// 5.1 would have: the trap frames protected calls add (see trap) are
// skipped, so pcall(error, "x", 2) names the caller of pcall, as in Redis.
func where(L *lua.LState, level int) string {
	dbg, _, ok, tail := stackLevel(L, level)
	if !ok || tail {
		return ""
	}
	return frameWhere(L, dbg)
}

// stackLevel is lua_getstack and lua_getinfo "f" at level, counted as in
// where: the frame and its function, ok false past the bottom, and tail
// true for a level that falls on frames a tail call replaced (no frame).
func stackLevel(L *lua.LState, level int) (dbg *lua.Debug, fn lua.LValue, ok, tail bool) {
	for at := 0; ; at++ {
		d, ok := L.GetStack(at)
		if !ok {
			return nil, nil, false, false
		}
		fn, _ := L.GetInfo("f", d, lua.LNil)
		if isTrap(fn) {
			// gopher-lua answers a level that falls on frames a tail call
			// replaced with the bottom frame, the run's runTrap, though
			// more frames follow. Lua 5.1 counts such a level, and it has
			// no position.
			if isRunTrap(fn) {
				if _, more := L.GetStack(at + 1); more {
					if level == 0 {
						return nil, nil, true, true
					}
					level--
				}
			}
			continue
		}
		if level == 0 {
			return d, fn, true, false
		}
		level--
	}
}

// frameWhere is where for the frame dbg.
func frameWhere(L *lua.LState, dbg *lua.Debug) string {
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.CurrentLine < 0 || dbg.What == "G" {
		return ""
	}
	return dbg.Source + ":" + itoa(dbg.CurrentLine) + ": "
}

// trapMark and runTrapMark are the upvalues that mark trap and runTrap,
// the Go frames our protected calls add between a caller and the function
// it calls.
var (
	trapMark    = lua.LString("redcurrent trap")
	runTrapMark = lua.LString("redcurrent run trap")
)

// isTrap reports whether v is a trap or runTrap function.
func isTrap(v lua.LValue) bool {
	f, ok := v.(*lua.LFunction)
	return ok && f.IsG && len(f.Upvalues) == 1 && (f.Upvalues[0].Value() == trapMark || f.Upvalues[0].Value() == runTrapMark)
}

// isRunTrap reports whether v is runTrap, the bottom frame of a run.
func isRunTrap(v lua.LValue) bool {
	f, ok := v.(*lua.LFunction)
	return ok && f.IsG && len(f.Upvalues) == 1 && f.Upvalues[0].Value() == runTrapMark
}

func baseError(L *lua.LState) int {
	v := L.Get(1)
	level := optCInt(L, 2, "error", 1)
	switch v.(type) {
	case lua.LString, lua.LNumber:
		msg, _ := toStr(v)
		if level > 0 {
			msg = where(L, int(level)) + msg
		}
		L.Error(lua.LString(msg), 0)
	}
	L.Error(v, 0)
	return 0
}

func baseAssert(L *lua.LState) int {
	if L.GetTop() < 1 {
		argError(L, 1, "assert", "value expected")
	}
	if lua.LVAsBool(L.Get(1)) {
		return L.GetTop()
	}
	msg := "assertion failed!"
	if L.Get(2) != lua.LNil {
		msg = checkString(L, 2, "assert")
	}
	raiseError(L, "%s", msg)
	return 0
}

// killed reports whether the run was cancelled (SCRIPT KILL): then pcall
// must not swallow the error, as Redis's hook keeps raising it.
func (s *State) killed(L *lua.LState) bool {
	ctx := L.Context()
	return ctx != nil && ctx.Err() != nil
}

// basePcall is Redis's pcall: a Redis error table caught by it is returned
// as its plain "CODE msg" string.
func (s *State) basePcall(L *lua.LState) int {
	if L.GetTop() < 1 {
		// Redis's pcall calls what it is given, and given nothing it
		// calls its own placeholder, true.
		L.Push(lua.LTrue)
	}
	nargs := L.GetTop() - 1
	err := s.pcall(L, nargs, lua.MultRet)
	if err == nil {
		L.Insert(lua.LTrue, 1)
		return L.GetTop()
	}
	if s.killed(L) {
		L.Error(errorObject(err), 0)
	}
	obj := errorObject(err)
	if t, ok := obj.(*lua.LTable); ok {
		if e, ok := t.RawGetString("err").(lua.LString); ok {
			obj = e
		}
	}
	L.Push(lua.LFalse)
	L.Push(obj)
	return 2
}

// baseXpcall is xpcall. The handler runs once the failed call has
// unwound, not on top of it as in Lua 5.1: scripts have no debug library
// to see the difference, and so a handler also runs after a stack
// overflow. An error in the handler gives "error in error handling".
func (s *State) baseXpcall(L *lua.LState) int {
	if L.GetTop() < 2 {
		argError(L, 2, "xpcall", "value expected")
	}
	// Any handler is taken; one that cannot be called fails when an error
	// needs it ("error in error handling").
	fn, handler := L.Get(1), L.Get(2)
	L.SetTop(0)
	L.Push(fn)
	err := s.pcall(L, 0, lua.MultRet)
	if err == nil {
		L.Insert(lua.LTrue, 1)
		return L.GetTop()
	}
	if s.killed(L) {
		L.Error(errorObject(err), 0)
	}
	L.SetTop(0)
	L.Push(handler)
	L.Push(errorObject(err))
	if herr := s.pcallLimit(L, 1, 1, maxCCalls+maxCCalls>>3); herr != nil {
		if s.killed(L) {
			L.Error(errorObject(herr), 0)
		}
		L.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(lua.LString("error in error handling"))
		return 2
	}
	L.Insert(lua.LFalse, 1)
	return 2
}

// errorObject is the Lua value an error carries.
func errorObject(err error) lua.LValue {
	if ae, ok := err.(*lua.ApiError); ok && ae.Object != nil {
		return ae.Object
	}
	return lua.LString(err.Error())
}

func (s *State) baseRawset(L *lua.LState) int {
	t := checkTable(L, 1, "rawset")
	if L.GetTop() < 2 {
		argError(L, 2, "rawset", "value expected")
	}
	if L.GetTop() < 3 {
		argError(L, 3, "rawset", "value expected")
	}
	if s.isProtected(t) {
		readonlyRefuse(L)
	}
	k := L.Get(2)
	if k == lua.LNil {
		raiseError(L, "table index is nil")
	}
	if n, ok := k.(lua.LNumber); ok && math.IsNaN(float64(n)) {
		raiseError(L, "table index is NaN")
	}
	t.RawSet(k, L.Get(3))
	L.SetTop(1)
	return 1
}

func (s *State) baseRawget(L *lua.LState) int {
	t := checkTable(L, 1, "rawget")
	if L.GetTop() < 2 {
		argError(L, 2, "rawget", "value expected")
	}
	L.Push(s.real(t).RawGet(L.Get(2)))
	return 1
}

func (s *State) baseSetmetatable(L *lua.LState) int {
	t := checkTable(L, 1, "setmetatable")
	mt := L.Get(2)
	if _, ok := mt.(*lua.LTable); !ok && mt != lua.LNil {
		argError(L, 2, "setmetatable", "nil or table expected")
	}
	if s.isProtected(t) {
		readonlyRefuse(L)
	}
	if old, ok := L.GetMetatable(t).(*lua.LTable); ok && old.RawGetString("__metatable") != lua.LNil {
		raiseError(L, "cannot change a protected metatable")
	}
	L.SetMetatable(t, mt)
	L.SetTop(1)
	return 1
}

func (s *State) baseGetmetatable(L *lua.LState) int {
	if L.GetTop() < 1 {
		argError(L, 1, "getmetatable", "value expected")
	}
	v := L.Get(1)
	if t, ok := v.(*lua.LTable); ok {
		if vis, ok := s.visibleMT[t]; ok {
			L.Push(vis)
			return 1
		}
	}
	if _, ok := v.(lua.LString); ok {
		L.Push(s.strMT)
		return 1
	}
	mt := L.GetMetatable(v)
	if t, ok := mt.(*lua.LTable); ok {
		if p := t.RawGetString("__metatable"); p != lua.LNil {
			L.Push(p)
			return 1
		}
	}
	L.Push(mt)
	return 1
}

func (s *State) baseNext(L *lua.LState) int {
	t := s.real(checkTable(L, 1, "next"))
	k := L.Get(2)
	if k != lua.LNil && t.RawGet(k) == lua.LNil {
		// Lua 5.1 accepts only keys present in the table.
		found := false
		t.ForEach(func(key, _ lua.LValue) {
			if !found && key == k {
				found = true
			}
		})
		if !found {
			raiseError(L, "invalid key to 'next'")
		}
	}
	for {
		nk, nv := t.Next(k)
		if nk == lua.LNil {
			L.Push(lua.LNil)
			return 1
		}
		if ks, ok := nk.(lua.LString); ok && (ks == hiddenConcat || ks == hiddenForNumber) {
			k = nk
			continue
		}
		L.Push(nk)
		L.Push(nv)
		return 2
	}
}

func (s *State) basePairs(L *lua.LState) int {
	t := checkTable(L, 1, "pairs")
	L.Push(s.globals.RawGetString("next"))
	L.Push(t)
	L.Push(lua.LNil)
	return 3
}

func (s *State) baseIpairs(L *lua.LState) int {
	t := checkTable(L, 1, "ipairs")
	L.Push(L.NewFunction(s.ipairsAux))
	L.Push(t)
	L.Push(lua.LNumber(0))
	return 3
}

func (s *State) ipairsAux(L *lua.LState) int {
	t := s.real(checkTable(L, 1, "ipairs"))
	i := checkCInt(L, 2, "ipairs") + 1
	v := t.RawGetInt(int(i))
	if v == lua.LNil {
		return 0
	}
	L.Push(lua.LNumber(i))
	L.Push(v)
	return 2
}

func (s *State) baseUnpack(L *lua.LState) int {
	t := s.real(checkTable(L, 1, "unpack"))
	i := optCInt(L, 2, "unpack", 1)
	var e int64
	if L.Get(3) == lua.LNil {
		e = int64(t.Len())
	} else {
		e = checkCInt(L, 3, "unpack")
	}
	if i > e {
		return 0
	}
	// lua_checkstack: the results and unpack's own arguments must fit in
	// LUAI_MAXCSTACK (8,000) slots.
	n := e - i + 1
	if n <= 0 || n+int64(L.GetTop()) > unpackMax+1 {
		raiseError(L, "too many results to unpack")
	}
	for k := i; k <= e; k++ {
		L.Push(t.RawGetInt(int(k)))
	}
	return int(n)
}

// chunkID is Lua 5.1's luaO_chunkid, the way a chunk name is shown: in
// runtime errors within 60 bytes (LUA_IDSIZE), in syntax errors within 80
// (the lexer's MAXSRC). "=name" shows name, "@file" the end of file,
// anything else [string "its first line"].
func chunkID(name string, size int) string {
	if i := strings.IndexByte(name, 0); i >= 0 {
		name = name[:i] // a C string
	}
	switch {
	case strings.HasPrefix(name, "="):
		name = name[1:]
		if len(name) > size-1 {
			name = name[:size-1]
		}
		return name
	case strings.HasPrefix(name, "@"):
		name = name[1:]
		if room := size - len(" '...' ") - 1; len(name) > room {
			name = "..." + name[len(name)-room:]
		}
		return name
	}
	line := name
	if i := strings.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	if room := size - len(` [string "..."] `) - 1; len(line) > room {
		line = line[:room]
	}
	if len(line) < len(name) {
		return `[string "` + line + `..."]`
	}
	return `[string "` + line + `"]`
}

func (s *State) loadChunk(L *lua.LState, src, name string) int {
	// A binary chunk (string.dump's output) is read as text, which
	// fails on its first byte, as in Redis's Lua.
	fn, err := s.compileNamed(src, chunkID(name, 60), chunkID(name, 80))
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(fn)
	return 1
}

func (s *State) baseLoadstring(L *lua.LState) int {
	src := checkString(L, 1, "loadstring")
	name := src
	if L.Get(2) != lua.LNil {
		name = checkString(L, 2, "loadstring")
	}
	return s.loadChunk(L, src, name)
}

func (s *State) baseLoad(L *lua.LState) int {
	fn, ok := L.Get(1).(*lua.LFunction)
	if !ok {
		typeError(L, 1, "load", "function")
	}
	name := "=(load)"
	if L.Get(2) != lua.LNil {
		name = checkString(L, 2, "load")
	}
	var b strings.Builder
	for {
		L.Push(fn)
		s.call(L, 0, 1, false)
		v := L.Get(-1)
		L.Pop(1)
		if v == lua.LNil {
			break
		}
		piece, ok := v.(lua.LString)
		if !ok {
			raiseError(L, "reader function must return a string")
		}
		if piece == "" {
			break
		}
		b.WriteString(string(piece))
		if b.Len() > maxStringSize {
			raiseError(L, "not enough memory")
		}
	}
	return s.loadChunk(L, b.String(), name)
}

// heapBytes reads the live heap without stopping the world, unlike
// runtime.ReadMemStats. Scripts never trigger a GC: collectgarbage in
// gopher-lua runs runtime.GC() for the whole process.
func heapBytes() float64 {
	return float64(metricReader("/memory/classes/heap/objects:bytes")())
}

func baseCollectgarbage(L *lua.LState) int {
	opt := "collect"
	if L.Get(1) != lua.LNil {
		opt = checkString(L, 1, "collectgarbage")
	}
	switch opt {
	case "count":
		L.Push(lua.LNumber(heapBytes() / 1024))
	case "stop", "restart", "collect", "step", "setpause", "setstepmul":
		L.Push(lua.LNumber(0))
	default:
		argError(L, 1, "collectgarbage", "invalid option '"+opt+"'")
	}
	return 1
}

func baseGcinfo(L *lua.LState) int {
	L.Push(lua.LNumber(math.Floor(heapBytes() / 1024)))
	return 1
}

// luaConcat implements "..": the compiler rewrites a .. b .. c into one
// call of this with the operands, so numbers format as Lua 5.1's %.14g
// (gopher-lua's VM formats them its own way). Like Lua 5.1's concat it
// works from the right: runs of strings and numbers are joined at once,
// any other pair goes to a __concat metamethod.
func (s *State) luaConcat(L *lua.LState) int {
	n := L.GetTop()
	vals := make([]lua.LValue, n)
	for i := range vals {
		vals[i] = L.Get(i + 1)
	}
	top := n - 1
	for top > 0 {
		a, b := vals[top-1], vals[top]
		_, aok := toStr(a)
		_, bok := toStr(b)
		if !aok || !bok {
			vals[top-1] = s.concatMeta(L, a, b, top)
			top--
			continue
		}
		// Join the run of strings and numbers that ends at top.
		first := top - 1
		for first > 0 {
			if _, ok := toStr(vals[first-1]); !ok {
				break
			}
			first--
		}
		size := 0
		for _, v := range vals[first : top+1] {
			str, _ := toStr(v)
			size += len(str)
		}
		if size > maxStringSize {
			raiseError(L, "not enough memory")
		}
		var buf strings.Builder
		buf.Grow(size)
		for _, v := range vals[first : top+1] {
			str, _ := toStr(v)
			buf.WriteString(str)
		}
		vals[first] = lua.LString(buf.String())
		top = first
	}
	L.Push(vals[0])
	return 1
}

// concatMeta concatenates a and b (operands top and top+1, counted from
// 1) with their __concat metamethod, or raises Lua's error naming the
// first of them that is not a string or a number.
func (s *State) concatMeta(L *lua.LState, a, b lua.LValue, top int) lua.LValue {
	h := L.GetMetaField(a, "__concat")
	if h == lua.LNil {
		h = L.GetMetaField(b, "__concat")
	}
	if h == lua.LNil {
		bad, n := a, top
		if _, ok := toStr(a); ok {
			bad, n = b, top+1
		}
		reg := -1
		f, ok := frameAt(L, 1)
		if ok {
			if op := opOf(f.inst()); op == lua.OP_CALL || op == lua.OP_TAILCALL {
				reg = argA(f.inst()) + n
			}
		}
		raiseError(L, "%s", typeErrorText(f, reg, "concatenate", bad))
	}
	L.Push(h)
	L.Push(a)
	L.Push(b)
	s.call(L, 2, 1, true)
	v := L.Get(-1)
	L.Pop(1)
	return v
}

// runContext installs ctx for one run; gopher-lua then checks it before
// every instruction (and raises ctx.Err()).
func (s *State) runContext(ctx context.Context) func() {
	if ctx == nil || ctx.Done() == nil {
		return func() {}
	}
	s.L.SetContext(ctx)
	return func() { s.L.RemoveContext() }
}

// openCoroutine keeps gopher-lua's coroutines, with Lua 5.1's resume and
// wrap around them: a resume counts as a C call (the 200th nested one
// fails with "C stack overflow"), errors are worded as Lua 5.1 words them,
// and wrap adds the caller's position to a string error, as auxwrap does.
func (s *State) openCoroutine(orig *lua.LTable) *lua.LTable {
	L := s.L
	t := L.NewTable()
	orig.ForEach(func(k, v lua.LValue) { t.RawSet(k, v) })
	resume := orig.RawGetString("resume")
	origCreate := orig.RawGetString("create")
	// A coroutine's body is wrapped in a Lua function that first sets the
	// coroutine's Panic hook (gopher-lua sets its own when it starts the
	// coroutine) and then calls the body and passes its results on. The
	// hook rewords VM errors while the failing frame is still there, as
	// trap does for protected calls. The wrapper's frame has no line, so
	// it is invisible to error positions (like the bottom of a Lua 5.1
	// coroutine), and it takes the place of the base call slot Lua 5.1
	// gives a coroutine: the body can nest 16,383 calls, as there.
	setPanic := L.NewFunction(func(L *lua.LState) int {
		L.Panic = s.threadPanic
		return 0
	})
	stmts, err := parse.Parse(strings.NewReader(
		"local setpanic, f = ... local function pass(...) return ... end "+
			"return function(...) setpanic() return pass(f(...)) end"), "=coroutine")
	if err != nil {
		panic(err)
	}
	proto, err := lua.Compile(stmts, "=coroutine")
	if err != nil {
		panic(err)
	}
	for _, fp := range proto.FunctionPrototypes {
		for i := range fp.DbgSourcePositions {
			fp.DbgSourcePositions[i] = -1
		}
	}
	bodyMaker := L.NewFunctionFromProto(proto)
	create := L.NewFunction(func(L *lua.LState) int {
		fn, ok := L.Get(1).(*lua.LFunction)
		if !ok || fn.IsG {
			argError(L, 1, "create", "Lua function expected")
		}
		L.SetTop(0)
		L.Push(origCreate)
		L.Push(bodyMaker)
		L.Push(setPanic)
		L.Push(fn)
		L.Call(2, 1)
		L.Call(1, 1)
		return 1
	})
	t.RawSetString("create", create)
	t.RawSetString("yield", L.NewFunction(func(L *lua.LState) int {
		// Lua 5.1 refuses to yield out of a call made from C (pcall, a
		// function given to table.sort or string.gsub...); gopher-lua
		// would let it through and can corrupt the coroutine. Such calls
		// count up s.ccalls from where the coroutine started. Outside any
		// coroutine the script itself is such a call. (Metamethods
		// and iterators that gopher-lua's VM calls are not counted: a yield
		// in one of those is not refused.)
		if n := len(s.coActive); n == 0 || s.ccalls != s.coCalls[n-1] {
			L.Error(lua.LString("attempt to yield across metamethod/C-call boundary"), 0)
		}
		return -1 // gopher-lua's yield: the values on the stack go to resume
	}))
	// resumeAt resumes the coroutine at index 1 with the values above it,
	// leaving resume's results on the stack.
	resumeAt := func(L *lua.LState) {
		n := L.GetTop()
		if s.ccalls >= maxCCalls {
			L.SetTop(0)
			L.Push(lua.LFalse)
			L.Push(lua.LString(cStackOverflow))
			return
		}
		co := L.Get(1).(*lua.LState)
		for i, c := range s.coActive {
			if c == co {
				// Resumed by another coroutine that is running now.
				status := "normal"
				if i == len(s.coActive)-1 {
					status = "running"
				}
				L.SetTop(0)
				L.Push(lua.LFalse)
				L.Push(lua.LString("cannot resume " + status + " coroutine"))
				return
			}
		}
		saved, active := s.ccalls, len(s.coActive)
		s.ccalls++
		s.coActive = append(s.coActive, co)
		s.coCalls = append(s.coCalls[:active], s.ccalls)
		L.Insert(resume, 1)
		L.Call(n, lua.MultRet)
		s.ccalls, s.coActive, s.coCalls = saved, s.coActive[:active], s.coCalls[:active]
		if L.GetTop() == 2 && L.Get(1) == lua.LFalse {
			if msg, ok := L.Get(2).(lua.LString); ok {
				switch string(msg) {
				case "can not resume a dead thread":
					L.Replace(2, lua.LString("cannot resume dead coroutine"))
				case "lua callstack overflow":
					// The coroutine's growing call stack is full. Its
					// frames are still there but for the top one: the
					// position is that of its caller, the same line in a
					// recursion.
					L.Replace(2, lua.LString(where(co, 0)+"stack overflow"))
				}
			}
		}
	}
	t.RawSetString("resume", L.NewFunction(func(L *lua.LState) int {
		if _, ok := L.Get(1).(*lua.LState); !ok {
			argError(L, 1, "resume", "coroutine expected")
		}
		resumeAt(L)
		return L.GetTop()
	}))
	t.RawSetString("wrap", L.NewFunction(func(L *lua.LState) int {
		if fn, ok := L.Get(1).(*lua.LFunction); !ok || fn.IsG {
			argError(L, 1, "wrap", "Lua function expected")
		}
		L.SetTop(1)
		L.Insert(create, 1)
		L.Call(1, 1)
		co := L.Get(1)
		L.Push(L.NewClosure(func(L *lua.LState) int {
			L.Insert(co, 1)
			resumeAt(L)
			if L.Get(1) == lua.LFalse {
				e := L.Get(2)
				if str, ok := toStr(e); ok {
					e = lua.LString(where(L, 1) + str)
				}
				L.Error(e, 0)
			}
			return L.GetTop() - 1
		}))
		return 1
	}))
	return t
}
