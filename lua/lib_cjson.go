package lua

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// The cjson library (lua-cjson 2.1.0 behaviour as bundled with Redis):
// encode and decode with the documented configuration functions, whose
// settings persist for the life of the State (until SCRIPT FLUSH).

type cjsonConfig struct {
	encodeMaxDepth    int
	decodeMaxDepth    int
	precision         int
	sparseConvert     bool
	sparseRatio       int
	sparseSafe        int
	encodeInvalidNums int // 0 off, 1 on, 2 "null"
	decodeInvalidNums bool
	encodeKeepBuffer  bool
	nullValue         *lua.LUserData
}

func defaultCJSONConfig() cjsonConfig {
	return cjsonConfig{encodeMaxDepth: 1000, decodeMaxDepth: 1000, precision: 14,
		sparseRatio: 2, sparseSafe: 10, decodeInvalidNums: true, encodeKeepBuffer: true}
}

func (s *State) openCJSON() *lua.LTable {
	s.cjson.nullValue = s.L.NewUserData()
	return s.newCJSON(&s.cjson)
}

func (s *State) newCJSON(cfg *cjsonConfig) *lua.LTable {
	L := s.L
	t := L.NewTable()
	funcs := map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int { return s.cjsonEncode(L, cfg) },
		"decode": func(L *lua.LState) int { return cjsonDecode(L, cfg) },
		"new": func(L *lua.LState) int {
			c := defaultCJSONConfig()
			c.nullValue = cfg.nullValue
			L.Push(s.protect(s.newCJSON(&c), lua.LNil))
			return 1
		},
		"encode_max_depth": func(L *lua.LState) int {
			return cjsonIntOption(L, "encode_max_depth", &cfg.encodeMaxDepth, 1, math.MaxInt32)
		},
		"decode_max_depth": func(L *lua.LState) int {
			return cjsonIntOption(L, "decode_max_depth", &cfg.decodeMaxDepth, 1, math.MaxInt32)
		},
		"encode_number_precision": func(L *lua.LState) int {
			return cjsonIntOption(L, "encode_number_precision", &cfg.precision, 1, 14)
		},
		"encode_keep_buffer": func(L *lua.LState) int {
			return cjsonBoolOption(L, "encode_keep_buffer", &cfg.encodeKeepBuffer)
		},
		"decode_invalid_numbers": func(L *lua.LState) int {
			return cjsonBoolOption(L, "decode_invalid_numbers", &cfg.decodeInvalidNums)
		},
		"encode_invalid_numbers": func(L *lua.LState) int {
			if L.GetTop() >= 1 {
				switch v := L.Get(1).(type) {
				case lua.LBool:
					cfg.encodeInvalidNums = 0
					if v {
						cfg.encodeInvalidNums = 1
					}
				case lua.LString:
					switch v {
					case "on":
						cfg.encodeInvalidNums = 1
					case "off":
						cfg.encodeInvalidNums = 0
					case "null":
						cfg.encodeInvalidNums = 2
					default:
						argError(L, 1, "encode_invalid_numbers", "invalid option '"+string(v)+"'")
					}
				default:
					argError(L, 1, "encode_invalid_numbers", "invalid option")
				}
			}
			switch cfg.encodeInvalidNums {
			case 1:
				L.Push(lua.LTrue)
			case 2:
				L.Push(lua.LString("null"))
			default:
				L.Push(lua.LFalse)
			}
			return 1
		},
		"encode_sparse_array": func(L *lua.LState) int {
			if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
				cfg.sparseConvert = lua.LVAsBool(L.Get(1))
			}
			if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
				cfg.sparseRatio = int(checkInt(L, 2, "encode_sparse_array"))
			}
			if L.GetTop() >= 3 && L.Get(3) != lua.LNil {
				cfg.sparseSafe = int(checkInt(L, 3, "encode_sparse_array"))
			}
			L.Push(lua.LBool(cfg.sparseConvert))
			L.Push(lua.LNumber(cfg.sparseRatio))
			L.Push(lua.LNumber(cfg.sparseSafe))
			return 3
		},
	}
	for name, fn := range funcs {
		t.RawSetString(name, L.NewFunction(fn))
	}
	t.RawSetString("null", cfg.nullValue)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

