package lua

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Argument checks with Lua 5.1's texts (luaL_argerror, luaL_typerror):
// "bad argument #2 to 'format' (number expected, got string)", positioned at
// the calling Lua line. gopher-lua's own checks word these differently.

// Like Lua 5.1, the function is named as the calling code names it
// ("local f = string.rep f()" is 'f'), '?' when Go code (pcall) called it,
// and a method call does not count self: "('x'):rep()" misses argument #1.
// fname documents which function checks.
func argError(L *lua.LState, n int, fname, msg string) {
	name, method := callName(L)
	if method {
		n--
		if n == 0 {
			raiseError(L, "calling '%s' on bad self (%s)", name, msg)
		}
	}
	raiseError(L, "bad argument #%d to '%s' (%s)", n, name, msg)
}

// raiseError is luaL_error: the message with the position of the running
// Go function's caller (luaL_where(L, 1)), none when that is not Lua code
// (pcall(string.rep, ...)). gopher-lua's RaiseError would give the
// position of the first Lua function up the stack instead.
func raiseError(L *lua.LState, format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	L.Error(lua.LString(where(L, 1)+msg), 0)
}

// callName is the name Lua 5.1 gives the running Go function: what the
// calling Lua code called (see objName), "?" when that has no name or the
// caller is not Lua code; method reports a method call.
func callName(L *lua.LState) (name string, method bool) {
	f, ok := frameAt(L, 1)
	if !ok {
		return "?", false
	}
	switch opOf(f.inst()) {
	case lua.OP_CALL, lua.OP_TAILCALL, lua.OP_TFORLOOP:
		if kind, n := f.objName(argA(f.inst())); kind != "" {
			return n, kind == "method"
		}
	}
	return "?", false
}

func typeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return L.Get(n).Type().String()
}

func typeError(L *lua.LState, n int, fname, want string) {
	argError(L, n, fname, want+" expected, got "+typeName(L, n))
}

// toNumber converts as lua_tonumber does: numbers, and strings strtod accepts.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return str2d(string(x))
	}
	return 0, false
}

// toStr converts as lua_tolstring does: strings, and numbers as %.14g.
func toStr(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return fmtNumber(float64(x)), true
	}
	return "", false
}

func checkNumber(L *lua.LState, n int, fname string) float64 {
	f, ok := toNumber(L.Get(n))
	if !ok || n > L.GetTop() {
		typeError(L, n, fname, "number")
	}
	return f
}

func optNumber(L *lua.LState, n int, fname string, d float64) float64 {
	if L.Get(n) == lua.LNil {
		return d
	}
	return checkNumber(L, n, fname)
}

// checkInt is luaL_checkint: a number truncated toward zero (C cast).
func checkInt(L *lua.LState, n int, fname string) int64 {
	return castInt(checkNumber(L, n, fname))
}

func optInt(L *lua.LState, n int, fname string, d int64) int64 {
	if L.Get(n) == lua.LNil {
		return d
	}
	return checkInt(L, n, fname)
}

// checkCInt is luaL_checkint, the C int the library functions that take
// one (table.insert, select, unpack, string.char, ...) see: the 64-bit
// conversion cut to 32 bits, so NaN and out-of-range numbers become 0 and
// 2^32+1 becomes 1.
func checkCInt(L *lua.LState, n int, fname string) int64 {
	return int64(int32(checkInt(L, n, fname)))
}

// optCInt is luaL_optint: checkCInt, or d when the argument is absent.
func optCInt(L *lua.LState, n int, fname string, d int64) int64 {
	if L.Get(n) == lua.LNil {
		return d
	}
	return checkCInt(L, n, fname)
}

// checkKilled stops a Go loop of a library function when the script has
// been killed (SCRIPT KILL, the memory cap): gopher-lua checks the
// context only between Lua instructions. Call it every iteration; it
// looks at the context every 4096.
func checkKilled(L *lua.LState, i int64) {
	if i&4095 != 0 {
		return
	}
	if ctx := L.Context(); ctx != nil && ctx.Err() != nil {
		L.RaiseError("%s", ctx.Err().Error())
	}
}

func checkString(L *lua.LState, n int, fname string) string {
	s, ok := toStr(L.Get(n))
	if !ok || n > L.GetTop() {
		typeError(L, n, fname, "string")
	}
	return s
}

func checkTable(L *lua.LState, n int, fname string) *lua.LTable {
	t, ok := L.Get(n).(*lua.LTable)
	if !ok {
		typeError(L, n, fname, "table")
	}
	return t
}

// castInt is the x86-64 C conversion of a double to a 64-bit integer:
// truncation, and INT64_MIN for NaN, infinities and out-of-range values.
func castInt(f float64) int64 {
	if math.IsNaN(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0 {
		return math.MinInt64
	}
	return int64(f)
}

// fmtNumber is Lua 5.1's LUA_NUMBER_FMT "%.14g" with glibc's spellings of
// the special values ("inf", "-inf", "nan", "-nan").
func fmtNumber(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e14 {
		if f == 0 && math.Signbit(f) {
			return "-0"
		}
		return strconv.FormatInt(int64(f), 10)
	}
	return fmt.Sprintf("%.14g", f)
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// str2d is Lua 5.1's luaO_str2d: C strtod (decimal, hex with optional p
// exponent, inf, nan), surrounding whitespace allowed, nothing else.
func str2d(s string) (float64, bool) {
	s = strings.TrimFunc(s, func(r rune) bool { return r < 128 && isSpace(byte(r)) })
	if f, n, ok := strtodNaN(s); ok && n == len(s) {
		return f, true
	}
	if s == "" || strings.ContainsAny(s, "_") {
		return 0, false
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if len(body) > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') {
		if !strings.ContainsAny(body, "pP") {
			s += "p0"
		}
	} else if body == "" || !(body[0] >= '0' && body[0] <= '9' || body[0] == '.' || body[0] == 'i' || body[0] == 'I' || body[0] == 'n' || body[0] == 'N') {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true // strtod gives HUGE_VAL or 0 on range errors
		}
		return 0, false
	}
	return f, true
}

// strtodNaN reads what glibc's strtod reads as NaN at the start of s: an
// optional sign, "nan" in any case, and an optional "(chars)" of letters,
// digits and '_'. It returns the NaN (negative after '-', as glibc gives)
// and the bytes consumed.
func strtodNaN(s string) (float64, int, bool) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if len(s)-i < 3 || !strings.EqualFold(s[i:i+3], "nan") {
		return 0, 0, false
	}
	i += 3
	if i < len(s) && s[i] == '(' {
		j := i + 1
		for j < len(s) && (s[j] == '_' || s[j] >= '0' && s[j] <= '9' || s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z') {
			j++
		}
		if j < len(s) && s[j] == ')' {
			i = j + 1
		}
	}
	f := math.NaN()
	if neg {
		f = math.Copysign(f, -1)
	}
	return f, i, true
}
