package redistest

import (
	"context"
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Run(m)) }

func TestClientFlushesBetweenTests(t *testing.T) {
	ctx := context.Background()
	c := Client(t)
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	c2 := Client(t)
	n, err := c2.Exists(ctx, "k").Result()
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("Client did not flush: key k still exists")
	}
}
