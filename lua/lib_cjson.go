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
	sparseConvert     int // 0 off, 1 on
	sparseRatio       int
	sparseSafe        int
	encodeInvalidNums int // 0 off, 1 on, 2 "null"
	decodeInvalidNums int // 0 off, 1 on
	encodeKeepBuffer  int // 0 off, 1 on
	// decodeArrayMT is decode_array_with_array_mt (Redis 8.4): decoded
	// arrays get arrayMT as their metatable.
	decodeArrayMT int // 0 off, 1 on
	nullValue     *lua.LUserData
	// arrayMT is the read-only metatable shared by every decoded array of
	// the State (a proxy of {__is_cjson_array = true}).
	arrayMT *lua.LTable
}

func defaultCJSONConfig() cjsonConfig {
	return cjsonConfig{encodeMaxDepth: 1000, decodeMaxDepth: 1000, precision: 14,
		sparseRatio: 2, sparseSafe: 10, decodeInvalidNums: 1, encodeKeepBuffer: 1}
}

// cjsonArrayMarker is the field of the array metatable that marks a table
// as a JSON array for the encoder.
const cjsonArrayMarker = "__is_cjson_array"

func (s *State) openCJSON() *lua.LTable {
	s.cjson.nullValue = s.L.NewUserData()
	amt := s.L.NewTable()
	amt.RawSetString(cjsonArrayMarker, lua.LTrue)
	s.cjson.arrayMT = s.protect(amt, lua.LNil)
	return s.newCJSON(&s.cjson)
}

var cjsonOnOff = []string{"off", "on"}

