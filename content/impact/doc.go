// Package impact says which posts move pledges: first-party short links and
// their clicks (per post and day, robots and link previews left out, unique
// visitors estimated without keeping any address), the pledge lift after a
// post (against the campaign's own rate before it and against comparable
// campaigns with no post), pledges the platform attributes to a post, and
// the choice of template variants by Thompson sampling on click-through.
package impact
