package server

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// infoValue is the value of field in the INFO reply info (infoField asks
// for a new one, which these counters would see).
func infoValue(t *testing.T, info, field string) string {
	t.Helper()
	_, rest, ok := strings.Cut(info, "\r\n"+field+":")
	if !ok {
		t.Fatalf("INFO lacks %s: %q", field, info)
	}
	v, _, _ := strings.Cut(rest, "\r\n")
	return v
}

// INFO stats and threads count what the connections read and wrote: the
// bytes (total_net_input_bytes, total_net_output_bytes), the reads and
// writes (total_reads_processed, io_thread_0's reads and writes), the
// requests parsed and the reads that brought them (avg_pipeline_length_*),
// and the commands run (total_commands_processed: a rejected one does not
// count). CONFIG RESETSTAT clears them.
func TestInfoIOCounters(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	sent, got := 0, 0
	do := func(want string, args ...string) {
		req := encode(args...)
		sent += len(req)
		got += len(want)
		c.must(want, args...)
	}
	do("+PONG\r\n", "PING")
	do("+OK\r\n", "SET", "k", "v")
	do("-ERR unknown command 'NOSUCH', with args beginning with: \r\n", "NOSUCH")
	// Two requests in one write: one read (the server has answered all
	// before), one batch of two.
	two := append(encode("GET", "k"), encode("GET", "k")...)
	sent += len(two)
	got += 2 * len("$1\r\nv\r\n")
	c.send(two)
	if r := c.readReply() + c.readReply(); r != "$1\r\nv\r\n$1\r\nv\r\n" {
		t.Fatalf("GET GET = %q", r)
	}
	info := c.do("INFO", "stats", "threads")
	sent += len(encode("INFO", "stats", "threads"))
	for field, want := range map[string]string{
		"total_net_input_bytes":    strconv.Itoa(sent),
		"total_net_output_bytes":   strconv.Itoa(got),
		"total_commands_processed": "4",
		"total_reads_processed":    "5",
		"total_writes_processed":   "4",
		"avg_pipeline_length_sum":  "6",
		"avg_pipeline_length_cnt":  "5",
		"avg_pipeline_length":      "1.20",
		"io_thread_0":              "clients=1,reads=5,writes=4",
	} {
		if v := infoValue(t, info, field); v != want {
			t.Errorf("%s = %s, want %s", field, v, want)
		}
	}
	c.must("+OK\r\n", "CONFIG", "RESETSTAT")
	info = c.do("INFO", "stats")
	for field, want := range map[string]string{
		"total_net_input_bytes":   strconv.Itoa(len(encode("INFO", "stats"))),
		"total_net_output_bytes":  "5", // RESETSTAT's own +OK, written after the reset
		"total_reads_processed":   "1",
		"avg_pipeline_length_cnt": "1",
	} {
		if v := infoValue(t, info, field); v != want {
			t.Errorf("after RESETSTAT %s = %s, want %s", field, v, want)
		}
	}
}

// The latency histogram reports what Redis's HDR histogram (2 significant
// digits, nanoseconds) reports: the highest value of the bucket the
// percentile falls in, so 1 µs prints as 1.003 and 2 µs as 2.007.
func TestLatencyPercentiles(t *testing.T) {
	var h latencyHist
	for _, tc := range []struct {
		d    time.Duration
		want int64
	}{
		{0, 1}, {time.Nanosecond, 1}, {255, 255}, {256, 257}, {time.Microsecond, 1003},
		{2 * time.Microsecond, 2007}, {10 * time.Microsecond, 10047}, {2 * time.Second, 1002438655},
	} {
		h = latencyHist{}
		h.record(tc.d)
		for _, p := range latencyPercentiles {
			if got := h.valueAt(p.p); got != tc.want {
				t.Errorf("%v at p%s = %d, want %d", tc.d, p.label, got, tc.want)
			}
		}
	}
	// 100 calls of 1..100 µs: p50 is the 50th, p99 the 99th, p99.9 the 100th.
	h = latencyHist{}
	for i := 1; i <= 100; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		p    float64
		want int64
	}{{50, 50175}, {99, 99327}, {99.9, 100351}} {
		if got := h.valueAt(tc.p); got != tc.want {
			t.Errorf("p%v = %d, want %d", tc.p, got, tc.want)
		}
	}
}

// A failed AUTH or HELLO AUTH counts in acl_access_denied_auth
// (ACLAuthenticateUser's user_auth_failures), which CONFIG RESETSTAT keeps.
func TestAuthFailuresCounted(t *testing.T) {
	s := start(t, Config{RequirePass: "secret"})
	c := dial(t, s)
	c.must("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "nope")
	c.must("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "AUTH", "someone", "secret")
	c.must("-WRONGPASS invalid username-password pair or user is disabled.\r\n", "HELLO", "2", "AUTH", "default", "nope")
	c.must("+OK\r\n", "AUTH", "secret")
	c.must("+OK\r\n", "CONFIG", "RESETSTAT")
	if n := infoField(c, "stats", "acl_access_denied_auth"); n != "3" {
		t.Errorf("acl_access_denied_auth = %s, want 3", n)
	}
}
