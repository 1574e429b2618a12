package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--port", "0", "--requirepass", "secret", "--loglevel", "warning"}, pw, io.Discard)
		pw.Close()
	}()
	out := bufio.NewReader(pr)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("no ready line: %v", err)
	}
	m := regexp.MustCompile(`^redcurrent \S+ \(redis_version 8\.12\.\d+\) ready to accept connections on (127\.0\.0\.1:\d+)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("ready line %q", line)
	}

	c, err := net.DialTimeout("tcp", m[1], 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	for _, step := range []struct{ send, want string }{
		{"PING\r\n", "-NOAUTH Authentication required.\r\n"},
		{"AUTH secret\r\n", "+OK\r\n"},
		{"PING\r\n", "+PONG\r\n"},
	} {
		if _, err := io.WriteString(c, step.send); err != nil {
			t.Fatal(err)
		}
		got, err := r.ReadString('\n')
		if err != nil || got != step.want {
			t.Fatalf("%q: got %q (%v), want %q", step.send, got, err, step.want)
		}
	}

	cancel()
	go io.Copy(io.Discard, out)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--databases", "0"}, {"--loglevel", "loud"}, {"extra"},
		{"--script-memory-limit", "lots"}, {"--script-memory-limit", "-1"}, {"--script-memory-limit", "1tb"},
		{"--script-memory-limit", "99999999999gb"}, {"--script-memory-limit", ""}, {"--procs", "-1"}} {
		err := run(context.Background(), args, io.Discard, io.Discard)
		if err == nil || strings.Contains(err.Error(), "ready") {
			t.Errorf("run(%q) = %v, want an error", args, err)
		}
	}
}

func TestParseMemory(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "123": 123, "12b": 12, "1k": 1000, "1kb": 1024, "2m": 2000000, "512mb": 512 << 20,
		"3g": 3000000000, "1GB": 1 << 30, "4Mb": 4 << 20,
	} {
		if got, err := parseMemory(in); err != nil || got != want {
			t.Errorf("parseMemory(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "mb", "-1", "1.5mb", "1 mb", "1tb", "9223372036854775808", "9000000000gb"} {
		if got, err := parseMemory(in); err == nil {
			t.Errorf("parseMemory(%q) = %d, want an error", in, got)
		}
	}
}

// --script-memory-limit reaches the server: a script growing a table past
// it is stopped with Lua's "not enough memory", and the server carries on.
func TestRunScriptMemoryLimit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--port", "0", "--loglevel", "warning", "--script-memory-limit", "16mb"}, pw, io.Discard)
		pw.Close()
	}()
	defer func() {
		cancel()
		<-done
	}()
	out := bufio.NewReader(pr)
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatalf("no ready line: %v", err)
	}
	go io.Copy(io.Discard, out)
	addr := line[strings.LastIndexByte(line, ' ')+1 : len(line)-1]
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute)) // a few hundred MB of table under -race
	r := bufio.NewReader(c)
	script := "local t = {} local i = 0 while true do i = i + 1 t[i] = i end"
	if _, err := fmt.Fprintf(c, "*3\r\n$4\r\nEVAL\r\n$%d\r\n%s\r\n$1\r\n0\r\n", len(script), script); err != nil {
		t.Fatal(err)
	}
	got, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(got, "-ERR user_script:1: not enough memory script: ") {
		t.Fatalf("EVAL: got %q (%v), want the memory error", got, err)
	}
	io.WriteString(c, "PING\r\n")
	if got, err := r.ReadString('\n'); err != nil || got != "+PONG\r\n" {
		t.Fatalf("PING after the script: %q (%v)", got, err)
	}
}

// --procs sets GOMAXPROCS while the server runs (1 by default) and puts
// it back when run returns.
func TestRunProcs(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	for _, tc := range []struct {
		args []string
		want int
	}{{nil, 1}, {[]string{"--procs", "3"}, 3}, {[]string{"--procs", "0"}, before}} {
		if os.Getenv("GOMAXPROCS") != "" && tc.args == nil {
			tc.want = before // $GOMAXPROCS wins over the default
		}
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, append([]string{"--port", "0", "--loglevel", "warning"}, tc.args...), pw, io.Discard)
			pw.Close()
		}()
		out := bufio.NewReader(pr)
		if _, err := out.ReadString('\n'); err != nil {
			t.Fatalf("%q: no ready line: %v", tc.args, err)
		}
		if got := runtime.GOMAXPROCS(0); got != tc.want {
			t.Errorf("%q: GOMAXPROCS %d while serving, want %d", tc.args, got, tc.want)
		}
		cancel()
		go io.Copy(io.Discard, out)
		if err := <-done; err != nil {
			t.Fatalf("%q: run: %v", tc.args, err)
		}
		if got := runtime.GOMAXPROCS(0); got != before {
			t.Errorf("%q: GOMAXPROCS %d after run, want %d back", tc.args, got, before)
		}
	}
}
