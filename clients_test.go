package redcurrent_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redcurrent/redcurrent"
	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

// go-redis opens each connection with HELLO and CLIENT SETINFO (lib-name,
// lib-ver) and silently falls back when they fail; CLIENT INFO shows whether
// they took, in both protocols.
func TestGoRedisHandshake(t *testing.T) {
	srv := redcurrent.RunT(t)
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, ClientName: "tester"})
		info, err := rdb.Do(ctx, "CLIENT", "INFO").Text()
		if err != nil {
			t.Fatalf("RESP%d: CLIENT INFO: %v", proto, err)
		}
		for _, want := range []string{"name=tester", "lib-name=go-redis", "resp=" + string(rune('0'+proto))} {
			if !strings.Contains(info, want) {
				t.Errorf("RESP%d: CLIENT INFO %q lacks %q", proto, info, want)
			}
		}
		if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatalf("RESP%d: SET: %v", proto, err)
		}
		if got := rdb.Get(ctx, "k").Val(); got != "v" {
			t.Fatalf("RESP%d: GET = %q", proto, got)
		}
		rdb.Close()
	}
}

// A pipeline of 10,000 commands gets 10,000 replies, in order.
func TestPipelineOrder(t *testing.T) {
	srv := redcurrent.RunT(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	pipe := rdb.Pipeline()
	cmds := make([]*redis.IntCmd, 10000)
	for i := range cmds {
		cmds[i] = pipe.Incr(ctx, "n")
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for i, c := range cmds {
		if c.Val() != int64(i+1) {
			t.Fatalf("reply %d = %d, want %d", i, c.Val(), i+1)
		}
	}
}

// rueidis speaks RESP3 only and opens with HELLO 3, CLIENT SETINFO and (with
// its client-side cache on) CLIENT TRACKING; with the cache off it must work
// as against Redis.
func TestRueidis(t *testing.T) {
	srv := redcurrent.RunT(t)
	ctx := context.Background()
	client, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{srv.Addr()}, DisableCache: true, ClientName: "rue"})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer client.Close()
	if err := client.Do(ctx, client.B().Set().Key("k").Value("v").Build()).Error(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	if got, err := client.Do(ctx, client.B().Get().Key("k").Build()).ToString(); err != nil || got != "v" {
		t.Fatalf("GET = %q, %v", got, err)
	}
	info, err := client.Do(ctx, client.B().ClientInfo().Build()).ToString()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"name=rue", "lib-name=rueidis", "resp=3"} {
		if !strings.Contains(info, want) {
			t.Errorf("CLIENT INFO %q lacks %q", info, want)
		}
	}
}
