package lua

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent/engine"
)

// testWatchdog is a watchdog with a fast tick, a heap the test sets, and
// channels reporting busy marks and the goroutine's exits.
type testWatchdog struct {
	*watchdog
	heap   atomic.Int64
	busy   chan *Run
	exited chan struct{}
	ticked chan struct{}
}

func newTestWatchdog() *testWatchdog {
	tw := &testWatchdog{busy: make(chan *Run, 4), exited: make(chan struct{}, 4), ticked: make(chan struct{}, 1)}
	tw.watchdog = newWatchdog(func(r *Run) { tw.busy <- r })
	tw.interval = time.Millisecond
	tw.readHeap = tw.heap.Load
	tw.readBase = tw.heap.Load
	tw.watchdog.exited = func() { tw.exited <- struct{}{} }
	tw.watchdog.ticked = func() {
		select {
		case tw.ticked <- struct{}{}:
		default:
		}
	}
	return tw
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// The run is marked busy once the threshold has passed on the engine
// clock, once, and the goroutine exits after the run ends.
func TestWatchdogBusy(t *testing.T) {
	tw := newTestWatchdog()
	clock := engine.NewTestClock()
	start := time.Unix(1000, 0)
	clock.Set(start)
	r := &Run{Name: "x"}
	tw.begin(r, clock, start, 50*time.Millisecond, 0, nil)
	select {
	case <-tw.busy:
		t.Fatal("marked busy before the threshold")
	case <-time.After(20 * time.Millisecond):
	}
	clock.Set(start.Add(50 * time.Millisecond))
	if got := waitFor(t, tw.busy, "busy mark"); got != r {
		t.Fatalf("marked %v, want the running script", got)
	}
	tw.end()
	waitFor(t, tw.exited, "watchdog exit")
	select {
	case <-tw.busy:
		t.Fatal("marked busy twice")
	default:
	}
}

// A run whose heap grows past the limit is cancelled with errScriptMemory;
// one that stays under it is not, and a run that has ended is never
// cancelled afterwards.
func TestWatchdogMemory(t *testing.T) {
	tw := newTestWatchdog()
	clock := engine.NewTestClock()
	var mu sync.Mutex
	var causes []error
	cancel := func(err error) {
		mu.Lock()
		causes = append(causes, err)
		mu.Unlock()
	}
	ctx, cancelCtx := context.WithCancelCause(context.Background())
	tw.heap.Store(1000)
	tw.begin(&Run{}, clock, clock.Now(), 0, 100, func(err error) { cancel(err); cancelCtx(err) })
	// begin reads the base; growth within the limit is allowed.
	waitFor(t, tw.ticked, "first tick")
	tw.heap.Store(1100)
	waitFor(t, tw.ticked, "a tick")
	waitFor(t, tw.ticked, "a tick")
	if ctx.Err() != nil {
		t.Fatal("cancelled within the limit")
	}
	tw.heap.Store(1101)
	<-waitCtx(t, ctx)
	tw.end()
	mu.Lock()
	if len(causes) != 1 || !errors.Is(causes[0], errScriptMemory) {
		t.Fatalf("causes %v", causes)
	}
	mu.Unlock()

	// Ended before the growth: never cancelled.
	tw.heap.Store(0)
	tw.begin(&Run{}, clock, clock.Now(), 0, 100, cancel)
	tw.end()
	tw.heap.Store(1 << 40)
	waitFor(t, tw.exited, "watchdog exit")
	mu.Lock()
	defer mu.Unlock()
	if len(causes) != 1 {
		t.Fatalf("an ended run was cancelled: %v", causes)
	}
}

func waitCtx(t *testing.T, ctx context.Context) <-chan struct{} {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("run not cancelled")
	}
	return ctx.Done()
}

// Without a threshold or a limit nothing is watched and no goroutine runs.
func TestWatchdogIdle(t *testing.T) {
	tw := newTestWatchdog()
	tw.begin(&Run{}, engine.NewTestClock(), time.Now(), 0, 0, nil)
	tw.mu.Lock()
	running := tw.running
	tw.mu.Unlock()
	tw.end()
	if running {
		t.Fatal("watchdog started with nothing to watch")
	}
}