func cjsonIntOption(L *lua.LState, fname string, v *int, min, max int) int {
	if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
		n := checkInt(L, 1, fname)
		if n < int64(min) || n > int64(max) {
			argError(L, 1, fname, fmt.Sprintf("expected integer between %d and %d", min, max))
		}
		*v = int(n)
	}
	L.Push(lua.LNumber(*v))
	return 1
}

func cjsonBoolOption(L *lua.LState, fname string, v *bool) int {
	if L.GetTop() >= 1 {
		switch x := L.Get(1).(type) {
		case lua.LBool:
			*v = bool(x)
		case lua.LString:
			switch x {
			case "on":
				*v = true
			case "off":
				*v = false
			default:
				argError(L, 1, fname, "invalid option '"+string(x)+"'")
			}
		default:
			argError(L, 1, fname, "invalid option")
		}
	}
	L.Push(lua.LBool(*v))
	return 1
}

// ---- encode ----

type cjsonEncoder struct {
	s   *State
	L   *lua.LState
	cfg *cjsonConfig
	b   strings.Builder
}

func (s *State) cjsonEncode(L *lua.LState, cfg *cjsonConfig) int {
	if L.GetTop() != 1 {
		L.RaiseError("expected 1 argument")
	}
	e := &cjsonEncoder{s: s, L: L, cfg: cfg}
	e.value(L.Get(1), 0)
	L.Push(lua.LString(e.b.String()))
	return 1
}

func (e *cjsonEncoder) fail(v lua.LValue, reason string) {
	e.L.RaiseError("Cannot serialise %s: %s", v.Type().String(), reason)
}

func (e *cjsonEncoder) number(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		switch e.cfg.encodeInvalidNums {
		case 0:
			e.fail(lua.LNumber(f), "must not be NaN or Inf")
		case 2:
			e.b.WriteString("null")
			return
		}
		if math.IsNaN(f) {
			e.b.WriteString("nan")
		} else {
			e.b.WriteString(fmtNumber(f))
		}
		return
	}
	if e.cfg.precision == 14 {
		e.b.WriteString(fmtNumber(f))
		return
	}
	e.b.WriteString(fmt.Sprintf("%.*g", e.cfg.precision, f))
}

func (e *cjsonEncoder) value(v lua.LValue, depth int) {
	if e.b.Len() > maxStringSize {
		e.L.RaiseError("not enough memory")
	}
	switch x := v.(type) {
	case lua.LString:
		e.str(string(x))
	case lua.LNumber:
		e.number(float64(x))
	case lua.LBool:
		if x {
			e.b.WriteString("true")
		} else {
			e.b.WriteString("false")
		}
	case *lua.LNilType:
		e.b.WriteString("null")
	case *lua.LUserData:
		if x == e.cfg.nullValue {
			e.b.WriteString("null")
			return
		}
		e.fail(v, "type not supported")
	case *lua.LTable:
		depth++
		if depth > e.cfg.encodeMaxDepth {
			e.L.RaiseError("Cannot serialise, excessive nesting (%d)", depth)
		}
		e.table(e.s.real(x), depth)
	default:
		e.fail(v, "type not supported")
	}
}

// arrayLength is lua-cjson's array test: every key a positive integer;
// returns -1 for an object, and refuses arrays too sparse to be worth it.
func (e *cjsonEncoder) arrayLength(t *lua.LTable) int {
	max, items := 0, 0
	isArray := true
	t.ForEach(func(k, _ lua.LValue) {
		if !isArray {
			return
		}
		n, ok := k.(lua.LNumber)
		f := float64(n)
		if !ok || f < 1 || f != math.Floor(f) {
			isArray = false
			return
		}
		if f > float64(max) {
			if f > math.MaxInt32 {
				isArray = false
				return
			}
			max = int(f)
		}
		items++
	})
	if !isArray {
		return -1
	}
	if e.cfg.sparseRatio > 0 && max > items*e.cfg.sparseRatio && max > e.cfg.sparseSafe {
		if !e.cfg.sparseConvert {
			e.L.RaiseError("Cannot serialise table: excessively sparse array")
		}
		return -1
	}
	return max
}

