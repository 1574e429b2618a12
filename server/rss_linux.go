package server

import (
	"bytes"
	"os"
	"strconv"
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
