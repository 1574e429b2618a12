package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"runtime/debug"

	"github.com/redcurrent/redcurrent/engine"
)

// emfileListener fails its first n Accepts with EMFILE, as accept4 does
// when the process is out of descriptors, then accepts for real.
type emfileListener struct {
	net.Listener
	mu sync.Mutex
	n  int
}

func (l *emfileListener) Accept() (net.Conn, error) {
	l.mu.Lock()
	fail := l.n > 0
	if fail {
		l.n--
	}
	l.mu.Unlock()
	if fail {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// logRecords keeps the messages logged through it.
type logRecords struct {
	mu   sync.Mutex
	msgs []string
}

func (r *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecords) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecords) WithGroup(string) slog.Handler            { return r }
func (r *logRecords) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Level.String()+" "+rec.Message)
	return nil
}

// Accept errors from a process out of descriptors do not end Serve: it
// logs each as Redis does, waits 5ms doubling to 1s, and serves the
// connections that come once descriptors are free again.
func TestAcceptErrorsSurvived(t *testing.T) {
	logs := &logRecords{}
	s := New(Config{Logger: slog.New(logs)}, engine.New(engine.Options{}))
	var mu sync.Mutex
	var waits []time.Duration
	s.acceptWait = func(d time.Duration) { // the back-off, without the time
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
	}
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &emfileListener{Listener: tl, n: 10}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	ts := &testServer{s, tl.Addr().String()}
	for i := 0; i < 2; i++ {
		dial(t, ts).must("+PONG\r\n", "PING")
	}
	s.Close()
	if err := <-done; err != ErrServerClosed {
		t.Errorf("Serve returned %v, want ErrServerClosed", err)
	}
	want := []time.Duration{5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000}
	for i := range want {
		want[i] *= time.Millisecond
	}
	mu.Lock()
	if len(waits) != len(want) {
		t.Fatalf("waits %v, want %v", waits, want)
	}
	for i := range want {
		if waits[i] != want[i] {
			t.Errorf("wait %d: %v, want %v", i, waits[i], want[i])
		}
	}
	mu.Unlock()
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if len(logs.msgs) != 10 {
		t.Errorf("%d lines logged, want 10: %q", len(logs.msgs), logs.msgs)
	}
	for _, m := range logs.msgs {
		if m != "WARN Accepting client connection: accept: Too many open files" {
			t.Errorf("logged %q", m)
		}
	}
}

// An accept error that is not temporary still ends Serve.
func TestAcceptErrorPermanent(t *testing.T) {
	s := New(Config{}, engine.New(engine.Options{}))
	defer s.Close()
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tl.Close() // someone else closed it: net.ErrClosed
	if err := s.Serve(tl); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Serve on a closed listener: %v", err)
	}
}

func infoField(c *client, section, field string) string {
	c.t.Helper()
	for _, l := range strings.Split(c.do("INFO", section), "\r\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return v
		}
	}
	c.t.Fatalf("INFO %s has no %s", section, field)
	return ""
}

// A connection beyond maxclients reads Redis's error and is closed; it is
// counted in rejected_connections, not total_connections_received. CONFIG
// SET maxclients applies to the connections that come next.
func TestMaxClients(t *testing.T) {
	var asked []int
	s := start(t, Config{MaxClients: 2, MaxClientsLimit: func(n int) int {
		asked = append(asked, n)
		return min(n, 50)
	}})
	a, b := dial(t, s), dial(t, s)
	a.must("+PONG\r\n", "PING")
	b.must("+PONG\r\n", "PING")
	dial(t, s).closed("-ERR max number of clients reached\r\n")
	a.must("*2\r\n$10\r\nmaxclients\r\n$1\r\n2\r\n", "CONFIG", "GET", "maxclients")
	if got := infoField(a, "stats", "rejected_connections"); got != "1" {
		t.Errorf("rejected_connections %s, want 1", got)
	}
	if got := infoField(a, "stats", "total_connections_received"); got != "2" {
		t.Errorf("total_connections_received %s, want 2", got)
	}
	if got := infoField(a, "clients", "maxclients"); got != "2" {
		t.Errorf("INFO maxclients %s, want 2", got)
	}

	a.must("+OK\r\n", "CONFIG", "SET", "maxclients", "3")
	c := dial(t, s)
	c.must("+PONG\r\n", "PING")
	dial(t, s).closed("-ERR max number of clients reached\r\n")

	// Below the number connected: those stay, new ones are refused.
	a.must("+OK\r\n", "CONFIG", "SET", "maxclients", "1")
	b.must("+PONG\r\n", "PING")
	c.must("+PONG\r\n", "PING")
	dial(t, s).closed("-ERR max number of clients reached\r\n")
	if got := infoField(a, "stats", "rejected_connections"); got != "3" {
		t.Errorf("rejected_connections %s, want 3", got)
	}

	a.must("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive\r\n",
		"CONFIG", "SET", "maxclients", "0")
	a.must("-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with 50\r\n",
		"CONFIG", "SET", "maxclients", "100")
	a.must("*2\r\n$10\r\nmaxclients\r\n$1\r\n1\r\n", "CONFIG", "GET", "maxclients")
	if len(asked) != 3 || asked[2] != 100 {
		t.Errorf("MaxClientsLimit asked %v", asked)
	}
	a.must("+OK\r\n", "CONFIG", "RESETSTAT")
	if got := infoField(a, "stats", "rejected_connections"); got != "0" {
		t.Errorf("rejected_connections after RESETSTAT %s, want 0", got)
	}
}

