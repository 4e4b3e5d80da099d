package wire

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// CheckText reports whether s is acceptable display text for field (a
// name for the error, such as "nick"): at most limit bytes (else an error
// wrapping e.TooLong) of valid UTF-8 without control characters (else
// e.BadText). Newlines and tabs are control characters too: a field is
// one line, and a terminal UI must not be steered by what others type.
func (e Errors) CheckText(field, s string, limit int) error {
	if len(s) > limit {
		return fmt.Errorf("%w: the %s is %d bytes long; at most %d are allowed", e.TooLong, field, len(s), limit)
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return fmt.Errorf("%w: the %s is not valid UTF-8 at byte %d", e.BadText, field, i)
			}
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: the %s contains the control character %U at byte %d", e.BadText, field, r, i)
		}
	}
	return nil
}
