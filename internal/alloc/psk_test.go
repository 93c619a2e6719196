package alloc

import (
	"fmt"
	"testing"
)

func TestPSKRule(t *testing.T) {
	seen := map[string]bool{}
	leading := map[byte]int{}
	for i := range 20000 {
		k := PSK([]byte(fmt.Sprintf("secret-%d", i%7)), fmt.Sprintf("mesh%d", i%3), fmt.Sprintf("a~b#%d", i), int64(i%5))
		if !ValidPSK(k) || len(k) != PSKLen || k[0] == '0' {
			t.Fatalf("PSK %q breaks the rule", k)
		}
		if seen[k] {
			t.Fatalf("PSK %q repeated", k)
		}
		seen[k] = true
		leading[k[0]]++
	}
	// 63 possible leading characters; all should show up in 20000 keys.
	if len(leading) != 63 {
		t.Errorf("%d distinct leading characters", len(leading))
	}
}

func TestPSKSensitivity(t *testing.T) {
	base := PSK([]byte("s3cret-s3cret-s3cret"), "prod", "a~b#0", 1)
	if again := PSK([]byte("s3cret-s3cret-s3cret"), "prod", "a~b#0", 1); again != base {
		t.Fatalf("not deterministic: %q vs %q", base, again)
	}
	for name, k := range map[string]string{
		"epoch":  PSK([]byte("s3cret-s3cret-s3cret"), "prod", "a~b#0", 2),
		"tunnel": PSK([]byte("s3cret-s3cret-s3cret"), "prod", "a~b#1", 1),
		"mesh":   PSK([]byte("s3cret-s3cret-s3cret"), "prod2", "a~b#0", 1),
		"secret": PSK([]byte("s3cret-s3cret-s3creT"), "prod", "a~b#0", 1),
		// Boundaries between fields are bound too: moving a character from
		// the mesh name to the key changes the key.
		"shift": PSK([]byte("s3cret-s3cret-s3cret"), "pro", "da~b#0", 1),
	} {
		if k == base {
			t.Errorf("changing the %s did not change the key", name)
		}
	}
	// Pinned value: derivation must not change silently (that would
	// rotate every key in every mesh on upgrade).
	if want := "ggsqEZpBamIM6sl1_8ot.GrNeQKj5vDjkJuqTwV3"; base != want {
		t.Logf("PSK = %q", base)
		t.Errorf("derivation changed: got %q, want %q", base, want)
	}
}

func TestValidPSK(t *testing.T) {
	for s, want := range map[string]bool{
		"abcdefgh":                    true,
		"abcdefg":                     false, // 7
		"0bcdefgh":                    false, // leading 0
		"1bcdefgh":                    true,
		"a.b_c.D9":                    true,
		"abcd-efg":                    false,
		"abcd efg":                    false,
		"abcdéfgh":                    false,
		"":                            false,
		string(make([]byte, 8)):       false,
		"A" + string(repeat('x', 63)): true,  // 64
		"A" + string(repeat('x', 64)): false, // 65
	} {
		if got := ValidPSK(s); got != want {
			t.Errorf("ValidPSK(%q) = %v", s, got)
		}
	}
}

func repeat(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}

func FuzzPSK(f *testing.F) {
	f.Add([]byte("secret"), "prod", "a~b#0", int64(1))
	f.Add([]byte{}, "", "", int64(0))
	f.Add([]byte{0, 0, 0}, "x", "y", int64(-1))
	f.Fuzz(func(t *testing.T, secret []byte, mesh, key string, epoch int64) {
		k := PSK(secret, mesh, key, epoch)
		if !ValidPSK(k) || len(k) != PSKLen {
			t.Fatalf("PSK %q breaks the rule", k)
		}
		if PSK(secret, mesh, key, epoch) != k {
			t.Fatal("not deterministic")
		}
		if PSK(secret, mesh, key, epoch+1) == k {
			t.Fatal("epoch did not change the key")
		}
	})
}
