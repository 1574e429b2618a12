package difftest

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A relaxer removes one named, legitimate difference between two replies to
// the same command. It applies to exactly one line of a case. Each relaxer
// rewrites deep copies; the raw replies are kept for messages.
type relaxer interface {
	// name is the directive as written, for failure messages.
	name() string
	// apply rewrites ref (the reference or expected reply) and tgt.
	apply(ref, tgt *Value, st relaxState)
}

// relaxState is what relaxations remember across the lines of one case run,
// per source of replies (expected, reference, target) and passed for the two
// being compared.
type relaxState struct {
	// ids maps each stream ID seen from a source to its ordinal of first
	// appearance in the case run.
	ids [2]map[string]int
}

// parseRelaxation parses a relaxation directive (word includes the @).
func parseRelaxation(word, rest string) (relaxer, error) {
	args := strings.Fields(rest)
	noArgs := func() error {
		if len(args) > 0 {
			return fmt.Errorf("%s takes no arguments", word)
		}
		return nil
	}
	switch word {
	case "@sorted":
		r := sortedRelax{}
		switch {
		case len(args) == 0:
		case len(args) == 1 && args[0] == "pairs":
			r.pairs = true
		case len(args) == 1 && args[0] == "deep":
			r.deep = true
		default:
			return nil, fmt.Errorf("@sorted takes nothing, \"pairs\" or \"deep\", not %q", rest)
		}
		return r, nil
	case "@error-prefix":
		return errorPrefixRelax{}, noArgs()
	case "@shape":
		return shapeRelax{}, noArgs()
	case "@stream-ids":
		return streamIDsRelax{}, noArgs()
	case "@approx":
		if len(args) != 1 {
			return nil, fmt.Errorf("@approx takes one tolerance, as in \"@approx 2\"")
		}
		tol, err := strconv.ParseFloat(args[0], 64)
		if err != nil || tol < 0 || math.IsNaN(tol) {
			return nil, fmt.Errorf("@approx: bad tolerance %q", args[0])
		}
		return approxRelax{tol: tol, text: args[0]}, nil
	case "@mask":
		if len(args) == 0 {
			return nil, fmt.Errorf("@mask takes one or more field names, as in \"@mask run_id uptime_in_seconds\"")
		}
		return maskRelax{fields: args}, nil
	}
	return nil, fmt.Errorf("unknown directive %s", word)
}

// sortedRelax compares an aggregate's elements as a multiset: for replies
// whose order Redis leaves unspecified (KEYS, SMEMBERS, HGETALL). Map entries
// are sorted as key/value pairs; "pairs" does the same for a flat RESP2 array
// of pairs; "deep" sorts every aggregate in the reply, not just the top one.
type sortedRelax struct{ pairs, deep bool }

func (r sortedRelax) name() string {
	switch {
	case r.pairs:
		return "@sorted pairs"
	case r.deep:
		return "@sorted deep"
	}
	return "@sorted"
}

func (r sortedRelax) apply(ref, tgt *Value, _ relaxState) {
	r.sort(ref)
	r.sort(tgt)
}

func (r sortedRelax) sort(v *Value) {
	if !v.isAggregate() {
		return
	}
	if r.deep {
		for i := range v.Elems {
			r.sort(&v.Elems[i])
		}
	}
	group := 1
	if v.Type == '%' || r.pairs {
		group = 2
	}
	if len(v.Elems)%group != 0 {
		return // odd-sized "pairs": leave it, the comparison will show it
	}
	type item struct {
		key   []byte
		elems []Value
	}
	items := make([]item, 0, len(v.Elems)/group)
	for i := 0; i < len(v.Elems); i += group {
		var k []byte
		for _, e := range v.Elems[i : i+group] {
			k = e.Encode(k)
		}
		items = append(items, item{k, v.Elems[i : i+group]})
	}
	sort.SliceStable(items, func(i, j int) bool { return bytes.Compare(items[i].key, items[j].key) < 0 })
	out := make([]Value, 0, len(v.Elems))
	for _, it := range items {
		out = append(out, it.elems...)
	}
	v.Elems = out
}

// errorPrefixRelax compares only the first word of error replies (the code,
// as in ERR or WRONGTYPE): for errors whose wording Redis changes between
// versions or that embed per-server details.
type errorPrefixRelax struct{}

func (errorPrefixRelax) name() string { return "@error-prefix" }

func (errorPrefixRelax) apply(ref, tgt *Value, _ relaxState) {
	for _, v := range []*Value{ref, tgt} {
		walk(v, func(v *Value) {
			if v.isError() {
				code, _, _ := strings.Cut(v.Str, " ")
				v.Str = code
			}
		})
	}
}

// shapeRelax masks every scalar, so only types, nulls and aggregate sizes are
// compared: for values that are different on every server (CLIENT ID, TIME,
// RANDOMKEY on a large keyspace).
type shapeRelax struct{}

func (shapeRelax) name() string { return "@shape" }

func (shapeRelax) apply(ref, tgt *Value, _ relaxState) {
	for _, v := range []*Value{ref, tgt} {
		walk(v, func(v *Value) {
			if !v.isAggregate() && !v.Null && v.Type != '_' {
				v.Str = "<any>"
			}
		})
	}
}

