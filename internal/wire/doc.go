// Package wire holds the rules the JSON wire forms of packages chat and
// directory share, so that both protocols check text, decode and judge
// messages the same way.
//
// Entry points, all methods of [Errors], which names the sentinels each
// protocol reports failures with:
//
//   - [Errors.CheckText] checks a display-text field: bounded, valid
//     UTF-8, no control characters.
//   - [Errors.EncodeJSON] and [Errors.DecodeJSON] write and strictly read
//     one versioned JSON object of bounded size.
//   - [Errors.Verdict] turns a decoding error into a topic validator's
//     result, and [Validator] adapts a validator's check to pubsub.
//
// The caller provides its sentinels and limits; this package defines
// neither, so each protocol's errors and limits stay its own.
package wire
