package redcurrent_test

import (
	"path/filepath"
	"testing"

	"github.com/redcurrent/redcurrent"
	"github.com/redcurrent/redcurrent/internal/difftest"
)

// ref is the real redis-server every differential case is compared with; one
// per test binary, started on first use. ref8 is the second reference, the
// Redis 8 build $REDCURRENT_REDIS8_SERVER names (.ci/run sets it where the
// build exists); without it everything runs against ref alone.
var (
	ref  = difftest.NewReference("--enable-debug-command", "yes")
	ref8 = difftest.NewReference8("--enable-debug-command", "yes")
)

func TestMain(m *testing.M) { difftest.Main(m, ref, ref8) }

// TestDiff runs every case under testdata/diff on redis-server (both
// references when there are two) and on redcurrent, in RESP2 and RESP3; the
// raw replies must be identical (or equal the replies a case writes down,
// for behaviour newer than the references).
func TestDiff(t *testing.T) {
	files, err := filepath.Glob("testdata/diff/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files under testdata/diff (%v)", err)
	}
	srv := redcurrent.RunT(t)
	r := &difftest.Runner{
		Ref:  ref.Endpoint,
		Refs: []func() (difftest.Endpoint, error){ref8.Endpoint},
		Target: func() (difftest.Endpoint, error) {
			// No WaitBlocked: @wait-blocked N polls INFO clients for
			// exactly N, as on the references (srv.WaitBlocked waits for
			// at least N, so "@wait-blocked 0" would not wait).
			return difftest.Endpoint{Name: "redcurrent", Addr: srv.Addr()}, nil
		},
		// Scripts and libraries outlive FLUSHALL: every case starts without.
		Reset: [][]string{{"FLUSHALL"}, {"SCRIPT", "FLUSH"}, {"FUNCTION", "FLUSH"}},
	}
	r.Run(t, files...)
}
