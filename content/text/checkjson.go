package text

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// MaxCheckInput is the most CheckJSON reads: far above both networks' limits,
// low enough that a stray pipe cannot exhaust memory.
const MaxCheckInput = 1 << 20

// CheckJSON reads a text from r, checks it for network like Check, and writes
// the Result to w as one line of JSON:
//
//	{"weighted_length":N,"max":M,"valid":true|false}
//
// Exactly one trailing line ending ("\n" or "\r\n") is dropped first, because
// echo and most editors add one that is not part of the post; any other white
// space counts. This backs "fanfare text check --network x|facebook".
func CheckJSON(network string, r io.Reader, w io.Writer) error {
	data, err := io.ReadAll(io.LimitReader(r, MaxCheckInput+1))
	if err != nil {
		return fmt.Errorf("text: unable to read the text: %w", err)
	}
	if len(data) > MaxCheckInput {
		return fmt.Errorf("text: the text is over %d bytes", MaxCheckInput)
	}
	s := string(data)
	if t, ok := strings.CutSuffix(s, "\n"); ok {
		s = strings.TrimSuffix(t, "\r")
	}
	res, err := Check(network, s)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(w).Encode(res); err != nil {
		return fmt.Errorf("text: unable to write the result: %w", err)
	}
	return nil
}
