package chat

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// checkText reports whether s is acceptable as field: at most limit bytes
// (else ErrTooLong) of valid UTF-8 without control characters (else
// ErrBadText). Newlines and tabs are control characters too: a line is one
// line, and a terminal UI must not be steered by what others type.
func checkText(field, s string, limit int) error {
	if len(s) > limit {
		return fmt.Errorf("%w: the %s is %d bytes long; at most %d are allowed", ErrTooLong, field, len(s), limit)
	}
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return fmt.Errorf("%w: the %s is not valid UTF-8 at byte %d", ErrBadText, field, i)
			}
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: the %s contains the control character %U at byte %d", ErrBadText, field, r, i)
		}
	}
	return nil
}
