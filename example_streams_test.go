package redcurrent_test

// The examples of the stream-operations guide (fakeredis's "Stream
// Operations" usage examples), in Go with go-redis. Each body takes a
// streamEnv, so TestStreamExamplesOnRedis can run the same code against a
// real redis-server and compare what it prints.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/redcurrent/redcurrent"
	"github.com/redis/go-redis/v9"
)

// streamEnv is what an example body needs from the server it runs on.
type streamEnv struct {
	ctx context.Context
	rdb *redis.Client
	out io.Writer
	// now is the application's clock, for timestamps it writes into entries.
	now func() time.Time
	// sleep lets d pass on the server (redcurrent: FastForward).
	sleep func(d time.Duration)
	// waitBlocked returns once n clients are blocked.
	waitBlocked func(n int)
	// endBlock ends the BLOCK wait of the client with this CLIENT ID,
	// whose timeout is d, as a timeout does.
	endBlock func(clientID int64, d time.Duration)
	// minIdle scales the idle thresholds of the dead-letter example: a real
	// server's clock cannot be moved, so its run uses 0.
	minIdle time.Duration
}

func (e *streamEnv) printf(format string, a ...any) { fmt.Fprintf(e.out, format, a...) }

// exampleEpoch is where the examples' server clock stands: "*" IDs start at
// 1700000000000-0.
var exampleEpoch = time.UnixMilli(1700000000000)

// exampleServer starts redcurrent with its clock stopped at exampleEpoch.
func exampleServer() (*streamEnv, func()) {
	srv, err := redcurrent.Run(redcurrent.Options{})
	if err != nil {
		panic(err)
	}
	srv.SetTime(exampleEpoch)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	env := &streamEnv{
		ctx:   context.Background(),
		rdb:   rdb,
		out:   os.Stdout,
		now:   srv.Now,
		sleep: srv.FastForward,
		waitBlocked: func(n int) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.WaitBlocked(ctx, n); err != nil {
				panic(err)
			}
		},
		endBlock: func(_ int64, d time.Duration) { srv.FastForward(d) },
		minIdle:  time.Minute,
	}
	return env, func() { rdb.Close(); srv.Close() }
}

// sortedFields formats an entry's fields in key order, as fmt prints maps.
func sortedFields(v map[string]any) string { return fmt.Sprint(v) }

// ---- Basic stream operations ----

func streamBasics(e *streamEnv) {
	ctx, rdb := e.ctx, e.rdb
	id1, _ := rdb.XAdd(ctx, &redis.XAddArgs{Stream: "events", Values: []string{"user", "alice", "action", "login"}}).Result()
	e.printf("Added entry: %s\n", id1)
	id2, _ := rdb.XAdd(ctx, &redis.XAddArgs{Stream: "events", Values: []string{"user", "bob", "action", "purchase", "amount", "29.99"}}).Result()
	e.printf("Added entry: %s\n", id2)
	// The guide's custom ID is older than the auto-generated ones, and IDs
	// only grow: Redis refuses it.
	_, err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: "events", ID: "1234567890123-0", Values: []string{"user", "charlie", "action", "logout"}}).Result()
	e.printf("Custom ID: %v\n", err)
	e.printf("Stream length: %d\n", rdb.XLen(ctx, "events").Val())
}

// Adding entries, and a custom ID that comes too late.
func Example_streamBasics() {
	env, done := exampleServer()
	defer done()
	streamBasics(env)
	// Output:
	// Added entry: 1700000000000-0
	// Added entry: 1700000000000-1
	// Custom ID: ERR The ID specified in XADD is equal or smaller than the target stream top item
	// Stream length: 2
}

// ---- Reading stream data ----

