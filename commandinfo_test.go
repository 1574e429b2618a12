package redcurrent_test

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redcurrent/redcurrent"
	"github.com/redcurrent/redcurrent/internal/difftest"
)

// newerThanReference are the commands redcurrent serves that an older
// reference (redis-server 7.0) does not: COMMAND INFO there replies null for
// them and COMMAND DOCS leaves them out. Each is skipped, with its reason,
// when the reference is older than the version that added it.
var newerThanReference = map[string]revision{
	"client|no-touch": {"7.2.0", "added in Redis 7.2"},
	"client|setinfo":  {"7.2.0", "added in Redis 7.2"},
	"xackdel":         {"8.2.0", "added in Redis 8.2"},
	"xdelex":          {"8.2.0", "added in Redis 8.2"},
	"delex":           {"8.4.0", "added in Redis 8.4 (redis/redis#14435)"},
	"digest":          {"8.4.0", "added in Redis 8.4 (redis/redis#14435)"},
	"msetex":          {"8.4.0", "added in Redis 8.4 (redis/redis#14434)"},
}

// revision is a change to a command's COMMAND INFO or DOCS made in Redis
// version since (empty: never the same, whatever the reference), and why.
type revision struct{ since, why string }

// skips reports whether a reference reporting version ref predates r.
func (r revision) skips(ref string) bool { return r.since == "" || versionAfter(r.since, ref) }

// newerThan reports whether the command name is newer than the reference.
func newerThan(name, ref string) bool {
	r, ok := newerThanReference[name]
	return ok && r.skips(ref)
}

// argumentsRevised are commands whose COMMAND DOCS argument tree Redis
// revised after 7.0: 7.2 gave arguments identifier names ("client-type" for
// "normal_master_replica_pubsub", "data" for "key_value", ...) and reshaped
// a few, and redcurrent's spec follows 8.x (checked against
// src/commands/*.json at tags 7.2.6 and 8.0-m01). Their argument trees are
// not compared with a reference older than the revision.
var argumentsRevised = map[string]revision{
	"client|kill":             {"7.2.0", "7.2 names (old-format, client-type, addr, laddr, skipme as a YES|NO oneof); 7.4 adds MAXAGE"},
	"client|list":             {"7.2.0", "7.2 names client-type and makes ID a multiple integer (was a block)"},
	"client|reply":            {"7.2.0", "7.2 names the oneof action (was on_off_skip)"},
	"client|unblock":          {"7.2.0", "7.2 names the oneof unblock-type (was timeout_error)"},
	"command|getkeys":         {"7.2.0", "7.2 documents the command and arg arguments (7.0 documents none)"},
	"command|getkeysandflags": {"7.2.0", "7.2 documents the command and arg arguments (7.0 documents none)"},
	"config|get":              {"7.2.0", "7.2 makes parameter a multiple string (was a block)"},
	"config|set":              {"7.2.0", "7.2 names the block data (was parameter_value)"},
	"flushall":                {"7.2.0", "7.2 names the oneof flush-type (was async)"},
	"flushdb":                 {"7.2.0", "7.2 names the oneof flush-type (was async)"},
	"hello":                   {"7.2.0", "7.2 names the AUTH block auth (was username_password)"},
	"mset":                    {"7.2.0", "7.2 names the block data (was key_value)"},
	"msetnx":                  {"7.2.0", "7.2 names the block data (was key_value)"},
	"debug":                   {"", "Redis documents no arguments; redcurrent's generated parser needs subcommand and arg"},
	"set":                     {"8.4.0", "8.4 adds IFEQ, IFNE, IFDEQ and IFDNE to the oneof condition (redis/redis#14435)"},
	"xadd":                    {"8.2.0", "8.2 adds the KEEPREF|DELREF|ACKED oneof condition; 7.2 names id-selector and data (were id_or_auto, field_value)"},
	"xtrim":                   {"8.2.0", "8.2 adds the KEEPREF|DELREF|ACKED oneof condition"},
	"xinfo|stream":            {"7.2.0", "7.2 makes FULL a pure-token inside the block full-block (was the block's token)"},
	"xsetid":                  {"7.2.0", "7.2 names entries-added and max-deleted-id (were entries_added, max_deleted_entry_id)"},
	"xclaim":                  {"7.2.0", "7.2 names the LASTID argument lastid (was id)"},
	"xgroup|create":           {"7.2.0", "7.2 names group, id-selector, new-id and entriesread (were groupname, id, new_id, entries_read)"},
	"xgroup|setid":            {"7.2.0", "7.2 names group, id-selector, new-id and entriesread (were groupname, id, new_id, entries_read)"},
	"xgroup|createconsumer":   {"7.2.0", "7.2 names group and consumer (were groupname, consumername)"},
	"xgroup|delconsumer":      {"7.2.0", "7.2 names group and consumer (were groupname, consumername)"},
	"xgroup|destroy":          {"7.2.0", "7.2 names group (was groupname)"},
	"xinfo|consumers":         {"7.2.0", "7.2 names group (was groupname)"},
	"xreadgroup":              {"7.2.0", "7.2 names the GROUP block group-block (was group_consumer)"},
}

