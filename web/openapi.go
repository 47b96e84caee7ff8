package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// apiDoc is what the OpenAPI document says of one API route.
type apiDoc struct {
	summary  string
	query    []param
	body     string // request schema name; "" for none
	status   int    // success status
	response string // response schema name, "object", or "" for no content
	list     bool   // the response is a list of response
}

type param struct {
	name, typ, desc string
	required        bool
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// openAPI builds the OpenAPI 3 document from the route table itself, so the
// two cannot drift apart.
func (s *Server) openAPI() map[string]any {
	paths := map[string]any{}
	for _, rt := range s.routes {
		if rt.doc == nil {
			continue
		}
		method, path, _ := strings.Cut(rt.pattern, " ")
		op := map[string]any{
			"summary":     rt.doc.summary,
			"operationId": operationID(method, path),
			"responses":   responses(rt.doc),
		}
		var params []any
		for _, m := range pathParamRE.FindAllStringSubmatch(path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, p := range rt.doc.query {
			params = append(params, map[string]any{"name": p.name, "in": "query", "required": p.required,
				"description": p.desc, "schema": map[string]any{"type": p.typ}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.doc.body != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": ref(rt.doc.body)}}}
		}
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		item[strings.ToLower(method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Fanfare API", "version": s.versionOr("dev"),
			"description": "Campaigns, the post approval queue and the curated feeds of a Fanfare install."},
		"servers":  []any{map[string]any{"url": s.publicURL.String()}},
		"security": []any{map[string]any{"bearer": []any{}}},
		"paths":    paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas":         apiSchemas(),
		},
	}
}

func (s *Server) versionOr(def string) string {
	if s.opt.Version != "" {
		return s.opt.Version
	}
	return def
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		seg = strings.NewReplacer("{", "", "}", "", ".", "_").Replace(seg)
		if seg == "" {
			continue
		}
		b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
	}
	return b.String()
}

func ref(name string) map[string]any {
	if name == "object" {
		return map[string]any{"type": "object"}
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func responses(d *apiDoc) map[string]any {
	ok := map[string]any{"description": http.StatusText(d.status)}
	if d.response != "" {
		schema := ref(d.response)
		if d.list {
			schema = map[string]any{"type": "object", "required": []any{"items", "total", "offset", "limit"},
				"properties": map[string]any{
					"items": map[string]any{"type": "array", "items": ref(d.response)},
					"total": map[string]any{"type": "integer"}, "offset": map[string]any{"type": "integer"},
					"limit": map[string]any{"type": "integer"}}}
		}
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schema}}
	}
	errResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
	}
	return map[string]any{
		strconv.Itoa(d.status): ok,
		"400":                  errResp("unreadable request (code invalid)"),
		"401":                  errResp("no or bad token (code unauthorized)"),
		"403":                  errResp("viewer role or cross-origin (code forbidden)"),
		"404":                  errResp("not found (code not_found)"),
		"409":                  errResp("the post's state does not allow this (code wrong_state)"),
		"422":                  errResp("a field is wrong (code invalid, field names it)"),
	}
}

func obj(required []string, props map[string]any) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

var (
	tString   = map[string]any{"type": "string"}
	tInt      = map[string]any{"type": "integer"}
	tNum      = map[string]any{"type": "number"}
	tBool     = map[string]any{"type": "boolean"}
	tTime     = map[string]any{"type": "string", "format": "date-time"}
	tURI      = map[string]any{"type": "string", "format": "uri"}
	tStrings  = map[string]any{"type": "array", "items": tString}
	postState = map[string]any{"type": "string", "enum": []string{"pending", "approved", "publishing", "published", "rejected", "expired", "failed", "unknown", "duplicate"}}
)

func arrayOf(name string) map[string]any { return map[string]any{"type": "array", "items": ref(name)} }

func apiSchemas() map[string]any {
	change := map[string]any{"at": tTime, "actor": tString, "action": tString, "from": postState, "to": postState, "reason": tString}
	auditLine := map[string]any{"post_id": tString}
	for k, v := range change {
		auditLine[k] = v
	}
	return map[string]any{
		"Error": obj([]string{"error"}, map[string]any{"error": obj([]string{"code", "message"}, map[string]any{
			"code":    map[string]any{"type": "string", "enum": []string{"not_found", "invalid", "wrong_state", "conflict", "slot_refused", "unauthorized", "forbidden", "too_large", "unavailable", "internal"}},
			"message": tString, "field": tString})}),
		"Post": obj([]string{"id", "kind", "network", "state", "text", "covers"}, map[string]any{
			"id": tString, "group_id": tString, "kind": map[string]any{"type": "string", "enum": []string{"milestone", "story", "curated", "manual", "digest"}},
			"network":     map[string]any{"type": "string", "description": "the channel: x, facebook, instagram, mastodon or bluesky, then @account when the network has several (x@platform_fr)"},
			"account":     map[string]any{"type": "string", "description": "the account part of network; absent for a network's only account"},
			"campaign_id": tString, "milestone": tString, "covers": arrayOf("Cover"),
			"text": tString, "link": tURI, "image_url": tURI, "image_alt": tString,
			"lang": tString, "variant": tString, "source": tString, "priority": tInt, "state": postState,
			"not_after": tTime, "scheduled_at": tTime, "slot_note": tString, "created_at": tTime, "updated_at": tTime,
			"published_at": tTime, "external_id": tString, "external_url": tURI, "last_error": tString, "attempts": tInt,
			"folded_into": tString, "revision": tInt, "edited_by": tString, "audit": arrayOf("Change"),
			// Added by GET /api/v1/posts/{id} once impact is wired.
			"short_url": tURI, "clicks": tInt, "unique_visitors": tInt, "lift": ref("Lift"),
			"attributed_pledges": tInt, "attributed": obj(nil, map[string]any{"pledges": tInt,
				"amounts": map[string]any{"type": "object", "additionalProperties": tInt}})}),
		"Cover":     obj([]string{"campaign_id", "milestone"}, map[string]any{"campaign_id": tString, "milestone": tString}),
		"Change":    obj([]string{"at", "actor", "action"}, change),
		"AuditLine": obj([]string{"post_id", "at", "actor", "action"}, auditLine),
		"PostEdit":  obj(nil, map[string]any{"text": tString, "link": tString, "scheduled_at": tTime, "not_after": tTime}),
		"Reason":    obj([]string{"reason"}, map[string]any{"reason": tString}),
		"Resolution": obj([]string{"published"}, map[string]any{"published": tBool, "url": tURI,
			"external_id": tString, "reason": tString}),
		"ManualPost": obj([]string{"networks", "text"}, map[string]any{"networks": tStrings, "text": tString,
			"link": tURI, "image_url": tURI, "lang": tString, "approve": tBool, "scheduled_at": tTime}),
		"Campaign": obj([]string{"id", "title", "url", "lang", "currency", "goal", "pledged", "backers", "launched_at", "deadline", "state", "creator"},
			map[string]any{"id": tString, "title": tString, "url": tURI, "lang": tString, "currency": tString,
				"goal": tInt, "pledged": tInt, "backers": tInt, "launched_at": tTime, "deadline": tTime,
				"state":     map[string]any{"type": "string", "enum": []string{"live", "successful", "failed", "canceled", "ended"}},
				"creator":   obj(nil, map[string]any{"name": tString, "x_handle": tString, "facebook_page": tString}),
				"image_url": tURI, "description": tString, "tags": tStrings, "category": tString, "updated_at": tTime,
				"closed_note":   tString,
				"stretch_goals": map[string]any{"type": "array", "items": obj([]string{"amount", "title"}, map[string]any{"amount": tInt, "title": tString})}}),
		"FiredMilestone": obj([]string{"milestone", "at", "posted"}, map[string]any{"milestone": tString, "at": tTime, "posted": tBool}),
		"Sample":         obj([]string{"at", "pledged", "backers"}, map[string]any{"at": tTime, "pledged": tInt, "backers": tInt}),
		"CampaignDetail": obj([]string{"campaign", "milestones", "history"}, map[string]any{"campaign": ref("Campaign"),
			"milestones": arrayOf("FiredMilestone"), "history": arrayOf("Sample")}),
		"Feed": obj([]string{"url"}, map[string]any{"url": tURI, "schedule": tString, "keywords": tStrings, "lang": tString,
			"auto_approve": tBool, "networks": tStrings, "from_config": tBool}),
		"FeedStatus": obj([]string{"url"}, map[string]any{"url": tURI, "schedule": tString, "keywords": tStrings, "lang": tString,
			"auto_approve": tBool, "networks": tStrings, "from_config": tBool, "title": tString, "last_fetch": tTime,
			"last_status": map[string]any{"type": "string", "enum": []string{"ok", "not_modified", "error"}}, "last_error": tString,
			"items": tInt, "curated": tInt, "consecutive_errors": tInt}),
		"NetworkStatus": obj([]string{"network", "enabled", "preview", "paused"}, map[string]any{"network": tString,
			"enabled": tBool, "preview": tBool, "paused": tBool, "reason": tString, "since": tTime}),
		"SourceHealth": obj([]string{"source", "last_run", "failing"}, map[string]any{"source": tString,
			"last_run": obj([]string{"at", "records", "accepted", "rejected", "skipped"}, map[string]any{"at": tTime, "records": tInt,
				"accepted": tInt, "rejected": tInt, "skipped": tInt, "error": tString,
				"rejections": map[string]any{"type": "array", "items": obj([]string{"where", "message"}, map[string]any{
					"where": tString, "id": tString, "field": tString, "message": tString})}}),
			"last_success_at": tTime, "last_error_at": tTime, "last_error": tString, "failing": tBool, "failing_since": tTime,
			"runs": tInt, "failed_runs": tInt, "accepted_total": tInt, "rejected_total": tInt, "skipped_total": tInt}),
		"Estimate": obj([]string{"lift", "low", "high", "sample_size", "claimed"}, map[string]any{"lift": tNum, "low": tNum,
			"high": tNum, "sample_size": tInt, "claimed": tBool}),
		"Lift": obj([]string{"estimated", "method", "windows"}, map[string]any{"estimated": tBool, "method": tString,
			"published_at": tTime, "campaign_id": tString, "windows": map[string]any{"type": "array", "items": obj(nil, map[string]any{
				"hours": tInt, "observed_hours": tInt, "complete": tBool, "backers": tInt, "pledged": tInt,
				"backers_before": tInt, "pledged_before": tInt, "own": ref("Estimate"), "comparable": ref("Estimate"), "comparables": tInt})}}),
		"ImpactReport": obj([]string{"group_by", "since", "method", "rows"}, map[string]any{"group_by": tString, "since": tTime,
			"method": tString, "rows": map[string]any{"type": "array", "items": obj(nil, map[string]any{"key": tString, "network": tString,
				"posts": tInt, "clicks": tInt, "unique_visitors": tInt, "clicks_per_post": tNum, "impressions": tInt,
				"attributed_pledges": tInt, "lift": ref("Estimate"), "lift_posts": tInt, "claimed": tInt, "best": tBool})}}),
		"VariantStats": obj([]string{"key", "network", "lang", "family", "arms", "shares"}, map[string]any{"key": tString,
			"network": tString, "lang": tString, "family": tString,
			"arms": map[string]any{"type": "array", "items": obj([]string{"variant", "posts", "clicks"}, map[string]any{
				"variant": tString, "posts": tInt, "clicks": tInt, "impressions": tInt})},
			"shares": map[string]any{"type": "object", "additionalProperties": tNum}, "pinned": tString}),
		"VariantStatsList": obj([]string{"items"}, map[string]any{"items": arrayOf("VariantStats")}),
		"VariantPin":       obj([]string{"key", "variant"}, map[string]any{"key": tString, "variant": tString}),
		"EngagementSummary": obj(nil, map[string]any{"network": tString, "kind": tString, "variant": tString, "posts": tInt,
			"avg_likes": tNum, "avg_shares": tNum, "avg_replies": tNum, "avg_impressions": tNum}),
	}
}

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.openAPI())
}
