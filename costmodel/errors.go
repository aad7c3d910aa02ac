package costmodel

import "errors"

// ErrPrice is returned for a price that is negative, NaN or infinite.
var ErrPrice = errors.New("costmodel: price must be a finite number >= 0")
