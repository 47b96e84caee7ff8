package content

import (
	"context"
	"fmt"
	"strings"

	"github.com/fanfarehq/fanfare/content/text"
)

// Linker gives a post a link of its own (a first-party short link) in place
// of the one it was written with, so that its clicks can be counted per
// post. The store asks for it when a post is created or rewritten, before
// anything is stored: the text a person approves is the text that goes out.
type Linker interface {
	// Link returns the post's own link for target, the link the post was
	// written with, or "" when the post keeps target (a kind the linker
	// leaves alone). Asking again for the same post returns the same link.
	Link(ctx context.Context, postID, network string, kind Kind, target string) (string, error)
	// Unlink forgets the link made for a post that was not stored after
	// all (its draft was a duplicate).
	Unlink(ctx context.Context, postID string) error
}

// ownLink puts the post's own link in the draft: in Link, and in the text
// wherever the text carries the link it was written with. A text the own
// link would make invalid for the network (a network that counts the link's
// characters) keeps the original link, whose clicks then go uncounted.
func (s *Store) ownLink(ctx context.Context, id string, kind Kind, network string, body, link *string) error {
	if s.linker == nil || *link == "" {
		return nil
	}
	own, err := s.linker.Link(ctx, id, network, kind, *link)
	if err != nil {
		return fmt.Errorf("content: unable to make the link of post %s: %w", id, err)
	}
	if own == "" || own == *link {
		return nil
	}
	t := strings.ReplaceAll(*body, *link, own)
	// Bluesky and Instagram write the link short, as a person types it:
	// the short form of the own link replaces it.
	if short, ownShort := text.PlainAddress(*link), text.PlainAddress(own); short != "" && ownShort != "" {
		t = strings.ReplaceAll(t, short, ownShort)
	}
	if t != *body && s.checkText(network, t) != nil {
		return nil
	}
	*body, *link = t, own
	return nil
}