// fieldsRevised are COMMAND INFO and DOCS fields Redis changed after 7.0
// (redcurrent answers as 8.x; checked against src/commands/*.json at tag
// 8.0-m01 and the commits named). They are not compared with a reference
// older than the revision.
var fieldsRevised = map[string]struct {
	revision
	info, docs []string
}{
	"client|setname":          {revision{"7.4.0", "7.4 adds the all_nodes/all_succeeded tips (redis/redis#12545)"}, []string{"tips"}, nil},
	"config|resetstat":        {revision{"7.4.0", "7.4 adds the all_nodes/all_succeeded tips (redis/redis#12530)"}, []string{"tips"}, nil},
	"command|getkeys":         {revision{"7.2.0", "7.2 sets arity -3 (redis/redis#11201)"}, []string{"arity"}, nil},
	"command|getkeysandflags": {revision{"7.2.0", "7.2 sets arity -3 (redis/redis#11201)"}, []string{"arity"}, nil},
	"msetnx":                  {revision{"7.2.0", "7.2 drops the multi_shard/agg_min tips (redis/redis#12417)"}, []string{"tips"}, nil},
	"randomkey":               {revision{"7.2.0", "7.2 adds response_policy:special (redis/redis#12417)"}, []string{"tips"}, nil},
	"scan":                    {revision{"7.2.0", "7.2 adds response_policy:special (redis/redis#12417)"}, []string{"tips"}, nil},
	"function|flush":          {revision{"7.2.0", "7.2 names the oneof flush-type (was async, redis/redis#11051)"}, nil, []string{"arguments"}},
	"script|flush":            {revision{"7.2.0", "7.2 names the oneof flush-type (was async, redis/redis#11051)"}, nil, []string{"arguments"}},
	"setex":                   {revision{"7.2.0", "7.2 documents it deprecated since 2.6.12 (redis/redis#11512)"}, nil, []string{"doc_flags", "deprecated_since", "replaced_by"}},
	"psetex":                  {revision{"7.2.0", "7.2 documents it deprecated since 2.6.12 (redis/redis#11512)"}, nil, []string{"doc_flags", "deprecated_since", "replaced_by"}},
	"setnx":                   {revision{"7.2.0", "7.2 documents it deprecated since 2.6.12 (redis/redis#11512)"}, nil, []string{"doc_flags", "deprecated_since", "replaced_by"}},
	"quit":                    {revision{"7.2.0", "7.2 deprecates it (redis/redis#11439)"}, nil, []string{"doc_flags", "deprecated_since", "replaced_by"}},
}

// flagsAdded are COMMAND INFO flags Redis added after 7.0 to commands
// redcurrent serves (redcurrent answers as 8.x). Against a reference older
// than the revision the target must have the flag, and it is left out of
// the comparison.
var flagsAdded = map[string]struct {
	revision
	commands []string
}{
	"script_runner": {revision{"8.10.0", "8.10 flags the commands that run scripts or functions (redis/redis#15337)"},
		[]string{"eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"}},
}

