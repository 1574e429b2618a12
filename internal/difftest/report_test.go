package difftest

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer is a scripted RESP server: handle returns the bytes to write
// for each command (nil: write nothing; closeConn: close the connection).
// Commands it does not handle get the minimal answers the runner needs.
type fakeServer struct {
	ln     net.Listener
	handle func(args []string) []byte
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

var closeConn = []byte("<close>")

func newFake(t *testing.T, handle func(args []string) []byte) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeServer{ln: ln, handle: handle}
	f.wg.Add(1)
	go f.accept()
	t.Cleanup(f.close)
	return f
}

func (f *fakeServer) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.conns = append(f.conns, c)
		f.mu.Unlock()
		f.wg.Add(1)
		go f.serve(c)
	}
}

func (f *fakeServer) serve(c net.Conn) {
	defer f.wg.Done()
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		_, v, err := ReadReply(br)
		if err != nil {
			return
		}
		args := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			args[i] = e.Str
		}
		out := f.handle(args)
		if out == nil {
			out = fakeDefault(args)
		}
		if string(out) == string(closeConn) {
			return
		}
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

// fakeDefault answers what the runner itself sends; anything else gets no reply.
func fakeDefault(args []string) []byte {
	switch strings.ToUpper(args[0]) {
	case "HELLO":
		return []byte("%1\r\n$5\r\nproto\r\n:3\r\n")
	case "FLUSHALL", "SET":
		return []byte("+OK\r\n")
	case "INFO":
		return []byte(bulk("# Server\r\nredis_version:7.0.15\r\n# Clients\r\nblocked_clients:0\r\n"))
	case "CLIENT":
		return []byte(":7\r\n")
	}
	return []byte{}
}

func (f *fakeServer) close() {
	f.ln.Close()
	f.mu.Lock()
	for _, c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

func (f *fakeServer) server(t *testing.T, label, name string, timeout time.Duration) *server {
	s := &server{ep: Endpoint{Name: name, Addr: f.ln.Addr().String()}, label: label, timeout: timeout}
	t.Cleanup(s.close)
	return s
}

func replyTo(cmd, raw string) func([]string) []byte {
	return func(args []string) []byte {
		if strings.EqualFold(args[0], cmd) {
			return []byte(raw)
		}
		return nil
	}
}

func mustParse(t *testing.T, text string) *testCase {
	t.Helper()
	cs, err := parseCases("mem.txt", text)
	if err != nil {
		t.Fatal(err)
	}
	return cs[0]
}

// TestFailureReports runs cases against scripted servers that disagree and
// checks that each failure names the case, the line and both replies.
func TestFailureReports(t *testing.T) {
	cases := []struct {
		name      string
		text      string
		proto     int
		ref, tgt  func([]string) []byte // ref nil: expected mode
		runner    Runner
		wantParts []string
	}{
		{
			name: "different bulk", proto: 2,
			text: "=== get\nSET k v\nGET k\n",
			ref:  replyTo("GET", "$1\r\nv\r\n"), tgt: replyTo("GET", "$1\r\nw\r\n"),
			wantParts: []string{
				`mem.txt:3: case "get", RESP2, connection 1: GET k`,
				`reference (fake ref): "$1\r\nv\r\n"`,
				`target (fake tgt):    "$1\r\nw\r\n"`,
				`diff: at top level: reference (fake ref) bulk string "v", target (fake tgt) bulk string "w"`,
			},
		},
		{
			name: "relaxation shown", proto: 3,
			text: "=== keys\n@sorted\nKEYS *\n",
			ref:  replyTo("KEYS", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"), tgt: replyTo("KEYS", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"),
			wantParts: []string{"RESP3", "KEYS *", "after @sorted:", `diff: at [0]: reference (fake ref) bulk string "a", target (fake tgt) bulk string "b"`},
		},
		{
			name: "target closes the connection", proto: 2,
			text: "=== get\nGET k\n",
			ref:  replyTo("GET", "$-1\r\n"), tgt: func(a []string) []byte {
				if a[0] == "GET" {
					return closeConn
				}
				return nil
			},
			wantParts: []string{`reference (fake ref): "$-1\r\n"`, "target (fake tgt):    <connection closed>"},
		},
		{
			name: "target never answers", proto: 2,
			text: "=== get\nGET k\n",
			ref:  replyTo("GET", "$-1\r\n"), tgt: replyTo("GET", ""),
			runner:    Runner{ReadTimeout: 100 * time.Millisecond},
			wantParts: []string{"mem.txt:2:", "GET k", "target (fake tgt): no complete reply within 100ms on connection 1"},
		},
		{
			name: "target sends garbage", proto: 2,
			text: "=== get\nGET k\n",
			ref:  replyTo("GET", "$-1\r\n"), tgt: replyTo("GET", "$1\r\nabc\r\n"),
			wantParts: []string{"target (fake tgt): bad reply on connection 1", "not followed by CRLF"},
		},
		{
			name: "target sends two replies", proto: 2,
			text: "=== get\nGET k\n",
			ref:  replyTo("GET", "$-1\r\n"), tgt: replyTo("GET", "$-1\r\n:1\r\n"),
			wantParts: []string{`target (fake tgt) left unread bytes on connection 1 after the case's last line: ":1\r\n"`},
		},
		{
			name: "expected mode", proto: 3,
			text: "=== new\n@since 99.0\nGET k\n@reply2 \"$-1\\r\\n\"\n@reply3 \"_\\r\\n\"\n",
			tgt:  replyTo("GET", "$-1\r\n"),
			wantParts: []string{
				`mem.txt:3: case "new", RESP3, connection 1: GET k`,
				`expected (line 5): "_\r\n"`,
				`diff: at top level: expected (line 5) null (_), target (fake tgt) null bulk string ($-1)`,
			},
		},
		{
			name: "reference disagrees with the case", proto: 2,
			text: "=== r\nGET k\n@reply \"$1\\r\\nx\\r\\n\"\n",
			ref:  replyTo("GET", "$-1\r\n"), tgt: replyTo("GET", "$-1\r\n"),
			wantParts: []string{"the written reply (line 3) is wrong: reference (fake ref), a reference the case runs on (it has no @since), replies otherwise", `expected (line 3):    "$1\r\nx\r\n"`},
		},
		{
			name: "HELLO 3 refused", proto: 3,
			text: "=== h\nGET k\n",
			ref:  replyTo("GET", "$-1\r\n"), tgt: replyTo("HELLO", "-ERR unknown command 'HELLO'\r\n"),
			wantParts: []string{`target (fake tgt): HELLO 3 on connection 1 replied "-ERR unknown command 'HELLO'\r\n", not a RESP3 map`},
		},
		{
			name: "wait-blocked times out", proto: 2,
			text: "=== w\n@conn 2\n@send BLPOP l 0\n@wait-blocked 1\n@read\n",
			ref:  replyTo("BLPOP", "*-1\r\n"), tgt: replyTo("BLPOP", "*-1\r\n"),
			runner:    Runner{WaitTimeout: 50 * time.Millisecond},
			wantParts: []string{"mem.txt:4:", "@wait-blocked 1", "reference (fake ref) still reports blocked_clients:0 after 50ms"},
		},
		{
			name: "pending reply attributed to its @send", proto: 2,
			text: "=== p\n@conn 2\n@send BLPOP l 0\n@read\n",
			ref:  replyTo("BLPOP", "*-1\r\n"), tgt: replyTo("BLPOP", "*0\r\n"),
			wantParts: []string{"mem.txt:4: case \"p\", RESP2, connection 2: reply to @send BLPOP l 0 (line 3), read by @read"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.runner
			timeout := r.readTimeout()
			var refs []*server
			if tc.ref != nil {
				refs = append(refs, newFake(t, tc.ref).server(t, "reference", "fake ref", timeout))
			}
			tgt := newFake(t, tc.tgt).server(t, "target", "fake tgt", timeout)
			err := r.runCase(mustParse(t, tc.text), tc.proto, refs, tgt)
			if err == nil {
				t.Fatal("runCase passed, want a failure")
			}
			for _, want := range tc.wantParts {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("failure report lacks %q:\n%v", want, err)
				}
			}
		})
	}
}

