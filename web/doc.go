// Package web serves the community manager's dashboard, the JSON API under
// /api/v1/, the public Atom feeds and the campaign webhook's mount point.
//
// Every route lives in one table (routes.go) that both registers the handlers
// and drives the test that walks them unauthenticated, so a route cannot be
// added without saying who may call it.
//
// The dashboard is server-rendered (html/template, embedded); htmx makes its
// actions answer in place (htmx.go: the changed cards, the notice and the
// counts, out of band) and every form still works without script. Every
// string comes from the catalog (catalog.go, CLDR plurals through
// locale.N); what other packages write for people — slot notes, expiry
// reasons, the networks' errors — is translated through one table of known
// forms (reasons.go, neterrors.go). A post's campaign and milestone are
// named in one place (views.go namer.about, and the "about" template).
package web
