package curator

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/fanfarehq/fanfare/internal/keyspace"
)

// Every key starts with the hash tag "{prefix}:" so the whole keyspace shares one
// Cluster slot; the scripts receive every key they touch in KEYS.
//
//	{p}:feeds                 hash  feed URL -> JSON content.Feed (the registry)
//	{p}:feed:<id>:status      hash  what the last fetch did (see statusField*)
//	{p}:feed:<id>:seen        zset  item key -> unix ms the item was last seen in the feed
//
// <id> is feedID(url): a URL may hold any byte, a key should not.

func keyBase(prefix string) string { return keyspace.Base(prefix) }

func feedsKey(prefix string) string { return keyBase(prefix) + "feeds" }

func feedStatusKey(prefix, url string) string {
	return keyBase(prefix) + "feed:" + feedID(url) + ":status"
}

func feedSeenKey(prefix, url string) string {
	return keyBase(prefix) + "feed:" + feedID(url) + ":seen"
}

// feedID names a feed in keys: 16 bytes of SHA-256 of its URL, enough to never
// collide among the few hundred feeds a platform reads.
func feedID(url string) string {
	sum := sha256.Sum256([]byte(url))
	return hex.EncodeToString(sum[:16])
}

// Fields of the status hash.
const (
	statusFieldLastFetch    = "last_fetch" // unix ms
	statusFieldLastStatus   = "last_status"
	statusFieldLastError    = "last_error"
	statusFieldTitle        = "title"
	statusFieldETag         = "etag"
	statusFieldLastModified = "last_modified"
	statusFieldItems        = "items"
	statusFieldCurated      = "curated"
	statusFieldErrors       = "consecutive_errors"
)
