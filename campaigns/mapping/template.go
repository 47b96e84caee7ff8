package mapping

import (
	"errors"
	"fmt"
	"strings"
)

// A template is literal text with "{path}" placeholders: id_template and
// url_template.

// checkTemplate reports a template that cannot be expanded: unbalanced
// braces, an empty placeholder, or (when needID) no placeholder at all.
func checkTemplate(tpl string, urlTemplate bool) error {
	n := 0
	rest := tpl
	for {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			break
		}
		if rest[open] == '}' {
			return fmt.Errorf("%q has a \"}\" without its \"{\"", tpl)
		}
		end := strings.IndexAny(rest[open+1:], "{}")
		if end < 0 || rest[open+1+end] != '}' {
			return fmt.Errorf("%q has a \"{\" without its \"}\"", tpl)
		}
		if strings.TrimSpace(rest[open+1:open+1+end]) == "" {
			return fmt.Errorf("%q has an empty {}", tpl)
		}
		n++
		rest = rest[open+1+end+1:]
	}
	if n == 0 {
		if urlTemplate {
			return fmt.Errorf("%q has no placeholder such as {id}: every campaign would get the same URL", tpl)
		}
		return fmt.Errorf("%q has no placeholder such as {slug}: every campaign would get the same id", tpl)
	}
	return nil
}

// templatePaths lists the placeholders of a checked template.
func templatePaths(tpl string) []string {
	var out []string
	for {
		open := strings.IndexByte(tpl, '{')
		if open < 0 {
			return out
		}
		end := strings.IndexByte(tpl[open:], '}')
		if end < 0 {
			return out
		}
		out = append(out, strings.TrimSpace(tpl[open+1:open+end]))
		tpl = tpl[open+end+1:]
	}
}

// templateLiterals is the template's text outside the placeholders.
func templateLiterals(tpl string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(tpl, '{')
		if open < 0 {
			b.WriteString(tpl)
			return b.String()
		}
		b.WriteString(tpl[:open])
		end := strings.IndexByte(tpl[open:], '}')
		if end < 0 {
			return b.String()
		}
		tpl = tpl[open+end+1:]
	}
}

// errPlaceholder stops an expansion; the reader has recorded why.
var errPlaceholder = errors.New("mapping: placeholder without a value")

// expand fills a checked template, value giving each placeholder's text.
func expand(tpl string, value func(path string) (string, error)) (string, error) {
	var b strings.Builder
	for {
		open := strings.IndexByte(tpl, '{')
		if open < 0 {
			b.WriteString(tpl)
			return b.String(), nil
		}
		end := strings.IndexByte(tpl[open:], '}')
		b.WriteString(tpl[:open])
		v, err := value(strings.TrimSpace(tpl[open+1 : open+end]))
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		tpl = tpl[open+end+1:]
	}
}
