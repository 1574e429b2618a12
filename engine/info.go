package engine

import (
	"math/bits"
	"strconv"
	"strings"
)

// WatchedKeys is INFO clients' total_watched_keys: the keys, over all
// databases, that at least one client watches. e.mu held.
func (e *Engine) WatchedKeys() int {
	n := 0
	for _, m := range e.watched {
		n += len(m)
	}
	return n
}

// keysizeLabels name the bins of INFO keysizes' histograms
// (sdscatHistograms): bin 0 holds empty strings, bin b > 0 lengths in
// [2^(b-1), 2^b).
var keysizeLabels = func() []string {
	l := []string{"0"}
	for _, unit := range []string{"", "K", "M", "G", "T", "P", "E"} {
		for v := 1; v < 1024 && len(l) < 64; v *= 2 {
			l = append(l, strconv.Itoa(v)+unit)
		}
	}
	return l
}()

// KeysizesInfo is INFO keysizes' lines (Redis 8.0, #13592), one per
// non-empty database that holds strings: db<N>_distrib_strings_sizes with
// each non-empty bin as label=count. A string of length n counts in bin
// floor(log2 n)+1 (kvsUpdateHistogram), an empty one in bin 0. Streams have
// no histogram; the other types Redis tracks (lists, sets, zsets, hashes)
// are not served. e.mu held.
func (e *Engine) KeysizesInfo() []string {
	var lines []string
	now := e.nowMs()
	for i, d := range e.dbs {
		var hist [64]int64
		n := 0
		for _, ent := range d.keys {
			s, ok := ent.val.(*String)
			if !ok || ent.expired(now) { // left for expiry to delete, not counted
				continue
			}
			bin := 0
			if l := len(s.Bytes()); l > 0 {
				bin = bits.Len(uint(l))
			}
			hist[bin]++
			n++
		}
		if n == 0 {
			continue
		}
		var b strings.Builder
		b.WriteString("db" + strconv.Itoa(i) + "_distrib_strings_sizes:")
		sep := ""
		for bin, c := range hist {
			if c > 0 {
				b.WriteString(sep + keysizeLabels[bin] + "=" + strconv.FormatInt(c, 10))
				sep = ","
			}
		}
		lines = append(lines, b.String())
	}
	return lines
}
