package importer

import (
	"fmt"
	"io"

	"github.com/fanfarehq/fanfare/internal/termsafe"
)

// PrintedReasons is how many rejection reasons Summary.Print lists.
const PrintedReasons = 10

// Print writes the counts and the first PrintedReasons reasons for
// rejection, for a person at a terminal. Ids and messages quote the file's
// text, so control and bidi characters in it are printed as visible escapes.
func (s Summary) Print(w io.Writer) error {
	skipped := ""
	if s.Skipped > 0 {
		skipped = fmt.Sprintf(", %d skipped (state in skip_states)", s.Skipped)
	}
	unposted := ""
	if s.Unposted > 0 {
		unposted = fmt.Sprintf(", %d more recorded without a post: over campaigns.max_posts_per_delivery per batch", s.Unposted)
	}
	if _, err := fmt.Fprintf(w, "%d rows: %d accepted, %d rejected%s (%d stale, %d milestones fired%s)\n",
		s.Rows, s.Accepted, s.Rejected, skipped, s.Stale, s.Fired, unposted); err != nil {
		return err
	}
	for i, e := range s.Errors {
		if i == PrintedReasons {
			break
		}
		where := fmt.Sprintf("row %d", e.Row)
		if e.ID != "" {
			where += fmt.Sprintf(" (id %s)", termsafe.String(e.ID))
		}
		field := ""
		if e.Field != "" {
			field = e.Field + ": "
		}
		if _, err := fmt.Fprintf(w, "  %s: %s%s\n", where, field, termsafe.String(e.Message)); err != nil {
			return err
		}
	}
	if more := s.Rejected - min(len(s.Errors), PrintedReasons); more > 0 {
		if _, err := fmt.Fprintf(w, "  … and %d more rejected\n", more); err != nil {
			return err
		}
	}
	return nil
}
