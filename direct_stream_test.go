package redcurrent_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent"
	"github.com/redis/go-redis/v9"
)

func TestXAddHelper(t *testing.T) {
	srv := redcurrent.RunT(t)
	srv.SetTime(time.UnixMilli(1700000000000))
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	for _, tc := range []struct {
		name, key, id string
		fv            []string
		want, err     string
	}{
		{name: "star", key: "s", id: "*", fv: []string{"f", "v"}, want: "1700000000000-0"},
		{name: "star same ms", key: "s", id: "*", fv: []string{"f", "w"}, want: "1700000000000-1"},
		{name: "ms-star", key: "s", id: "1700000000001-*", fv: []string{"g", "x", "h", "y"}, want: "1700000000001-0"},
		{name: "explicit", key: "s", id: "1700000000002-5", fv: []string{"f", "z"}, want: "1700000000002-5"},
		{name: "too small", key: "s", id: "1-0", fv: []string{"f", "v"},
			err: "ERR The ID specified in XADD is equal or smaller than the target stream top item"},
		{name: "zero", key: "t", id: "0-0", fv: []string{"f", "v"}, err: "ERR The ID specified in XADD must be greater than 0-0"},
		{name: "bad ID", key: "t", id: "x", fv: []string{"f", "v"}, err: "ERR Invalid stream ID specified as stream command argument"},
		{name: "odd", key: "t", id: "*", fv: []string{"f"}, err: "ERR wrong number of arguments for 'xadd' command"},
		{name: "no fields", key: "t", id: "*", err: "ERR wrong number of arguments for 'xadd' command"},
		{name: "wrong type", key: "str", id: "*", fv: []string{"f", "v"}, err: "WRONGTYPE Operation against a key holding the wrong kind of value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.Set("str", "x")
			got, err := srv.XAdd(tc.key, tc.id, tc.fv...)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("XAdd = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if srv.Exists("t") {
		t.Fatal("a failed XAdd created its key")
	}
	msgs, err := rdb.XRange(ctx, "s", "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	want := []redis.XMessage{
		{ID: "1700000000000-0", Values: map[string]any{"f": "v"}},
		{ID: "1700000000000-1", Values: map[string]any{"f": "w"}},
		{ID: "1700000000001-0", Values: map[string]any{"g": "x", "h": "y"}},
		{ID: "1700000000002-5", Values: map[string]any{"f": "z"}},
	}
	if !reflect.DeepEqual(msgs, want) {
		t.Fatalf("XRANGE = %v, want %v", msgs, want)
	}
}

// XAdd serves a reader blocked on the key, as XADD does.
func TestXAddHelperWakesReader(t *testing.T) {
	srv := redcurrent.RunT(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	got := make(chan []redis.XStream, 1)
	go func() {
		res, _ := rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{"s", "$"}, Block: 0}).Result()
		got <- res
	}()
	waitBlocked(t, srv, 1)
	if _, err := srv.XAdd("s", "1-1", "f", "v"); err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-got:
		want := []redis.XStream{{Stream: "s", Messages: []redis.XMessage{{ID: "1-1", Values: map[string]any{"f": "v"}}}}}
		if !reflect.DeepEqual(res, want) {
			t.Fatalf("XREAD = %v, want %v", res, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the blocked XREAD was not served")
	}
}

func TestStreamHelper(t *testing.T) {
	srv := redcurrent.RunT(t)
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	if got, err := srv.Stream("missing"); err != nil || got != nil {
		t.Fatalf("missing key: %v, %v", got, err)
	}
	srv.Set("str", "x")
	if _, err := srv.Stream("str"); err == nil || err.Error() != "WRONGTYPE Operation against a key holding the wrong kind of value" {
		t.Fatalf("wrong type: %v", err)
	}
	// Same fields as the node's first entry, other fields, then a deletion.
	for _, a := range []*redis.XAddArgs{
		{Stream: "s", ID: "1-0", Values: []string{"a", "1", "b", "2"}},
		{Stream: "s", ID: "2-0", Values: []string{"a", "3", "b", "4"}},
		{Stream: "s", ID: "3-0", Values: []string{"c", "5"}},
		{Stream: "s", ID: "4-0", Values: []string{"d", ""}},
	} {
		if err := rdb.XAdd(ctx, a).Err(); err != nil {
			t.Fatal(err)
		}
	}
	rdb.XDel(ctx, "s", "3-0")
	got, err := srv.Stream("s")
	if err != nil {
		t.Fatal(err)
	}
	want := []redcurrent.StreamEntry{
		{ID: "1-0", Values: []string{"a", "1", "b", "2"}},
		{ID: "2-0", Values: []string{"a", "3", "b", "4"}},
		{ID: "4-0", Values: []string{"d", ""}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Stream = %v, want %v", got, want)
	}
}

func TestPendingHelper(t *testing.T) {
	srv := redcurrent.RunT(t)
	srv.SetTime(time.UnixMilli(1700000000000))
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	if _, err := srv.Pending("s", "g"); err == nil || err.Error() != "NOGROUP No such key 's' or consumer group 'g'" {
		t.Fatalf("missing key: %v", err)
	}
	for _, id := range []string{"1-0", "2-0", "3-0"} {
		srv.XAdd("s", id, "f", "v")
	}
	if err := rdb.XGroupCreate(ctx, "s", "g", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if got, err := srv.Pending("s", "g"); err != nil || len(got) != 0 {
		t.Fatalf("empty PEL: %v, %v", got, err)
	}
	rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "alice", Streams: []string{"s", ">"}, Count: 2, Block: -1})
	srv.FastForward(1500 * time.Millisecond)
	rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "bob", Streams: []string{"s", ">"}, Block: -1})
	rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "alice", Streams: []string{"s", "0"}, Count: 1, Block: -1})
	srv.FastForward(250 * time.Millisecond)
	got, err := srv.Pending("s", "g")
	if err != nil {
		t.Fatal(err)
	}
	want := []redcurrent.PendingEntry{
		{ID: "1-0", Consumer: "alice", Deliveries: 2, Idle: 250 * time.Millisecond},
		{ID: "2-0", Consumer: "alice", Deliveries: 1, Idle: 1750 * time.Millisecond},
		{ID: "3-0", Consumer: "bob", Deliveries: 1, Idle: 250 * time.Millisecond},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Pending = %+v, want %+v", got, want)
	}
	if _, err := srv.Pending("s", "nog"); err == nil || err.Error() != "NOGROUP No such key 's' or consumer group 'nog'" {
		t.Fatalf("missing group: %v", err)
	}
}