func streamReading(e *streamEnv) {
	ctx, rdb := e.ctx, e.rdb
	for _, r := range [][2]string{{"23.5", "65"}, {"24.1", "62"}, {"23.8", "68"}} {
		rdb.XAdd(ctx, &redis.XAddArgs{Stream: "sensor_data", Values: []string{"temperature", r[0], "humidity", r[1]}})
	}
	entries, _ := rdb.XRange(ctx, "sensor_data", "-", "+").Result()
	for _, m := range entries {
		e.printf("ID: %s\n", m.ID)
		for _, k := range []string{"temperature", "humidity"} { // in the order they were added
			e.printf(" %s: %s\n", k, m.Values[k])
		}
	}
	recent, _ := rdb.XRevRangeN(ctx, "sensor_data", "+", "-", 2).Result()
	e.printf("Last 2 entries: %d (newest %s)\n", len(recent), recent[0].ID)
	from := entries[1].ID
	newer, _ := rdb.XRange(ctx, "sensor_data", from, "+").Result()
	e.printf("From %s: %d entries\n", from, len(newer))
}

// XRANGE, XREVRANGE with COUNT, and a range from a given ID.
func Example_streamReading() {
	env, done := exampleServer()
	defer done()
	streamReading(env)
	// Output:
	// ID: 1700000000000-0
	//  temperature: 23.5
	//  humidity: 65
	// ID: 1700000000000-1
	//  temperature: 24.1
	//  humidity: 62
	// ID: 1700000000000-2
	//  temperature: 23.8
	//  humidity: 68
	// Last 2 entries: 2 (newest 1700000000000-2)
	// From 1700000000000-1: 2 entries
}

// ---- Trimming and cleanup ----

func streamTrimming(e *streamEnv) {
	ctx, rdb := e.ctx, e.rdb
	for i := range 100 {
		rdb.XAdd(ctx, &redis.XAddArgs{Stream: "logs", Values: []string{"level", "info", "message", "Log entry " + strconv.Itoa(i)}})
	}
	e.printf("Stream length before trim: %d\n", rdb.XLen(ctx, "logs").Val())
	// "~" removes whole nodes only; all 100 entries share one node (100
	// entries per node by default), so nothing goes.
	e.printf("Trimmed %d entries (MAXLEN ~ 50)\n", rdb.XTrimMaxLenApprox(ctx, "logs", 50, 0).Val())
	e.printf("Stream length after trim: %d\n", rdb.XLen(ctx, "logs").Val())
	e.printf("Trimmed %d entries (MAXLEN 50)\n", rdb.XTrimMaxLen(ctx, "logs", 50).Val())
	e.printf("Stream length after trim: %d\n", rdb.XLen(ctx, "logs").Val())
	first5, _ := rdb.XRangeN(ctx, "logs", "-", "+", 5).Result()
	ids := make([]string, len(first5))
	for i, m := range first5 {
		ids[i] = m.ID
	}
	e.printf("Deleted %d specific entries\n", rdb.XDel(ctx, "logs", ids...).Val())
	e.printf("Stream length: %d\n", rdb.XLen(ctx, "logs").Val())
}

// XTRIM with "~" and "=", and XDEL.
func Example_streamTrimming() {
	env, done := exampleServer()
	defer done()
	streamTrimming(env)
	// Output:
	// Stream length before trim: 100
	// Trimmed 0 entries (MAXLEN ~ 50)
	// Stream length after trim: 100
	// Trimmed 50 entries (MAXLEN 50)
	// Stream length after trim: 50
	// Deleted 5 specific entries
	// Stream length: 45
}

// ---- Consumer groups ----

func streamConsumerGroups(e *streamEnv) {
	ctx, rdb := e.ctx, e.rdb
	for i := range 10 {
		rdb.XAdd(ctx, &redis.XAddArgs{Stream: "orders", Values: []string{"order_id", fmt.Sprintf("order_%d", i), "status", "pending"}})
	}
	rdb.XGroupCreate(ctx, "orders", "processors", "0")
	rdb.XGroupCreateConsumer(ctx, "orders", "processors", "worker1")
	rdb.XGroupCreateConsumer(ctx, "orders", "processors", "worker2")
	for _, w := range []struct {
		name  string
		count int64
	}{{"worker1", 3}, {"worker2", 2}} {
		res, _ := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "processors", Consumer: w.name, Streams: []string{"orders", ">"}, Count: w.count, Block: -1}).Result()
		e.printf("%s received:\n", w.name)
		for _, st := range res {
			for _, m := range st.Messages {
				e.printf(" %s: %s\n", m.ID, sortedFields(m.Values))
			}
		}
	}
}

