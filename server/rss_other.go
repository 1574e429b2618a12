//go:build !linux

package server

// processRSS has no portable source outside Linux: INFO falls back to the
// Go runtime's figure.
func processRSS() (uint64, bool) { return 0, false }
