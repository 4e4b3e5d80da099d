package broadcast

import (
	"strings"
	"testing"

	"github.com/gridcast/gridcast/media"
	"github.com/stretchr/testify/assert"
)

// played builds a Played for the Splicer: "K" is a clean start carrying
// header h of format f, "P" a plain chunk; a leading "~" marks a gap.
func played(spec string, f media.Format, h string) Played {
	p := Played{Gap: strings.HasPrefix(spec, "~")}
	spec = strings.TrimPrefix(spec, "~")
	p.Payload = []byte(spec)
	if spec[0] == 'K' {
		p.Flags = FlagCleanStart
		if f != media.FormatRaw {
			p.Flags |= FlagHeader
			p.Format, p.Header = f, []byte(h)
		}
	}
	return p
}

func splice(s *Splicer, f media.Format, h string, specs ...string) string {
	var out strings.Builder
	for _, spec := range specs {
		header, payload := s.Splice(played(spec, f, h))
		if header != nil {
			out.WriteString("[" + string(header) + "]")
		}
		out.Write(payload)
		out.WriteString(" ")
	}
	return out.String()
}

func TestSplicer(t *testing.T) {
	tests := []struct {
		name   string
		format media.Format
		in     []string
		want   string
	}{
		{"starts at the first clean start with the header", media.FormatWebM,
			[]string{"P1", "P2", "K3", "P4", "K5"}, "  [h]K3 P4 K5 "},
		{"an unchanged header is not repeated", media.FormatMP4,
			[]string{"K1", "K2"}, "[h]K1 K2 "},
		{"WebM waits for a clean start after a gap", media.FormatWebM,
			[]string{"K1", "P2", "~P4", "P5", "K6", "~K8"}, "[h]K1 P2   K6 K8 "},
		{"MP4 waits for a clean start after a gap", media.FormatMP4,
			[]string{"K1", "~P3", "K4"}, "[h]K1  K4 "},
		{"MPEG-TS goes on after a gap", media.FormatMPEGTS,
			[]string{"K1", "~P3", "P4"}, "[h]K1 P3 P4 "},
		{"raw goes on after a gap", media.FormatRaw,
			[]string{"K1", "~K3", "K4"}, "K1 K3 K4 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Splicer
			assert.Equal(t, tt.want, splice(&s, tt.format, "h", tt.in...))
			assert.True(t, s.Started())
			assert.Equal(t, tt.format, s.Format())
		})
	}
}

func TestSplicerNewHeaderGoesOut(t *testing.T) {
	var s Splicer
	got := splice(&s, media.FormatWebM, "a", "K1", "P2")
	got += splice(&s, media.FormatWebM, "b", "~K1", "K2")
	assert.Equal(t, "[a]K1 P2 [b]K1 K2 ", got)
}

func TestSplicerCountsDrops(t *testing.T) {
	var s Splicer
	splice(&s, media.FormatWebM, "h", "P1", "P2", "K3", "~P5")
	assert.Equal(t, uint64(3), s.Dropped())
	header, payload := s.Splice(Played{Chunk: Chunk{Flags: FlagEndOfStream}})
	assert.Nil(t, header)
	assert.Nil(t, payload, "an empty end-of-stream chunk writes nothing")
}
