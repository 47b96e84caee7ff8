package config

import (
	"net/url"
	"reflect"
	"strings"

	"github.com/fanfarehq/fanfare/internal/urlredact"
)

// Redacted replaces a secret that is set; an empty one stays empty so that the
// printout shows what is missing.
const Redacted = "<redacted>"

func redact(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			e := reflect.New(v.Elem().Type())
			e.Elem().Set(v.Elem())
			redact(e.Elem())
			v.Set(e)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			switch t.Field(i).Tag.Get("secret") {
			case "true":
				redactValue(f)
				continue
			case "query":
				f.SetString(redactQuery(f.String()))
				continue
			case "url":
				f.SetString(urlredact.URL(f.String()))
				continue
			case "rules":
				// auto_approve's source:<feed url> rules name feeds.
				if !f.IsNil() {
					c := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
					for i := 0; i < f.Len(); i++ {
						r := f.Index(i).String()
						if rest, ok := strings.CutPrefix(r, "source:"); ok {
							r = "source:" + urlredact.URL(rest)
						}
						c.Index(i).SetString(r)
					}
					f.Set(c)
				}
				continue
			}
			redact(f)
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		// Copy so that redacting never touches the caller's backing array.
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		v.Set(c)
		for i := 0; i < c.Len(); i++ {
			redact(c.Index(i))
		}
	}
}

func redactValue(f reflect.Value) {
	switch f.Kind() {
	case reflect.String:
		if f.String() != "" {
			f.SetString(Redacted)
		}
	case reflect.Slice:
		if f.IsNil() {
			return
		}
		c := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
		for i := 0; i < f.Len(); i++ {
			c.Index(i).SetString(Redacted)
		}
		f.Set(c)
	case reflect.Map:
		if f.IsNil() {
			return
		}
		c := reflect.MakeMap(f.Type())
		for _, k := range f.MapKeys() {
			c.SetMapIndex(k, reflect.ValueOf(Redacted))
		}
		f.Set(c)
	}
}

// redactQuery masks a URL's query values (an API key is often one of them).
func redactQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw
	}
	q := u.Query()
	for k := range q {
		q[k] = []string{Redacted}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
