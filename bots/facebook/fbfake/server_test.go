package fbfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func get(t *testing.T, u string, header ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return send(t, req)
}

func post(t *testing.T, u string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return resp.StatusCode, m
}

func errorCode(m map[string]any) float64 {
	e, _ := m["error"].(map[string]any)
	c, _ := e["code"].(float64)
	return c
}

func TestGraphChecks(t *testing.T) {
	s := NewServer(t, "42", "tok", "")
	auth := url.Values{"access_token": {"tok"}}
	tests := []struct {
		name string
		path string
		form url.Values
		code float64
	}{
		{"ok", "/v21.0/42/feed", url.Values{"access_token": {"tok"}, "message": {"hi"}}, 0},
		{"duplicate", "/v21.0/42/feed", url.Values{"access_token": {"tok"}, "message": {"hi"}}, CodeDuplicate},
		{"no token", "/v21.0/42/feed", url.Values{"message": {"x"}}, CodeAccessToken},
		{"bad token", "/v21.0/42/feed", url.Values{"access_token": {"user"}, "message": {"x"}}, CodeAccessToken},
		{"nothing to post", "/v21.0/42/feed", auth, CodeInvalidParameter},
		{"bad link", "/v21.0/42/feed", url.Values{"access_token": {"tok"}, "link": {"javascript:x"}}, CodeInvalidParameter},
		{"other page", "/v21.0/43/feed", url.Values{"access_token": {"tok"}, "message": {"y"}}, CodeInvalidParameter},
		{"photo without url", "/v21.0/42/photos", url.Values{"access_token": {"tok"}, "caption": {"y"}}, CodeInvalidParameter},
		{"bad version", "/21/42/feed", url.Values{"access_token": {"tok"}, "message": {"z"}}, 2635},
	}
	for _, tt := range tests {
		status, body := post(t, s.URL+tt.path, tt.form)
		if got := errorCode(body); got != tt.code || (tt.code == 0) != (status == 200) {
			t.Errorf("%s: status %d code %v, want code %v (%v)", tt.name, status, got, tt.code, body)
		}
	}
	// The token may come as a bearer header too; DELETE comes as method=DELETE.
	id := s.Posts()[0].ID
	if status, body := get(t, s.URL+"/v21.0/"+id+"?fields=message,created_time", "Authorization", "Bearer tok"); status != 200 || body["message"] != "hi" {
		t.Errorf("bearer get: %d %v", status, body)
	}
	if status, body := post(t, s.URL+"/v21.0/"+id, url.Values{"access_token": {"tok"}, "method": {"delete"}}); status != 200 || body["success"] != true {
		t.Errorf("delete: %d %v", status, body)
	}
	if len(s.Posts()) != 0 {
		t.Error("the post is still there")
	}
}

func TestFieldList(t *testing.T) {
	got := fieldList("shares,reactions.summary(total_count),comments.summary(total_count).limit(0),message")
	if want := []string{"shares", "reactions", "comments", "message"}; !slices.Equal(got, want) {
		t.Errorf("fieldList = %q, want %q", got, want)
	}
	if got := fieldList(""); len(got) != 0 {
		t.Errorf("empty: %q", got)
	}
}