// TestFakeAgreement checks the other direction on the fakes: agreeing
// replies, including {client-id:n} and a WaitBlocked hook, pass.
func TestFakeAgreement(t *testing.T) {
	var args [][]string
	var mu sync.Mutex
	record := func(a []string) []byte {
		mu.Lock()
		args = append(args, a)
		mu.Unlock()
		switch {
		case a[0] == "CLIENT" && a[1] == "UNBLOCK":
			return []byte(":1\r\n")
		case a[0] == "INFO":
			return []byte(bulk("# Clients\r\nblocked_clients:1\r\n"))
		}
		return nil
	}
	hooked := 0
	ref := newFake(t, record).server(t, "reference", "fake ref", time.Second)
	tgt := newFake(t, func(a []string) []byte {
		if a[0] == "CLIENT" && a[1] == "UNBLOCK" {
			return []byte(":1\r\n")
		}
		return nil
	}).server(t, "target", "fake tgt", time.Second)
	tgt.ep.WaitBlocked = func(ctx context.Context, n int) error {
		hooked++
		return nil
	}
	c := mustParse(t, "=== a\n@wait-blocked 1\nCLIENT UNBLOCK {client-id:2}\n")
	var r Runner
	for _, p := range []int{2, 3} {
		if err := r.runCase(c, p, []*server{ref}, tgt); err != nil {
			t.Fatalf("RESP%d: %v", p, err)
		}
	}
	if hooked != 2 {
		t.Errorf("WaitBlocked hook called %d times, want 2", hooked)
	}
	mu.Lock()
	defer mu.Unlock()
	found := false
	for _, a := range args {
		if len(a) == 3 && a[1] == "UNBLOCK" && a[2] == "7" {
			found = true
		}
	}
	if !found {
		t.Errorf("{client-id:2} was not replaced by the connection's CLIENT ID: %q", args)
	}
}

// TestSkipWithoutRedis checks that a missing redis-server is one skip.
func TestSkipWithoutRedis(t *testing.T) {
	t.Setenv("REDCURRENT_REQUIRE_REDIS", "")
	file := filepath.Join(t.TempDir(), "c.txt")
	if err := os.WriteFile(file, []byte("=== a\nGET k\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := func() (Endpoint, error) { return Endpoint{}, errors.Join(ErrNoRedis) }
	var inner *testing.T
	t.Run("run", func(t *testing.T) {
		inner = t
		Run(t, []string{file}, missing, missing)
	})
	if !inner.Skipped() {
		t.Fatal("Run without redis-server did not skip")
	}
}
