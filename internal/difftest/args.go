package difftest

import (
	"errors"
	"strings"
)

// SplitArgs splits a line into arguments with redis-cli's rules (Redis's
// sdssplitargs in src/sds.c): arguments are separated by spaces; in double
// quotes \n \r \t \b \a \xHH \" \\ are escapes (any other \c is c); in single
// quotes everything is literal except \'; a closing quote must be followed by
// a space or the end of the line.
func SplitArgs(line string) ([]string, error) {
	var args []string
	p := 0
	n := len(line)
	at := func(i int) byte {
		if i < n {
			return line[i]
		}
		return 0
	}
	for {
		for p < n && isSpace(line[p]) {
			p++
		}
		if p >= n {
			return args, nil
		}
		var cur strings.Builder
		inq, insq, done := false, false, false
		for !done {
			c := at(p)
			switch {
			case inq:
				switch {
				case c == '\\' && at(p+1) == 'x' && isHex(at(p+2)) && isHex(at(p+3)):
					cur.WriteByte(unhex(at(p+2))<<4 | unhex(at(p+3)))
					p += 3
				case c == '\\' && p+1 < n:
					p++
					switch e := line[p]; e {
					case 'n':
						cur.WriteByte('\n')
					case 'r':
						cur.WriteByte('\r')
					case 't':
						cur.WriteByte('\t')
					case 'b':
						cur.WriteByte('\b')
					case 'a':
						cur.WriteByte('\a')
					default:
						cur.WriteByte(e)
					}
				case c == '"':
					if p+1 < n && !isSpace(line[p+1]) {
						return nil, errors.New("closing quote must be followed by a space")
					}
					done = true
				case p >= n:
					return nil, errors.New("unbalanced double quotes")
				default:
					cur.WriteByte(c)
				}
			case insq:
				switch {
				case c == '\\' && at(p+1) == '\'':
					p++
					cur.WriteByte('\'')
				case c == '\'':
					if p+1 < n && !isSpace(line[p+1]) {
						return nil, errors.New("closing quote must be followed by a space")
					}
					done = true
				case p >= n:
					return nil, errors.New("unbalanced single quotes")
				default:
					cur.WriteByte(c)
				}
			default:
				switch {
				case p >= n || isSpace(c):
					done = true
				case c == '"':
					inq = true
				case c == '\'':
					insq = true
				default:
					cur.WriteByte(c)
				}
			}
			if p < n {
				p++
			}
		}
		args = append(args, cur.String())
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
