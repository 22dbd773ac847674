package deploy

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// manifestGlob is where the manifests live, relative to this directory.
const manifestGlob = "kubernetes/*.yaml"

// kinds are the only objects the manifests may hold, by apiVersion and
// kind, each decoded into the Kubernetes API's own Go type. Anything else
// is an error: a typo in either (apps/v1beta1, Deploymnet) would otherwise
// pass offline and fail at kubectl apply.
var kinds = map[string]func() any{
	"apps/v1 Deployment":            func() any { return new(appsv1.Deployment) },
	"v1 Service":                    func() any { return new(corev1.Service) },
	"policy/v1 PodDisruptionBudget": func() any { return new(policyv1.PodDisruptionBudget) },
}

// object is one decoded YAML document and where it came from.
type object struct {
	where string // file:document
	obj   any    // *appsv1.Deployment, *corev1.Service or *policyv1.PodDisruptionBudget
}

// docSep is a line that separates YAML documents.
var docSep = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

// decodeStrict decodes every document of a YAML stream as the API server's
// strict field validation would: duplicate keys, fields the type does not
// have (spec.replica), field names in the wrong case (spec.Replicas: Go's
// encoding/json would take it), and values of the wrong type are errors. A
// document that holds only comments is skipped.
func decodeStrict(name string, data []byte) ([]object, error) {
	var objs []object
	for i, doc := range docSep.Split(string(data), -1) {
		where := fmt.Sprintf("%s:document %d", name, i+1)
		// YAMLToJSONStrict rejects duplicate keys, which the JSON step
		// could no longer see.
		js, err := yaml.YAMLToJSONStrict([]byte(doc))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		if s := string(bytes.TrimSpace(js)); s == "null" || s == "" {
			continue
		}
		var tm metav1.TypeMeta
		if err := kjson.UnmarshalCaseSensitivePreserveInts(js, &tm); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		newObj, ok := kinds[tm.APIVersion+" "+tm.Kind]
		if !ok {
			known := slices.Sorted(maps.Keys(kinds))
			return nil, fmt.Errorf("%s: unknown apiVersion/kind %q %q (known: %s)", where, tm.APIVersion, tm.Kind, strings.Join(known, ", "))
		}
		obj := newObj()
		strict, err := kjson.UnmarshalStrict(js, obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		if len(strict) > 0 {
			return nil, fmt.Errorf("%s: strict decoding: %v", where, errorsJoin(strict))
		}
		objs = append(objs, object{where: where, obj: obj})
	}
	return objs, nil
}

func errorsJoin(errs []error) string {
	s := make([]string, len(errs))
	for i, err := range errs {
		s[i] = err.Error()
	}
	return strings.Join(s, "; ")
}

// loadManifests decodes every document of every manifest file.
func loadManifests(t *testing.T) []object {
	t.Helper()
	files, err := filepath.Glob(manifestGlob)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no manifests match %s", manifestGlob)
	}
	var all []object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := decodeStrict(f, data)
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) == 0 {
			t.Errorf("%s holds no object", f)
		}
		all = append(all, objs...)
	}
	return all
}

// TestDecodeStrictRejects proves the decoder is strict: each broken variant
// of the real deployment.yaml must fail, and the file itself must pass.
func TestDecodeStrictRejects(t *testing.T) {
	orig, err := os.ReadFile("kubernetes/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		old, new string // replace old (which must occur) by new
		wantErr  string // in the error; "" means no error
	}{
		{name: "unchanged", wantErr: ""},
		{name: "unknown field spec.replica", old: "  replicas: 3\n", new: "  replica: 3\n", wantErr: `unknown field "spec.replica"`},
		{name: "field in the wrong case", old: "  replicas: 3\n", new: "  Replicas: 3\n", wantErr: `unknown field "spec.Replicas"`},
		{name: "unknown field deep in the pod", old: "          readinessProbe:\n", new: "          readinesProbe:\n", wantErr: "readinesProbe"},
		{name: "duplicate key", old: "  replicas: 3\n", new: "  replicas: 3\n  replicas: 4\n", wantErr: "replicas"},
		{name: "wrong type", old: "  replicas: 3\n", new: "  replicas: three\n", wantErr: "replicas"},
		{name: "bad quantity", old: "memory: 768Mi", new: "memory: 768MB!", wantErr: "quantit"},
		{name: "unknown kind", old: "kind: Deployment\n", new: "kind: Deploymnet\n", wantErr: "unknown apiVersion/kind"},
		{name: "old apiVersion", old: "apiVersion: apps/v1\n", new: "apiVersion: apps/v1beta1\n", wantErr: "unknown apiVersion/kind"},
		{name: "second document of an unknown kind", old: "", new: "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", wantErr: `"ConfigMap"`},
		{name: "not YAML", old: "  replicas: 3\n", new: "  replicas: [3\n", wantErr: "yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := string(orig)
			switch {
			case tt.old != "":
				if !strings.Contains(data, tt.old) {
					t.Fatalf("deployment.yaml no longer holds %q: update the test", tt.old)
				}
				data = strings.Replace(data, tt.old, tt.new, 1)
			case tt.new != "":
				data += tt.new
			}
			_, err := decodeStrict("deployment.yaml", []byte(data))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("accepted; want an error with %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q does not mention %q", err, tt.wantErr)
			}
		})
	}
}
