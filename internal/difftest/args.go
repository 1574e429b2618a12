package difftest

import (
	"errors"

	"github.com/redcurrent/redcurrent/internal/sds"
)

// SplitArgs splits a line into arguments with redis-cli's rules (Redis's
// sdssplitargs in src/sds.c, the same code the server uses for inline
// requests): arguments are separated by spaces; in double quotes \n \r \t \b
// \a \xHH \" \\ are escapes (any other \c is c); in single quotes everything
// is literal except \'; a closing quote must be followed by a space or the
// end of the line.
func SplitArgs(line string) ([]string, error) {
	argv, ok := sds.SplitArgs([]byte(line), nil)
	if !ok {
		return nil, errors.New("unbalanced quotes")
	}
	if len(argv) == 0 {
		return nil, nil
	}
	args := make([]string, len(argv))
	for i, a := range argv {
		args[i] = string(a)
	}
	return args, nil
}
