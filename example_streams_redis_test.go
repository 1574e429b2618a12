package redcurrent_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent/internal/difftest"
	"github.com/redis/go-redis/v9"
)

var (
	exampleIDs  = regexp.MustCompile(`\b\d+-\d+\b`)
	exampleIdle = regexp.MustCompile(`(?m)^( Idle: ).*$`)
)

// normalizeExample makes outputs of two servers comparable: stream IDs
// become <id:N> by first appearance (a real server's "*" IDs follow its
// wall clock), and consumer idle times are masked.
func normalizeExample(out string) string {
	seen := map[string]string{}
	out = exampleIDs.ReplaceAllStringFunc(out, func(id string) string {
		if n, ok := seen[id]; ok {
			return n
		}
		seen[id] = "<id:" + strconv.Itoa(len(seen)+1) + ">"
		return seen[id]
	})
	return exampleIdle.ReplaceAllString(out, "${1}<idle>")
}

// redisExampleEnv runs example bodies on a real server: its clock cannot be
// moved, so sleeps move only the application's clock, idle thresholds are
// 0, and a BLOCK wait is ended with CLIENT UNBLOCK ... TIMEOUT.
func redisExampleEnv(t *testing.T, addr string, out *bytes.Buffer) *streamEnv {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	now := exampleEpoch
	return &streamEnv{
		ctx:   ctx,
		rdb:   rdb,
		out:   out,
		now:   func() time.Time { return now },
		sleep: func(d time.Duration) { now = now.Add(d) },
		waitBlocked: func(n int) {
			deadline := time.Now().Add(10 * time.Second)
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
			for {
				info := rdb.Info(ctx, "clients").Val()
				_, rest, _ := strings.Cut(info, "blocked_clients:")
				line, _, _ := strings.Cut(rest, "\r\n")
				if got, _ := strconv.Atoi(line); got >= n {
					return
				}
				if time.Now().After(deadline) {
					panic("redis-server: blocked clients never reached " + strconv.Itoa(n))
				}
				<-tick.C
			}
		},
		endBlock: func(id int64, _ time.Duration) {
			rdb.ClientUnblock(ctx, id) // TIMEOUT: the reply a timeout gives
		},
	}
}

// TestStreamExamplesOnRedis runs the examples' bodies on redis-server and
// on redcurrent and compares what they print, so the examples' output is
// what Redis gives.
func TestStreamExamplesOnRedis(t *testing.T) {
	ep, err := ref.Endpoint()
	if errors.Is(err, difftest.ErrNoRedis) && os.Getenv("REDCURRENT_REQUIRE_REDIS") != "1" {
		t.Skip("no redis-server:", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range []struct {
		name string
		body func(*streamEnv)
	}{
		{"basics", streamBasics},
		{"reading", streamReading},
		{"trimming", streamTrimming},
		{"consumer groups", streamConsumerGroups},
		{"ack and pending", streamAckPending},
		{"blocking", streamBlocking},
		{"info", streamInfo},
		{"event sourcing", streamEventSourcing},
		{"message queue", streamMessageQueue},
	} {
		t.Run(ex.name, func(t *testing.T) {
			var want, got bytes.Buffer
			renv := redisExampleEnv(t, ep.Addr, &want)
			ex.body(renv)
			env, done := exampleServer()
			defer done()
			env.out = &got
			ex.body(env)
			w, g := normalizeExample(want.String()), normalizeExample(got.String())
			if strings.Count(w, "\n") < 2 {
				t.Fatalf("redis-server run printed too little:\n%s", w)
			}
			if w != g {
				t.Fatalf("redis-server printed:\n%s\nredcurrent printed:\n%s", w, g)
			}
		})
	}
}