// Two consumers of one group get different entries.
func Example_streamConsumerGroups() {
	env, done := exampleServer()
	defer done()
	streamConsumerGroups(env)
	// Output:
	// worker1 received:
	//  1700000000000-0: map[order_id:order_0 status:pending]
	//  1700000000000-1: map[order_id:order_1 status:pending]
	//  1700000000000-2: map[order_id:order_2 status:pending]
	// worker2 received:
	//  1700000000000-3: map[order_id:order_3 status:pending]
	//  1700000000000-4: map[order_id:order_4 status:pending]
}

// ---- Acknowledgement and pending entries ----

func printPending(e *streamEnv, label string, p *redis.XPending) {
	e.printf("%s: %d pending, from %s to %s, by consumer %v\n", label, p.Count, p.Lower, p.Higher, p.Consumers)
}

func streamAckPending(e *streamEnv) {
	ctx, rdb := e.ctx, e.rdb
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: "tasks", Values: []string{"task", "send_email", "recipient", "user@example.com"}})
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: "tasks", Values: []string{"task", "process_payment", "amount", "100.00"}})
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: "tasks", Values: []string{"task", "update_inventory", "item_id", "12345"}})
	rdb.XGroupCreate(ctx, "tasks", "workers", "0")
	res, _ := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "workers", Consumer: "consumer1", Streams: []string{"tasks", ">"}, Block: -1}).Result()
	var ids []string
	for _, st := range res {
		for _, m := range st.Messages {
			ids = append(ids, m.ID)
			e.printf("Processing: %s\n", sortedFields(m.Values))
		}
	}
	p, _ := rdb.XPending(ctx, "tasks", "workers").Result()
	printPending(e, "Pending messages", p)
	e.printf("Acknowledged %d messages\n", rdb.XAck(ctx, "tasks", "workers", ids[:2]...).Val())
	p, _ = rdb.XPending(ctx, "tasks", "workers").Result()
	printPending(e, "Remaining pending", p)
}

// XREADGROUP leaves entries pending until XACK.
func Example_streamAckPending() {
	env, done := exampleServer()
	defer done()
	streamAckPending(env)
	// Output:
	// Processing: map[recipient:user@example.com task:send_email]
	// Processing: map[amount:100.00 task:process_payment]
	// Processing: map[item_id:12345 task:update_inventory]
	// Pending messages: 3 pending, from 1700000000000-0 to 1700000000000-2, by consumer map[consumer1:3]
	// Acknowledged 2 messages
	// Remaining pending: 1 pending, from 1700000000000-2 to 1700000000000-2, by consumer map[consumer1:1]
}

// ---- Blocking reads with a producer ----

func streamBlocking(e *streamEnv) {
	ctx, rdb := e.ctx, e.rdb
	consumer := rdb.Conn()
	defer consumer.Close()
	consumerID := consumer.ClientID(ctx).Val()
	added := make(chan string, 5)
	go func() { // the producer: an entry every two seconds
		for i := range 5 {
			e.waitBlocked(1) // the consumer waits
			e.sleep(2 * time.Second)
			id, err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: "notifications", Values: []string{
				"type", "alert", "message", fmt.Sprintf("Alert %d", i), "timestamp", strconv.FormatInt(e.now().Unix(), 10)}}).Result()
			if err != nil {
				panic(err)
			}
			added <- id
		}
		e.waitBlocked(1)
		e.endBlock(consumerID, 5*time.Second) // and then nothing for 5 seconds
	}()
	last := "0-0"
	for {
		res, err := consumer.XRead(ctx, &redis.XReadArgs{Streams: []string{"notifications", last}, Block: 5 * time.Second}).Result()
		if err == redis.Nil {
			e.printf("No new messages, continuing...\n")
			break
		}
		for _, st := range res {
			for _, m := range st.Messages {
				e.printf("Producer added: %s\n", <-added)
				e.printf("Consumer received: %s - %s\n", m.ID, sortedFields(m.Values))
				last = m.ID
			}
		}
	}
}

