package redcurrent_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redcurrent/redcurrent"
	"github.com/redis/go-redis/v9"
)

// A server in a test: start it, point any client at Addr, move its clock.
func Example() {
	srv, err := redcurrent.Run(redcurrent.Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	fmt.Println(rdb.Set(ctx, "lock", "worker-1", 10*time.Second).Val())
	fmt.Println(rdb.Get(ctx, "lock").Val())

	srv.FastForward(11 * time.Second) // past the TTL: the key is gone
	_, err = rdb.Get(ctx, "lock").Result()
	fmt.Println(errors.Is(err, redis.Nil))
	// Output:
	// OK
	// worker-1
	// true
}

// The helpers set up and inspect state without a client.
func ExampleServer_Set() {
	srv, err := redcurrent.Run(redcurrent.Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	srv.Set("counter", "41")
	srv.SetTTL("counter", time.Minute)

	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	fmt.Println(rdb.Incr(context.Background(), "counter").Val())

	v, ok, _ := srv.Get("counter")
	ttl, _ := srv.TTL("counter")
	fmt.Println(v, ok, ttl <= time.Minute && ttl > 59*time.Second, srv.Type("counter"), srv.Keys())
	// Output:
	// 42
	// 42 true true string [counter]
}

// SetTime stops the clock at an instant: TIME, EXPIREAT and TTLs read it.
func ExampleServer_SetTime() {
	srv, err := redcurrent.Run(redcurrent.Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	srv.SetTime(time.Unix(1700000000, 0))
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()

	fmt.Println(rdb.Time(ctx).Val().Unix())
	rdb.Set(ctx, "session", "s1", 0)
	rdb.ExpireAt(ctx, "session", time.Unix(1700000060, 0))
	fmt.Println(rdb.TTL(ctx, "session").Val())
	srv.FastForward(time.Minute) // at the expiry millisecond the key still exists, as in Redis
	fmt.Println(rdb.Exists(ctx, "session").Val())
	srv.FastForward(time.Millisecond)
	fmt.Println(rdb.Exists(ctx, "session").Val())
	// Output:
	// 1700000000
	// 1m0s
	// 1
	// 0
}
