// Package deploy holds no code: its tests check upcase's container image
// (../Dockerfile) and Kubernetes manifests (kubernetes/*.yaml) offline, by
// decoding them strictly into the Kubernetes API's own Go types and checking
// what must agree between them and with the binary.
//
// It is a module of its own so that the upcase module never depends on
// k8s.io. Run its tests with `go test ./...` here; cmd/upcase's
// TestDeployModule runs them from the main module's `go test ./...`.
package deploy
