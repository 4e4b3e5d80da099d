package metrics

import "errors"

// ErrBadOption reports an option with an invalid value. A collector built
// with one fails to register: Register's error wraps ErrBadOption.
var ErrBadOption = errors.New("metrics: bad option")