const debugRefused = "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it " +
	"from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n"

// DEBUG runs only where enable-debug-command allows it; the setting is
// immutable at run time.
func TestDebugGating(t *testing.T) {
	for _, tc := range []struct {
		setting, get string
		allowed      bool
	}{{"", "no", false}, {"no", "no", false}, {"yes", "yes", true}, {"local", "local", true}, {"LOCAL", "local", true}} {
		t.Run(tc.setting, func(t *testing.T) {
			s := start(t, Config{EnableDebugCommand: tc.setting, RequirePass: "pw"})
			c := dial(t, s)
			want := debugRefused
			if tc.allowed {
				want = "-NOAUTH Authentication required.\r\n" // the gate comes before AUTH, as in Redis
			}
			c.must(want, "DEBUG", "SLEEP", "0")
			c.must("-ERR wrong number of arguments for 'debug' command\r\n", "DEBUG")
			c.must("+OK\r\n", "AUTH", "pw")
			want = "+OK\r\n"
			if !tc.allowed {
				want = debugRefused
			}
			c.must(want, "DEBUG", "SLEEP", "0")
			c.must("+OK\r\n", "MULTI")
			if tc.allowed {
				c.must("+QUEUED\r\n", "DEBUG", "SLEEP", "0")
				c.must("*1\r\n+OK\r\n", "EXEC")
			} else {
				c.must(debugRefused, "DEBUG", "SLEEP", "0")
				c.must("-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC")
			}
			c.must("*2\r\n$20\r\nenable-debug-command\r\n$"+strconv.Itoa(len(tc.get))+"\r\n"+tc.get+"\r\n", "CONFIG", "GET", "enable-debug-command")
			c.must("-ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set immutable config\r\n",
				"CONFIG", "SET", "enable-debug-command", "yes")
		})
	}
}

// addrConn is a connection with given addresses, for allowProtected.
type addrConn struct {
	net.Conn
	local, remote net.Addr
}

func (c addrConn) LocalAddr() net.Addr  { return c.local }
func (c addrConn) RemoteAddr() net.Addr { return c.remote }

// "local" is loopback (127.0.0.0/8, ::1) or a unix socket, as connIsLocal.
func TestDebugLocal(t *testing.T) {
	tcp := func(ip string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: 5000} }
	for _, tc := range []struct {
		local, remote net.Addr
		want          bool
	}{
		{tcp("127.0.0.1"), tcp("127.0.0.1"), true},
		{tcp("127.0.0.1"), tcp("127.3.2.1"), true},
		{tcp("::1"), tcp("::1"), true},
		{tcp("192.0.2.2"), tcp("192.0.2.9"), false},
		{tcp("192.0.2.2"), tcp("192.0.2.2"), false}, // its own address, not loopback: Redis too
		{tcp("2001:db8::1"), tcp("2001:db8::2"), false},
		{&net.UnixAddr{Name: "/tmp/r.sock", Net: "unix"}, &net.UnixAddr{Net: "unix"}, true},
	} {
		cn := &conn{nc: addrConn{local: tc.local, remote: tc.remote}}
		if got := cn.allowProtected("local"); got != tc.want {
			t.Errorf("%v -> %v: local %v, want %v", tc.remote, tc.local, got, tc.want)
		}
		if !cn.allowProtected("yes") || cn.allowProtected("no") {
			t.Errorf("%v: yes/no not followed", tc.remote)
		}
	}
}

// used_memory_rss is the process's resident set, as /proc reports it.
func TestUsedMemoryRSS(t *testing.T) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc here: used_memory_rss is the runtime's figure (%v)", err)
	}
	s := start(t, Config{})
	c := dial(t, s)
	// Make the runtime's reserve and the resident set differ: memory
	// obtained and released again stays in MemStats.Sys, not in RSS.
	big := make([]byte, 256<<20)
	for i := 0; i < len(big); i += 4096 {
		big[i] = 1
	}
	big = nil
	debug.FreeOSMemory()
	rss, _ := strconv.ParseUint(infoField(c, "memory", "used_memory_rss"), 10, 64)
	status, _ = os.ReadFile("/proc/self/status")
	var vmRSS uint64
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			vmRSS = kb << 10
		}
	}
	if vmRSS == 0 {
		t.Fatalf("no VmRSS in /proc/self/status")
	}
	// Both read the same counters a moment apart: within 16 MB.
	if diff := int64(rss) - int64(vmRSS); diff > 16<<20 || diff < -16<<20 {
		t.Errorf("used_memory_rss %d, VmRSS %d", rss, vmRSS)
	}
	human := infoField(c, "memory", "used_memory_rss_human")
	if !strings.HasSuffix(human, "M") {
		t.Errorf("used_memory_rss_human %q for %d bytes", human, rss)
	}
}
