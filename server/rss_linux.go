package server

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
)

// processRSS is the process's resident set size in bytes: the second
// field of /proc/self/statm (resident pages) times the page size, as
// Redis's zmalloc_get_rss reads /proc/<pid>/stat. ok is false when it
// cannot be read.
func processRSS() (uint64, bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseUint(string(f[1]), 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * uint64(os.Getpagesize()), true
}

// cpuTimes are INFO cpu's figures (getrusage): the process's system and
// user CPU time, then its children's.
func cpuTimes() (sys, user, childSys, childUser syscall.Timeval) {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	return self.Stime, self.Utime, children.Stime, children.Utime
}

// systemMemory is INFO memory's total_system_memory (zmalloc_get_memory_size).
func systemMemory() uint64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}
