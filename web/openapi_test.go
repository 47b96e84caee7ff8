package web

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes reads the served document back and checks it
// against the mux's own route table in both directions, and that every
// schema reference resolves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, nil)
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/api/v1/openapi.json", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp := e.browser().do(req)
	raw, _ := io.ReadAll(resp.Body)
	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	var routes, documented []string
	for _, rt := range e.srv.routes {
		if _, path, _ := strings.Cut(rt.pattern, " "); strings.HasPrefix(path, "/api/") {
			routes = append(routes, rt.pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(routes)
	slices.Sort(documented)
	if !slices.Equal(routes, documented) {
		t.Errorf("API routes and document differ:\nroutes %v\n   doc %v", routes, documented)
	}
	refs := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if k == "$ref" {
					refs[y.(string)] = true
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	var all any
	_ = json.Unmarshal(raw, &all)
	walk(all)
	for ref := range refs {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("dangling reference %s", ref)
		}
	}
	if len(refs) < 10 {
		t.Errorf("only %d schema references: the document is thin", len(refs))
	}
}