func (s *State) newCJSON(cfg *cjsonConfig) *lua.LTable {
	L := s.L
	t := L.NewTable()
	funcs := map[string]lua.LGFunction{
		"encode": func(L *lua.LState) int { return s.cjsonEncode(L, cfg) },
		"decode": func(L *lua.LState) int { return cjsonDecode(L, cfg) },
		"new": func(L *lua.LState) int {
			c := defaultCJSONConfig()
			c.nullValue = cfg.nullValue
			c.arrayMT = cfg.arrayMT
			L.Push(s.protect(s.newCJSON(&c), lua.LNil))
			return 1
		},
		"encode_max_depth": func(L *lua.LState) int {
			cjsonArgs(L, "encode_max_depth", 1)
			return cjsonIntOption(L, 1, "encode_max_depth", &cfg.encodeMaxDepth, 1, math.MaxInt32)
		},
		"decode_max_depth": func(L *lua.LState) int {
			cjsonArgs(L, "decode_max_depth", 1)
			return cjsonIntOption(L, 1, "decode_max_depth", &cfg.decodeMaxDepth, 1, math.MaxInt32)
		},
		"encode_number_precision": func(L *lua.LState) int {
			cjsonArgs(L, "encode_number_precision", 1)
			return cjsonIntOption(L, 1, "encode_number_precision", &cfg.precision, 1, 14)
		},
		"encode_keep_buffer": func(L *lua.LState) int {
			cjsonArgs(L, "encode_keep_buffer", 1)
			return cjsonEnumOption(L, 1, "encode_keep_buffer", &cfg.encodeKeepBuffer, cjsonOnOff)
		},
		"decode_invalid_numbers": func(L *lua.LState) int {
			cjsonArgs(L, "decode_invalid_numbers", 1)
			return cjsonEnumOption(L, 1, "decode_invalid_numbers", &cfg.decodeInvalidNums, cjsonOnOff)
		},
		"encode_invalid_numbers": func(L *lua.LState) int {
			cjsonArgs(L, "encode_invalid_numbers", 1)
			return cjsonEnumOption(L, 1, "encode_invalid_numbers", &cfg.encodeInvalidNums, []string{"off", "on", "null"})
		},
		"decode_array_with_array_mt": func(L *lua.LState) int {
			cjsonArgs(L, "decode_array_with_array_mt", 1)
			return cjsonEnumOption(L, 1, "decode_array_with_array_mt", &cfg.decodeArrayMT, cjsonOnOff)
		},
		"encode_sparse_array": func(L *lua.LState) int {
			cjsonArgs(L, "encode_sparse_array", 3)
			// Each argument is applied as it is checked: a bad third
			// argument leaves the first two set, as in lua-cjson.
			cjsonEnumOption(L, 1, "encode_sparse_array", &cfg.sparseConvert, cjsonOnOff)
			cjsonIntOption(L, 2, "encode_sparse_array", &cfg.sparseRatio, 0, math.MaxInt32)
			cjsonIntOption(L, 3, "encode_sparse_array", &cfg.sparseSafe, 0, math.MaxInt32)
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

// cjsonArgs refuses more than n arguments, as every lua-cjson
// configuration function does (even when the extra ones are nil), and pads
// the stack to n so that the values the options push come after them.
func cjsonArgs(L *lua.LState, fname string, n int) {
	if L.GetTop() > n {
		argError(L, n+1, fname, "found too many arguments")
	}
	L.SetTop(n)
}

// cjsonIntOption sets *v from argument idx unless it is nil or absent, and
// pushes the (new) value. The argument is read as luaL_checkinteger then
// stored in a C int, so it wraps modulo 2^32 before the range check; a value
// out of range is reported against argument #1 whatever idx is (lua-cjson's
// own quirk, visible in encode_sparse_array).
func cjsonIntOption(L *lua.LState, idx int, fname string, v *int, min, max int) int {
	if L.Get(idx) != lua.LNil {
		n := int32(checkInt(L, idx, fname))
		if int(n) < min || int(n) > max {
			argError(L, 1, fname, fmt.Sprintf("expected integer between %d and %d", min, max))
		}
		*v = int(n)
	}
	L.Push(lua.LNumber(*v))
	return 1
}

// cjsonEnumOption sets *v from argument idx unless it is nil or absent: a
// boolean gives 0 or 1, anything else must be a string (or a number,
// converted) naming one of options. It pushes the value as a boolean when it
// is 0 or 1 and as its option name otherwise.
func cjsonEnumOption(L *lua.LState, idx int, fname string, v *int, options []string) int {
	switch x := L.Get(idx).(type) {
	case *lua.LNilType:
	case lua.LBool:
		*v = 0
		if x {
			*v = 1
		}
	default:
		s, ok := toStr(x)
		if !ok {
			typeError(L, idx, fname, "string")
		}
		found := false
		for i, o := range options {
			if s == o {
				*v, found = i, true
				break
			}
		}
		if !found {
			argError(L, idx, fname, "invalid option '"+s+"'")
		}
	}
	if *v <= 1 {
		L.Push(lua.LBool(*v == 1))
	} else {
		L.Push(lua.LString(options[*v]))
	}
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
		argError(L, 1, "encode", "expected 1 argument")
	}
	e := &cjsonEncoder{s: s, L: L, cfg: cfg}
	e.value(L.Get(1), 0)
	L.Push(lua.LString(e.b.String()))
	return 1
}

func (e *cjsonEncoder) fail(v lua.LValue, reason string) {
	raiseError(e.L, "Cannot serialise %s: %s", v.Type().String(), reason)
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
		raiseError(e.L, "not enough memory")
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
			raiseError(e.L, "Cannot serialise, excessive nesting (%d)", depth)
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
		if e.cfg.sparseConvert == 0 {
			raiseError(e.L, "Cannot serialise table: excessively sparse array")
		}
		return -1
	}
	return max
}

// markedArray reports whether t's metatable marks it as a JSON array (its
// __is_cjson_array field is true, as in the metatable decode gives arrays
// under decode_array_with_array_mt).
func (e *cjsonEncoder) markedArray(t *lua.LTable) bool {
	mt, ok := t.Metatable.(*lua.LTable)
	if !ok {
		return false
	}
	return lua.LVAsBool(e.s.real(mt).RawGetString(cjsonArrayMarker))
}

// table writes t as an array when all its keys are positive integers
// (holes as null), and as an object otherwise; a table with no keys at all
// is an object ({}) unless its metatable marks it as an array ([]).
func (e *cjsonEncoder) table(t *lua.LTable, depth int) {
	n := e.arrayLength(t)
	if n == 0 && e.markedArray(t) {
		e.b.WriteString("[]")
		return
	}
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
	// Keys in next's order (array part, then insertion order), so that the
	// same table always encodes the same way; ForEach walks Go maps.
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
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
	}
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
		argError(L, 1, "decode", "expected 1 argument")
	}
	data := checkString(L, 1, "decode")
	// lua-cjson reads its input as a C string: a NUL byte ends it.
	if i := strings.IndexByte(data, 0); i >= 0 {
		data = data[:i]
	}
	d := &cjsonDecoder{L: L, cfg: cfg, data: data}
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
	raiseError(d.L, "Expected %s but found %s at character %d", what, found, tok.pos+1)
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
	var single jsonTokenKind = -1
	switch c {
	case '{':
		single = tObjBegin
	case '}':
		single = tObjEnd
	case '[':
		single = tArrBegin
	case ']':
		single = tArrEnd
	case ':':
		single = tColon
	case ',':
		single = tComma
	case '"':
		return d.string(start)
	}
	if single >= 0 {
		d.pos++
		return jsonToken{kind: single, pos: start}
	}
	// A token starting like a JSON number is a number or an error; with
	// decode_invalid_numbers off, forms JSON does not allow (hex, leading
	// zeros, inf, nan) are refused before they are parsed.
	if c == '-' || (c >= '0' && c <= '9') {
		if d.cfg.decodeInvalidNums == 0 && d.invalidNumber(start) {
			return jsonToken{kind: tError, pos: start, err: "invalid number"}
		}
		return d.number(start)
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
	// With decode_invalid_numbers on, a leading '+' and inf/nan (any case)
	// are numbers too.
	if d.cfg.decodeInvalidNums == 1 && d.invalidNumber(start) {
		return d.number(start)
	}
	return jsonToken{kind: tError, pos: start, err: "invalid token"}
}

