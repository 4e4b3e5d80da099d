package wire

import "errors"

// Test sentinels, one per field of Errors.
var (
	errOversized      = errors.New("oversized")
	errMalformed      = errors.New("malformed")
	errUnknownVersion = errors.New("unknown version")
	errTooLong        = errors.New("too long")
	errBadText        = errors.New("bad text")
)

var testErrors = Errors{
	Oversized:      errOversized,
	Malformed:      errMalformed,
	UnknownVersion: errUnknownVersion,
	TooLong:        errTooLong,
	BadText:        errBadText,
}

// countSentinels counts the sentinels of testErrors that err wraps.
func countSentinels(err error) int {
	n := 0
	for _, s := range []error{errOversized, errMalformed, errUnknownVersion, errTooLong, errBadText} {
		if errors.Is(err, s) {
			n++
		}
	}
	return n
}

// msg is a version 1 message of the shape chat and directory use.
type msg struct {
	V    int    `json:"v"`
	Name string `json:"name"`
	N    int64  `json:"n"`
}