// XREAD BLOCK is woken by each XADD and times out when the producer stops;
// FastForward stands in for the producer's sleeps and the 5 second wait.
func Example_streamBlocking() {
	env, done := exampleServer()
	defer done()
	streamBlocking(env)
	// Output:
	// Producer added: 1700000002000-0
	// Consumer received: 1700000002000-0 - map[message:Alert 0 timestamp:1700000002 type:alert]
	// Producer added: 1700000004000-0
	// Consumer received: 1700000004000-0 - map[message:Alert 1 timestamp:1700000004 type:alert]
	// Producer added: 1700000006000-0
	// Consumer received: 1700000006000-0 - map[message:Alert 2 timestamp:1700000006 type:alert]
	// Producer added: 1700000008000-0
	// Consumer received: 1700000008000-0 - map[message:Alert 3 timestamp:1700000008 type:alert]
	// Producer added: 1700000010000-0
	// Consumer received: 1700000010000-0 - map[message:Alert 4 timestamp:1700000010 type:alert]
	// No new messages, continuing...
}

// ---- Information and monitoring ----

func streamInfo(e *streamEnv) {
	ctx, rdb := e.ctx, e.rdb
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: "analytics", Values: []string{"event", "page_view", "page", "/home"}})
	rdb.XAdd(ctx, &redis.XAddArgs{Stream: "analytics", Values: []string{"event", "click", "element", "button"}})
	rdb.XGroupCreate(ctx, "analytics", "processors", "0")
	rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "processors", Consumer: "worker1", Streams: []string{"analytics", ">"}, Block: -1})
	e.sleep(1500 * time.Millisecond)

	info, _ := rdb.XInfoStream(ctx, "analytics").Result()
	e.printf("Stream info:\n")
	e.printf(" Length: %d\n", info.Length)
	e.printf(" First entry: %s %s\n", info.FirstEntry.ID, sortedFields(info.FirstEntry.Values))
	e.printf(" Last entry: %s %s\n", info.LastEntry.ID, sortedFields(info.LastEntry.Values))
	groups, _ := rdb.XInfoGroups(ctx, "analytics").Result()
	e.printf("Consumer groups:\n")
	for _, g := range groups {
		e.printf(" Group: %s\n", g.Name)
		e.printf(" Consumers: %d\n", g.Consumers)
		e.printf(" Pending: %d\n", g.Pending)
	}
	consumers, _ := rdb.XInfoConsumers(ctx, "analytics", "processors").Result()
	e.printf("Consumers in group:\n")
	for _, c := range consumers {
		e.printf(" Consumer: %s\n", c.Name)
		e.printf(" Pending: %d\n", c.Pending)
		e.printf(" Idle: %v\n", c.Idle)
	}
}

// XINFO STREAM, GROUPS and CONSUMERS; idle time follows the server clock.
func Example_streamInfo() {
	env, done := exampleServer()
	defer done()
	streamInfo(env)
	// Output:
	// Stream info:
	//  Length: 2
	//  First entry: 1700000000000-0 map[event:page_view page:/home]
	//  Last entry: 1700000000000-1 map[element:button event:click]
	// Consumer groups:
	//  Group: processors
	//  Consumers: 1
	//  Pending: 2
	// Consumers in group:
	//  Consumer: worker1
	//  Pending: 2
	//  Idle: 1.5s
}

// ---- Pattern: event sourcing ----

type eventStore struct{ e *streamEnv }

