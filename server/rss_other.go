//go:build !linux

package server

import "syscall"

// processRSS has no portable source outside Linux: INFO falls back to the
// Go runtime's figure.
func processRSS() (uint64, bool) { return 0, false }

// cpuTimes has no portable source outside Linux: INFO cpu shows zeros.
func cpuTimes() (sys, user, childSys, childUser syscall.Timeval) { return }

// systemMemory is unknown outside Linux (total_system_memory 0).
func systemMemory() uint64 { return 0 }
