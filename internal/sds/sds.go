// Package sds holds the pieces of Redis's sds.c that redcurrent needs in more
// than one place.
package sds

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// SplitArgs is sdssplitargs (sds.c): blank-separated words, "double quotes"
// with \xHH, \n, \r, \t, \b, \a escapes, 'single quotes' with \' only. A
// closing quote must be followed by a blank or the end. ok is false for
// unbalanced quotes. Arguments are new slices (quotes change the bytes).
func SplitArgs(line []byte, argv [][]byte) ([][]byte, bool) {
	p := 0
	for {
		for p < len(line) && isSpace(line[p]) {
			p++
		}
		if p >= len(line) {
			return argv, true
		}
		var cur []byte
		inq, insq := false, false
		for done := false; !done; {
			at := func(i int) byte { // C's *(p+i) on a NUL-terminated line
				if p+i < len(line) {
					return line[p+i]
				}
				return 0
			}
			c := at(0)
			switch {
			case inq:
				switch {
				case c == '\\' && at(1) == 'x' && isHex(at(2)) && isHex(at(3)):
					cur = append(cur, hexVal(at(2))*16+hexVal(at(3)))
					p += 3
				case c == '\\' && p+1 < len(line):
					p++
					e := line[p]
					switch e {
					case 'n':
						e = '\n'
					case 'r':
						e = '\r'
					case 't':
						e = '\t'
					case 'b':
						e = '\b'
					case 'a':
						e = '\a'
					}
					cur = append(cur, e)
				case c == '"':
					if p+1 < len(line) && !isSpace(line[p+1]) {
						return nil, false
					}
					done = true
				case p >= len(line):
					return nil, false
				default:
					cur = append(cur, c)
				}
			case insq:
				switch {
				case c == '\\' && at(1) == '\'':
					p++
					cur = append(cur, '\'')
				case c == '\'':
					if p+1 < len(line) && !isSpace(line[p+1]) {
						return nil, false
					}
					done = true
				case p >= len(line):
					return nil, false
				default:
					cur = append(cur, c)
				}
			default:
				switch {
				case p >= len(line) || c == ' ' || c == '\n' || c == '\r' || c == '\t':
					done = true
				case c == '"':
					inq = true
				case c == '\'':
					insq = true
				default:
					cur = append(cur, c)
				}
			}
			if p < len(line) {
				p++
			}
		}
		if cur == nil {
			cur = []byte{}
		}
		argv = append(argv, cur)
	}
}
