package engine

import "math/big"

// INCRBYFLOAT works in C's long double, which on x86-64 is the 80-bit x87
// format: a 64-bit significand and a 15-bit exponent. big.Float with 64
// bits of precision and round-to-nearest-even gives the same sums; the
// exponent range is checked by hand.

const ldPrec = 64

var (
	// ldMax is LDBL_MAX, (2 - 2^-63) * 2^16383.
	ldMax = new(big.Float).SetPrec(ldPrec).SetMantExp(
		new(big.Float).SetPrec(ldPrec).Sub(big.NewFloat(2), new(big.Float).SetMantExp(big.NewFloat(1), -63)), 16383)
	// ldMinSub is the smallest subnormal long double, 2^-16445. Anything
	// smaller that is not zero underflows.
	ldMinSub = new(big.Float).SetMantExp(big.NewFloat(1), -16445)
)

// parseLongDouble is Redis's string2ld (strtold): optional sign, decimal or
// hexadecimal digits with optional fraction and exponent, or inf/infinity;
// no leading space, nothing after the number, no NaN, and no overflow or
// underflow to zero. It reports ok=false for anything strtold would reject
// there.
func parseLongDouble(b []byte) (f *big.Float, inf int, ok bool) {
	if len(b) == 0 || len(b) >= 5*1024 {
		return nil, 0, false
	}
	s := string(b)
	body := s
	neg := false
	if body[0] == '+' || body[0] == '-' {
		neg = body[0] == '-'
		body = body[1:]
	}
	switch lower(body) {
	case "inf", "infinity":
		if neg {
			return nil, -1, true
		}
		return nil, 1, true
	}
	hex := len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')
	if !validFloatSyntax(body, hex) {
		return nil, 0, false
	}
	base := 10
	if hex {
		base = 0
	}
	f, _, err := new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven).Parse(s, base)
	if err != nil {
		return nil, 0, false
	}
	a := new(big.Float).Abs(f)
	if a.Cmp(ldMax) > 0 {
		return nil, 0, false // ERANGE with HUGE_VALL
	}
	if a.Sign() != 0 && a.Cmp(ldMinSub) < 0 {
		return nil, 0, false // ERANGE with zero
	}
	return f, 0, true
}

func lower(s string) string {
	if len(s) > 8 {
		return ""
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// validFloatSyntax accepts digits[.digits][e[+-]digits] (at least one
// digit in the mantissa), or its hexadecimal form with a 'p' exponent.
func validFloatSyntax(s string, hex bool) bool {
	i := 0
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	expChar := byte('e')
	if hex {
		i = 2
		isDigit = func(c byte) bool {
			return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		}
		expChar = 'p'
	}
	digits := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i]|0x20) == expChar {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		if n == 0 {
			return false
		}
	}
	return i == len(s)
}

// incrLongDouble adds incr to the value stored in b as INCRBYFLOAT does and
// returns the text Redis stores: "%.17Lf" with trailing zeros (and a
// trailing point) removed, and "-0" written "0" (ld2string, LD_STR_HUMAN).
// incr is the argument's text (the spec gives it raw), read as strtold
// reads it after the stored value, as incrbyfloatCommand does.
func incrLongDouble(b []byte, incr []byte) ([]byte, error) {
	var cur *big.Float
	curInf := 0
	if b == nil {
		cur = new(big.Float).SetPrec(ldPrec)
	} else {
		var ok bool
		cur, curInf, ok = parseLongDouble(b)
		if !ok {
			return nil, ErrNotFloat
		}
	}
	inc, incInf, ok := parseLongDouble(incr)
	if !ok {
		return nil, ErrNotFloat
	}
	if curInf != 0 || incInf != 0 {
		return nil, ErrNaNInfinity // inf, or inf-inf = NaN
	}
	sum := new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven).Add(cur, inc)
	if new(big.Float).Abs(sum).Cmp(ldMax) > 0 {
		return nil, ErrNaNInfinity
	}
	out := sum.Append(nil, 'f', 17)
	// Remove trailing zeroes after the point, then the point itself.
	for out[len(out)-1] == '0' {
		out = out[:len(out)-1]
	}
	if out[len(out)-1] == '.' {
		out = out[:len(out)-1]
	}
	if len(out) == 2 && out[0] == '-' && out[1] == '0' {
		out = out[1:]
	}
	return out, nil
}
