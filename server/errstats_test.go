package server

import (
	"strconv"
	"strings"
	"testing"
)

// errorCode follows afterErrorReply: the first word, if a space ends it
// within the first 32 bytes of "-text", else ERR.
func TestErrorCode(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"WRONGTYPE Operation against a key", "WRONGTYPE"},
		{"NOSPACE", "ERR"},
		{"", "ERR"},
		{" leading space", ""},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZABCD x", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCD"}, // 30 bytes
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZABCDE x", "ERR"},                           // 31 bytes
	} {
		if got := errorCode([]byte(tc.text)); got != tc.want {
			t.Errorf("errorCode(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// Past 128 distinct codes errorstats holds ERRORSTATS_DISABLED only, and
// CONFIG RESETSTAT starts it again; total_error_replies counts throughout.
func TestErrorStatsLimit(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	c.must(":1\r\n", "EVAL", "for i = 1, 129 do redis.pcall('nosuch' .. i) end return 1", "0")
	c.must("*129\r\n"+repeatErr(129), "EVAL", "local t = {} for i = 1, 129 do t[i] = {err='C' .. i .. ' x'} end return t", "0")
	c.send(encode("INFO", "errorstats"))
	if got, want := c.readReply(), "# Errorstats\r\nerrorstat_ERRORSTATS_DISABLED:count=1\r\n"; !strings.Contains(got, want) {
		t.Fatalf("INFO errorstats = %q, want %q", got, want)
	}
	s.e.Lock()
	got, _ := s.errorTotal()
	s.e.Unlock()
	if got != 129+129 {
		t.Fatalf("total_error_replies = %d, want 258", got)
	}
	c.must("+OK\r\n", "CONFIG", "RESETSTAT")
	c.must("-C1 x\r\n", "EVAL", "return {err='C1 x'}", "0")
	c.send(encode("INFO", "errorstats"))
	if got, want := c.readReply(), "# Errorstats\r\nerrorstat_C1:count=1\r\n"; !strings.Contains(got, want) {
		t.Fatalf("INFO errorstats after RESETSTAT = %q, want %q", got, want)
	}
}

func repeatErr(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString("-C" + strconv.Itoa(i) + " x\r\n")
	}
	return b.String()
}

// A protocol error is an error reply (setProtocolError's addReplyError), so
// errorstats counts it also when it answers a connection's very first
// request, before any command set the writer up.
func TestProtocolErrorCounted(t *testing.T) {
	s := start(t, Config{})
	for _, tc := range []struct{ in, want string }{
		{"*x\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
		{"PING\r\n*1\r\n$x\r\n", "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"},
	} {
		c := dial(t, s)
		c.send([]byte(tc.in))
		c.closed(tc.want)
	}
	c := dial(t, s)
	c.send(encode("INFO", "errorstats"))
	if got, want := c.readReply(), "# Errorstats\r\nerrorstat_ERR:count=2\r\n"; !strings.Contains(got, want) {
		t.Fatalf("INFO errorstats = %q, want %q", got, want)
	}
}
