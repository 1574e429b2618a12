// Command gen reads commands.json at the module root and writes generated/
// (docs/spec-and-generated.md). Run it with go generate ./... from the root.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"
)

func main() {
	specPath := flag.String("spec", "", "read this spec instead of commands.json at the module root")
	flag.Parse()
	root, err := moduleRoot()
	if err == nil {
		err = run(root, *specPath)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// moduleRoot walks up from the working directory to the go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

func run(root, specPath string) error {
	if specPath == "" {
		specPath = filepath.Join(root, "commands.json")
	}
	data, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	spec, err := Load(data)
	if err != nil {
		return err
	}
	files, err := Render(spec)
	if err != nil {
		return err
	}
	out := filepath.Join(root, "generated")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// Remove generated files the spec no longer produces (a group gone).
	old, _ := filepath.Glob(filepath.Join(out, "*.go"))
	for _, p := range old {
		if _, keep := files[filepath.Base(p)]; !keep && isGenerated(p) {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	for _, name := range sortedKeys(files) {
		if err := os.WriteFile(filepath.Join(out, name), files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

func isGenerated(path string) bool {
	b, err := os.ReadFile(path)
	return err == nil && bytes.HasPrefix(b, []byte("// "+header))
}

// Render renders every file of generated/ in memory, by file name.
func Render(spec *Spec) (map[string][]byte, error) {
	files := map[string]*jen.File{
		"zz_support.go": renderSupport(),
		"handlers.go":   renderHandlers(spec),
	}
	t, err := renderTable(spec)
	if err != nil {
		return nil, err
	}
	files["table.go"] = t
	if c := renderChecks(spec); c != nil {
		files["checks.go"] = c
	}
	names, by := groups(spec)
	for _, g := range names {
		f, err := renderArgs(by[g])
		if err != nil {
			return nil, err
		}
		files["args_"+strings.ReplaceAll(g, "-", "_")+".go"] = f
	}
	out := map[string][]byte{}
	for name, f := range files {
		var buf bytes.Buffer
		if err := f.Render(&buf); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = buf.Bytes()
	}
	out["COMMANDS.md"] = renderCommandList(spec)
	return out, nil
}

func sortedKeys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
