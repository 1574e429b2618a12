package main

import (
	"fmt"
	"log/slog"
)

// reservedFDs are the descriptors kept beside the clients' for listeners,
// logs and the runtime (CONFIG_MIN_RESERVED_FDS).
const reservedFDs = 32

// nofile reads and sets the process's RLIMIT_NOFILE (cur is the soft
// limit, max the hard one); tests replace it.
type nofile interface {
	get() (cur, max uint64, err error)
	set(cur, max uint64) error
}

// fitMaxClients is Redis's adjustOpenFilesLimit: it raises the soft
// descriptor limit to maxclients+32 if it is lower, to the hard limit if
// that is all it may, and returns the maxclients the limit allows, logging
// what it did with Redis's lines. Unlike Redis it never lowers the hard
// limit. An error means too few descriptors to start at all.
func fitMaxClients(lim nofile, maxclients int, log *slog.Logger) (int, error) {
	want := uint64(maxclients) + reservedFDs
	cur, max, err := lim.get()
	if err != nil {
		log.Warn(fmt.Sprintf("Unable to obtain the current NOFILE limit (%s), assuming 1024 and setting the max clients configuration accordingly.", strerror(err)))
		return 1024 - reservedFDs, nil
	}
	if cur >= want {
		return maxclients, nil
	}
	newMax := max
	if newMax < want {
		newMax = want // needs privilege (CAP_SYS_RESOURCE)
	}
	setErr := lim.set(want, newMax)
	if setErr == nil {
		log.Info(fmt.Sprintf("Increased maximum number of open files to %d (it was originally set to %d).", want, cur))
		return maxclients, nil
	}
	best := cur
	if max > cur && lim.set(max, max) == nil {
		best = max
	}
	if best <= reservedFDs {
		return 0, fmt.Errorf("Your current 'ulimit -n' of %d is not enough for the server to start. "+
			"Please increase your open file limit to at least %d. Exiting.", cur, want)
	}
	log.Warn(fmt.Sprintf("You requested maxclients of %d requiring at least %d max file descriptors.", maxclients, want))
	log.Warn(fmt.Sprintf("Server can't set maximum open files to %d because of OS error: %s.", want, strerror(setErr)))
	reduced := int(best - reservedFDs)
	log.Warn(fmt.Sprintf("Current maximum open files is %d. maxclients has been reduced to %d to compensate for low ulimit. "+
		"If you need higher maxclients increase 'ulimit -n'.", best, reduced))
	return reduced, nil
}

// strerror is C's text for an errno: Go's, which is the same lower-cased.
func strerror(err error) string {
	msg := err.Error()
	if msg != "" && msg[0] >= 'a' && msg[0] <= 'z' {
		msg = string(msg[0]-'a'+'A') + msg[1:]
	}
	return msg
}
