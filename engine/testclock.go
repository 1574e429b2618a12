package engine

import (
	"sort"
	"sync"
	"time"
)

// TestClock follows the wall clock until it is moved: Set stops it at an
// instant, Advance moves it forward by a duration (from then on it stands
// still until Run lets it follow the wall clock again, from where it stands).
// Timers fire when the clock's time reaches them, whether it got there by
// the wall clock passing or by a move; a move fires every timer it passes
// before it returns, in due order. It is what the embedding API gives tests
// (redcurrent.Server.SetTime / FastForward).
type TestClock struct {
	mu      sync.Mutex
	frozen  bool
	at      time.Time     // the clock's time when frozen
	offset  time.Duration // clock time minus wall time when running
	seq     int
	timers  map[int]*testTimer
	wallNow func() time.Time
}

type testTimer struct {
	due  time.Time
	seq  int
	f    func()
	wall *time.Timer // the wall-clock timer standing in while the clock runs
}

// NewTestClock returns a clock that follows the wall clock.
func NewTestClock() *TestClock {
	return &TestClock{timers: map[int]*testTimer{}, wallNow: time.Now}
}

func (c *TestClock) now() time.Time {
	if c.frozen {
		return c.at
	}
	return c.wallNow().Add(c.offset)
}

// Now returns the clock's time.
func (c *TestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now()
}

// AfterFunc calls f in its own goroutine when the clock reaches now+d.
func (c *TestClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	id := c.seq
	t := &testTimer{due: c.now().Add(d), seq: id, f: f}
	c.timers[id] = t
	c.armLocked(id, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		t, ok := c.timers[id]
		if ok {
			delete(c.timers, id)
			if t.wall != nil {
				t.wall.Stop()
			}
		}
		return ok
	}
}

// armLocked starts the wall timer that fires t while the clock runs. c.mu held.
func (c *TestClock) armLocked(id int, t *testTimer) {
	if t.wall != nil {
		t.wall.Stop()
		t.wall = nil
	}
	if c.frozen {
		return
	}
	t.wall = time.AfterFunc(t.due.Sub(c.now()), func() { c.fire(id) })
}

func (c *TestClock) fire(id int) {
	c.mu.Lock()
	t, ok := c.timers[id]
	if ok {
		delete(c.timers, id)
	}
	c.mu.Unlock()
	if ok {
		t.f()
	}
}

// Set stops the clock at t and fires the timers due by then.
func (c *TestClock) Set(t time.Time) {
	c.mu.Lock()
	c.frozen = true
	c.at = t
	c.moved()
}

// Advance moves the clock forward by d, stops it there, and fires the timers
// due by then.
func (c *TestClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.at = c.now().Add(d)
	c.frozen = true
	c.moved()
}

// Run lets the clock follow the wall clock again from the time it shows.
func (c *TestClock) Run() {
	c.mu.Lock()
	if c.frozen {
		c.offset = c.at.Sub(c.wallNow())
		c.frozen = false
	}
	c.moved()
}

// moved fires what is due and re-arms the rest. Called with c.mu held; unlocks it.
func (c *TestClock) moved() {
	now := c.now()
	var due []*testTimer
	for id, t := range c.timers {
		if !t.due.After(now) {
			due = append(due, t)
			delete(c.timers, id)
			if t.wall != nil {
				t.wall.Stop()
			}
		} else {
			c.armLocked(id, t)
		}
	}
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool {
		if !due[i].due.Equal(due[j].due) {
			return due[i].due.Before(due[j].due)
		}
		return due[i].seq < due[j].seq
	})
	var wg sync.WaitGroup
	for _, t := range due {
		wg.Add(1)
		go func(f func()) { defer wg.Done(); f() }(t.f)
	}
	// A move returns only when what it made due has run, so a test that
	// advances past a timeout can assert on its effect straight away.
	wg.Wait()
}