// invalidNumber reports whether the text at i is a number form JSON does
// not allow: a leading '+', hex, a leading zero followed by a digit, or
// inf/nan in any case (after an optional '-').
func (d *cjsonDecoder) invalidNumber(i int) bool {
	s := d.data[i:]
	if s[0] == '+' {
		return true
	}
	if s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	if s[0] == '0' {
		return len(s) > 1 && (s[1]|0x20 == 'x' || (s[1] >= '0' && s[1] <= '9'))
	}
	if s[0] <= '9' {
		return false
	}
	p := strings.ToLower(s[:min(3, len(s))])
	return p == "inf" || p == "nan"
}

// number scans the longest prefix C strtod accepts; none is an "invalid
// number" at the token's start.
func (d *cjsonDecoder) number(start int) jsonToken {
	if tok, ok := d.strtod(start); ok {
		return tok
	}
	return jsonToken{kind: tError, pos: start, err: "invalid number"}
}

func (d *cjsonDecoder) strtod(start int) (jsonToken, bool) {
	s := d.data[start:]
	if f, n, ok := strtodNaN(s); ok {
		d.pos = start + n
		return jsonToken{kind: tNumber, pos: start, num: f}, true
	}
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
		digits, dot := 0, false
		for i < len(s) && (digitValue(s[i]) < 16 || (s[i] == '.' && !dot)) {
			if s[i] == '.' {
				dot = true
			} else {
				digits++
			}
			i++
		}
		if digits == 0 {
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

// string reads a string token. Its errors are reported where they are
// found: the end of the input, or the backslash of a bad escape.
func (d *cjsonDecoder) string(start int) jsonToken {
	var b strings.Builder
	i := start + 1
	for {
		if i >= len(d.data) {
			return jsonToken{kind: tError, pos: i, err: "unexpected end of string"}
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
			return jsonToken{kind: tError, pos: i, err: "invalid escape code"}
		}
		switch esc := d.data[i+1]; esc {
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
			r, n, ok := decodeUnicodeEscape(d.data[i:])
			if !ok {
				return jsonToken{kind: tError, pos: i, err: "invalid unicode escape code"}
			}
			b.WriteString(string(r))
			i += n
			continue
		default:
			return jsonToken{kind: tError, pos: i, err: "invalid escape code"}
		}
		i += 2
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
		raiseError(d.L, "Found too many nested data structures (%d) at character %d", d.depth, tok.pos+1)
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
		if d.cfg.decodeArrayMT == 1 {
			t.Metatable = d.cfg.arrayMT
		}
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