func (e *cjsonEncoder) table(t *lua.LTable, depth int) {
	n := e.arrayLength(t)
	if n > 0 {
		e.b.WriteByte('[')
		for i := 1; i <= n; i++ {
			if i > 1 {
				e.b.WriteByte(',')
			}
			e.value(t.RawGetInt(i), depth)
		}
		e.b.WriteByte(']')
		return
	}
	e.b.WriteByte('{')
	first := true
	t.ForEach(func(k, v lua.LValue) {
		if !first {
			e.b.WriteByte(',')
		}
		first = false
		switch kk := k.(type) {
		case lua.LString:
			e.str(string(kk))
		case lua.LNumber:
			e.b.WriteByte('"')
			e.number(float64(kk))
			e.b.WriteByte('"')
		default:
			e.fail(k, "table key must be a number or string")
		}
		e.b.WriteByte(':')
		e.value(v, depth)
	})
	e.b.WriteByte('}')
}

func (e *cjsonEncoder) str(s string) {
	b := &e.b
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '/':
			b.WriteString(`\/`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

// ---- decode ----

type jsonTokenKind int

const (
	tObjBegin jsonTokenKind = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tError
)

var jsonTokenNames = [...]string{"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
	"T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_ERROR"}

type jsonToken struct {
	kind jsonTokenKind
	pos  int // 0-based index of the token's first byte
	str  string
	num  float64
	b    bool
	err  string
}

type cjsonDecoder struct {
	L     *lua.LState
	cfg   *cjsonConfig
	data  string
	pos   int
	depth int
}

func cjsonDecode(L *lua.LState, cfg *cjsonConfig) int {
	if L.GetTop() != 1 {
		L.RaiseError("expected 1 argument")
	}
	d := &cjsonDecoder{L: L, cfg: cfg, data: checkString(L, 1, "decode")}
	tok := d.next()
	v := d.value(tok)
	if end := d.next(); end.kind != tEnd {
		d.unexpected("the end", end)
	}
	L.Push(v)
	return 1
}

func (d *cjsonDecoder) unexpected(what string, tok jsonToken) {
	found := jsonTokenNames[tok.kind]
	if tok.kind == tError {
		found = tok.err
	}
	d.L.RaiseError("Expected %s but found %s at character %d", what, found, tok.pos+1)
}

func (d *cjsonDecoder) next() jsonToken {
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			break
		}
		d.pos++
	}
	start := d.pos
	if d.pos >= len(d.data) {
		return jsonToken{kind: tEnd, pos: start}
	}
	c := d.data[d.pos]
	single := map[byte]jsonTokenKind{'{': tObjBegin, '}': tObjEnd, '[': tArrBegin, ']': tArrEnd, ':': tColon, ',': tComma}
	if k, ok := single[c]; ok {
		d.pos++
		return jsonToken{kind: k, pos: start}
	}
	switch {
	case c == '"':
		return d.string(start)
	case c == '-' || (c >= '0' && c <= '9') || (d.cfg.decodeInvalidNums && (c == 'i' || c == 'I' || c == 'n' || c == 'N' || c == '+')):
		if tok, ok := d.number(start); ok {
			return tok
		}
	}
	for _, lit := range []struct {
		word string
		tok  jsonToken
	}{{"true", jsonToken{kind: tBoolean, b: true}}, {"false", jsonToken{kind: tBoolean}}, {"null", jsonToken{kind: tNull}}} {
		if strings.HasPrefix(d.data[d.pos:], lit.word) {
			d.pos += len(lit.word)
			t := lit.tok
			t.pos = start
			return t
		}
	}
	return jsonToken{kind: tError, pos: start, err: "invalid token"}
}

// number scans the longest prefix C strtod accepts.
func (d *cjsonDecoder) number(start int) (jsonToken, bool) {
	s := d.data[start:]
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	rest := strings.ToLower(s[i:min(len(s), i+8)])
	switch {
	case strings.HasPrefix(rest, "infinity"):
		i += 8
	case strings.HasPrefix(rest, "inf"), strings.HasPrefix(rest, "nan"):
		i += 3
	case strings.HasPrefix(rest, "0x"):
		i += 2
		j := i
		for i < len(s) && (digitValue(s[i]) < 16 || s[i] == '.') {
			i++
		}
		if i == j {
			i = j - 1 // just "0"
		} else if i < len(s) && (s[i] == 'p' || s[i] == 'P') {
			k := i + 1
			if k < len(s) && (s[k] == '+' || s[k] == '-') {
				k++
			}
			if k < len(s) && s[k] >= '0' && s[k] <= '9' {
				for k < len(s) && s[k] >= '0' && s[k] <= '9' {
					k++
				}
				i = k
			}
		}
	default:
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i < len(s) && s[i] == '.' {
			i++
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
		}
		if i == j || (i == j+1 && s[j] == '.') {
			return jsonToken{}, false
		}
		if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
			k := i + 1
			if k < len(s) && (s[k] == '+' || s[k] == '-') {
				k++
			}
			if k < len(s) && s[k] >= '0' && s[k] <= '9' {
				for k < len(s) && s[k] >= '0' && s[k] <= '9' {
					k++
				}
				i = k
			}
		}
	}
	f, ok := str2d(s[:i])
	if !ok {
		return jsonToken{}, false
	}
	d.pos = start + i
	return jsonToken{kind: tNumber, pos: start, num: f}, true
}

