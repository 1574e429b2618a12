package redcurrent_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent"
	"github.com/redcurrent/redcurrent/engine"
	"github.com/redcurrent/redcurrent/internal/difftest"
	"github.com/redis/go-redis/v9"
)

// dialProto opens a raw connection speaking RESP2 or RESP3.
func dialProto(t *testing.T, addr string, proto int) *difftest.Conn {
	t.Helper()
	c, err := difftest.Dial(addr, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if proto == 3 {
		if _, err := c.Do("HELLO", "3"); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// mustDo sends a command and checks its exact wire reply.
func mustDo(t *testing.T, c *difftest.Conn, want string, args ...string) {
	t.Helper()
	got, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	if string(got) != want {
		t.Fatalf("%q = %q, want %q", args, got, want)
	}
}

// blockedClients reads INFO's blocked_clients on a RESP2 connection.
func blockedClients(t *testing.T, c *difftest.Conn) int {
	t.Helper()
	raw, err := c.Do("INFO", "clients")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := bytes.Cut(raw, []byte("blocked_clients:"))
	if !ok {
		t.Fatalf("INFO clients has no blocked_clients: %q", raw)
	}
	line, _, _ := bytes.Cut(rest, []byte("\r\n"))
	n, err := strconv.Atoi(string(line))
	if err != nil {
		t.Fatalf("blocked_clients:%q", line)
	}
	return n
}

// waitBlockedExactly waits until exactly n clients are blocked, polling
// INFO with a deadline (WaitBlocked waits for at least n).
func waitBlockedExactly(t *testing.T, c *difftest.Conn, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		got := blockedClients(t, c)
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("blocked_clients = %d, want %d", got, n)
		}
		<-tick.C
	}
}

func waitBlocked(t *testing.T, srv *redcurrent.Server, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.WaitBlocked(ctx, n); err != nil {
		t.Fatalf("waiting for %d blocked clients: %v", n, err)
	}
}

// BLOCK 1000 ends exactly when the server clock passes a second: not at
// 999 ms, and at 1000 ms with the null array of each protocol.
func TestBlockTimeout(t *testing.T) {
	nullArray := map[int]string{2: "*-1\r\n", 3: "_\r\n"}
	for _, proto := range []int{2, 3} {
		for _, tc := range []struct {
			name  string
			setup []string
			cmd   []string
		}{
			{name: "XREAD", cmd: []string{"XREAD", "BLOCK", "1000", "STREAMS", "s", "$"}},
			{name: "XREADGROUP", setup: []string{"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"},
				cmd: []string{"XREADGROUP", "GROUP", "g", "c", "BLOCK", "1000", "STREAMS", "s", ">"}},
		} {
			t.Run(fmt.Sprintf("%s/resp%d", tc.name, proto), func(t *testing.T) {
				srv := redcurrent.RunT(t)
				srv.SetTime(time.UnixMilli(1700000000000))
				ctl := dialProto(t, srv.Addr(), 2)
				if tc.setup != nil {
					mustDo(t, ctl, "+OK\r\n", tc.setup...)
				}
				c := dialProto(t, srv.Addr(), proto)
				if err := c.Send(tc.cmd...); err != nil {
					t.Fatal(err)
				}
				waitBlocked(t, srv, 1)
				srv.FastForward(999 * time.Millisecond)
				if n := blockedClients(t, ctl); n != 1 {
					t.Fatalf("after 999ms blocked_clients = %d, want 1", n)
				}
				srv.FastForward(time.Millisecond)
				got, err := c.Read()
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != nullArray[proto] {
					t.Fatalf("reply %q, want %q", got, nullArray[proto])
				}
				waitBlockedExactly(t, ctl, 0)
				mustDo(t, c, "+PONG\r\n", "PING") // the connection still works
			})
		}
	}
}

// go-redis sees the timeout as redis.Nil in both protocols.
func TestBlockTimeoutGoRedis(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("resp%d", proto), func(t *testing.T) {
			srv := redcurrent.RunT(t)
			ctx := context.Background()
			rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
			defer rdb.Close()
			if err := rdb.XGroupCreateMkStream(ctx, "s", "g", "$").Err(); err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, 2)
			go func() {
				_, err := rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{"s", "$"}, Block: time.Second}).Result()
				errs <- err
			}()
			go func() {
				_, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{"s", ">"}, Block: time.Second}).Result()
				errs <- err
			}()
			waitBlocked(t, srv, 2)
			srv.FastForward(time.Second)
			for range 2 {
				select {
				case err := <-errs:
					if err != redis.Nil {
						t.Fatalf("err = %v, want redis.Nil", err)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("no reply after the timeout")
				}
			}
		})
	}
}

