package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/content"
)

// apiError is the one error shape of the API.
type apiError struct {
	Code    string `json:"code"` // not_found, invalid, wrong_state, conflict, unauthorized, forbidden, too_large, unavailable, internal
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"unable to encode response"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func writeAPIError(w http.ResponseWriter, status int, code, msg, field string) {
	writeJSON(w, status, map[string]apiError{"error": {Code: code, Message: msg, Field: field}})
}

// apiFail maps the domain's errors to statuses; anything unexpected is logged
// and answered 500 without its details.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	var fe *content.FieldError
	var ce *campaigns.FieldError
	var be *badRequest
	var sr *slotRefused
	switch {
	case errors.As(err, &be):
		writeAPIError(w, be.status, be.code, be.msg, be.field)
	case errors.As(err, &sr):
		writeAPIError(w, http.StatusUnprocessableEntity, "slot_refused", s.slotRefusal(newLocale("en"), sr.post, sr.at, sr.verdict).Msg, "scheduled_at")
	case errors.Is(err, content.ErrNotFound):
		writeAPIError(w, http.StatusNotFound, "not_found", "post not found", "")
	case errors.Is(err, campaigns.ErrNotFound):
		writeAPIError(w, http.StatusNotFound, "not_found", "campaign not found", "")
	case errors.Is(err, content.ErrWrongState):
		writeAPIError(w, http.StatusConflict, "wrong_state", err.Error(), "")
	case errors.As(err, &fe):
		writeAPIError(w, http.StatusUnprocessableEntity, "invalid", fe.Message, fe.Field)
	case errors.As(err, &ce):
		writeAPIError(w, http.StatusUnprocessableEntity, "invalid", ce.Message, ce.Field)
	default:
		s.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		writeAPIError(w, http.StatusInternalServerError, "internal", "internal error", "")
	}
}

// badRequest is a request the API cannot read at all (400), as opposed to a
// readable one with a wrong value (422).
type badRequest struct {
	status int
	code   string
	msg    string
	field  string
	// local: msg is already in the dashboard's language (the API's are
	// English, and the dashboard translates them through reasons.go).
	local bool
}

func (e *badRequest) Error() string { return e.msg }

func invalidParam(field, format string, args ...any) error {
	return &badRequest{status: http.StatusBadRequest, code: "invalid", msg: fmt.Sprintf(format, args...), field: field}
}

// decodeJSON reads a strict JSON body: at most 1 MiB, one value, no unknown
// fields (named in the error). An empty body leaves v as it is when
// allowEmpty is set.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &badRequest{status: http.StatusRequestEntityTooLarge, code: "too_large", msg: "body is larger than 1 MiB"}
	}
	if err != nil {
		return &badRequest{status: http.StatusBadRequest, code: "invalid", msg: "unable to read body: " + err.Error()}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if allowEmpty {
			return nil
		}
		return &badRequest{status: http.StatusBadRequest, code: "invalid", msg: "a JSON body is required"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return &badRequest{status: http.StatusBadRequest, code: "invalid", msg: "body holds more than one JSON value"}
	}
	return nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &badRequest{status: http.StatusBadRequest, code: "invalid", msg: fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, err)}
	case errors.As(err, &te):
		return &badRequest{status: http.StatusBadRequest, code: "invalid", field: te.Field, msg: fmt.Sprintf("%s must be %s, not %s", te.Field, te.Type, te.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &badRequest{status: http.StatusBadRequest, code: "invalid", field: field, msg: fmt.Sprintf("unknown field %q", field)}
	}
	return &badRequest{status: http.StatusBadRequest, code: "invalid", msg: "malformed JSON: " + err.Error()}
}

// list is the shape of every list response.
// List is the shape of every API listing; the CLI's --json prints the same.
type List[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// NewList makes a listing; no items is an empty array, never null.
func NewList[T any](items []T, total, offset, limit int) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items, Total: total, Offset: offset, Limit: limit}
}

// maxOffset bounds every ?offset=: far beyond any real listing, and far
// from the integer overflow that offset+limit would reach.
const maxOffset = 1_000_000

// paging reads ?offset= (0 to maxOffset) and ?limit= (default 50, at most 500).
func paging(r *http.Request) (offset, limit int, err error) {
	q := r.URL.Query()
	offset, limit = 0, 50
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 || offset > maxOffset {
			return 0, 0, invalidParam("offset", "offset must be an integer from 0 to %d, got %q", maxOffset, v)
		}
	}
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			return 0, 0, invalidParam("limit", "limit must be an integer from 1 to 500, got %q", v)
		}
	}
	return offset, limit, nil
}
