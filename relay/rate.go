package relay

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// ParseRate parses a human-readable rate and returns it in bytes per second.
//
// A plain number, or one with a unit spelt with a lower-case b ("b", "bit",
// "bits", "bps"), counts bits: "500000", "300k", "300kbit", "300kbps",
// "2Mbit/s", "1.5M", "1G". A capital B ("B", "Bps", "byte", "bytes") counts
// bytes: "64KB", "64kB/s", "1MB". Prefixes k, M, G, T are SI (1000-based) in
// either case; Ki, Mi, Gi, Ti are 1024-based. A trailing "/s" and a space
// before the unit are allowed, so FormatRate's output reads back. "0" and
// "unlimited" are 0, which a Budget takes to mean no cap.
//
// Bits are rounded to the nearest byte, but a positive rate never rounds to
// 0, so a tiny rate cannot turn into "unlimited".
//
// Errors wrap ErrBadRate and quote s: `relay: bad rate "x2": no number`.
// Negative, non-numeric and overflowing rates are errors. ParseRate never
// panics.
func ParseRate(s string) (int64, error) {
	bad := func(why string) (int64, error) {
		return 0, fmt.Errorf("%w %q: %s", ErrBadRate, s, why)
	}
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return bad("empty")
	case strings.EqualFold(t, "unlimited"):
		return 0, nil
	case t[0] == '-':
		return bad("negative")
	}

	digits, dots := 0, 0
	i := 0
	for ; i < len(t); i++ {
		c := t[i]
		if c >= '0' && c <= '9' {
			digits++
		} else if c == '.' {
			dots++
		} else {
			break
		}
	}
	if digits == 0 || dots > 1 {
		return bad("no number")
	}
	num, ok := new(big.Rat).SetString(t[:i])
	if !ok {
		return bad("no number")
	}
	mult, isBytes, ok := parseUnit(strings.TrimSpace(t[i:]))
	if !ok {
		return bad(fmt.Sprintf("unknown unit %q (want e.g. kbit, Mbit/s, kB)", strings.TrimSpace(t[i:])))
	}
	num.Mul(num, new(big.Rat).SetInt64(mult))
	if !isBytes {
		num.Quo(num, big.NewRat(8, 1))
	}
	// Round half up: (2n + d) / 2d.
	n, d := num.Num(), num.Denom()
	q := new(big.Int).Lsh(n, 1)
	q.Add(q, d)
	q.Quo(q, new(big.Int).Lsh(d, 1))
	if !q.IsInt64() {
		return bad("too large")
	}
	v := q.Int64()
	if v == 0 && num.Sign() > 0 {
		v = 1
	}
	return v, nil
}

// parseUnit reads what follows the number: an optional prefix and an
// optional bit or byte unit, with an optional "/s".
func parseUnit(u string) (mult int64, isBytes, ok bool) {
	if len(u) >= 2 && strings.EqualFold(u[len(u)-2:], "/s") {
		u = u[:len(u)-2]
	}
	mult = 1
	if u != "" {
		var p int64
		switch u[0] {
		case 'k', 'K':
			p = 1
		case 'm', 'M':
			p = 2
		case 'g', 'G':
			p = 3
		case 't', 'T':
			p = 4
		}
		if p > 0 {
			u = u[1:]
			base := int64(1000)
			if u != "" && (u[0] == 'i' || u[0] == 'I') {
				base, u = 1024, u[1:]
			}
			for ; p > 0; p-- {
				mult *= base
			}
		}
	}
	switch {
	case u == "", u == "b", u == "bps", strings.EqualFold(u, "bit"), strings.EqualFold(u, "bits"):
		return mult, false, true
	case u == "B", u == "Bps", strings.EqualFold(u, "byte"), strings.EqualFold(u, "bytes"):
		return mult, true, true
	}
	return 0, false, false
}

// FormatRate prints a rate given in bytes per second as bits per second with
// three significant digits and an SI prefix: "300 kbit/s", "2.4 Mbit/s". It
// prints 0 as "unlimited", since that is what 0 means for a Budget or a
// Limiter. ParseRate reads the result back.
func FormatRate(bytesPerSec int64) string {
	if bytesPerSec == 0 {
		return "unlimited"
	}
	sign := ""
	bits := float64(bytesPerSec) * 8
	if bits < 0 {
		sign, bits = "-", -bits
	}
	// Round before choosing the prefix so 999.9 kbit/s prints as 1 Mbit/s.
	bits, _ = strconv.ParseFloat(strconv.FormatFloat(bits, 'g', 3, 64), 64)
	units := []struct {
		scale float64
		name  string
	}{{1e12, "Tbit/s"}, {1e9, "Gbit/s"}, {1e6, "Mbit/s"}, {1e3, "kbit/s"}, {1, "bit/s"}}
	unit := units[len(units)-1]
	for _, u := range units {
		if bits >= u.scale {
			unit = u
			break
		}
	}
	return sign + strconv.FormatFloat(bits/unit.scale, 'f', -1, 64) + " " + unit.name
}
