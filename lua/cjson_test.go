package lua

import (
	"strings"
	"testing"
)

// cjsonCase runs src on a fresh State (as after SCRIPT FLUSH) and compares
// the RESP2 reply.
type cjsonCase struct{ name, src, want string }

func runCJSONCases(t *testing.T, cases []cjsonCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if got := h.eval(tc.src); got != tc.want {
				t.Fatalf("%s\n got %q\nwant %q", tc.src, got, tc.want)
			}
		})
	}
}

func cjsonArgErr(n int, fname, msg string) string {
	return scriptErr("ERR user_script:1: bad argument #" + string(rune('0'+n)) + " to '" + fname + "' (" + msg + ")")
}

// decode_array_with_array_mt (Redis 8.4): the vectors of the PR's tests plus
// the behaviour around them.
func TestCJSONDecodeArrayWithArrayMT(t *testing.T) {
	on := "cjson.decode_array_with_array_mt(true) "
	runCJSONCases(t, []cjsonCase{
		{"default off", "return tostring(cjson.decode_array_with_array_mt())", bulk("false")},
		{"returns new value", "return tostring(cjson.decode_array_with_array_mt(true))", bulk("true")},
		{"on/off strings", "cjson.decode_array_with_array_mt('on') local a = cjson.decode_array_with_array_mt() cjson.decode_array_with_array_mt('off') return tostring(a) .. tostring(cjson.decode_array_with_array_mt())", bulk("truefalse")},
		{"nil keeps", on + "return tostring(cjson.decode_array_with_array_mt(nil))", bulk("true")},
		{"too many args", "cjson.decode_array_with_array_mt(true, nil)", cjsonArgErr(2, "decode_array_with_array_mt", "found too many arguments")},
		{"bad option", "cjson.decode_array_with_array_mt('yes')", cjsonArgErr(1, "decode_array_with_array_mt", "invalid option 'yes'")},
		{"number option", "cjson.decode_array_with_array_mt(1)", cjsonArgErr(1, "decode_array_with_array_mt", "invalid option '1'")},
		{"table option", "cjson.decode_array_with_array_mt({})", cjsonArgErr(1, "decode_array_with_array_mt", "string expected, got table")},
		{"off: [] is {}", "return cjson.encode(cjson.decode('[]'))", bulk("{}")},
		{"off: nested", "return cjson.encode(cjson.decode('{\"item\": []}'))", bulk(`{"item":{}}`)},
		{"on: []", on + "return cjson.encode(cjson.decode('[]'))", bulk("[]")},
		{"on: nested", on + "return cjson.encode(cjson.decode('{\"item\": []}'))", bulk(`{"item":[]}`)},
		{"on: objects stay objects", on + "return cjson.encode(cjson.decode('[[],{},[[]]]'))", bulk("[[],{},[[]]]")},
		{"off: emptied array", "local t = cjson.decode('[1, 2]') t[1] = nil t[2] = nil return cjson.encode(t)", bulk("{}")},
		{"on: emptied array", on + "local t = cjson.decode('[1, 2]') t[1] = nil t[2] = nil return cjson.encode(t)", bulk("[]")},
		{"on: grown array", on + "local t = cjson.decode('[]') t[1] = 'a' t[2] = 2 return cjson.encode(t)", bulk(`["a",2]`)},
		{"on: hash key makes object", on + "local t = cjson.decode('[]') t.x = 1 return cjson.encode(t)", bulk(`{"x":1}`)},
		{"on: metatable removed", on + "local t = cjson.decode('[]') setmetatable(t, nil) return cjson.encode(t)", bulk("{}")},
		{"marks outlive the setting", on + "local t = cjson.decode('[]') cjson.decode_array_with_array_mt(false) return cjson.encode(t) .. cjson.encode(cjson.decode('[]'))", bulk("[]{}")},
		{"shared metatable", on + "local t = cjson.decode('[[],[1],{\"a\":[]}]') local mt = getmetatable(t) return tostring(type(mt) == 'table' and mt == getmetatable(t[1]) and mt == getmetatable(t[2]) and mt == getmetatable(t[3].a) and getmetatable(t[3]) == nil)", bulk("true")},
		{"no metatable when off", "return tostring(getmetatable(cjson.decode('[]')))", bulk("nil")},
		{"marker", on + "local mt = getmetatable(cjson.decode('[]')) return {tostring(mt.__is_cjson_array), tostring(getmetatable(mt))}", "*2\r\n" + bulk("true") + bulk("nil")},
		{"metatable read-only", on + "\nlocal t = cjson.decode('[]')\ngetmetatable(t).__is_cjson_array = function() return 1 end\nreturn cjson.encode(t)", "-ERR user_script:3: Attempt to modify a readonly table script: " + testSHA + ", on @user_script:3.\r\n"},
		{"metatable rawset", on + "rawset(getmetatable(cjson.decode('[]')), 'x', 1)", scriptErr("ERR Attempt to modify a readonly table")},
		{"metatable setmetatable", on + "setmetatable(getmetatable(cjson.decode('[]')), {})", scriptErr("ERR Attempt to modify a readonly table")},
		{"metatable survives attempts", on + "pcall(function() getmetatable(cjson.decode('[]')).__is_cjson_array = false end) return cjson.encode(cjson.decode('[]'))", bulk("[]")},
		{"foreign marker", "return cjson.encode(setmetatable({}, {__is_cjson_array = true})) .. cjson.encode(setmetatable({}, {__is_cjson_array = false}))", bulk("[]{}")},
		{"reply is a plain array", on + "return cjson.decode('[1,[2,[]]]')", "*2\r\n:1\r\n*2\r\n:2\r\n*0\r\n"},
		{"new instance has its own setting", "local c = cjson.new() c.decode_array_with_array_mt(true) return c.encode(c.decode('[]')) .. cjson.encode(cjson.decode('[]')) .. tostring(cjson.new().decode_array_with_array_mt())", bulk("[]{}false")},
	})
}

