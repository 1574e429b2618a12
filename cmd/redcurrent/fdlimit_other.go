//go:build !(linux || darwin)

package main

// descriptorLimit is nil where redcurrent does not read RLIMIT_NOFILE:
// maxclients is taken as given.
var descriptorLimit nofile
