package server

import (
	"fmt"
	"math/bits"
	"strings"
	"time"
)

// INFO latencystats: per command, the 50th, 99th and 99.9th percentile of
// its call durations in microseconds (latency-tracking's defaults), read
// from a histogram kept as Redis keeps it: an HDR histogram of nanoseconds
// from 1 to 10^9 with 2 significant digits (updateCommandLatencyHistogram,
// deps/hdr_histogram), so the figures are the bucket bounds Redis would
// print for the same durations.

const (
	latSubBuckets   = 256 // 2^ceil(log2(2*10^2))
	latHalfMag      = 7   // log2(latSubBuckets/2)
	latHalf         = latSubBuckets / 2
	latMask         = latSubBuckets - 1
	latBuckets      = 23 // until latSubBuckets<<(latBuckets-1) > latMax
	latMax          = 1_000_000_000
	latCountsLength = (latBuckets + 1) * latHalf
)

// latencyPercentiles are latency-tracking-info-percentiles' default.
var latencyPercentiles = []struct {
	label string // "%f", trimmed as trimDoubleString does
	p     float64
}{{"50", 50}, {"99", 99}, {"99.9", 99.9}}

// latencyHist is one command's histogram (hdr_histogram with lowest 1,
// highest 10^9, 2 significant figures; unit magnitude 0).
type latencyHist struct {
	counts [latCountsLength]int64
	total  int64
}

func latBucket(v int64) (bucket, sub int) {
	bucket = 64 - bits.LeadingZeros64(uint64(v|latMask)) - (latHalfMag + 1)
	return bucket, int(v >> bucket)
}

// record adds a call that took d.
func (h *latencyHist) record(d time.Duration) {
	v := min(max(d.Nanoseconds(), 1), latMax)
	b, sub := latBucket(v)
	h.counts[(b+1)<<latHalfMag+sub-latHalf]++
	h.total++
}

// valueAt is hdr_value_at_percentile: the highest value equivalent to the
// bucket where the cumulative count reaches p percent of the calls.
func (h *latencyHist) valueAt(p float64) int64 {
	want := max(int64(p/100*float64(h.total)+0.5), 1)
	var n int64
	for i, c := range h.counts {
		n += c
		if n < want {
			continue
		}
		b, sub := i>>latHalfMag-1, i&(latHalf-1)+latHalf
		if b < 0 {
			sub -= latHalf
			b = 0
		}
		v := int64(sub) << b
		// highest_equivalent_value: the next bucket bound, less one.
		b, sub = latBucket(v)
		if sub >= latSubBuckets {
			b++
		}
		return v + int64(1)<<b - 1
	}
	return 0
}

// infoLatencyStats writes INFO latencystats' lines for the commands with
// calls timed since the last reset, by name (Redis's order is its command
// table's hash order).
func (s *Server) infoLatencyStats(b *strings.Builder) {
	st := &s.stats.errStats
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, cmd := range st.commands(func(cs *cmdStat) bool { return cs.lat != nil }) {
		h := st.cmds[cmd].lat
		b.WriteString("latency_percentiles_usec_" + infoSafe(cmd.Name) + ":")
		for i, p := range latencyPercentiles {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(b, "p%s=%.3f", p.label, float64(h.valueAt(p.p))/1000)
		}
		b.WriteString("\r\n")
	}
}
