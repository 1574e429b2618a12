package redcurrent_test

import (
	"path/filepath"
	"testing"

	"github.com/redcurrent/redcurrent"
	"github.com/redcurrent/redcurrent/internal/difftest"
)

// ref is the real redis-server every differential case is compared with; one
// per test binary, started on first use.
var ref = difftest.NewReference("--enable-debug-command", "yes")

func TestMain(m *testing.M) { difftest.Main(m, ref) }

// TestDiff runs every case under testdata/diff on redis-server and on
// redcurrent, in RESP2 and RESP3; the raw replies must be identical (or equal
// the replies a case writes down, for behaviour newer than the reference).
func TestDiff(t *testing.T) {
	files, err := filepath.Glob("testdata/diff/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files under testdata/diff (%v)", err)
	}
	srv := redcurrent.RunT(t)
	r := &difftest.Runner{
		Ref: ref.Endpoint,
		Target: func() (difftest.Endpoint, error) {
			return difftest.Endpoint{Name: "redcurrent", Addr: srv.Addr(), WaitBlocked: srv.WaitBlocked}, nil
		},
		// Scripts and libraries outlive FLUSHALL: every case starts without.
		Reset: [][]string{{"FLUSHALL"}, {"SCRIPT", "FLUSH"}, {"FUNCTION", "FLUSH"}},
	}
	r.Run(t, files...)
}
