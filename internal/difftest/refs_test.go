package difftest

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeVersioned is a fake reference reporting version v in INFO server,
// replying getReply to GET and counting the GETs it answered.
type fakeVersioned struct {
	mu   sync.Mutex
	gets int
}

func (fv *fakeVersioned) handler(v, getReply string) func([]string) []byte {
	return func(a []string) []byte {
		switch strings.ToUpper(a[0]) {
		case "GET":
			fv.mu.Lock()
			fv.gets++
			fv.mu.Unlock()
			return []byte(getReply)
		case "INFO":
			return []byte(bulk("# Server\r\nredis_version:" + v + "\r\n# Clients\r\nblocked_clients:0\r\n"))
		}
		return nil
	}
}

// twoRefs starts fake references 7.0.15 and 7.9.224 (oldest first, as
// Runner.references orders them) replying old and newer to GET.
func twoRefs(t *testing.T, old, newer string) ([]*server, *fakeVersioned, *fakeVersioned) {
	t.Helper()
	fo, fn := &fakeVersioned{}, &fakeVersioned{}
	ro := newFake(t, fo.handler("7.0.15", old)).server(t, "reference", "fake 7.0.15", time.Second)
	rn := newFake(t, fn.handler("7.9.224", newer)).server(t, "reference", "fake 7.9.224", time.Second)
	for _, s := range []*server{ro, rn} {
		if err := s.loadVersion(); err != nil {
			t.Fatal(err)
		}
	}
	return []*server{ro, rn}, fo, fn
}