// The setting lives as long as the State: later scripts see it, a new State
// (SCRIPT FLUSH) starts without it.
func TestCJSONArrayMTPersistence(t *testing.T) {
	h := newHarness(t)
	h.eval("cjson.decode_array_with_array_mt(true)")
	if got := h.eval("return cjson.encode(cjson.decode('[]'))"); got != bulk("[]") {
		t.Fatalf("setting did not persist: %q", got)
	}
	h2 := newHarness(t)
	if got := h2.eval("return cjson.encode(cjson.decode('[]'))"); got != bulk("{}") {
		t.Fatalf("fresh State: %q", got)
	}
}

// The configuration functions check their arguments as lua-cjson does.
func TestCJSONSettingArguments(t *testing.T) {
	runCJSONCases(t, []cjsonCase{
		{"extra nil argument", "cjson.encode_keep_buffer('on', nil)", cjsonArgErr(2, "encode_keep_buffer", "found too many arguments")},
		{"sparse extra", "cjson.encode_sparse_array(true, 1, 2, 3)", cjsonArgErr(4, "encode_sparse_array", "found too many arguments")},
		{"enum number", "cjson.encode_invalid_numbers(2)", cjsonArgErr(1, "encode_invalid_numbers", "invalid option '2'")},
		{"enum null", "return cjson.encode_invalid_numbers('null') .. cjson.encode(1/0)", bulk("nullnull")},
		{"enum table", "cjson.encode_keep_buffer({})", cjsonArgErr(1, "encode_keep_buffer", "string expected, got table")},
		{"int range", "cjson.encode_max_depth(0)", cjsonArgErr(1, "encode_max_depth", "expected integer between 1 and 2147483647")},
		{"int wraps to C int", "return cjson.encode_max_depth(2^32+5)", ":5\r\n"},
		{"int truncates", "return cjson.encode_number_precision(1.9)", ":1\r\n"},
		{"int string", "return cjson.encode_max_depth('7')", ":7\r\n"},
		{"int type", "cjson.encode_max_depth('x')", cjsonArgErr(1, "encode_max_depth", "number expected, got string")},
		{"range error names argument 1", "cjson.encode_sparse_array(true, -1)", cjsonArgErr(1, "encode_sparse_array", "expected integer between 0 and 2147483647")},
		{"sparse sets in order", "pcall(function() cjson.encode_sparse_array('on', 1, -5) end) local a, b, c = cjson.encode_sparse_array() return {tostring(a), b, c}", "*3\r\n" + bulk("true") + ":1\r\n:10\r\n"},
		{"sparse nils keep", "local a, b, c = cjson.encode_sparse_array(nil, '3') return {tostring(a), b, c}", "*3\r\n" + bulk("false") + ":3\r\n:10\r\n"},
		{"encode arity", "cjson.encode()", cjsonArgErr(1, "encode", "expected 1 argument")},
		{"decode arity", "cjson.decode('1', 2)", cjsonArgErr(1, "decode", "expected 1 argument")},
	})
}