func (s eventStore) append(aggregate, eventType string, data map[string]any) string {
	js, _ := json.Marshal(data)
	now := s.e.now()
	id, err := s.e.rdb.XAdd(s.e.ctx, &redis.XAddArgs{Stream: "aggregate:" + aggregate, Values: []string{
		"event_type", eventType,
		"event_data", string(js),
		"timestamp", now.UTC().Format("2006-01-02T15:04:05.000000"),
		"version", strconv.FormatInt(now.UnixMicro(), 10),
	}}).Result()
	if err != nil {
		panic(err)
	}
	return id
}

type storedEvent struct {
	ID, Type, Timestamp, Version string
	Data                         map[string]any
}

func (s eventStore) events(aggregate, from string) []storedEvent {
	if from == "" {
		from = "-"
	}
	msgs, _ := s.e.rdb.XRange(s.e.ctx, "aggregate:"+aggregate, from, "+").Result()
	var out []storedEvent
	for _, m := range msgs {
		ev := storedEvent{ID: m.ID, Type: m.Values["event_type"].(string), Timestamp: m.Values["timestamp"].(string), Version: m.Values["version"].(string)}
		json.Unmarshal([]byte(m.Values["event_data"].(string)), &ev.Data)
		out = append(out, ev)
	}
	return out
}

func streamEventSourcing(e *streamEnv) {
	store := eventStore{e}
	store.append("user123", "UserCreated", map[string]any{"name": "Alice", "email": "alice@example.com"})
	e.sleep(time.Millisecond)
	store.append("user123", "EmailChanged", map[string]any{"old_email": "alice@example.com", "new_email": "alice.smith@example.com"})
	e.sleep(time.Millisecond)
	store.append("user123", "ProfileUpdated", map[string]any{"field": "age", "value": 30})
	e.printf("Events for user123:\n")
	for _, ev := range store.events("user123", "") {
		e.printf(" %s %s (version %s): %v\n", ev.ID, ev.Type, ev.Version, ev.Data)
	}
}

// One stream per aggregate, replayed with XRANGE.
func Example_streamEventSourcing() {
	env, done := exampleServer()
	defer done()
	streamEventSourcing(env)
	// Output:
	// Events for user123:
	//  1700000000000-0 UserCreated (version 1700000000000000): map[email:alice@example.com name:Alice]
	//  1700000000001-0 EmailChanged (version 1700000000001000): map[new_email:alice.smith@example.com old_email:alice@example.com]
	//  1700000000002-0 ProfileUpdated (version 1700000000002000): map[field:age value:30]
}

// ---- Pattern: message queue with a dead-letter stream ----

type messageQueue struct {
	e                 *streamEnv
	queue, group, dlq string
}

func newMessageQueue(e *streamEnv, queue, group string) *messageQueue {
	// BUSYGROUP when the group exists: fine.
	e.rdb.XGroupCreateMkStream(e.ctx, queue, group, "0")
	return &messageQueue{e: e, queue: queue, group: group, dlq: queue + ":dlq"}
}

func (q *messageQueue) enqueue(data map[string]any, priority int) string {
	js, _ := json.Marshal(data)
	return q.e.rdb.XAdd(q.e.ctx, &redis.XAddArgs{Stream: q.queue, Values: []string{
		"data", string(js), "priority", strconv.Itoa(priority),
		"enqueued_at", strconv.FormatInt(q.e.now().Unix(), 10), "retry_count", "0"}}).Val()
}

func (q *messageQueue) dequeue(consumer string, count int64) []redis.XMessage {
	res, err := q.e.rdb.XReadGroup(q.e.ctx, &redis.XReadGroupArgs{Group: q.group, Consumer: consumer, Streams: []string{q.queue, ">"}, Count: count, Block: time.Second}).Result()
	if err != nil {
		return nil
	}
	return res[0].Messages
}

func (q *messageQueue) ack(id string) int64 { return q.e.rdb.XAck(q.e.ctx, q.queue, q.group, id).Val() }