func (d *cjsonDecoder) string(start int) jsonToken {
	var b strings.Builder
	i := start + 1
	for {
		if i >= len(d.data) {
			return jsonToken{kind: tError, pos: start, err: "unexpected end of string"}
		}
		c := d.data[i]
		if c == '"' {
			d.pos = i + 1
			return jsonToken{kind: tString, pos: start, str: b.String()}
		}
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(d.data) {
			return jsonToken{kind: tError, pos: start, err: "unexpected end of string"}
		}
		esc := d.data[i+1]
		i += 2
		switch esc {
		case '"', '\\', '/':
			b.WriteByte(esc)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, n, ok := decodeUnicodeEscape(d.data[i-2:])
			if !ok {
				return jsonToken{kind: tError, pos: start, err: "invalid unicode escape code"}
			}
			b.WriteString(string(r))
			i += n - 2
		default:
			return jsonToken{kind: tError, pos: start, err: "invalid escape code"}
		}
	}
}

// decodeUnicodeEscape reads \uXXXX (and a following low surrogate) at s,
// returning the code point and the bytes consumed.
func decodeUnicodeEscape(s string) (rune, int, bool) {
	hex4 := func(s string) (rune, bool) {
		if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(s[2:6], 16, 32)
		return rune(v), err == nil
	}
	r, ok := hex4(s)
	if !ok {
		return 0, 0, false
	}
	if r >= 0xdc00 && r <= 0xdfff {
		return 0, 0, false
	}
	if r >= 0xd800 && r <= 0xdbff {
		lo, ok := hex4(s[6:])
		if !ok || lo < 0xdc00 || lo > 0xdfff {
			return 0, 0, false
		}
		return (r-0xd800)<<10 | (lo - 0xdc00) + 0x10000, 12, true
	}
	if !utf8.ValidRune(r) {
		return utf8.RuneError, 6, true
	}
	return r, 6, true
}

func (d *cjsonDecoder) descend(tok jsonToken) {
	d.depth++
	if d.depth > d.cfg.decodeMaxDepth {
		d.L.RaiseError("Found too many nested data structures (%d) at character %d", d.depth, tok.pos+1)
	}
}

func (d *cjsonDecoder) value(tok jsonToken) lua.LValue {
	switch tok.kind {
	case tString:
		return lua.LString(tok.str)
	case tNumber:
		return lua.LNumber(tok.num)
	case tBoolean:
		return lua.LBool(tok.b)
	case tNull:
		return d.cfg.nullValue
	case tObjBegin:
		d.descend(tok)
		t := d.L.NewTable()
		k := d.next()
		if k.kind == tObjEnd {
			d.depth--
			return t
		}
		for {
			if k.kind != tString {
				d.unexpected("object key string", k)
			}
			if c := d.next(); c.kind != tColon {
				d.unexpected("colon", c)
			}
			t.RawSetString(k.str, d.value(d.next()))
			sep := d.next()
			if sep.kind == tObjEnd {
				break
			}
			if sep.kind != tComma {
				d.unexpected("comma or object end", sep)
			}
			k = d.next()
		}
		d.depth--
		return t
	case tArrBegin:
		d.descend(tok)
		t := d.L.NewTable()
		v := d.next()
		if v.kind == tArrEnd {
			d.depth--
			return t
		}
		for i := 1; ; i++ {
			t.RawSetInt(i, d.value(v))
			sep := d.next()
			if sep.kind == tArrEnd {
				break
			}
			if sep.kind != tComma {
				d.unexpected("comma or array end", sep)
			}
			v = d.next()
		}
		d.depth--
		return t
	}
	d.unexpected("value", tok)
	return lua.LNil
}