// Decoding errors name what was found where it was found; the input ends
// at a NUL byte; numbers are read as strtod reads them.
func TestCJSONDecodeDetails(t *testing.T) {
	dec := func(json string) string {
		return "local ok, e = pcall(function() return cjson.decode('" + json + "') end) return e"
	}
	msg := func(s string) string { return bulk("user_script:1: " + s) }
	runCJSONCases(t, []cjsonCase{
		{"bad escape", dec(`"ab\\x"`), msg("Expected value but found invalid escape code at character 4")},
		{"unterminated", dec(`[1, "ab`), msg("Expected value but found unexpected end of string at character 8")},
		{"backslash at end", dec(`"a\\`), msg("Expected value but found invalid escape code at character 3")},
		{"bad unicode", dec(`"a\\ud800\\u0041"`), msg("Expected value but found invalid unicode escape code at character 3")},
		{"bad number", dec("-x"), msg("Expected value but found invalid number at character 1")},
		{"plus without digits", dec("+x"), msg("Expected value but found invalid number at character 1")},
		{"not a token", dec("nax"), msg("Expected value but found invalid token at character 1")},
		{"NUL ends input", "return cjson.decode('[1]\\0x')", "*1\r\n:1\r\n"},
		{"NUL in string", dec(`"a\0b"`), msg("Expected value but found unexpected end of string at character 3")},
		{"escaped NUL kept", "return #cjson.decode('\"\\\\u0000x\"')", ":2\r\n"},
		{"signed nan", "return tostring(cjson.decode('-nan')) .. tostring(cjson.decode('nan(x_1)'))", bulk("-nannan")},
		{"hex with one dot", "return tostring(cjson.decode('0x.8'))", bulk("0.5")},
		{"hex without digits", dec("0x."), msg("Expected the end but found invalid token at character 2")},
		{"strict: leading zero", "cjson.decode_invalid_numbers(false) " + dec("01"), msg("Expected value but found invalid number at character 1")},
		{"strict: hex", "cjson.decode_invalid_numbers(false) " + dec("-0x1"), msg("Expected value but found invalid number at character 1")},
		{"strict: inf", "cjson.decode_invalid_numbers(false) " + dec("inf"), msg("Expected value but found invalid token at character 1")},
		{"strict: -inf", "cjson.decode_invalid_numbers(false) " + dec("-inf"), msg("Expected value but found invalid number at character 1")},
		{"strict: plus", "cjson.decode_invalid_numbers(false) " + dec("+1"), msg("Expected value but found invalid token at character 1")},
		{"strict: plain", "cjson.decode_invalid_numbers(false) return tostring(cjson.decode('[-0.5e1]')[1])", bulk("-5")},
	})
}

// Objects encode their keys in next's order, the same on every run.
func TestCJSONEncodeKeyOrderStable(t *testing.T) {
	h := newHarness(t)
	first := h.eval("return cjson.encode(cjson.decode('{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}'))")
	for i := 0; i < 20; i++ {
		if got := h.eval("return cjson.encode(cjson.decode('{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}'))"); got != first {
			t.Fatalf("run %d: %q, first %q", i, got, first)
		}
	}
	if !strings.Contains(first, `"a":1`) || !strings.Contains(first, `"e":5`) {
		t.Fatalf("got %q", first)
	}
}
