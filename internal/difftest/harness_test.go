package difftest

import (
	"path/filepath"
	"testing"
)

// Two separate redis-servers, one as reference and one as target: every
// case must pass, which checks the cases, the relaxations and the runner.
var (
	refRedis = NewReference()
	tgtRedis = NewReference()
)

func TestMain(m *testing.M) { Main(m, refRedis, tgtRedis) }

func sampleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample case files: %v", err)
	}
	return files
}

// TestSelf runs the sample cases with redis-server as both reference and target.
func TestSelf(t *testing.T) {
	Run(t, sampleFiles(t), refRedis.Endpoint, tgtRedis.Endpoint)
}
