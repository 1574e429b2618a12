package lua

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// openString returns the string library: gopher-lua's table with the
// functions it gets wrong for Lua 5.1 replaced (format, upper, lower, rep,
// the pattern functions, dump, and the ones whose number arguments it
// formats its own way).
func (s *State) openString(orig *lua.LTable) *lua.LTable {
	L := s.L
	t := L.NewTable()
	funcs := map[string]lua.LGFunction{
		"byte": strByte, "char": strChar, "len": strLen, "sub": strSub, "reverse": strReverse,
		"upper": strUpper, "lower": strLower, "rep": strRep, "format": strFormat, "dump": strDump,
		"find": strFind, "match": strMatch, "gmatch": strGmatch, "gsub": s.strGsub,
	}
	for name, fn := range funcs {
		t.RawSetString(name, L.NewFunction(fn))
	}
	t.RawSetString("gfind", t.RawGetString("gmatch"))
	return t
}

func strLen(L *lua.LState) int {
	L.Push(lua.LNumber(len(checkString(L, 1, "len"))))
	return 1
}

func strSub(L *lua.LState) int {
	str := checkString(L, 1, "sub")
	l := len(str)
	i := posrelat(optInt(L, 2, "sub", 1), l)
	j := posrelat(optInt(L, 3, "sub", -1), l)
	if i < 1 {
		i = 1
	}
	if j > int64(l) {
		j = int64(l)
	}
	if i <= j {
		L.Push(lua.LString(str[i-1 : j]))
	} else {
		L.Push(lua.LString(""))
	}
	return 1
}

func strReverse(L *lua.LState) int {
	str := []byte(checkString(L, 1, "reverse"))
	for i, j := 0, len(str)-1; i < j; i, j = i+1, j-1 {
		str[i], str[j] = str[j], str[i]
	}
	L.Push(lua.LString(str))
	return 1
}

func strByte(L *lua.LState) int {
	str := checkString(L, 1, "byte")
	l := len(str)
	i := posrelat(optInt(L, 2, "byte", 1), l)
	j := posrelat(optInt(L, 3, "byte", i), l)
	if i <= 0 {
		i = 1
	}
	if j > int64(l) {
		j = int64(l)
	}
	if i > j {
		return 0
	}
	n := int(j - i + 1)
	if n > unpackMax {
		raiseError(L, "string slice too long")
	}
	for k := i; k <= j; k++ {
		L.Push(lua.LNumber(str[k-1]))
	}
	return n
}

func strChar(L *lua.LState) int {
	n := L.GetTop()
	b := make([]byte, n)
	for i := 1; i <= n; i++ {
		c := checkCInt(L, i, "char")
		if c < 0 || c > 255 {
			argError(L, i, "char", "invalid value")
		}
		b[i-1] = byte(c)
	}
	L.Push(lua.LString(b))
	return 1
}

// strUpper and strLower are the C locale's: bytes above 127 stay as they
// are (gopher-lua maps Unicode).
func strUpper(L *lua.LState) int {
	b := []byte(checkString(L, 1, "upper"))
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	L.Push(lua.LString(b))
	return 1
}

func strLower(L *lua.LState) int {
	b := []byte(checkString(L, 1, "lower"))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	L.Push(lua.LString(b))
	return 1
}

func strRep(L *lua.LState) int {
	str := checkString(L, 1, "rep")
	n := checkInt(L, 2, "rep")
	if n <= 0 || str == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if n > maxStringSize/int64(len(str)) {
		raiseError(L, "not enough memory")
	}
	L.Push(lua.LString(strings.Repeat(str, int(n))))
	return 1
}

// strDump exists in Redis's Lua, but loadstring refuses binary chunks, so
// its result can never be loaded; we return a binary-chunk header only.
func strDump(L *lua.LState) int {
	if _, ok := L.Get(1).(*lua.LFunction); !ok {
		typeError(L, 1, "dump", "function")
	}
	L.Push(lua.LString("\x1bLuaQ\x00"))
	return 1
}

