package broadcast

import (
	"bytes"
	"io"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPacedReaderKeepsRealTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const rate = 100_000
		start := time.Now()
		n, err := io.Copy(io.Discard, NewPacedReader(t.Context(), bytes.NewReader(make([]byte, 5*rate)), rate))
		require.NoError(t, err)
		assert.EqualValues(t, 5*rate, n)
		elapsed := time.Since(start)
		// The last tenth of a second is read without waiting for it.
		assert.InDelta(t, 4.9, elapsed.Seconds(), 0.11)
	})
}
