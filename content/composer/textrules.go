package composer

import (
	"fmt"

	"github.com/fanfarehq/fanfare/content/text"
)

// fitText joins body and tail and cuts the body to the network's length.
func fitText(network, body, tail string) (string, error) {
	return text.Fit(network, body, tail)
}

// checkText reports why s cannot be posted on the network, if it cannot.
func checkText(network, s string) error {
	res, err := text.Check(network, s)
	if err != nil {
		return err
	}
	if !res.Valid {
		return fmt.Errorf("text is not valid on %s (weighted length %d of %d)", network, res.WeightedLength, res.Max)
	}
	return nil
}
