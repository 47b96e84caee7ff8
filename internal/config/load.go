package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Error is one problem with the configuration, located by key and line.
type Error struct {
	File string
	Line int    // 0 when the key is absent from the file (a default or a missing key)
	Key  string // dotted path, e.g. networks.x.daily_cap or feeds[2].url
	Msg  string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if loc == "" {
		loc = "config"
	}
	if e.Key == "" {
		return loc + ": " + e.Msg
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Msg)
}

// Errors is every problem found, in file order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Loaded is a parsed, validated configuration and where its keys were.
type Loaded struct {
	Config
	File  string
	lines map[string]int
	rules Rules
}

// Rules are what Fanfare's parts know about their own options, so that this
// package stays plain data: the defaults that live beside the code they tune
// (milestone thresholds, good hours, priorities), the checks only a part can
// make (a password hash, an auto-approve rule, a campaign source's mapping)
// and how a short form is spelled out when the configuration is printed.
// cmd/fanfare assembles them; the zero Rules loads this package's keys
// alone.
type Rules struct {
	// Defaults sets the parts' defaults on c before the file is read over
	// it, so that a key in the file replaces its default.
	Defaults func(c *Config)
	// Check reports the values only a part can judge, each made with
	// l.Errorf so that it names its key and line.
	Check func(l *Loaded) Errors
	// Spell writes out what a short form stands for (a mapping preset's
	// settings) on a copy of the configuration about to be printed.
	Spell func(c *Config) error
}

// LoadFile reads path (or returns the defaults for the empty path), expands
// ${VAR} from the environment, and validates.
func LoadFile(path string, rules Rules) (*Loaded, error) {
	if path == "" {
		l := &Loaded{Config: Default(), lines: map[string]int{}, rules: rules}
		if rules.Defaults != nil {
			rules.Defaults(&l.Config)
		}
		if errs := l.Validate(); len(errs) > 0 {
			return nil, errs
		}
		return l, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: unable to read %s: %w", path, err)
	}
	defer f.Close()
	return Load(f, path, os.LookupEnv, rules)
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// Load parses r. lookup resolves ${VAR}; an unset variable expands to "".
// Expansion happens on parsed values, so a secret holding quotes or newlines
// cannot change the document's structure.
func Load(r io.Reader, file string, lookup func(string) (string, bool), rules Rules) (*Loaded, error) {
	data, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("config: unable to read %s: %w", file, err)
	}
	l := &Loaded{Config: Default(), File: file, lines: map[string]int{}, rules: rules}
	if rules.Defaults != nil {
		rules.Defaults(&l.Config)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Errors{{File: file, Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if len(doc.Content) == 0 {
		// An empty file is the defaults.
		if errs := l.Validate(); len(errs) > 0 {
			return nil, errs
		}
		return l, nil
	}
	root := doc.Content[0]
	expandEnv(root, lookup)
	// Every problem of the file in one pass, in file order: unknown keys, values
	// of the wrong type, then values out of range (yaml decodes what it can and
	// leaves the defaults where a value has the wrong type).
	var errs Errors
	walkKeys(root, reflect.TypeOf(Config{}), "", file, l.lines, &errs)
	if err := root.Decode(&l.Config); err != nil {
		errs = append(errs, decodeErrors(err, file, l.lines)...)
	}
	errs = append(errs, l.Validate()...)
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b *Error) int {
			switch {
			case a.Line == b.Line:
				return 0
			case a.Line == 0:
				return 1
			case b.Line == 0:
				return -1
			}
			return a.Line - b.Line
		})
		return nil, errs
	}
	return l, nil
}

func expandEnv(n *yaml.Node, lookup func(string) (string, bool)) {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
			v, _ := lookup(ref[2 : len(ref)-1])
			return v
		})
		// Let the expanded value be typed again: "${X_ENABLED}" may become a bool.
		if n.Style == 0 {
			n.Tag = ""
		}
		return
	}
	for _, c := range n.Content {
		expandEnv(c, lookup)
	}
}

var (
	durationType = reflect.TypeOf(time.Duration(0))
	nodeType     = reflect.TypeOf(yaml.Node{})
)

