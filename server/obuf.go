package server

import (
	"errors"
	"strconv"
	"strings"
)

// client-output-buffer-limit: the parameter (config.go's table) and its
// parsing. Connections enforce the normal class (conn.outputLimitReached).

// obufLimit is one class of client-output-buffer-limit.
type obufLimit struct{ hard, soft, softSeconds int64 }

// obufNormal is the normal class's limits.
func (c *config) obufNormal() obufLimit {
	if l := c.obufPublic.Load(); l != nil {
		return *l
	}
	return obufLimit{}
}

var obufClasses = [3]string{"normal", "slave", "pubsub"}

// parseObufLimits is setConfigClientOutputBufferLimitOption: the value is
// split at single spaces into groups of class, hard, soft and soft seconds
// (the sizes as memtoull reads them, the seconds as strtoll, kept as an
// int); the classes given replace their limits, the others stay.
func parseObufLimits(v string, into *[3]obufLimit) string {
	var args []string
	if v != "" {
		args = strings.Split(v, " ")
	}
	if len(args)%4 != 0 {
		return "Wrong number of arguments in buffer limit configuration."
	}
	for i := 0; i < len(args); i += 4 {
		class := -1
		switch strings.ToLower(args[i]) {
		case "normal":
			class = 0
		case "slave", "replica":
			class = 1
		case "pubsub":
			class = 2
		}
		if class < 0 {
			return "Invalid client class specified in buffer limit configuration."
		}
		hard, okHard := memToBytes(args[i+1])
		soft, okSoft := memToBytes(args[i+2])
		secs, okSecs := strtoll(args[i+3])
		secs = int64(int32(secs)) // soft_seconds is an int
		if !okHard || !okSoft || !okSecs || secs < 0 {
			return "Error in hard, soft or soft_seconds setting in buffer limit configuration."
		}
		into[class] = obufLimit{hard, soft, secs}
	}
	return ""
}

// strtoll reads a whole string as strtoll with base 10 and a check that
// nothing follows: leading blanks and a sign are allowed, no digits is 0,
// and a value out of range saturates.
func strtoll(v string) (int64, bool) {
	v = strings.TrimLeft(v, " \t\n\v\f\r")
	neg := false
	if v != "" && (v[0] == '+' || v[0] == '-') {
		neg, v = v[0] == '-', v[1:]
	}
	if v == "" {
		return 0, true
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	switch {
	case neg && n > 1<<63:
		return -1 << 63, true
	case neg:
		return -int64(n), true
	case n > 1<<63-1:
		return 1<<63 - 1, true
	}
	return int64(n), true
}

func checkObufLimits(v string) (string, string) {
	var scratch [3]obufLimit
	return v, parseObufLimits(v, &scratch)
}

// getObufLimits is CONFIG GET's form: every class, sizes in bytes.
func getObufLimits(s *Server) string {
	var b []byte
	for i, l := range s.cfg.obuf {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, obufClasses[i]...)
		for _, n := range []int64{l.hard, l.soft, l.softSeconds} {
			b = strconv.AppendInt(append(b, ' '), n, 10)
		}
	}
	return string(b)
}

func setObufLimits(s *Server, v string) {
	parseObufLimits(v, &s.cfg.obuf)
	normal := s.cfg.obuf[0]
	s.cfg.obufPublic.Store(&normal)
}
