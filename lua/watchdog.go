package lua

import (
	"context"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/redcurrent/redcurrent/engine"
)

// watchInterval is how often the watchdog looks at the running script.
const watchInterval = 2 * time.Millisecond

// watchdog watches the running script or function from one goroutine: it
// marks the run busy once the busy threshold has passed on the engine clock,
// and cancels it (with errScriptMemory) once the Go heap has grown by more
// than the memory limit since the run began.
//
// It exists so that a run costs no goroutine, ticker or timer of its own:
// begin and end only set fields. The goroutine starts with the first run
// and exits after a tick that finds no run, and none begun since the tick
// before, so an idle server holds no goroutine and a busy one reuses it.
type watchdog struct {
	mu      sync.Mutex
	running bool // the goroutine is live
	begun   bool // a run began since the last tick
	active  bool // between begin and end

	run       *Run
	clock     engine.Clock
	start     time.Time
	busyAfter time.Duration // <= 0: never busy
	marked    bool          // onBusy already called for this run

	limit  int64 // <= 0: no memory limit
	cancel context.CancelCauseFunc
	base   int64 // readBase when the run began

	onBusy   func(*Run)
	readHeap func() int64
	readBase func() int64
	interval time.Duration
	exited   func() // tests: called when the goroutine exits
	ticked   func() // tests: called after each tick of a run
}

func newWatchdog(onBusy func(*Run)) *watchdog {
	return &watchdog{onBusy: onBusy, interval: watchInterval,
		readHeap: metricReader("/gc/heap/live:bytes"),
		readBase: metricReader("/memory/classes/heap/objects:bytes")}
}

// The memory a run retains is the live heap as of the last GC (a
// garbage-churning script does not count), measured without forcing a GC,
// since nothing a script does may trigger a process-wide one; GC cycles
// come on their own as the heap grows, so a growing table is seen within a
// cycle of passing the limit. Its base is every heap object when the run
// begins, garbage included: the live heap of a later GC cannot exceed it by
// anything the run did not allocate, so data written by commands before
// the run never counts as the script's (the live figure of the last GC
// before the run would not include it).

// metricReader returns a reader of a runtime/metrics byte count; reading
// does not stop the world, unlike runtime.ReadMemStats.
func metricReader(name string) func() int64 {
	sample := []metrics.Sample{{Name: name}}
	return func() int64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(sample[0].Value.Uint64())
	}
}

// begin starts watching r, which started at start on clock.
func (w *watchdog) begin(r *Run, clock engine.Clock, start time.Time, busyAfter time.Duration, limit int64, cancel context.CancelCauseFunc) {
	if busyAfter <= 0 && limit <= 0 {
		return
	}
	w.mu.Lock()
	w.active, w.begun, w.marked = true, true, false
	w.run, w.clock, w.start, w.busyAfter = r, clock, start, busyAfter
	w.limit, w.cancel = limit, cancel
	if limit > 0 {
		w.base = w.readBase()
	}
	if !w.running {
		w.running = true
		go w.loop()
	}
	w.mu.Unlock()
}

// end stops watching the current run: after it returns the watchdog
// neither marks nor cancels it.
func (w *watchdog) end() {
	w.mu.Lock()
	w.active = false
	w.run, w.cancel = nil, nil
	w.mu.Unlock()
}

func (w *watchdog) loop() {
	t := time.NewTimer(w.interval)
	defer t.Stop()
	for range t.C {
		if !w.tick() {
			return
		}
		t.Reset(w.interval)
	}
}

// tick looks at the run once; it reports false when the goroutine should
// exit (nothing ran for a whole interval).
func (w *watchdog) tick() bool {
	w.mu.Lock()
	if !w.active && !w.begun {
		w.running = false
		exited := w.exited
		w.mu.Unlock()
		if exited != nil {
			exited()
		}
		return false
	}
	w.begun = false
	if !w.active {
		w.mu.Unlock()
		return true
	}
	if w.limit > 0 && w.cancel != nil && w.readHeap()-w.base > w.limit {
		w.cancel(errScriptMemory)
		w.cancel = nil
	}
	var busy *Run
	if w.busyAfter > 0 && !w.marked && w.clock.Now().Sub(w.start) >= w.busyAfter {
		w.marked = true
		busy = w.run
	}
	ticked := w.ticked
	w.mu.Unlock()
	if busy != nil {
		// onBusy checks that busy is still the running script.
		w.onBusy(busy)
	}
	if ticked != nil {
		ticked()
	}
	return true
}
