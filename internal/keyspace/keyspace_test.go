package keyspace

import "testing"

func TestBase(t *testing.T) {
	for prefix, want := range map[string]string{"": "{fanfare}:", "fanfare": "{fanfare}:", "acme-prod": "{acme-prod}:"} {
		if got := Base(prefix); got != want {
			t.Errorf("Base(%q) = %q, want %q", prefix, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, bad := range []string{"a{b", "a}b", "a:b", "a b", "a\nb"} {
		if Check(bad) == nil {
			t.Errorf("Check(%q) accepted a prefix that breaks the key layout", bad)
		}
	}
	for _, good := range []string{"", "fanfare", "acme.prod_2-eu"} {
		if err := Check(good); err != nil {
			t.Errorf("Check(%q) = %v", good, err)
		}
	}
}