// TestTwoReferences checks the rules for a second reference: each case
// runs on every reference its @since allows, the references must agree,
// written replies must agree with them, and the target with each.
func TestTwoReferences(t *testing.T) {
	const (
		v = "$1\r\nv\r\n"
		w = "$1\r\nw\r\n"
	)
	cases := []struct {
		name          string
		text          string
		old, new, tgt string
		wantParts     []string // empty: the case passes
		oldGets       int      // GETs the 7.0.15 fake must have answered (-1: any)
	}{
		{
			name: "references disagree without @since",
			text: "=== r\nGET k\n",
			old:  v, new: w, tgt: w, oldGets: -1,
			wantParts: []string{
				`mem.txt:2: case "r", RESP2, connection 1: GET k`,
				`references disagree: fake 7.0.15 replied "$1\r\nv\r\n", fake 7.9.224 replied "$1\r\nw\r\n"; mark the case @since <version> (the Redis version after 7.0.15 that changed the reply) with the newer reply`,
				`reference (fake 7.0.15):  "$1\r\nv\r\n"`,
				`reference (fake 7.9.224): "$1\r\nw\r\n"`,
				`target (fake tgt) replied like fake 7.9.224: "$1\r\nw\r\n"`,
			},
		},
		{
			name: "references disagree under an old @since",
			text: "=== r\n@since 7.0\nGET k\n@reply \"$1\\r\\nw\\r\\n\"\n",
			old:  v, new: w, tgt: v, oldGets: -1,
			wantParts: []string{
				"references disagree",
				"raise the case's @since 7.0 to the Redis version after 7.0.15 that changed the reply",
				`target (fake tgt) replied like fake 7.0.15`,
			},
		},
		{
			name: "@since between the references: the newer alone, agreeing",
			text: "=== r\n@since 7.2\nGET k\n@reply \"$1\\r\\nw\\r\\n\"\n",
			old:  v, new: w, tgt: w, oldGets: 0,
		},
		{
			name: "@since between the references: the written reply is wrong",
			text: "=== r\n@since 7.2\nGET k\n@reply \"$1\\r\\nv\\r\\n\"\n",
			old:  v, new: w, tgt: v, oldGets: 0,
			wantParts: []string{
				"the written reply (line 4) is wrong: reference (fake 7.9.224), new enough for the case's @since 7.2, replies otherwise (write its reply)",
				`expected (line 4):        "$1\r\nv\r\n"`,
				`reference (fake 7.9.224): "$1\r\nw\r\n"`,
			},
		},
		{
			name: "@since between the references: the target differs",
			text: "=== r\n@since 7.2\nGET k\n@reply \"$1\\r\\nw\\r\\n\"\n",
			old:  w, new: w, tgt: v, oldGets: 0,
			wantParts: []string{
				`reference (fake 7.9.224): "$1\r\nw\r\n"`,
				`target (fake tgt):        "$1\r\nv\r\n"`,
			},
		},
		{
			name: "@since newer than both: the written reply only",
			text: "=== r\n@since 8.2\nGET k\n@reply \"$1\\r\\nx\\r\\n\"\n",
			old:  v, new: w, tgt: "$1\r\nx\r\n", oldGets: 0,
		},
		{
			name: "@since newer than both: the target differs from the written reply",
			text: "=== r\n@since 8.2\nGET k\n@reply \"$1\\r\\nx\\r\\n\"\n",
			old:  v, new: w, tgt: w, oldGets: 0,
			wantParts: []string{`expected (line 4): "$1\r\nx\r\n"`, `target (fake tgt): "$1\r\nw\r\n"`},
		},
		{
			name: "references agree, the target differs: reported against the newest",
			text: "=== r\nGET k\n",
			old:  v, new: v, tgt: w, oldGets: -1,
			wantParts: []string{`reference (fake 7.9.224): "$1\r\nv\r\n"`, `target (fake tgt):        "$1\r\nw\r\n"`},
		},
		{
			name: "references agree, a written reply contradicts them",
			text: "=== r\nGET k\n@reply \"$1\\r\\nw\\r\\n\"\n",
			old:  v, new: v, tgt: v, oldGets: -1,
			wantParts: []string{"the written reply (line 3) is wrong: reference (fake 7.9.224), a reference the case runs on (it has no @since), replies otherwise"},
		},
		{
			name: "@outdated: the marked reference sits out",
			text: "=== r\n@outdated 7.9.224 reverted before 8.0\nGET k\n@reply \"$1\\r\\nv\\r\\n\"\n",
			old:  v, new: w, tgt: v, oldGets: 2,
		},
		{
			name: "@outdated: the target still answers to the other reference",
			text: "=== r\n@outdated 7.9.224 reverted before 8.0\nGET k\n@reply \"$1\\r\\nw\\r\\n\"\n",
			old:  v, new: w, tgt: w, oldGets: 2,
			wantParts: []string{"the written reply (line 4) is wrong: reference (fake 7.0.15)"},
		},
		{
			name: "@outdated with @since: no reference left, the written reply only",
			text: "=== r\n@since 7.2\n@outdated 7.9.224 fixed after that build\nGET k\n@reply \"$1\\r\\nx\\r\\n\"\n",
			old:  v, new: w, tgt: "$1\r\nx\r\n", oldGets: 0,
		},
		{
			name: "all agree",
			text: "=== r\nGET k\n@reply \"$1\\r\\nv\\r\\n\"\n",
			old:  v, new: v, tgt: v, oldGets: 2,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			refs, fo, _ := twoRefs(t, tc.old, tc.new)
			tgt := newFake(t, replyTo("GET", tc.tgt)).server(t, "target", "fake tgt", time.Second)
			var r Runner
			c := mustParse(t, tc.text)
			var errs []string
			for _, p := range []int{2, 3} {
				if err := r.runCase(c, p, refs, tgt); err != nil {
					errs = append(errs, err.Error())
				}
			}
			if len(tc.wantParts) == 0 {
				if len(errs) > 0 {
					t.Fatalf("want a pass, got:\n%s", strings.Join(errs, "\n"))
				}
			} else {
				if len(errs) != 2 {
					t.Fatalf("want a failure in both protocols, got %d:\n%s", len(errs), strings.Join(errs, "\n"))
				}
				for _, want := range tc.wantParts {
					if !strings.Contains(errs[0], want) {
						t.Errorf("failure report lacks %q:\n%s", want, errs[0])
					}
				}
			}
			fo.mu.Lock()
			defer fo.mu.Unlock()
			if tc.oldGets >= 0 && fo.gets != tc.oldGets {
				t.Errorf("the 7.0.15 reference answered %d GETs, want %d", fo.gets, tc.oldGets)
			}
		})
	}
}

