package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// EncodeJSON returns v as one line of JSON without the trailing newline.
// HTML characters are not escaped: that would turn each '<' of a text
// into six bytes. Errors wrap e.Malformed if v does not encode, or
// e.Oversized if the result is longer than maxSize bytes.
func (e Errors) EncodeJSON(v any, maxSize int) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("%w: %w", e.Malformed, err)
	}
	data := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(data) > maxSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d allowed", e.Oversized, len(data), maxSize)
	}
	return data, nil
}

// DecodeJSON reads data, one JSON object whose numeric "v" field is
// version, into v, which must be a pointer to a struct with a "v" field.
// It reads nothing before checking the size, and never panics.
//
// Errors, checked in this order:
//   - e.Oversized: more than maxSize bytes.
//   - e.Malformed: not valid UTF-8, or not a JSON object with a numeric
//     "v".
//   - e.UnknownVersion: "v" is not version.
//   - e.Malformed: a field of the wrong type, an unknown field, or bytes
//     after the object.
//
// The values of the fields are the caller's to check.
func (e Errors) DecodeJSON(data []byte, maxSize, version int, v any) error {
	if len(data) > maxSize {
		return fmt.Errorf("%w: %d bytes, at most %d allowed", e.Oversized, len(data), maxSize)
	}
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD.
	if !utf8.Valid(data) {
		return fmt.Errorf("%w: not valid UTF-8", e.Malformed)
	}
	// The version is read leniently first, so a newer version's new fields
	// are reported as a version to skip, not as a malformed message.
	var head struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return fmt.Errorf("%w: %w", e.Malformed, err)
	}
	if head.V == nil {
		return fmt.Errorf("%w: no \"v\" field", e.Malformed)
	}
	if *head.V != version {
		return fmt.Errorf("%w: version %d, want %d", e.UnknownVersion, *head.V, version)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", e.Malformed, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: data after the JSON object", e.Malformed)
	}
	return nil
}
