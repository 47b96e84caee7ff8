// Package web serves the community manager's dashboard, the JSON API under
// /api/v1/, the public Atom feeds and the campaign webhook's mount point.
//
// Every route lives in one table (routes.go) that both registers the handlers
// and drives the test that walks them unauthenticated, so a route cannot be
// added without saying who may call it.
package web
