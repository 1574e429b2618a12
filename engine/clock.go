package engine

import (
	"sort"
	"sync"
	"time"
)

// Clock is the engine's only source of time: key expiry, TIME, stream IDs,
// idle times and BLOCK timeouts all read it, so one Advance of a ManualClock
// moves every one of them together.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed on this clock.
	// stop cancels it and reports whether it had not yet fired.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// RealClock is the wall clock.
type RealClock struct{}

func (RealClock) Now() time.Time { return time.Now() }

func (RealClock) AfterFunc(d time.Duration, f func()) func() bool {
	t := time.AfterFunc(d, f)
	return t.Stop
}

// ManualClock is a clock that moves only when told to (Set, Advance). Timers
// due at or before the new time fire, in due order, when it moves.
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers map[int]*manualTimer
}

type manualTimer struct {
	at  time.Time
	seq int
	f   func()
}

// NewManualClock returns a clock standing at t.
func NewManualClock(t time.Time) *ManualClock {
	return &ManualClock{now: t, timers: map[int]*manualTimer{}}
}

func (m *ManualClock) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

func (m *ManualClock) AfterFunc(d time.Duration, f func()) func() bool {
	m.mu.Lock()
	m.seq++
	id := m.seq
	t := &manualTimer{at: m.now.Add(d), seq: id, f: f}
	due := d <= 0
	if !due {
		m.timers[id] = t
	}
	m.mu.Unlock()
	if due {
		go f()
		return func() bool { return false }
	}
	return func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		_, ok := m.timers[id]
		delete(m.timers, id)
		return ok
	}
}

// Advance moves the clock forward by d (a negative d moves it back).
func (m *ManualClock) Advance(d time.Duration) { m.Set(m.Now().Add(d)) }

// Set moves the clock to t and fires the timers now due.
func (m *ManualClock) Set(t time.Time) {
	m.mu.Lock()
	m.now = t
	var due []*manualTimer
	for id, tm := range m.timers {
		if !tm.at.After(t) {
			due = append(due, tm)
			delete(m.timers, id)
		}
	}
	m.mu.Unlock()
	sort.Slice(due, func(i, j int) bool {
		if !due[i].at.Equal(due[j].at) {
			return due[i].at.Before(due[j].at)
		}
		return due[i].seq < due[j].seq
	})
	for _, tm := range due {
		go tm.f()
	}
}
