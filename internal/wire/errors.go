package wire

// Errors are the sentinels a protocol package reports the shared checks
// with, so its callers see only its own errors: every error this package
// returns wraps exactly one of them. All must be set; two may be the same
// error where the protocol does not tell the cases apart.
type Errors struct {
	// Oversized: the data is longer than its limit.
	Oversized error
	// Malformed: the data is not valid UTF-8, not a JSON object with a
	// numeric "v", has a field of the wrong type or an unknown field, or
	// has bytes after the object; or a value does not encode as JSON.
	Malformed error
	// UnknownVersion: "v" is not the version the caller reads.
	UnknownVersion error
	// TooLong: a text field is longer than its limit.
	TooLong error
	// BadText: a text field is not valid UTF-8 or holds a control
	// character.
	BadText error
}