// strFormat is Lua 5.1's string.format: C printf conversions c d i o u x X
// e E f g G q s %, flags "-+ #0", width and precision of at most two digits.
func strFormat(L *lua.LState) int {
	fs := checkString(L, 1, "format")
	arg := 1
	var b strings.Builder
	for i := 0; i < len(fs); i++ {
		c := fs[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i < len(fs) && fs[i] == '%' {
			b.WriteByte('%')
			continue
		}
		// Scan the spec.
		start := i
		for i < len(fs) && strings.IndexByte("-+ #0", fs[i]) >= 0 {
			i++
		}
		if i-start > 5 {
			raiseError(L, "invalid format (repeated flags)")
		}
		digits := func() {
			n := 0
			for i < len(fs) && fs[i] >= '0' && fs[i] <= '9' {
				i++
				n++
			}
			if n > 2 {
				raiseError(L, "invalid format (width or precision too long)")
			}
		}
		digits()
		hasPrec := false
		if i < len(fs) && fs[i] == '.' {
			hasPrec = true
			i++
			digits()
		}
		if i >= len(fs) {
			// Lua 5.1 names the character after the option, here the
			// end of the string, which its message formatting drops.
			raiseError(L, "%s", "invalid option '%' to 'format'")
		}
		spec := fs[start:i]
		conv := fs[i]
		arg++
		if arg > L.GetTop() && conv != '%' {
			argError(L, arg, "format", "no value")
		}
		switch conv {
		case 'c':
			n := checkInt(L, arg, "format")
			// %s of the byte: fmt's %c would write a rune as UTF-8.
			b.WriteString(fmt.Sprintf("%"+strings.TrimRight(spec, ".0123456789")+"s", string([]byte{byte(n)})))
		case 'd', 'i':
			n := castInt(checkNumber(L, arg, "format"))
			b.WriteString(fmt.Sprintf("%"+spec+"d", n))
		case 'o', 'u', 'x', 'X':
			n := uint64(castInt(checkNumber(L, arg, "format")))
			verb := string(conv)
			if conv == 'u' {
				verb = "d"
			}
			str := fmt.Sprintf("%"+spec+verb, n)
			if strings.Contains(spec, "#") && (conv == 'x' || conv == 'X') && n == 0 {
				str = fmt.Sprintf("%"+strings.ReplaceAll(spec, "#", "")+verb, n)
			}
			b.WriteString(str)
		case 'e', 'E', 'f', 'g', 'G':
			f := checkNumber(L, arg, "format")
			b.WriteString(formatFloat(spec, conv, f))
		case 'q':
			b.WriteString(quoteString(checkString(L, arg, "format")))
		case 's':
			str := checkString(L, arg, "format")
			if !hasPrec && len(str) >= 100 {
				b.WriteString(str)
			} else {
				b.WriteString(fmt.Sprintf("%"+spec+"s", str))
			}
		default:
			raiseError(L, "invalid option '%%%c' to 'format'", conv)
		}
		if b.Len() > maxStringSize {
			raiseError(L, "not enough memory")
		}
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// formatFloat is C printf for e/E/f/g/G, with glibc's inf/nan spellings.
func formatFloat(spec string, conv byte, f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		str := fmtNumber(f)
		if conv == 'E' || conv == 'G' {
			str = strings.ToUpper(str)
		}
		if !strings.HasPrefix(str, "-") {
			if strings.Contains(spec, "+") {
				str = "+" + str
			} else if strings.Contains(spec, " ") {
				str = " " + str
			}
		}
		width := strings.TrimLeft(spec, "-+ #0")
		if k := strings.IndexByte(width, '.'); k >= 0 {
			width = width[:k]
		}
		w, _ := strconv.Atoi(width)
		for len(str) < w {
			if strings.Contains(spec, "-") {
				str += " "
			} else {
				str = " " + str
			}
		}
		return str
	}
	return fmt.Sprintf("%"+spec+string(conv), f)
}

// quoteString is %q of Lua 5.1: quotes, backslash, newline escaped with a
// backslash, CR as \r, NUL as \000, all else raw.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '\n':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\000`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
