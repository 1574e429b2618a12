package redcurrent_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent"
	"github.com/redis/go-redis/v9"
)

// The embedding API allows DEBUG from local connections by default (tests
// use DEBUG SLEEP and SET-ACTIVE-EXPIRE); "no" refuses it as redis-server
// does by default.
func TestRunDebugCommand(t *testing.T) {
	ctx := context.Background()
	srv := redcurrent.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	if err := rdb.Do(ctx, "DEBUG", "SLEEP", "0").Err(); err != nil {
		t.Errorf("RunT: DEBUG SLEEP 0: %v", err)
	}
	if got := rdb.ConfigGet(ctx, "enable-debug-command").Val()["enable-debug-command"]; got != "local" {
		t.Errorf("RunT: enable-debug-command %q, want local", got)
	}

	no, err := redcurrent.Run(redcurrent.Options{EnableDebugCommand: "no"})
	if err != nil {
		t.Fatal(err)
	}
	defer no.Close()
	rdb2 := redis.NewClient(&redis.Options{Addr: no.Addr()})
	defer rdb2.Close()
	err = rdb2.Do(ctx, "DEBUG", "SLEEP", "0").Err()
	if err == nil || !strings.HasPrefix(err.Error(), "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\"") {
		t.Errorf("EnableDebugCommand no: DEBUG SLEEP 0: %v", err)
	}
	if s, err := redcurrent.Run(redcurrent.Options{EnableDebugCommand: "sometimes"}); err == nil {
		s.Close()
		t.Error("EnableDebugCommand sometimes accepted")
	}
}

// Options.MaxClients is enforced: the connection beyond it reads Redis's
// error and is closed.
func TestRunMaxClients(t *testing.T) {
	srv, err := redcurrent.Run(redcurrent.Options{MaxClients: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	a, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(a, "PING\r\n")
	if line, err := bufio.NewReader(a).ReadString('\n'); err != nil || line != "+PONG\r\n" {
		t.Fatalf("first connection: %q, %v", line, err)
	}
	b, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.SetDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(b)
	if err != nil || string(got) != "-ERR max number of clients reached\r\n" {
		t.Errorf("second connection read %q (%v)", got, err)
	}
}
