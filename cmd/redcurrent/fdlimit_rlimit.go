//go:build linux || darwin

package main

import "syscall"

// processNofile is the process's own RLIMIT_NOFILE.
type processNofile struct{}

func (processNofile) get() (uint64, uint64, error) {
	var l syscall.Rlimit
	err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	return uint64(l.Cur), uint64(l.Max), err
}

func (processNofile) set(cur, max uint64) error {
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: cur, Max: max})
}

// descriptorLimit is what the process's descriptors allow.
var descriptorLimit nofile = processNofile{}
