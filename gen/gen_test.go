package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite generated/ and gen/testdata/*.golden from the specs")

// TestGenerated is the golden test: rendering commands.json in memory gives
// exactly the committed generated/ files (and no others).
func TestGenerated(t *testing.T) {
	data, err := os.ReadFile("../commands.json")
	if err != nil {
		t.Fatal(err)
	}
	spec, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Render(spec)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := run("..", ""); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("../generated", name))
		if err != nil {
			t.Errorf("%s: %v (run go generate ./...)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("generated/%s differs from what commands.json gives; run go generate ./... (or go test ./gen -update)", name)
		}
	}
	have, _ := filepath.Glob("../generated/*.go")
	for _, p := range have {
		if _, ok := files[filepath.Base(p)]; !ok {
			t.Errorf("generated/%s is not produced by commands.json", filepath.Base(p))
		}
	}
}

// TestTestdata renders each gen/testdata spec: invalid_*.json must fail with
// the text in the matching .err file; any other spec must render exactly
// the matching .golden file (each output file under a "-- name --" line).
func TestTestdata(t *testing.T) {
	specs, err := filepath.Glob("testdata/*.json")
	if err != nil || len(specs) == 0 {
		t.Fatal("no testdata specs", err)
	}
	for _, path := range specs {
		base := strings.TrimSuffix(path, ".json")
		t.Run(filepath.Base(base), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := Load(data)
			var files map[string][]byte
			if err == nil {
				files, err = Render(spec)
			}
			if strings.HasPrefix(filepath.Base(base), "invalid_") {
				want, rerr := os.ReadFile(base + ".err")
				if rerr != nil {
					t.Fatal(rerr)
				}
				if err == nil {
					t.Fatalf("spec accepted, want error %q", strings.TrimSpace(string(want)))
				}
				if got := err.Error(); got != strings.TrimSpace(string(want)) {
					t.Fatalf("error\n got %q\nwant %q", got, strings.TrimSpace(string(want)))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			for _, name := range sortedKeys(files) {
				fmt.Fprintf(&got, "-- %s --\n", name)
				got.Write(files[name])
			}
			if *update {
				if err := os.WriteFile(base+".golden", got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(base + ".golden")
			if err != nil {
				t.Fatal(err, "(go test ./gen -update writes it)")
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("output differs from %s.golden (go test ./gen -update rewrites it)", base)
			}
		})
	}
}