// streamIDsRelax replaces stream IDs (ms-seq, the whole of a string) by
// their order of first appearance in the case run on that server, so that
// auto IDs from two clocks compare equal while a reply that repeats an ID
// must still repeat the same one. The numbering spans the whole case run.
type streamIDsRelax struct{}

var streamIDPattern = regexp.MustCompile(`^[0-9]+-[0-9]+$`)

func (streamIDsRelax) name() string { return "@stream-ids" }

func (streamIDsRelax) apply(ref, tgt *Value, st relaxState) {
	for side, v := range []*Value{ref, tgt} {
		ids := st.ids[side]
		walk(v, func(v *Value) {
			if (v.Type == '$' || v.Type == '+') && !v.Null && streamIDPattern.MatchString(v.Str) {
				n, ok := ids[v.Str]
				if !ok {
					n = len(ids) + 1
					ids[v.Str] = n
				}
				v.Str = fmt.Sprintf("<id:%d>", n)
			}
		})
	}
}

// approxRelax accepts numbers that differ by at most tol: for TTLs, idle
// times and other clock readings. Integers, doubles, big numbers and strings
// holding only a number all count.
type approxRelax struct {
	tol  float64
	text string
}

func (r approxRelax) name() string { return "@approx " + r.text }

func (r approxRelax) apply(ref, tgt *Value, _ relaxState) { r.pair(ref, tgt) }

func (r approxRelax) pair(a, b *Value) {
	if a.Type != b.Type || a.Null != b.Null {
		return
	}
	if a.isAggregate() {
		if len(a.Elems) != len(b.Elems) {
			return
		}
		for i := range a.Elems {
			r.pair(&a.Elems[i], &b.Elems[i])
		}
		return
	}
	switch a.Type {
	case ':', ',', '(', '$', '+':
	default:
		return
	}
	x, err1 := strconv.ParseFloat(a.Str, 64)
	y, err2 := strconv.ParseFloat(b.Str, 64)
	if err1 == nil && err2 == nil && math.Abs(x-y) <= r.tol {
		b.Str = a.Str
	}
}

// maskRelax hides the values of named fields: "name:value" lines (INFO),
// "name=value" words (CLIENT INFO, CLIENT LIST), map entries and flat
// key/value arrays (HELLO, XINFO in RESP2) whose key is the name. For run
// ids, uptimes, client ids and idle times.
type maskRelax struct{ fields []string }

func (r maskRelax) name() string { return "@mask " + strings.Join(r.fields, " ") }

const masked = "<masked>"

func (r maskRelax) apply(ref, tgt *Value, _ relaxState) {
	r.mask(ref)
	r.mask(tgt)
}

func (r maskRelax) isField(v *Value) bool {
	if v.Type != '$' && v.Type != '+' || v.Null {
		return false
	}
	for _, f := range r.fields {
		if v.Str == f {
			return true
		}
	}
	return false
}

func (r maskRelax) mask(v *Value) {
	if v.isAggregate() {
		pairs := v.Type == '%' || v.Type == '*' && len(v.Elems)%2 == 0
		for i := range v.Elems {
			if pairs && i%2 == 1 && r.isField(&v.Elems[i-1]) {
				v.Elems[i] = Value{Type: '+', Str: masked}
				continue
			}
			r.mask(&v.Elems[i])
		}
		return
	}
	switch v.Type {
	case '$', '+':
		if !v.Null {
			v.Str = r.maskText(v.Str)
		}
	case '=':
		v.Str = v.Str[:4] + r.maskText(v.Str[4:]) // keep the "txt:" format prefix out of the text
	}
}

// maskText masks "name:value" lines and "name=value" words in s. A word
// starts after a space, comma or colon, as in CLIENT LIST's
// "id=3 addr=..." and INFO keyspace's "db0:keys=1,expires=0,avg_ttl=0".
func (r maskRelax) maskText(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		body := strings.TrimRight(l, "\r\n")
		end := l[len(body):]
		for _, f := range r.fields {
			if strings.HasPrefix(body, f+":") {
				body = f + ":" + masked
				break
			}
			body = maskWord(body, f)
		}
		lines[i] = body + end
	}
	return strings.Join(lines, "")
}

// maskWord replaces the value of every "f=value" word in line.
func maskWord(line, f string) string {
	var sb strings.Builder
	for {
		j := strings.Index(line, f+"=")
		if j < 0 {
			sb.WriteString(line)
			return sb.String()
		}
		k := j + len(f) + 1
		if j > 0 && !strings.ContainsRune(" ,:", rune(line[j-1])) {
			sb.WriteString(line[:k])
			line = line[k:]
			continue
		}
		sb.WriteString(line[:k])
		sb.WriteString(masked)
		line = line[k:]
		if e := strings.IndexAny(line, " ,"); e >= 0 {
			line = line[e:]
		} else {
			line = ""
		}
	}
}

// walk calls f on v and on every value nested in it, attributes included.
func walk(v *Value, f func(*Value)) {
	f(v)
	if v.Attr != nil {
		walk(v.Attr, f)
	}
	for i := range v.Elems {
		walk(&v.Elems[i], f)
	}
}
