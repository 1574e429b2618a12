package difftest

import (
	"fmt"
	"strconv"
	"strings"
)

// firstDiff describes the first place where a and b differ, naming them
// aName and bName, as in `at [1][0]: reference bulk "a", target bulk "b"`.
// It returns "" if they encode identically.
func firstDiff(a, b Value, aName, bName string) string {
	path, da, db := diffAt(a, b, "")
	if da == "" && db == "" {
		return ""
	}
	if path == "" {
		path = "top level"
	}
	return fmt.Sprintf("at %s: %s %s, %s %s", path, aName, da, bName, db)
}

func diffAt(a, b Value, path string) (string, string, string) {
	if (a.Attr == nil) != (b.Attr == nil) {
		return path, attrDesc(a), attrDesc(b)
	}
	if a.Attr != nil {
		if p, da, db := diffAt(*a.Attr, *b.Attr, path+"(attribute)"); da != "" || db != "" {
			return p, da, db
		}
	}
	if a.Type != b.Type || a.Null != b.Null || a.isAggregate() && len(a.Elems) != len(b.Elems) {
		return path, describe(a), describe(b)
	}
	if !a.isAggregate() {
		if a.Str == b.Str {
			return "", "", ""
		}
		if len(a.Str) > 40 || len(b.Str) > 40 || strings.Contains(a.Str+b.Str, "\n") {
			return stringDiff(a, b, path)
		}
		return path, describe(a), describe(b)
	}
	for i := range a.Elems {
		p := fmt.Sprintf("%s[%d]", path, i)
		if a.Type == '%' {
			kind := "key"
			if i%2 == 1 {
				kind = "value"
			}
			p = fmt.Sprintf("%s[%s %d]", path, kind, i/2)
		}
		if p, da, db := diffAt(a.Elems[i], b.Elems[i], p); da != "" || db != "" {
			return p, da, db
		}
	}
	return "", "", ""
}

func attrDesc(v Value) string {
	if v.Attr == nil {
		return "no attribute"
	}
	return fmt.Sprintf("attribute of %d entries", len(v.Attr.Elems)/2)
}

var typeNames = map[byte]string{
	'+': "simple string", '-': "error", ':': "integer", '$': "bulk string",
	'*': "array", '_': "null", ',': "double", '#': "boolean", '!': "blob error",
	'=': "verbatim string", '(': "big number", '%': "map", '~': "set", '>': "push",
	'|': "attribute",
}

// describe is a short human description of v, with its payload quoted and
// cut to a readable length.
func describe(v Value) string {
	name := typeNames[v.Type]
	switch {
	case v.Null && v.Type == '$':
		return "null bulk string ($-1)"
	case v.Null:
		return "null array (*-1)"
	case v.Type == '_':
		return "null (_)"
	case v.isAggregate() && v.Type == '%':
		return fmt.Sprintf("%s of %d entries", name, len(v.Elems)/2)
	case v.isAggregate():
		return fmt.Sprintf("%s of %d elements", name, len(v.Elems))
	}
	s := v.Str
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return name + " " + strconv.Quote(s)
}

// stringDiff locates the first difference inside two long strings: the
// first differing line for text with several lines (INFO, CLIENT LIST),
// else a window around the first differing byte.
func stringDiff(a, b Value, path string) (string, string, string) {
	name := typeNames[a.Type]
	if path == "" {
		path = "top level"
	}
	if strings.Contains(a.Str, "\n") || strings.Contains(b.Str, "\n") {
		al, bl := strings.Split(a.Str, "\n"), strings.Split(b.Str, "\n")
		for i := 0; i < max(len(al), len(bl)); i++ {
			if i >= len(al) || i >= len(bl) {
				x, y := "nothing (no such line)", "nothing (no such line)"
				if i < len(al) {
					x = strconv.Quote(strings.TrimSuffix(al[i], "\r"))
				} else {
					y = strconv.Quote(strings.TrimSuffix(bl[i], "\r"))
				}
				return fmt.Sprintf("%s, %s line %d", path, name, i+1), x, y
			}
			x, y := strings.TrimSuffix(al[i], "\r"), strings.TrimSuffix(bl[i], "\r")
			if x != y {
				where, wx, wy := window(x, y)
				return fmt.Sprintf("%s, %s line %d%s", path, name, i+1, where), wx, wy
			}
		}
	}
	where, wx, wy := window(a.Str, b.Str)
	return fmt.Sprintf("%s, %s%s", path, name, where), wx, wy
}

// window quotes x and y whole if they are short, else the part around
// their first differing byte, whose offset it then names.
func window(x, y string) (string, string, string) {
	if len(x) <= 80 && len(y) <= 80 {
		return "", strconv.Quote(x), strconv.Quote(y)
	}
	i := 0
	for i < len(x) && i < len(y) && x[i] == y[i] {
		i++
	}
	cut := func(s string) string {
		lo, hi := max(0, i-20), min(len(s), i+40)
		w := strconv.Quote(s[lo:hi])
		if lo > 0 {
			w = "..." + w
		}
		if hi < len(s) {
			w += "..."
		}
		return fmt.Sprintf("%s (%d bytes)", w, len(s))
	}
	return fmt.Sprintf(" byte %d", i), cut(x), cut(y)
}
