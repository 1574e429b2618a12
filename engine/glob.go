package engine

// GlobMatch is Redis's stringmatchlen (util.c, 7.0): '*', '?', '[...]' with
// '^' negation, 'a-z' ranges (either order) and '\' escapes, with the same
// handling of malformed patterns (an unclosed '[' matches the characters seen
// so far) and the same early exit that keeps '*' from going exponential.
// Bytes compare as C's signed char, as on x86. nocase folds ASCII case where
// Redis's tolower does: literals, '\'-escaped literals outside a class, and
// range bounds (KEYS and SCAN match case-sensitively; CONFIG GET and COMMAND
// LIST do not). Against abusive patterns (CVE-2024-31228, Redis 8.0-M02
// and the 7.x/6.2 patch releases), a '*' more than maxGlobNesting levels
// deep matches nothing, so such a pattern matches no string at all.
func GlobMatch(pattern, str []byte, nocase bool) bool {
	skip := false
	return globMatchImpl(pattern, str, nocase, &skip, 0)
}

// maxGlobNesting is stringmatchlen_impl's limit: the recursion a '*' (or a
// run of them) starts one level deeper; a level past 1000 is no match.
const maxGlobNesting = 1000

func globMatchImpl(p, s []byte, nocase bool, skipLonger *bool, nesting int) bool {
	if nesting > maxGlobNesting {
		return false
	}
	lower := func(c byte) byte {
		if nocase && c >= 'A' && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	for len(p) > 0 && len(s) > 0 {
		switch p[0] {
		case '*':
			for len(p) > 1 && p[1] == '*' {
				p = p[1:]
			}
			if len(p) == 1 {
				return true
			}
			for len(s) > 0 {
				if globMatchImpl(p[1:], s, nocase, skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				s = s[1:]
			}
			*skipLonger = true
			return false
		case '?':
			s = s[1:]
		case '[':
			p = p[1:]
			not := len(p) > 0 && p[0] == '^'
			if not {
				p = p[1:]
			}
			match := false
			for {
				if len(p) == 0 {
					// Unterminated: step back so that the common
					// advance below leaves p empty.
					break
				}
				if p[0] == '\\' && len(p) >= 2 {
					p = p[1:]
					if p[0] == s[0] {
						match = true
					}
				} else if p[0] == ']' {
					break
				} else if len(p) >= 3 && p[1] == '-' {
					start, end, c := int(int8(lower(p[0]))), int(int8(lower(p[2]))), int(int8(lower(s[0])))
					if start > end {
						start, end = end, start
					}
					p = p[2:]
					if c >= start && c <= end {
						match = true
					}
				} else if lower(p[0]) == lower(s[0]) {
					match = true
				}
				p = p[1:]
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s = s[1:]
			if len(p) == 0 {
				// Redis's pattern-- / patternLen++ followed by the common
				// pattern++ / patternLen--: nothing left either way.
				goto advanced
			}
		case '\\':
			if len(p) >= 2 {
				p = p[1:]
			}
			if lower(p[0]) != lower(s[0]) {
				return false
			}
			s = s[1:]
		default:
			if lower(p[0]) != lower(s[0]) {
				return false
			}
			s = s[1:]
		}
		p = p[1:]
	advanced:
		if len(s) == 0 {
			for len(p) > 0 && p[0] == '*' {
				p = p[1:]
			}
			break
		}
	}
	return len(p) == 0 && len(s) == 0
}