// retryFailed claims entries idle longer than idle: one retried maxRetries
// times goes to the dead-letter stream, any other is queued again with its
// retry count raised. Both are acknowledged.
func (q *messageQueue) retryFailed(maxRetries int, idle time.Duration) {
	ctx, rdb := q.e.ctx, q.e.rdb
	pending, _ := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: q.queue, Group: q.group, Start: "-", End: "+", Count: 100}).Result()
	for _, p := range pending {
		if p.Idle < idle {
			continue
		}
		claimed, _ := rdb.XClaim(ctx, &redis.XClaimArgs{Stream: q.queue, Group: q.group, Consumer: "retry_handler", MinIdle: idle, Messages: []string{p.ID}}).Result()
		if len(claimed) == 0 {
			continue
		}
		f := claimed[0].Values
		retries, _ := strconv.Atoi(f["retry_count"].(string))
		if retries >= maxRetries {
			rdb.XAdd(ctx, &redis.XAddArgs{Stream: q.dlq, Values: []string{
				"original_id", p.ID, "data", f["data"].(string), "retry_count", strconv.Itoa(retries)}})
			q.e.printf("Dead letter: %s after %d retries\n", p.ID, retries)
		} else {
			f["retry_count"] = strconv.Itoa(retries + 1)
			keys := make([]string, 0, len(f))
			for k := range f {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var fv []string
			for _, k := range keys {
				fv = append(fv, k, f[k].(string))
			}
			id := rdb.XAdd(ctx, &redis.XAddArgs{Stream: q.queue, Values: fv}).Val()
			q.e.printf("Retry %d of %s as %s\n", retries+1, p.ID, id)
		}
		q.ack(p.ID)
	}
}

func streamMessageQueue(e *streamEnv) {
	q := newMessageQueue(e, "work_queue", "workers")
	q.enqueue(map[string]any{"task": "send_email", "recipient": "user@example.com"}, 0)
	q.enqueue(map[string]any{"task": "process_payment", "amount": 100}, 1)

	// As in the guide: one message, processed and acknowledged.
	for _, m := range q.dequeue("worker1", 1) {
		e.printf("Processing: %s (priority %s)\n", m.Values["data"], m.Values["priority"])
		e.printf("Acknowledged: %d\n", q.ack(m.ID))
	}
	// The guide defines retries but never runs them: worker2 fails the
	// payment every time, and the third retry goes to the dead-letter queue.
	for range 4 {
		for _, m := range q.dequeue("worker2", 1) {
			e.printf("Failed: %s (retry_count %s)\n", m.Values["data"], m.Values["retry_count"])
		}
		e.sleep(e.minIdle + time.Second)
		q.retryFailed(3, e.minIdle)
	}
	dead, _ := e.rdb.XRange(e.ctx, q.dlq, "-", "+").Result()
	for _, m := range dead {
		e.printf("In %s: %s\n", q.dlq, sortedFields(m.Values))
	}
	p, _ := e.rdb.XPending(e.ctx, q.queue, q.group).Result()
	e.printf("Still pending: %d\n", p.Count)
}

// Work queue on a group: XREADGROUP, XACK, and XPENDING plus XCLAIM to
// retry failed messages or move them to a dead-letter stream.
func Example_streamMessageQueue() {
	env, done := exampleServer()
	defer done()
	streamMessageQueue(env)
	// Output:
	// Processing: {"recipient":"user@example.com","task":"send_email"} (priority 0)
	// Acknowledged: 1
	// Failed: {"amount":100,"task":"process_payment"} (retry_count 0)
	// Retry 1 of 1700000000000-1 as 1700000061000-0
	// Failed: {"amount":100,"task":"process_payment"} (retry_count 1)
	// Retry 2 of 1700000061000-0 as 1700000122000-0
	// Failed: {"amount":100,"task":"process_payment"} (retry_count 2)
	// Retry 3 of 1700000122000-0 as 1700000183000-0
	// Failed: {"amount":100,"task":"process_payment"} (retry_count 3)
	// Dead letter: 1700000183000-0 after 3 retries
	// In work_queue:dlq: map[data:{"amount":100,"task":"process_payment"} original_id:1700000183000-0 retry_count:3]
	// Still pending: 0
}
