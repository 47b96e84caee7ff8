package xfake

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// This file is the fake's own OAuth 1.0a (RFC 5849) implementation. It is
// deliberately independent of github.com/dghubble/oauth1, which the client
// uses to sign: a shared bug would otherwise verify itself.

// PercentEncode encodes s per RFC 5849 section 3.6: every byte except the
// unreserved characters ALPHA, DIGIT, '-', '.', '_' and '~' becomes %XX with
// upper-case hex digits. It differs from url.QueryEscape (space is %20, not +,
// and '~' is kept).
func PercentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0x0f])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// BaseStringURI returns the base string URI of RFC 5849 section 3.4.1.2:
// scheme and host lower-cased, default ports dropped, no query or fragment.
func BaseStringURI(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("xfake: invalid URL %q: %w", rawURL, err)
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80") && !(scheme == "https" && port == "443") {
		host += ":" + port
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path, nil
}

// SignatureBaseString builds the signature base string of RFC 5849 section
// 3.4.1 from the request method, its URL (whose query parameters are included)
// and the other parameters: the oauth_* protocol parameters and, for a
// form-encoded body, the body's parameters. oauth_signature and realm are
// excluded as the RFC says. Parameters are encoded first, then sorted by name
// and value, so duplicates are kept in a stable order.
func SignatureBaseString(method, rawURL string, params url.Values) (string, error) {
	base, err := BaseStringURI(rawURL)
	if err != nil {
		return "", err
	}
	u, _ := url.Parse(rawURL) // already parsed by BaseStringURI
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", fmt.Errorf("xfake: invalid query in %q: %w", rawURL, err)
	}
	type pair struct{ k, v string }
	var pairs []pair
	add := func(vs url.Values) {
		for k, list := range vs {
			if k == "oauth_signature" || k == "realm" {
				continue
			}
			for _, v := range list {
				pairs = append(pairs, pair{PercentEncode(k), PercentEncode(v)})
			}
		}
	}
	add(query)
	add(params)
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	norm := make([]string, len(pairs))
	for i, p := range pairs {
		norm[i] = p.k + "=" + p.v
	}
	return strings.ToUpper(method) + "&" + PercentEncode(base) + "&" + PercentEncode(strings.Join(norm, "&")), nil
}

// SigningKey is the HMAC-SHA1 key of RFC 5849 section 3.4.2 (and the
// PLAINTEXT signature of section 3.4.4).
func SigningKey(consumerSecret, tokenSecret string) string {
	return PercentEncode(consumerSecret) + "&" + PercentEncode(tokenSecret)
}

// Sign returns the base64 HMAC-SHA1 signature of a base string.
func Sign(baseString, consumerSecret, tokenSecret string) string {
	mac := hmac.New(sha1.New, []byte(SigningKey(consumerSecret, tokenSecret)))
	mac.Write([]byte(baseString))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// parseAuthorization parses an `OAuth k="v", ...` header (RFC 5849 section
// 3.5.1) into its percent-decoded parameters.
func parseAuthorization(h string) (url.Values, error) {
	const prefix = "oauth "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return nil, errors.New("authorization header is not OAuth")
	}
	out := url.Values{}
	for part := range strings.SplitSeq(h[len(prefix):], ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, fmt.Errorf("malformed OAuth parameter %q", part)
		}
		key, err := url.PathUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("malformed OAuth parameter name %q", k)
		}
		val, err := url.PathUnescape(v[1 : len(v)-1])
		if err != nil {
			return nil, fmt.Errorf("malformed OAuth parameter value for %q", key)
		}
		out.Add(key, val)
	}
	return out, nil
}

// requestURL rebuilds the URL the client signed from what the server sees.
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}