// A client that goes away while blocked leaves nothing behind: the count
// drops to 0 and the next waiter, not the dead one, gets the next entry.
func TestBlockDisconnect(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup []string
		cmd   func(consumer string) []string
	}{
		{name: "XREAD", cmd: func(string) []string { return []string{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"} }},
		{name: "XREADGROUP", setup: []string{"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"},
			cmd: func(c string) []string {
				return []string{"XREADGROUP", "GROUP", "g", c, "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">"}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := redcurrent.RunT(t)
			ctl := dialProto(t, srv.Addr(), 2)
			if tc.setup != nil {
				mustDo(t, ctl, "+OK\r\n", tc.setup...)
			}
			gone := dialProto(t, srv.Addr(), 2)
			if err := gone.Send(tc.cmd("c1")...); err != nil {
				t.Fatal(err)
			}
			waitBlocked(t, srv, 1)
			gone.Close()
			waitBlockedExactly(t, ctl, 0)
			if n := strings.Count(clientList(t, ctl), "\n"); n != 1 {
				t.Fatalf("CLIENT LIST has %d clients, want 1", n)
			}

			next := dialProto(t, srv.Addr(), 2)
			if err := next.Send(tc.cmd("c2")...); err != nil {
				t.Fatal(err)
			}
			waitBlockedExactly(t, ctl, 1)
			mustDo(t, ctl, "$3\r\n1-0\r\n", "XADD", "s", "1-0", "f", "v")
			got, err := next.Read()
			if err != nil {
				t.Fatal(err)
			}
			want := "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
			if string(got) != want {
				t.Fatalf("next waiter got %q, want %q", got, want)
			}
			waitBlockedExactly(t, ctl, 0)
			if tc.setup != nil {
				mustDo(t, ctl, "*4\r\n:1\r\n$3\r\n1-0\r\n$3\r\n1-0\r\n*1\r\n*2\r\n$2\r\nc2\r\n$1\r\n1\r\n", "XPENDING", "s", "g")
			}
		})
	}
}

func clientList(t *testing.T, c *difftest.Conn) string {
	t.Helper()
	_, v, err := func() ([]byte, difftest.Value, error) {
		if err := c.Send("CLIENT", "LIST"); err != nil {
			return nil, difftest.Value{}, err
		}
		return c.ReadValue()
	}()
	if err != nil {
		t.Fatal(err)
	}
	return v.Str
}

// Eight consumers of one group block on four streams while four producers
// write to them: every entry reaches exactly one consumer, each consumer
// sees each stream in ID order, and once all is acknowledged the PEL is
// empty.
func TestBlockConcurrentGroup(t *testing.T) {
	const (
		consumers = 8
		producers = 4
		perProd   = 300
		total     = producers * perProd
	)
	streams := []string{"s0", "s1", "s2", "s3"}
	srv := redcurrent.RunT(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: consumers + producers + 4})
	defer rdb.Close()
	for _, s := range streams {
		if err := rdb.XGroupCreateMkStream(ctx, s, "g", "$").Err(); err != nil {
			t.Fatal(err)
		}
	}

	var (
		mu       sync.Mutex
		owner    = map[string]string{} // entry ID -> consumer
		received int
		errs     = make(chan error, consumers+producers)
		allIn    = make(chan struct{})
		wg       sync.WaitGroup
	)
	readArgs := append(append([]string(nil), streams...), ">", ">", ">", ">")
	for i := range consumers {
		name := fmt.Sprintf("c%d", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			last := map[string]engine.StreamID{}
			for {
				res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: name, Streams: readArgs, Count: 1, Block: 0}).Result()
				if err != nil {
					errs <- fmt.Errorf("%s: XREADGROUP: %v", name, err)
					return
				}
				stop := false
				for _, st := range res {
					for _, m := range st.Messages {
						id, err := engine.ParseStreamID([]byte(m.ID), 0)
						if err != nil {
							errs <- fmt.Errorf("%s: bad ID %q", name, m.ID)
							return
						}
						if prev, ok := last[st.Stream]; ok && !prev.Less(id) {
							errs <- fmt.Errorf("%s: %s went from %s to %s", name, st.Stream, prev, id)
							return
						}
						last[st.Stream] = id
						if err := rdb.XAck(ctx, st.Stream, "g", m.ID).Err(); err != nil {
							errs <- fmt.Errorf("%s: XACK: %v", name, err)
							return
						}
						if m.Values["stop"] != nil {
							stop = true
							continue
						}
						mu.Lock()
						if prev, dup := owner[st.Stream+"/"+m.ID]; dup {
							mu.Unlock()
							errs <- fmt.Errorf("%s %s delivered to %s and %s", st.Stream, m.ID, prev, name)
							return
						}
						owner[st.Stream+"/"+m.ID] = name
						received++
						if received == total {
							close(allIn)
						}
						mu.Unlock()
					}
				}
				if stop {
					return
				}
			}
		}()
	}
	waitBlocked(t, srv, consumers)

	added := make(chan []string, producers)
	for p := range producers {
		go func() {
			var ids []string
			for i := range perProd {
				s := streams[(p+i)%len(streams)]
				id, err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: s, Values: []string{"p", strconv.Itoa(p), "i", strconv.Itoa(i)}}).Result()
				if err != nil {
					errs <- fmt.Errorf("producer %d: XADD: %v", p, err)
					added <- nil
					return
				}
				ids = append(ids, s+"/"+id)
			}
			added <- ids
		}()
	}
	var want []string
	for range producers {
		want = append(want, <-added...)
	}
	select {
	case <-allIn:
	case err := <-errs:
		t.Fatal(err)
	case <-ctx.Done():
		mu.Lock()
		t.Fatalf("only %d of %d entries delivered", received, total)
	}
	// One stop entry per consumer: each takes at most one from s0 per read
	// and leaves once it has one.
	for range consumers {
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: "s0", Values: []string{"stop", "1"}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case err := <-errs:
		t.Fatal(err)
	case <-ctx.Done():
		t.Fatal("consumers did not stop")
	}
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}

	mu.Lock()
	defer mu.Unlock()
	if len(want) != total || len(owner) != total {
		t.Fatalf("added %d, delivered %d, want %d each", len(want), len(owner), total)
	}
	for _, id := range want {
		if _, ok := owner[id]; !ok {
			t.Fatalf("%s was never delivered", id)
		}
	}
	for _, s := range streams {
		p, err := rdb.XPending(ctx, s, "g").Result()
		if err != nil {
			t.Fatal(err)
		}
		if p.Count != 0 {
			t.Fatalf("%s: %d still pending", s, p.Count)
		}
	}
	ctl := dialProto(t, srv.Addr(), 2)
	waitBlockedExactly(t, ctl, 0)
}

// A helper that deletes a key serves the clients blocked on it, as a DEL
// command would: a blocked XREADGROUP gets NOGROUP (Redis 8.x).
func TestHelperDelWakesBlockedGroupReader(t *testing.T) {
	srv := redcurrent.RunT(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	if err := rdb.XGroupCreateMkStream(ctx, "s", "g", "$").Err(); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		_, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{"s", ">"}, Block: 0}).Result()
		got <- err
	}()
	if err := srv.WaitBlocked(ctx, 1); err != nil {
		t.Fatalf("reader never blocked: %v", err)
	}
	if !srv.Del("s") {
		t.Fatal("Del reported no key")
	}
	select {
	case err := <-got:
		const want = "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option"
		if err == nil || err.Error() != want {
			t.Fatalf("blocked reader got %v, want %q", err, want)
		}
	case <-ctx.Done():
		t.Fatal("Del did not wake the blocked reader")
	}
}
