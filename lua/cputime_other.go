//go:build !unix

package lua

import "time"

var start = time.Now()

// processCPUTime falls back to elapsed time where getrusage is missing.
func processCPUTime() float64 { return time.Since(start).Seconds() }
