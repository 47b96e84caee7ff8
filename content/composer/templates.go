package composer

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/content/text"
)

// Template layout, embedded and in Options.TemplateDir alike:
//
//	templates/<lang>/<network>/<family>.tmpl
//
// e.g. fr/x/percent.tmpl. Each file holds its variants as named blocks,
// {{define "v1"}}…{{end}}, {{define "v2"}}…{{end}} and so on (any number, at
// least one), and may define "tail", the part that must survive truncation
// (see defaultTail). A file in TemplateDir replaces the embedded file of the
// same path, or adds one (a new language, say).
//
//go:embed templates
var embedded embed.FS

// maxTemplateSize refuses override files no one writes by hand.
const maxTemplateSize = 64 << 10

var variantName = regexp.MustCompile(`^v[0-9]+$`)

// fileKey locates a template file.
type fileKey struct{ lang, network, family string }

func (k fileKey) path() string { return k.lang + "/" + k.network + "/" + k.family + ".tmpl" }

// tmplFile is one parsed template file.
type tmplFile struct {
	key      fileKey
	name     string // for errors: "templates/fr/x/percent.tmpl" or the override's path
	tmpl     *template.Template
	variants []string // "v1", "v2", … in numeric order
	hasTail  bool
}

// source is a template file's text before parsing.
type source struct {
	key  fileKey
	name string
	text string
}

// loadSources reads the embedded templates, then the override directory.
func loadSources(dir string) (map[fileKey]source, error) {
	out := map[fileKey]source{}
	sub, err := fs.Sub(embedded, "templates")
	if err != nil {
		return nil, fmt.Errorf("composer: embedded templates: %w", err)
	}
	if err := readTree(sub, "templates", out); err != nil {
		return nil, err
	}
	if dir == "" {
		return out, nil
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("composer: template dir: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("composer: template dir %s is not a directory", dir)
	}
	if err := readTree(os.DirFS(dir), dir, out); err != nil {
		return nil, err
	}
	return out, nil
}

// readTree adds every .tmpl file of fsys to out. A .tmpl file off the layout
// is an error, so that a misspelt override does not silently do nothing;
// other files (a README) are ignored.
func readTree(fsys fs.FS, root string, out map[fileKey]source) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("composer: reading templates: %w", err)
		}
		if d.IsDir() || !strings.HasSuffix(p, ".tmpl") {
			return nil
		}
		name := filepath.Join(root, filepath.FromSlash(p))
		parts := strings.Split(p, "/")
		if len(parts) != 3 {
			return fmt.Errorf("composer: template %s: want <lang>/<network>/<family>.tmpl", name)
		}
		key := fileKey{lang: parts[0], network: parts[1], family: strings.TrimSuffix(parts[2], ".tmpl")}
		if !validLang(key.lang) {
			return fmt.Errorf("composer: template %s: %q is not a language code such as fr or en", name, key.lang)
		}
		if !slices.Contains(text.Networks, key.network) {
			return fmt.Errorf("composer: template %s: unknown network %q (want one of %s)", name, key.network, strings.Join(text.Networks, ", "))
		}
		if !slices.Contains(templateFamilies, key.family) {
			return fmt.Errorf("composer: template %s: unknown family %q (want one of %s)", name, key.family, strings.Join(templateFamilies, ", "))
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("composer: template %s: %w", name, err)
		}
		if info.Size() > maxTemplateSize {
			return fmt.Errorf("composer: template %s: %d bytes, more than %d", name, info.Size(), maxTemplateSize)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("composer: template %s: %w", name, err)
		}
		out[key] = source{key: key, name: name, text: string(b)}
		return nil
	})
}

// validLang accepts the base language subtags we key templates by.
func validLang(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// parse compiles one file. Parse errors from text/template already carry
// "name:line"; the name is the file's path, so they point at the file.
func parse(src source) (*tmplFile, error) {
	var placeholder env
	placeholder.loc = newLocale("en")
	t, err := template.New(src.name).
		Option("missingkey=error").
		Funcs(placeholder.funcs()).
		Parse(src.text)
	if err != nil {
		return nil, fmt.Errorf("composer: %w", err)
	}
	f := &tmplFile{key: src.key, name: src.name, tmpl: t}
	for _, d := range t.Templates() {
		switch {
		case variantName.MatchString(d.Name()):
			f.variants = append(f.variants, d.Name())
		case d.Name() == "tail":
			f.hasTail = true
		}
	}
	if len(f.variants) == 0 {
		return nil, fmt.Errorf("composer: template %s:1: defines no variant (want {{define \"v1\"}}…{{end}})", src.name)
	}
	slices.SortFunc(f.variants, func(a, b string) int {
		x, _ := strconv.Atoi(a[1:])
		y, _ := strconv.Atoi(b[1:])
		return x - y
	})
	return f, nil
}

// templateSet is every parsed file, with English complete as the fallback.
type templateSet struct {
	files map[fileKey]*tmplFile
	langs map[string]bool
}

func buildSet(dir string) (*templateSet, error) {
	srcs, err := loadSources(dir)
	if err != nil {
		return nil, err
	}
	set := &templateSet{files: map[fileKey]*tmplFile{}, langs: map[string]bool{}}
	var errs []error
	for _, k := range slices.SortedFunc(maps.Keys(srcs), func(a, b fileKey) int { return strings.Compare(a.path(), b.path()) }) {
		f, err := parse(srcs[k])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		set.files[k] = f
		set.langs[k.lang] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return set, nil
}

// templateBase is the network whose templates a network borrows when it has
// none of its own for a family: Mastodon and Bluesky posts are short and
// link in the text (or the card) like X's, Instagram captions are long like
// Facebook's. An operator's <lang>/<network>/<family>.tmpl takes over.
var templateBase = map[string]string{
	content.NetworkMastodon:  content.NetworkX,
	content.NetworkBluesky:   content.NetworkX,
	content.NetworkInstagram: content.NetworkFacebook,
}

// file finds the template a network (or channel) writes with for a language:
// the network's own, else its base network's (templateBase), in that
// language, else in English.
func (s *templateSet) file(lang, network, family string) (*tmplFile, bool) {
	network = text.NetworkOf(network)
	for _, l := range []string{lang, fallbackLang} {
		if f, ok := s.files[fileKey{l, network, family}]; ok {
			return f, true
		}
		if f, ok := s.files[fileKey{l, templateBase[network], family}]; ok {
			return f, true
		}
	}
	return nil, false
}

// has reports whether the network has its own file for a language and family.
func (s *templateSet) has(lang, network, family string) bool {
	_, ok := s.files[fileKey{lang, network, family}]
	return ok
}
