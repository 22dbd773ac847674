package testrerun

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestOwnLog(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "testlog.txt")
	os.WriteFile(log, []byte("# test log\ngetenv A\n"), 0o600)
	args, merge := ownLog([]string{"-test.run=X", logFlag + log, "-test.v"})
	want := []string{"-test.run=X", logFlag + log + ".rerun", "-test.v"}
	if !slices.Equal(args, want) {
		t.Fatalf("rerun args = %q; want %q", args, want)
	}
	os.WriteFile(log+".rerun", []byte("# test log\ngetenv B\nopen f\n"), 0o600)
	if err := merge(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(log)
	if string(got) != "# test log\ngetenv A\ngetenv B\nopen f\n" {
		t.Errorf("merged log = %q", got)
	}
	if _, err := os.Stat(log + ".rerun"); !os.IsNotExist(err) {
		t.Errorf("the rerun's log was left behind: %v", err)
	}

	args, merge = ownLog([]string{"-test.v"})
	if !slices.Equal(args, []string{"-test.v"}) || merge() != nil {
		t.Errorf("without a test log: args %q", args)
	}
}
