package relay

import "errors"

// Sentinel errors. Functions wrap them with the value or field at fault, so
// test with errors.Is.
var (
	// ErrBadRate is wrapped by ParseRate for any string it cannot read as a
	// non-negative rate.
	ErrBadRate = errors.New("relay: bad rate")

	// ErrBadBudget is wrapped by Budget.Validate and returned (through the
	// pubsub constructor) by a router built from an invalid Budget.
	ErrBadBudget = errors.New("relay: bad budget")

	// ErrClosed is returned by paced writes once the Limiter is closed,
	// including writes that were waiting for tokens when Close was called.
	ErrClosed = errors.New("relay: limiter closed")

	// ErrStreamClosed is returned by a paced write that was waiting for
	// tokens when its own stream was closed for writing.
	ErrStreamClosed = errors.New("relay: stream closed while waiting to send")
)
