//go:build !linux

package difftest

import "os/exec"

// setDeathSignal has no portable equivalent outside Linux.
func setDeathSignal(cmd *exec.Cmd) {}
