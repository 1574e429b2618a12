package engine

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestTestClockFollowsWallClockUntilMoved(t *testing.T) {
	c := NewTestClock()
	wall := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c.wallNow = func() time.Time { return wall }
	if got := c.Now(); !got.Equal(wall) {
		t.Fatalf("running clock: got %v, want %v", got, wall)
	}
	c.Advance(time.Hour)
	wall = wall.Add(time.Minute) // a frozen clock ignores the wall clock
	if got, want := c.Now(), wall.Add(-time.Minute+time.Hour); !got.Equal(want) {
		t.Fatalf("after Advance: got %v, want %v", got, want)
	}
	c.Run()
	wall = wall.Add(time.Second)
	if got, want := c.Now(), wall.Add(-time.Minute+time.Hour); !got.Equal(want) {
		t.Fatalf("after Run: got %v, want %v", got, want)
	}
	at := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Set(at)
	if got := c.Now(); !got.Equal(at) {
		t.Fatalf("after Set: got %v, want %v", got, at)
	}
}

func TestTestClockMoveFiresDueTimersInOrder(t *testing.T) {
	c := NewTestClock()
	c.Set(time.Unix(1000, 0))
	var order []int
	done := make(chan int, 3)
	c.AfterFunc(30*time.Millisecond, func() { done <- 3 })
	c.AfterFunc(10*time.Millisecond, func() { done <- 1 })
	stop := c.AfterFunc(20*time.Millisecond, func() { done <- 2 })
	var late atomic.Bool
	c.AfterFunc(time.Hour, func() { late.Store(true) })
	if !stop() {
		t.Fatal("stop of a pending timer reported it had fired")
	}
	c.Advance(30 * time.Millisecond)
	// Advance returns after the due callbacks ran.
	for len(done) > 0 {
		order = append(order, <-done)
	}
	if len(order) != 2 {
		t.Fatalf("fired %v, want the 10ms and 30ms timers", order)
	}
	if late.Load() {
		t.Fatal("a timer due in an hour fired after 30ms")
	}
	if stop() {
		t.Fatal("stop after cancel reported pending")
	}
}

func TestTestClockRunningTimerFiresOnWallClock(t *testing.T) {
	c := NewTestClock()
	fired := make(chan struct{})
	c.AfterFunc(time.Millisecond, func() { close(fired) })
	select {
	case <-fired:
	case <-time.After(10 * time.Second):
		t.Fatal("timer on a running clock did not fire within 10s")
	}
}
