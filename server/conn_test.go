package server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every complete request is answered before the server waits for more
// input: blank lines, empty multibulks, a partial request or bytes read
// while a command was blocked never hold replies back (Redis answers each of
// these at once). The client sends nothing more after the input.
func TestRepliesNotWithheld(t *testing.T) {
	s := start(t, Config{})
	for _, tc := range []struct{ in, want string }{
		{"PING\r\n\r\n", "+PONG\r\n"},
		{"*1\r\n$4\r\nPING\r\n*0\r\n", "+PONG\r\n"},
		{"*1\r\n$4\r\nPING\r\n*-1\r\n", "+PONG\r\n"},
		{"PING\n\n", "+PONG\r\n"},
		{"PING\r\nPI", "+PONG\r\n"},
		{"PING\r\n*2\r\n$4\r\nECHO\r\n$10\r\nab", "+PONG\r\n"},
	} {
		t.Run(strconv.Quote(tc.in), func(t *testing.T) {
			c := dial(t, s)
			c.send([]byte(tc.in))
			if got := c.readReply(); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("AUTH then a partial request", func(t *testing.T) {
		s := start(t, Config{RequirePass: "secret"})
		c := dial(t, s)
		c.send([]byte("AUTH secret\r\n*11\r\n"))
		if got := c.readReply(); got != "+OK\r\n" {
			t.Fatalf("got %q", got)
		}
	})

	t.Run("blocked reply after trailing bytes", func(t *testing.T) {
		s := start(t, Config{})
		c, other := dial(t, s), dial(t, s)
		c.send([]byte("XREAD BLOCK 0 STREAMS bf $\r\n\r\n"))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.WaitBlocked(ctx, 1); err != nil {
			t.Fatal(err)
		}
		other.must("$3\r\n1-1\r\n", "XADD", "bf", "1-1", "f", "v")
		want := "*1\r\n*2\r\n$2\r\nbf\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
		if got := c.readReply(); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	})
}

// A client that writes a whole pipeline before reading any reply is served
// in full: the server reads on while its replies wait to be read. Each of
// the 10^6 INCRs is applied and answered.
func TestPipelineWrittenBeforeReading(t *testing.T) {
	const n = 1000000
	s := start(t, Config{})
	c := dial(t, s)
	one := encode("INCR", "counter")
	req := bytes.Repeat(one, n)
	c.nc.SetWriteDeadline(time.Now().Add(60 * time.Second))
	if _, err := c.nc.Write(req); err != nil {
		t.Fatalf("writing the pipeline: %v", err)
	}
	c.nc.SetReadDeadline(time.Now().Add(60 * time.Second))
	rd := bufio.NewReaderSize(c.nc, 64<<10)
	for i := 1; i <= n; i++ {
		line, err := rd.ReadSlice('\n')
		if err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		if want := ":" + strconv.Itoa(i) + "\r\n"; string(line) != want {
			t.Fatalf("reply %d: got %q, want %q", i, line, want)
		}
	}
	c.rd = rd
	c.must("$7\r\n1000000\r\n", "GET", "counter")
}

// clientField reads one field of a client's CLIENT LIST line.
func clientField(line, name string) int64 {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

// A bulk header announcing 512 MB reserves nothing: the query buffer grows
// with the bytes that arrive. Eight connections that sent such a header
// keep the reader's initial buffer (CLIENT LIST rbs), once the server has
// read their headers (qbuf).
func TestBulkHeaderReservesNothing(t *testing.T) {
	s := start(t, Config{})
	admin := dial(t, s)
	header := "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$536870912\r\n"
	var ids []string
	for i := 0; i < 8; i++ {
		c := dial(t, s)
		ids = append(ids, strings.TrimSuffix(strings.TrimPrefix(c.do("CLIENT", "ID"), ":"), "\r\n"))
		c.send([]byte(header))
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, id := range ids {
		for {
			line := admin.do("CLIENT", "LIST", "ID", id)
			if clientField(line, "qbuf") == int64(len(header)) {
				if rbs := clientField(line, "rbs"); rbs > readBufSize {
					t.Fatalf("client %s: read buffer %d bytes after a %d-byte header", id, rbs, len(header))
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("client %s: the server did not read the header: %q", id, line)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// Without a limit, a client that does not read keeps its replies queued
// (CLIENT LIST oll and omem show them) while the server reads on; when it
// reads, every reply comes whole and in order.
func TestOutputQueuedInOrder(t *testing.T) {
	s := start(t, Config{})
	admin := dial(t, s)
	const n, size = 64, 256 << 10
	for i := 0; i < n; i++ {
		admin.must("+OK\r\n", "SET", "k"+strconv.Itoa(i), strings.Repeat(string(rune('A'+i%26)), size))
	}
	c := dial(t, s)
	id := strings.TrimSuffix(strings.TrimPrefix(c.do("CLIENT", "ID"), ":"), "\r\n")
	var req []byte
	for i := 0; i < n; i++ {
		req = append(req, encode("GET", "k"+strconv.Itoa(i))...)
	}
	req = append(req, encode("PING")...)
	c.send(req)
	deadline := time.Now().Add(10 * time.Second)
	for {
		line := admin.do("CLIENT", "LIST", "ID", id)
		if clientField(line, "omem") > 0 && clientField(line, "oll") > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no queued output shown: %q", line)
		}
		time.Sleep(time.Millisecond)
	}
	admin.must("+PONG\r\n", "PING") // the server goes on meanwhile
	for i := 0; i < n; i++ {
		want := "$" + strconv.Itoa(size) + "\r\n" + strings.Repeat(string(rune('A'+i%26)), size) + "\r\n"
		if got := c.readReply(); got != want {
			t.Fatalf("reply %d: %d bytes, not the value", i, len(got))
		}
	}
	c.must("+PONG\r\n", "PING")
	if got := c.readReply(); got != "+PONG\r\n" {
		t.Fatalf("after the pipeline: %q", got)
	}
}

// With a hard output-buffer limit, a client that pipelines big replies and
// never reads is disconnected (checkClientOutputBufferLimits), and the
// others go on.
func TestOutputBufferHardLimit(t *testing.T) {
	s := start(t, Config{})
	admin := dial(t, s)
	admin.must("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0")
	admin.must("+OK\r\n", "SET", "big", strings.Repeat("x", 1<<20))
	c := dial(t, s)
	id := strings.TrimSuffix(strings.TrimPrefix(c.do("CLIENT", "ID"), ":"), "\r\n")
	// 64 MB of replies: more than the kernel's socket buffers hold.
	c.send(bytes.Repeat(encode("GET", "big"), 64))
	deadline := time.Now().Add(10 * time.Second)
	for admin.do("CLIENT", "LIST", "ID", id) != "$0\r\n\r\n" {
		if time.Now().After(deadline) {
			t.Fatalf("client %s still connected past the output limit", id)
		}
		time.Sleep(time.Millisecond)
	}
	admin.must("+PONG\r\n", "PING")
	if n := infoField(admin, "stats", "client_output_buffer_limit_disconnections"); n != "1" {
		t.Errorf("client_output_buffer_limit_disconnections = %s, want 1", n)
	}
}

// The soft limit closes a client that stays past it for more than
// soft-seconds; dropping under it starts the count over.
func TestOutputBufferSoftLimit(t *testing.T) {
	s := start(t, Config{})
	admin := dial(t, s)
	admin.must("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "normal 0 100 2")
	cn := &conn{s: s.Server}
	if cn.outputLimitReached(100) {
		t.Fatal("closed when first past the soft limit")
	}
	cn.out.softSince -= 2
	if cn.outputLimitReached(100) {
		t.Fatal("closed after 2s past a 2s soft limit")
	}
	cn.out.softSince--
	if !cn.outputLimitReached(100) {
		t.Fatal("not closed after 3s past a 2s soft limit")
	}
	if cn.outputLimitReached(99) || cn.out.softSince != 0 {
		t.Fatal("under the soft limit, the count goes on")
	}
}

func TestOutputBufferLimitConfig(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	get := func(want string) {
		t.Helper()
		c.must(fmt.Sprintf("*2\r\n$26\r\nclient-output-buffer-limit\r\n$%d\r\n%s\r\n", len(want), want),
			"CONFIG", "GET", "client-output-buffer-limit")
	}
	get("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60")
	c.must("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "NORMAL 1mb 2k 3 replica 1 2 3")
	get("normal 1048576 2000 3 slave 1 2 3 pubsub 33554432 8388608 60")
	c.must("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "")
	c.must("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 0 99999999999")
	get("normal 1048576 2000 3 slave 1 2 3 pubsub 0 0 1215752191")
	const pre = "-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - "
	for in, msg := range map[string]string{
		"normal  1mb 0 0": "Wrong number of arguments in buffer limit configuration.",
		"normal 1mb 0":    "Wrong number of arguments in buffer limit configuration.",
		"master 1 1 1":    "Invalid client class specified in buffer limit configuration.",
		"normal 1 -1 0":   "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
		"normal 1 1 -1":   "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
		"normal 1 1 1s":   "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
		"normal x 0 0":    "Error in hard, soft or soft_seconds setting in buffer limit configuration.",
	} {
		c.must(pre+msg+"\r\n", "CONFIG", "SET", "client-output-buffer-limit", in)
	}
	get("normal 1048576 2000 3 slave 1 2 3 pubsub 0 0 1215752191")
}

// A client that must still authenticate is closed once more than 1024
// bytes of its output are pending (8.0, CVE-2025-21605, redis/redis#13993),
// whatever client-output-buffer-limit says; the others go on.
func TestOutputLimitUnauthenticated(t *testing.T) {
	s := start(t, Config{RequirePass: "secret"})
	cn := &conn{s: s.Server}
	if cn.outputLimitReached(1024) || !cn.outputLimitReached(1025) {
		t.Fatal("unauthenticated: the limit is more than 1024 bytes")
	}
	cn.authenticated = true
	if cn.outputLimitReached(1 << 30) {
		t.Fatal("authenticated: closed with no limit configured")
	}

	admin := dial(t, s)
	admin.must("+OK\r\n", "AUTH", "secret")
	c := dial(t, s)
	if tc, ok := c.nc.(*net.TCPConn); ok {
		tc.SetReadBuffer(4096) // keep the kernel from taking it all
	}
	c.must("-NOAUTH Authentication required.\r\n", "PING")
	// 1M pipelined PINGs, never read: 34 MB of NOAUTH errors.
	go c.nc.Write(bytes.Repeat(encode("PING"), 1<<20))
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(admin.do("INFO", "clients"), "connected_clients:1\r\n") {
		if time.Now().After(deadline) {
			t.Fatal("unauthenticated client still connected with its output unread")
		}
		time.Sleep(time.Millisecond)
	}
	admin.must("+PONG\r\n", "PING")
}

// A reply suppressed by CLIENT REPLY SKIP or OFF stays suppressed when its
// command blocks: the replies before it in the batch are flushed while it
// waits, and only its own outcome is cut (found in review: the cut used the
// length from before the flush and sent old bytes again, or panicked).
func TestReplySuppressedAcrossBlockingWait(t *testing.T) {
	s := start(t, Config{})
	c := dial(t, s)
	a := strings.Repeat("a", 54)
	echo := "$54\r\n" + a + "\r\n"
	var req []byte
	req = append(req, encode("ECHO", a)...)
	req = append(req, encode("CLIENT", "REPLY", "SKIP")...)
	req = append(req, encode("XREAD", "BLOCK", "10", "STREAMS", "s", "$")...)
	req = append(req, encode("PING")...)
	c.send(req)
	for _, want := range []string{echo, "+PONG\r\n"} {
		if got := c.readReply(); got != want {
			t.Fatalf("SKIP: got %q, want %q", got, want)
		}
	}
	req = req[:0]
	req = append(req, encode("ECHO", a)...)
	req = append(req, encode("CLIENT", "REPLY", "OFF")...)
	req = append(req, encode("XREAD", "BLOCK", "10", "STREAMS", "s", "$")...)
	req = append(req, encode("CLIENT", "REPLY", "ON")...)
	req = append(req, encode("PING")...)
	c.send(req)
	for _, want := range []string{echo, "+OK\r\n", "+PONG\r\n"} {
		if got := c.readReply(); got != want {
			t.Fatalf("OFF: got %q, want %q", got, want)
		}
	}
}
