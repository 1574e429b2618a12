package engine

import (
	"strings"
	"testing"
)

// The nesting limit of CVE-2024-31228: each '*' that recurses (a run of
// '*' counts once; a trailing '*' does not recurse) goes one level deeper,
// and a level past 1000 matches nothing.
func TestGlobNestingLimit(t *testing.T) {
	key := []byte(strings.Repeat("a", 1001))
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{strings.Repeat("*a", 1000), true},
		{strings.Repeat("*a", 1001), false},
		{strings.Repeat("**a", 1001), false},
		{strings.Repeat("*a", 1000) + "*", true},
		{strings.Repeat("*a", 1000) + "**", true},
		{strings.Repeat("*a", 1000) + "*a", false},
	} {
		if got := GlobMatch([]byte(tc.pattern), key, false); got != tc.want {
			t.Errorf("pattern of %d bytes: %v, want %v", len(tc.pattern), got, tc.want)
		}
	}
}
