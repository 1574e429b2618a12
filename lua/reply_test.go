package lua

import (
	"strings"
	"testing"
)

// Command reply → Lua value (redis.call), for both redis.setresp levels,
// checked by serialising the Lua value with a small Lua printer.
func TestReplyToLua(t *testing.T) {
	const dump = `local function d(v)
  if type(v) == 'table' then
    local keys = {}
    for k in pairs(v) do keys[#keys+1] = tostring(k) end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do
      local val = v[k]
      if val == nil then val = v[tonumber(k)] end
      parts[#parts+1] = k .. '=' .. d(val)
    end
    return '{' .. table.concat(parts, ',') .. '}'
  end
  return type(v) .. ':' .. tostring(v)
end
`
	cases := []struct{ name, cmd, resp2, resp3 string }{
		{"bulk", "'echo','x'", "string:x", "string:x"},
		{"status", "'ping'", "{ok=string:PONG}", "{ok=string:PONG}"},
		{"int", "'int','42'", "number:42", "number:42"},
		{"null", "'nil'", "boolean:false", "nil:nil"},
		{"null array", "'nilarray'", "boolean:false", "nil:nil"},
		{"mixed array", "'mixed'", "{1=number:1,2=string:two,3=boolean:false,4={1={ok=string:OK},2={err=string:WRONGTYPE inner,ignore_error_stats_update=boolean:true}},5={}}",
			"{1=number:1,2=string:two,4={1={ok=string:OK},2={err=string:WRONGTYPE inner,ignore_error_stats_update=boolean:true}},5={}}"},
		{"map", "'map'", "{1=string:a,2=number:1,3=string:b,4=string:x}", "{map={a=number:1,b=string:x}}"},
		{"pairmap", "'pairmap'", "{1={1=string:k,2={1=string:v}}}", "{map={k={1=string:v}}}"},
		{"set", "'set'", "{1=string:m1,2=string:m2}", "{set={m1=boolean:true,m2=boolean:true}}"},
		{"double", "'double'", "string:3.5", "{double=number:3.5}"},
		{"bool true", "'bool','1'", "number:1", "boolean:true"},
		{"bool false", "'bool','0'", "number:0", "boolean:false"},
		{"big number", "'big'", "string:12345678901234567890", "{big_number=string:12345678901234567890}"},
		{"verbatim", "'verbatim'", "string:hello", "{verbatim_string={format=string:txt,string=string:hello}}"},
		{"error via pcall", "'incr'", "{err=string:ERR value is not an integer or out of range,ignore_error_stats_update=boolean:true}", "{err=string:ERR value is not an integer or out of range,ignore_error_stats_update=boolean:true}"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			for _, p := range []struct {
				set, want string
			}{{"", tc.resp2}, {"redis.setresp(3) ", tc.resp3}} {
				got := h.eval(dump + p.set + "return d(redis.pcall(" + tc.cmd + "))")
				if got != bulk(p.want) {
					t.Errorf("%s%s\n got %q\nwant %q", p.set, tc.cmd, got, bulk(p.want))
				}
			}
		})
	}
}