// TestReferencesSetup checks how Runner finds its references: ordered by
// version, an unset second reference is no reference, a broken one fails.
func TestReferencesSetup(t *testing.T) {
	endpointOf := func(f *fakeServer, name string) func() (Endpoint, error) {
		return func() (Endpoint, error) { return Endpoint{Name: name, Addr: f.ln.Addr().String()}, nil }
	}
	newer := newFake(t, (&fakeVersioned{}).handler("7.9.224", "$-1\r\n"))
	older := newFake(t, (&fakeVersioned{}).handler("7.0.15", "$-1\r\n"))

	t.Run("ordered oldest first", func(t *testing.T) {
		r := Runner{Ref: endpointOf(newer, "n"), Refs: []func() (Endpoint, error){endpointOf(older, "o")}}
		refs, noRef, _, err := r.references(time.Second)
		if err != nil || noRef != nil {
			t.Fatal(err, noRef)
		}
		defer closeAll(refs)
		if len(refs) != 2 || refs[0].ep.Name != "o" || refs[1].ep.Name != "n" {
			t.Fatalf("references %v, want o then n", refs)
		}
	})
	t.Run("second reference unset", func(t *testing.T) {
		t.Setenv("REDCURRENT_REQUIRE_REDIS", "1")
		t.Setenv("REDCURRENT_REDIS8_SERVER", "")
		r := Runner{Ref: endpointOf(older, "o"), Refs: []func() (Endpoint, error){NewReference8().Endpoint}}
		refs, _, notes, err := r.references(time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer closeAll(refs)
		if len(refs) != 1 || len(notes) != 1 || !strings.Contains(notes[0], "$REDCURRENT_REDIS8_SERVER is unset") {
			t.Fatalf("references %v, notes %q: want the one reference and a note", refs, notes)
		}
	})
	t.Run("second reference missing", func(t *testing.T) {
		t.Setenv("REDCURRENT_REQUIRE_REDIS", "1")
		t.Setenv("REDCURRENT_REDIS8_SERVER", "/nonexistent/redis-server")
		r := Runner{Ref: endpointOf(older, "o"), Refs: []func() (Endpoint, error){NewReference8().Endpoint}}
		_, _, _, err := r.references(time.Second)
		if err == nil || errors.Is(err, ErrNoRedis8) || !strings.Contains(err.Error(), "$REDCURRENT_REDIS8_SERVER: stat /nonexistent/redis-server") {
			t.Fatalf("err %v, want a failure naming $REDCURRENT_REDIS8_SERVER", err)
		}
	})
	t.Run("only the second reference", func(t *testing.T) {
		t.Setenv("REDCURRENT_REQUIRE_REDIS", "")
		missing := func() (Endpoint, error) { return Endpoint{}, errors.Join(ErrNoRedis) }
		r := Runner{Ref: missing, Refs: []func() (Endpoint, error){endpointOf(newer, "n")}}
		refs, noRef, _, err := r.references(time.Second)
		if err != nil || noRef != nil || len(refs) != 1 || refs[0].version != [3]int{7, 9, 224} {
			t.Fatalf("refs %v, noRef %v, err %v: want the 7.9.224 one", refs, noRef, err)
		}
		closeAll(refs)
	})
}

// TestOutdatedMarker checks what @outdated demands of a case file.
func TestOutdatedMarker(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"=== r\n@outdated 7.9.224\nGET k\n@reply \"+OK\"\n", "@outdated 7.9.224 needs a reason"},
		{"=== r\n@outdated 7.9.224 reverted\nGET k\n", `case "r" is marked @outdated, so this line needs an expected reply for RESP2`},
		{"=== r\nGET k\n@outdated 7.9.224 reverted\n", "@outdated must come before the case's first command"},
		{"=== r\n@outdated 7.9 reverted\nGET k\n@reply \"+OK\\r\\n\"\n", ""},
	} {
		_, err := parseCases("mem.txt", tc.text)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: unexpected error %v", tc.text, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want one containing %q", tc.text, err, tc.want)
		}
	}
}
