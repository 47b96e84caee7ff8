package bots

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

// TestPublishWaitsForTheClaimOnAReplica: with redis.claim_replicas set and
// no replica to confirm the claim (this test's Redis has none), the publish
// job sends nothing: the post goes back to approved with the reason, and
// the run ends without an error, to try again when the replicas are back.
func TestPublishWaitsForTheClaimOnAReplica(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	st, err := content.NewStore(redistest.Client(t), testPrefix, content.StoreOptions{Now: e.clock.Now,
		ClaimReplicas: 1, ClaimReplicaWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p := e.approved(t, "x", "lonely")
	e.approved(t, "x", "second")
	net := newFakeNet("x", e.clock.Now)
	e.store = st
	if err := e.publishJob(t, map[string]Publisher{"x": net}, PublishOptions{}).Run(ctx); err != nil {
		t.Fatalf("a run whose claims do not replicate: %v", err)
	}
	if n := len(net.created); n != 0 {
		t.Fatalf("%d posts sent with their claim on the primary alone", n)
	}
	got := e.get(t, p.ID)
	if got.State != content.StateApproved || !strings.Contains(got.LastError, "replicas") {
		t.Errorf("the post after its claim did not replicate: %s %q", got.State, got.LastError)
	}
}
