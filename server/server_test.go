package server

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent/engine"
)

// testServer is a server listening on addr.
type testServer struct {
	*Server
	addr string
}

// start serves a fresh engine on 127.0.0.1:0 until the test ends.
func start(t *testing.T, cfg Config) *testServer {
	t.Helper()
	return startEngine(t, cfg, engine.New(engine.Options{}))
}

// startEngine is start with a given engine (a manual clock, say).
func startEngine(t *testing.T, cfg Config, e *engine.Engine) *testServer {
	t.Helper()
	s := New(cfg, e)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() {
		s.Close()
		if err := <-done; err != ErrServerClosed {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return &testServer{s, l.Addr().String()}
}

// client is a raw RESP connection.
type client struct {
	t  *testing.T
	nc net.Conn
	rd *bufio.Reader
	// wait bounds each reply (5s when zero): a deadline against hangs, not
	// a speed check, so slow work under -race may raise it.
	wait time.Duration
}

func dial(t *testing.T, s *testServer) *client {
	t.Helper()
	nc, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, rd: bufio.NewReader(nc)}
}

// encode builds a multibulk request from words.
func encode(args ...string) []byte {
	var b []byte
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

func (c *client) send(raw []byte) {
	c.t.Helper()
	if _, err := c.nc.Write(raw); err != nil {
		c.t.Fatal(err)
	}
}

// readReply reads one complete RESP2/RESP3 reply, raw.
func (c *client) readReply() string {
	c.t.Helper()
	wait := c.wait
	if wait == 0 {
		wait = 5 * time.Second
	}
	c.nc.SetReadDeadline(time.Now().Add(wait))
	var out bytes.Buffer
	if err := readValue(c.rd, &out); err != nil {
		c.t.Fatalf("reading reply: %v (got so far %q)", err, out.String())
	}
	return out.String()
}

func readValue(rd *bufio.Reader, out *bytes.Buffer) error {
	line, err := rd.ReadString('\n')
	if err != nil {
		return err
	}
	out.WriteString(line)
	body := strings.TrimSuffix(line[1:], "\r\n")
	switch line[0] {
	case '$', '=':
		n, _ := strconv.Atoi(body)
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return err
		}
		out.Write(buf)
	case '*', '~', '>', '%':
		n, _ := strconv.Atoi(body)
		if line[0] == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			if err := readValue(rd, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// do sends a command and returns its raw reply.
func (c *client) do(args ...string) string {
	c.t.Helper()
	c.send(encode(args...))
	return c.readReply()
}

// must checks the raw reply to a command.
func (c *client) must(want string, args ...string) {
	c.t.Helper()
	if got := c.do(args...); got != want {
		c.t.Errorf("%q: got %q, want %q", args, got, want)
	}
}

// closed checks that the server closes the connection, after the bytes want.
func (c *client) closed(want string) {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(c.rd)
	if err != nil {
		c.t.Fatalf("waiting for close: %v (got %q)", err, got)
	}
	if string(got) != want {
		c.t.Errorf("before close: got %q, want %q", got, want)
	}
}

// Keys whose TTL passed are deleted by the periodic sweep without any client
// touching them, and INFO stats counts them (expired_keys), as Redis's
// activeExpireCycle does.
func TestActiveExpiry(t *testing.T) {
	clock := engine.NewTestClock()
	e := engine.New(engine.Options{Clock: clock})
	gone := make(chan string, 10)
	e.OnKeyChange(func(db int, key string) { gone <- key })
	s := New(Config{ActiveExpireInterval: time.Millisecond, EnableDebugCommand: "yes"}, e)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	c := dial(t, &testServer{s, l.Addr().String()})

	c.must("+OK\r\n", "SET", "k", "v", "PX", "100")
	if k := <-gone; k != "k" { // the SET itself
		t.Fatalf("change hook saw %q", k)
	}
	clock.Advance(101 * time.Millisecond)
	select {
	case k := <-gone:
		if k != "k" {
			t.Fatalf("expired %q, want k", k)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the sweep did not expire k within 10s")
	}
	if info := c.do("INFO", "stats"); !strings.Contains(info, "expired_keys:1\r\nexpired_keys_active:1\r\n") {
		t.Fatalf("INFO stats after one expiry: %q", info)
	}
	// A key found expired on access counts in expired_keys only.
	c.must("+OK\r\n", "DEBUG", "SET-ACTIVE-EXPIRE", "0")
	c.must("+OK\r\n", "SET", "k2", "v", "PX", "100")
	clock.Advance(101 * time.Millisecond)
	c.must("$-1\r\n", "GET", "k2")
	if info := c.do("INFO", "stats"); !strings.Contains(info, "expired_keys:2\r\nexpired_keys_active:1\r\n") {
		t.Fatalf("INFO stats after a lazy expiry: %q", info)
	}
	c.must("+OK\r\n", "CONFIG", "RESETSTAT")
	if info := c.do("INFO", "stats"); !strings.Contains(info, "expired_keys:0\r\nexpired_keys_active:0\r\n") {
		t.Fatalf("INFO stats after RESETSTAT: %q", info)
	}
}

// A request that outgrows client-query-buffer-limit closes that connection
// only; others keep being served.
func TestQueryBufferLimit(t *testing.T) {
	s := start(t, Config{ClientQueryBufferLimit: 1 << 20})
	big, other := dial(t, s), dial(t, s)
	// A bulk argument announced at 4 MB (under proto-max-bulk-len) whose
	// bytes keep coming: the pending request passes 1 MB and the server
	// drops the client, sending nothing.
	big.send([]byte("*2\r\n$3\r\nGET\r\n$4194304\r\n"))
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	for i := 0; i < 32; i++ {
		if _, err := big.nc.Write(chunk); err != nil {
			break // closed under us: what the test waits for
		}
	}
	// Closed with our bytes unread, so a reset rather than EOF, as in Redis.
	big.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(big.rd)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after passing the limit (got %q)", got)
	}
	if len(got) != 0 {
		t.Fatalf("server replied %q before closing", got)
	}
	other.must("+PONG\r\n", "PING")
	if n := infoField(other, "stats", "client_query_buffer_limit_disconnections"); n != "1" {
		t.Errorf("client_query_buffer_limit_disconnections = %s, want 1", n)
	}
}
