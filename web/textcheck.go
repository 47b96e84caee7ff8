package web

import "github.com/fanfarehq/fanfare/content/text"

// The previews count and highlight with the same rules the queue enforces.

func checkText(network, s string) (text.Result, error) { return text.Check(network, s) }

func extractURLs(s string) []text.URLSpan { return text.ExtractURLs(s) }
