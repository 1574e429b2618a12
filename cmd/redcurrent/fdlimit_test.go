package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fakeNofile is an RLIMIT_NOFILE that lets the soft limit rise to the hard
// one, and the hard one rise only when privileged.
type fakeNofile struct {
	mu         sync.Mutex
	cur, max   uint64
	privileged bool
	getErr     error
}

func (f *fakeNofile) get() (uint64, uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cur, f.max, f.getErr
}

func (f *fakeNofile) set(cur, max uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if cur > max || (max > f.max && !f.privileged) {
		return syscall.EPERM
	}
	f.cur, f.max = cur, max
	return nil
}

func TestFitMaxClients(t *testing.T) {
	for _, tc := range []struct {
		name       string
		lim        *fakeNofile
		maxclients int
		want       int
		cur, max   uint64
		logs, err  string
	}{
		{name: "enough", lim: &fakeNofile{cur: 20000, max: 20000}, maxclients: 10000, want: 10000, cur: 20000, max: 20000},
		{name: "raise soft", lim: &fakeNofile{cur: 1024, max: 20000}, maxclients: 10000, want: 10000, cur: 10032, max: 20000,
			logs: "level=INFO msg=\"Increased maximum number of open files to 10032 (it was originally set to 1024).\"\n"},
		{name: "raise hard", lim: &fakeNofile{cur: 1024, max: 1024, privileged: true}, maxclients: 10000, want: 10000, cur: 10032, max: 10032,
			logs: "level=INFO msg=\"Increased maximum number of open files to 10032 (it was originally set to 1024).\"\n"},
		{name: "reduce", lim: &fakeNofile{cur: 100, max: 256}, maxclients: 10000, want: 224, cur: 256, max: 256,
			logs: "level=WARN msg=\"You requested maxclients of 10000 requiring at least 10032 max file descriptors.\"\n" +
				"level=WARN msg=\"Server can't set maximum open files to 10032 because of OS error: Operation not permitted.\"\n" +
				"level=WARN msg=\"Current maximum open files is 256. maxclients has been reduced to 224 to compensate for low ulimit. " +
				"If you need higher maxclients increase 'ulimit -n'.\"\n"},
		{name: "too few", lim: &fakeNofile{cur: 30, max: 30}, maxclients: 10000, cur: 30, max: 30,
			err: "Your current 'ulimit -n' of 30 is not enough for the server to start. Please increase your open file limit to at least 10032. Exiting."},
		{name: "unreadable", lim: &fakeNofile{getErr: syscall.ENOSYS}, maxclients: 10000, want: 992,
			logs: "level=WARN msg=\"Unable to obtain the current NOFILE limit (Function not implemented), assuming 1024 and setting the max clients configuration accordingly.\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey {
					return slog.Attr{}
				}
				return a
			}}))
			got, err := fitMaxClients(tc.lim, tc.maxclients, log)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("maxclients %d (%v), want %d", got, err, tc.want)
			}
			if tc.lim.cur != tc.cur || tc.lim.max != tc.max {
				t.Errorf("limit %d/%d, want %d/%d", tc.lim.cur, tc.lim.max, tc.cur, tc.max)
			}
			if logs.String() != tc.logs {
				t.Errorf("logs:\n%s\nwant:\n%s", logs.String(), tc.logs)
			}
		})
	}
}

// startRun runs the binary's run with args until the test ends and returns
// its address.
func startRun(t *testing.T, args []string, stderr io.Writer) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"--port", "0"}, args...), pw, stderr)
		pw.Close()
	}()
	out := bufio.NewReader(pr)
	line, err := out.ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no ready line: %v (run: %v)", err, <-done)
	}
	go io.Copy(io.Discard, out)
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return line[strings.LastIndexByte(line, ' ')+1 : len(line)-1]
}

// talk sends raw requests and reads one line of reply for each.
func talk(t *testing.T, addr string, steps ...[2]string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	for _, st := range steps {
		io.WriteString(c, st[0])
		got, err := r.ReadString('\n')
		if err != nil || got != st[1] {
			t.Errorf("%q: got %q (%v), want %q", st[0], got, err, st[1])
		}
	}
}

const debugRefused = "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it " +
	"from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n"

// The binary refuses DEBUG unless --enable-debug-command allows it, as
// redis-server does by default.
func TestRunDebugCommand(t *testing.T) {
	talk(t, startRun(t, nil, io.Discard), [2]string{"DEBUG SLEEP 0\r\n", debugRefused},
		[2]string{"CONFIG GET enable-debug-command\r\n", "*2\r\n"})
	talk(t, startRun(t, []string{"--enable-debug-command", "yes"}, io.Discard), [2]string{"DEBUG SLEEP 0\r\n", "+OK\r\n"})
	talk(t, startRun(t, []string{"--enable-debug-command", "local"}, io.Discard), [2]string{"DEBUG SLEEP 0\r\n", "+OK\r\n"})
	if err := run(context.Background(), []string{"--enable-debug-command", "maybe"}, io.Discard, io.Discard); err == nil {
		t.Error("--enable-debug-command maybe accepted")
	}
}

// At start maxclients is lowered to the descriptor limit less 32, with
// Redis's warning; CONFIG SET maxclients beyond it fails with Redis's text.
func TestRunMaxClientsFitsDescriptors(t *testing.T) {
	saved := descriptorLimit
	t.Cleanup(func() { descriptorLimit = saved })
	descriptorLimit = &fakeNofile{cur: 34, max: 34}
	var logs syncBuffer
	addr := startRun(t, []string{"--maxclients", "100"}, &logs)
	if !strings.Contains(logs.String(), "maxclients has been reduced to 2 to compensate for low ulimit.") {
		t.Errorf("no reduction logged:\n%s", logs.String())
	}
	a, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	talk(t, addr, [2]string{"CONFIG SET maxclients 3\r\n",
		"-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with 2\r\n"},
		[2]string{"CONFIG SET maxclients 1\r\n", "+OK\r\n"})
	// a is still connected: the next is refused.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "-ERR max number of clients reached\r\n" {
		t.Errorf("third connection read %q (%v)", got, err)
	}
	if err := run(context.Background(), []string{"--maxclients", "0"}, io.Discard, io.Discard); err == nil {
		t.Error("--maxclients 0 accepted")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