// Lua value → client reply, for RESP2 and RESP3 clients and both
// redis.setresp levels.
func TestLuaToReply(t *testing.T) {
	cases := []struct{ name, src, resp2, resp3 string }{
		{"integer", "return 3.99", ":3\r\n", ":3\r\n"},
		{"negative", "return -3.99", ":-3\r\n", ":-3\r\n"},
		{"inf", "return 1/0", ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
		{"string", "return 'x'", bulk("x"), bulk("x")},
		{"true", "return true", ":1\r\n", ":1\r\n"},
		{"false", "return false", "$-1\r\n", "_\r\n"},
		{"nil", "return nil", "$-1\r\n", "_\r\n"},
		{"no return", "local x = 1", "$-1\r\n", "_\r\n"},
		{"true resp3", "redis.setresp(3) return true", ":1\r\n", "#t\r\n"},
		{"false resp3", "redis.setresp(3) return false", ":0\r\n", "#f\r\n"},
		{"array stops at nil", "return {1,2,nil,4}", "*2\r\n:1\r\n:2\r\n", "*2\r\n:1\r\n:2\r\n"},
		{"hash part ignored", "return {1,2,a=3}", "*2\r\n:1\r\n:2\r\n", "*2\r\n:1\r\n:2\r\n"},
		{"err", "return {err='X y'}", "-X y\r\n", "-X y\r\n"},
		{"err non-string", "return {err=1}", "*0\r\n", "*0\r\n"},
		{"ok", "return {ok='fine'}", "+fine\r\n", "+fine\r\n"},
		{"ok CRLF", "return {ok='a\\r\\nb'}", "+a  b\r\n", "+a  b\r\n"},
		{"double", "return {double=3.14}", bulk("3.1400000000000001"), ",3.1400000000000001\r\n"},
		{"double inf", "return {double=1/0}", bulk("inf"), ",inf\r\n"},
		{"big_number", "return {big_number='123'}", bulk("123"), "(123\r\n"},
		{"verbatim", "return {verbatim_string={format='txt', string='hello'}}", bulk("hello"), "=9\r\ntxt:hello\r\n"},
		{"map", "return {map={a=1}}", "*2\r\n$1\r\na\r\n:1\r\n", "%1\r\n$1\r\na\r\n:1\r\n"},
		{"set", "return {set={a=true}}", "*1\r\n$1\r\na\r\n", "~1\r\n$1\r\na\r\n"},
		{"nested err", "return {1, {err='E x'}}", "*2\r\n:1\r\n-E x\r\n", "*2\r\n:1\r\n-E x\r\n"},
		{"multiple returns", "return 1, 2", ":1\r\n", ":1\r\n"},
		{"function", "return function() end", "$-1\r\n", "_\r\n"},
		{"cjson.null", "return cjson.null", "$-1\r\n", "_\r\n"},
		{"self reference", "local t = {} t[1] = t return t", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			for proto, want := range map[int]string{2: tc.resp2, 3: tc.resp3} {
				got := h.evalProto(proto, tc.src, nil, nil)
				if want == "" {
					// Only check it terminates with the stack-limit error inside.
					if !containsStr(got, "-ERR reached lua stack limit\r\n") {
						t.Errorf("RESP%d %s: got %.80q", proto, tc.src, got)
					}
					continue
				}
				if got != want {
					t.Errorf("RESP%d %s\n got %q\nwant %q", proto, tc.src, got, want)
				}
			}
		})
	}
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestKeysArgv(t *testing.T) {
	h := newHarness(t)
	got := h.evalProto(2, "return {KEYS[1], ARGV[1], ARGV[2], #KEYS}", []string{"k"}, []string{"a", "b"})
	if want := "*4\r\n$1\r\nk\r\n$1\r\na\r\n$1\r\nb\r\n:1\r\n"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

// A reply is converted on Lua's 8000-slot C stack as redis-server does it
// (luaReplyToRedisReply): a value without room for 4 more slots becomes
// "reached lua stack limit" in its place. The depths and bytes are
// redis-server 7.0.15's and 8.0's (reply lengths 31980, 32010, 29308, 29368,
// 10660 and 10690 bytes).
func TestReplyStackLimit(t *testing.T) {
	const stackErr = "-ERR reached lua stack limit\r\n"
	h := newHarness(t)
	for _, tc := range []struct {
		src          string
		resp2, resp3 string
	}{
		{"local t = 1 for i = 1, 7994 do t = {t} end return t",
			strings.Repeat("*1\r\n", 7994) + ":1\r\n", strings.Repeat("*1\r\n", 7994) + ":1\r\n"},
		{"local t = 1 for i = 1, 7995 do t = {t} end return t",
			strings.Repeat("*1\r\n", 7995) + stackErr, strings.Repeat("*1\r\n", 7995) + stackErr},
		{"local t = 1 for i = 1, 2664 do t = {map = {k = t}} end return t",
			strings.Repeat("*2\r\n$1\r\nk\r\n", 2664) + ":1\r\n", strings.Repeat("%1\r\n$1\r\nk\r\n", 2664) + ":1\r\n"},
		{"local t = 1 for i = 1, 2665 do t = {map = {k = t}} end return t",
			strings.Repeat("*2\r\n$1\r\nk\r\n", 2664) + "*2\r\n" + stackErr + stackErr,
			strings.Repeat("%1\r\n$1\r\nk\r\n", 2664) + "%1\r\n" + stackErr + stackErr},
		{"local t = 1 for i = 1, 2664 do t = {set = {[t] = true}} end return t",
			strings.Repeat("*1\r\n", 2664) + ":1\r\n", strings.Repeat("~1\r\n", 2664) + ":1\r\n"},
		{"local t = 1 for i = 1, 2665 do t = {set = {[t] = true}} end return t",
			strings.Repeat("*1\r\n", 2665) + stackErr, strings.Repeat("~1\r\n", 2665) + stackErr},
	} {
		for proto, want := range map[int]string{2: tc.resp2, 3: tc.resp3} {
			if got := h.evalProto(proto, tc.src, nil, nil); got != want {
				t.Errorf("RESP%d %s: got %d bytes ending %q, want %d ending %q", proto, tc.src,
					len(got), got[max(0, len(got)-40):], len(want), want[max(0, len(want)-40):])
			}
		}
	}
}