// TestCommandInfoAndDocs asks both servers COMMAND INFO and COMMAND DOCS for
// every command and subcommand redcurrent serves (its COMMAND LIST) and
// checks that they agree on the facts: arity, flags, first/last key and
// step, ACL categories, tips, key specs (notes are our words) and
// subcommands; for DOCS, group, since, doc flags, deprecation, history
// versions and the argument tree (names, types, tokens, flags, key spec
// indexes, since, display text). Summaries, complexity and history texts
// are ours.
func TestCommandInfoAndDocs(t *testing.T) {
	ep, err := ref.Endpoint()
	if err != nil {
		if errors.Is(err, difftest.ErrNoRedis) && os.Getenv("REDCURRENT_REQUIRE_REDIS") != "1" {
			t.Skipf("skipped, %v (set REDCURRENT_REQUIRE_REDIS=1 to fail instead)", err)
		}
		t.Fatal(err)
	}
	srv := redcurrent.RunT(t)
	refc := dial3(t, ep.Addr)
	tgtc := dial3(t, srv.Addr())

	refVersion := ""
	hello := do(t, refc, "HELLO", "3")
	for i := 0; i+1 < len(hello.Elems); i += 2 {
		if hello.Elems[i].Str == "version" {
			refVersion = hello.Elems[i+1].Str
		}
	}

	list := do(t, tgtc, "COMMAND", "LIST")
	var names []string
	for _, v := range list.Elems {
		names = append(names, v.Str)
	}
	sort.Strings(names)
	if len(names) == 0 {
		t.Fatal("COMMAND LIST on redcurrent is empty")
	}
	for _, name := range names {
		if newerThan(name, refVersion) {
			t.Logf("%s: not compared, %s (reference redis-server %s)", name, newerThanReference[name].why, refVersion)
			continue
		}
		t.Run(strings.ReplaceAll(name, "|", "_"), func(t *testing.T) {
			refInfo := do(t, refc, "COMMAND", "INFO", name)
			tgtInfo := do(t, tgtc, "COMMAND", "INFO", name)
			if len(refInfo.Elems) != 1 || len(tgtInfo.Elems) != 1 {
				t.Fatalf("COMMAND INFO %s: want one entry each, reference %s, target %s", name, refInfo, tgtInfo)
			}
			r, g := refInfo.Elems[0], tgtInfo.Elems[0]
			if r.Type == '_' || r.Null {
				t.Fatalf("COMMAND INFO %s: the reference does not know it; list it in newerThanReference with the reason", name)
			}
			rn, gn := normInfo(t, r), normInfo(t, g)
			for _, sub := range gn["subcommands"].([]any) {
				if !contains(rn["subcommands"].([]any), sub) && !newerThan(sub.(string), refVersion) {
					t.Errorf("COMMAND INFO %s: subcommand %s unknown to the reference", name, sub)
				}
			}
			delete(rn, "subcommands")
			delete(gn, "subcommands")
			fr, revised := fieldsRevised[name]
			revised = revised && fr.skips(refVersion)
			if revised {
				t.Logf("COMMAND INFO/DOCS %s: %v/%v not compared: %s", name, fr.info, fr.docs, fr.why)
				for _, k := range fr.info {
					delete(rn, k)
					delete(gn, k)
				}
			}
			for flag, fa := range flagsAdded {
				if !fa.skips(refVersion) || !contains(toAny(fa.commands), name) {
					continue
				}
				flags, _ := gn["flags"].([]any)
				if !contains(flags, flag) {
					t.Errorf("COMMAND INFO %s: flag %s missing (%s)", name, flag, fa.why)
				}
				kept := []any{}
				for _, f := range flags {
					if f != flag {
						kept = append(kept, f)
					}
				}
				gn["flags"] = kept
				t.Logf("COMMAND INFO %s: flag %s not compared: %s", name, flag, fa.why)
			}
			for _, d := range diff("INFO", rn, gn) {
				t.Errorf("COMMAND INFO %s: %s", name, d)
			}

			refDocs := do(t, refc, "COMMAND", "DOCS", name)
			tgtDocs := do(t, tgtc, "COMMAND", "DOCS", name)
			if len(refDocs.Elems) != 2 || len(tgtDocs.Elems) != 2 {
				t.Fatalf("COMMAND DOCS %s: want one entry each, reference %s, target %s", name, refDocs, tgtDocs)
			}
			// display_text: 7.0 reports none, 7.2 one for every argument
			// but a oneof or block (redis/redis#11051).
			withDisplay := !versionAfter("7.2.0", refVersion)
			rd, gd := normDocs(refDocs.Elems[1], withDisplay), normDocs(tgtDocs.Elems[1], withDisplay)
			if r, ok := argumentsRevised[name]; ok && r.skips(refVersion) {
				t.Logf("COMMAND DOCS %s: arguments not compared: %s", name, r.why)
				delete(rd, "arguments")
				delete(gd, "arguments")
			}
			// History entries newer than the reference describe changes it
			// has not seen (CLIENT KILL MAXAGE in 7.4, CLIENT LIST's
			// lib-name in 7.2).
			if h, ok := gd["history"].([]any); ok {
				var kept []any
				for _, v := range h {
					if versionAfter(v.(string), refVersion) {
						t.Logf("COMMAND DOCS %s: history entry %s is newer than the reference %s", name, v, refVersion)
						continue
					}
					kept = append(kept, v)
				}
				gd["history"] = kept
				if _, refHas := rd["history"]; len(kept) == 0 && !refHas {
					delete(gd, "history")
				}
			}
			if revised {
				for _, k := range fr.docs {
					delete(rd, k)
					delete(gd, k)
				}
			}
			rsubs, _ := rd["subcommands"].([]any)
			gsubs, _ := gd["subcommands"].([]any)
			for _, sub := range gsubs {
				if !contains(rsubs, sub) && !newerThan(sub.(string), refVersion) {
					t.Errorf("COMMAND DOCS %s: subcommand %s unknown to the reference", name, sub)
				}
			}
			delete(rd, "subcommands")
			delete(gd, "subcommands")
			for _, d := range diff("DOCS", rd, gd) {
				t.Errorf("COMMAND DOCS %s: %s", name, d)
			}
		})
	}
}