// walkKeys records each key's line and reports keys the type does not have.
func walkKeys(n *yaml.Node, t reflect.Type, path, file string, lines map[string]int, errs *Errors) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nodeType {
		return // kept as YAML for a part to decode (Loaded.Decode)
	}
	if t == reflect.TypeOf(Feeds{}) && n.Kind == yaml.SequenceNode {
		// The short form of the feeds section: the list alone.
		walkKeys(n, reflect.TypeOf([]Feed{}), path, file, lines, errs)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			if !(n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
				*errs = append(*errs, &Error{File: file, Line: n.Line, Key: path, Msg: "must be a mapping of keys"})
			}
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(path, k.Value)
			lines[p] = k.Line
			ft, ok := fields[k.Value]
			if !ok {
				*errs = append(*errs, &Error{File: file, Line: k.Line, Key: p, Msg: "unknown key" + suggest(k.Value, fields)})
				continue
			}
			walkKeys(v, ft, p, file, lines, errs)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			if !(n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
				*errs = append(*errs, &Error{File: file, Line: n.Line, Key: path, Msg: "must be a list"})
			}
			return
		}
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			lines[p] = c.Line
			walkKeys(c, t.Elem(), p, file, lines, errs)
		}
	case reflect.Map:
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				lines[join(path, n.Content[i].Value)] = n.Content[i].Line
			}
		}
	}
}

func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" {
			for k, v := range yamlFields(f.Type) {
				fields[k] = v
			}
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		fields[name] = f.Type
	}
	return fields
}

func suggest(key string, fields map[string]reflect.Type) string {
	var best string
	for name := range fields {
		if strings.EqualFold(strings.ReplaceAll(name, "_", ""), strings.ReplaceAll(strings.ReplaceAll(key, "-", ""), "_", "")) ||
			(len(key) > 3 && (strings.HasPrefix(name, key) || strings.HasPrefix(key, name))) {
			if best == "" || name < best {
				best = name
			}
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)

// decodeErrors turns yaml's type errors ("line 12: cannot unmarshal !!str `x`
// into int") into errors located by line and named by the key on that line.
func decodeErrors(err error, file string, lines map[string]int) Errors {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return Errors{{File: file, Msg: err.Error()}}
	}
	var errs Errors
	for _, msg := range te.Errors {
		e := &Error{File: file, Msg: msg}
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Msg = m[2]
			e.Key = keyAtLine(lines, e.Line)
		}
		errs = append(errs, e)
	}
	return errs
}

// keyAtLine is the most specific key written on a line ("" if none).
func keyAtLine(lines map[string]int, line int) string {
	best := ""
	for key, l := range lines {
		if l == line && (len(key) > len(best) || len(key) == len(best) && key < best) {
			best = key
		}
	}
	return best
}

// Decode decodes n, the YAML found at key, into v for the part that owns
// it, as Load decodes the rest: unknown keys and values of the wrong type
// are reported with their key under key and their line, and the lines are
// kept for Errorf.
func (l *Loaded) Decode(key string, n *yaml.Node, v any) Errors {
	var errs Errors
	walkKeys(n, reflect.TypeOf(v), key, l.File, l.lines, &errs)
	if err := n.Decode(v); err != nil {
		errs = append(errs, decodeErrors(err, l.File, l.lines)...)
	}
	return errs
}

// Errorf is a problem with the value at key, located at the key's line, or
// at its closest section in the file when the key is left out.
func (l *Loaded) Errorf(key, format string, args ...any) *Error {
	return &Error{File: l.File, Line: l.nearestLine(key), Key: key, Msg: fmt.Sprintf(format, args...)}
}

// Line is where key was in the file, 0 when it was not there.
func (l *Loaded) Line(key string) int { return l.lines[key] }

// nearestLine is the line of key, or of the closest section around it that
// the file has: a required key left out is reported where its section is.
func (l *Loaded) nearestLine(key string) int {
	for key != "" {
		if n := l.lines[key]; n > 0 {
			return n
		}
		i := strings.LastIndexAny(key, ".[")
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

// RedactedYAML prints the effective configuration with every secret replaced.
func (l *Loaded) RedactedYAML() ([]byte, error) {
	c := l.Config
	if l.rules.Spell != nil {
		if err := l.rules.Spell(&c); err != nil {
			return nil, err
		}
	}
	v := reflect.ValueOf(&c).Elem()
	redact(v)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&c); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
