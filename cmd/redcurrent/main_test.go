package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"regexp"
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
	m := regexp.MustCompile(`^redcurrent \S+ \(redis_version 8\.10\.\d+\) ready to accept connections on (127\.0\.0\.1:\d+)\n$`).FindStringSubmatch(line)
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
	for _, args := range [][]string{{"--databases", "0"}, {"--loglevel", "loud"}, {"extra"}} {
		err := run(context.Background(), args, io.Discard, io.Discard)
		if err == nil || strings.Contains(err.Error(), "ready") {
			t.Errorf("run(%q) = %v, want an error", args, err)
		}
	}
}