func dial3(t *testing.T, addr string) *difftest.Conn {
	t.Helper()
	c, err := difftest.Dial(addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	do(t, c, "HELLO", "3")
	return c
}

func do(t *testing.T, c *difftest.Conn, args ...string) difftest.Value {
	t.Helper()
	raw, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	v, err := difftest.ParseReply(raw)
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	if v.Type == '-' {
		t.Fatalf("%s: %s", strings.Join(args, " "), v.Str)
	}
	return v
}

// normInfo turns a RESP3 COMMAND INFO entry into named fields; sets become
// sorted lists, key specs lose their notes, subcommands become their names.
func normInfo(t *testing.T, v difftest.Value) map[string]any {
	t.Helper()
	if len(v.Elems) != 10 {
		t.Fatalf("COMMAND INFO entry has %d elements, want 10: %s", len(v.Elems), v)
	}
	e := v.Elems
	var specs []any
	for _, ks := range e[8].Elems {
		specs = append(specs, norm(ks, "notes"))
	}
	sortAny(specs)
	subs := []any{}
	for _, s := range e[9].Elems {
		subs = append(subs, s.Elems[0].Str)
	}
	return map[string]any{
		"name": e[0].Str, "arity": e[1].Str, "flags": norm(e[2]),
		"first_key": e[3].Str, "last_key": e[4].Str, "step": e[5].Str,
		"acl_categories": norm(e[6]), "tips": norm(e[7]), "key_specs": specs,
		"subcommands": subs,
	}
}

// normDocs normalizes a COMMAND DOCS entry: summary, complexity and
// (unless withDisplay) display_text are dropped at every level, history
// keeps its versions, subcommands become their names.
func normDocs(v difftest.Value, withDisplay bool) map[string]any {
	drop := []string{"summary", "complexity", "display_text"}
	if withDisplay {
		drop = drop[:2]
	}
	m := norm(v, drop...).(map[string]any)
	if h, ok := m["history"].([]any); ok {
		var versions []any
		for _, e := range h {
			versions = append(versions, e.([]any)[0])
		}
		m["history"] = versions
	}
	if s, ok := m["subcommands"].(map[string]any); ok {
		var names []any
		for k := range s {
			names = append(names, k)
		}
		sortAny(names)
		m["subcommands"] = names
	}
	return m
}

// versionAfter reports whether version a ("7.4.0") is newer than b.
func versionAfter(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if x != y {
			return x > y
		}
	}
	return len(as) > len(bs)
}

// norm converts a reply to plain Go values: maps to map[string]any
// (without the keys in drop, at any depth), sets to sorted slices, arrays
// to slices, scalars to their text.
func norm(v difftest.Value, drop ...string) any {
	switch v.Type {
	case '%':
		m := map[string]any{}
	entries:
		for i := 0; i+1 < len(v.Elems); i += 2 {
			k := v.Elems[i].Str
			for _, d := range drop {
				if k == d {
					continue entries
				}
			}
			m[k] = norm(v.Elems[i+1], drop...)
		}
		return m
	case '~':
		s := []any{}
		for _, e := range v.Elems {
			s = append(s, norm(e, drop...))
		}
		sortAny(s)
		return s
	case '*':
		s := []any{}
		for _, e := range v.Elems {
			s = append(s, norm(e, drop...))
		}
		return s
	case '_':
		return nil
	}
	return v.Str
}

func sortAny(s []any) {
	sort.Slice(s, func(i, j int) bool { return fmt.Sprint(s[i]) < fmt.Sprint(s[j]) })
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

func contains(s []any, x any) bool {
	for _, e := range s {
		if reflect.DeepEqual(e, x) {
			return true
		}
	}
	return false
}

// diff lists where a (the reference) and b (redcurrent) differ, by path.
func diff(path string, a, b any) []string {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			break
		}
		var keys []string
		for k := range av {
			keys = append(keys, k)
		}
		for k := range bv {
			if _, ok := av[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			x, inA := av[k]
			y, inB := bv[k]
			switch {
			case !inA:
				out = append(out, fmt.Sprintf("%s.%s: reference has none, redcurrent %v", path, k, y))
			case !inB:
				out = append(out, fmt.Sprintf("%s.%s: reference %v, redcurrent has none", path, k, x))
			default:
				out = append(out, diff(path+"."+k, x, y)...)
			}
		}
		return out
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			break
		}
		var out []string
		for i := range av {
			out = append(out, diff(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i])...)
		}
		return out
	}
	if reflect.DeepEqual(a, b) {
		return nil
	}
	return []string{fmt.Sprintf("%s: reference %v, redcurrent %v", path, a, b)}
}
