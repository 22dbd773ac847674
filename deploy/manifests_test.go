package deploy

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Memory per connection, measured with the real binary (go1.27.3, the epoll
// engine, Linux 6.18, loopback): `upcase serve --addr=127.0.0.1:0
// --max-conns=0 --max-conns-per-ip=0` and a Go client opening N connections,
// VmRSS from /proc/PID/status, socket buffers from `ss -tnm` (skmem) of the
// server's sockets, kernel objects from /proc/meminfo's Slab. The figures
// and the sum are in deployment.yaml's comment over `resources:`.
const (
	// baseKiB: the process with no connection, 16.4 MiB VmRSS measured,
	// doubled for the garbage collector's headroom and metrics scrapes.
	baseKiB = 32 << 10
	// idleKiB: an idle connection: 0.11-0.13 KiB RSS (epoll engine) at
	// 1000, 5000 and 10000 connections, plus about 5 KiB of kernel objects
	// (tcp_sock, file, epoll item) per socket; an active one (upcase bench)
	// peaked at 0.23 KiB RSS.
	idleKiB = 5.25
	// pendingKiB: a client that does not read its replies makes the server
	// keep the rest of one reply, at most one 16 KiB read buffer, and stop
	// reading from it (measured: +3 KiB RSS on average).
	pendingKiB = 16
	// slabKiB: kernel objects of such a connection, its queued packets'
	// heads included (measured: 9-10.3 KiB per socket).
	slabKiB = 12
	// headroom over the sum for the limit.
	headroom = 1.25
)

// Besides these, a non-reading client holds a full send buffer and receive
// buffer in the kernel, charged to the pod's memory cgroup: up to the
// maxima of the pod's net.ipv4.tcp_wmem and tcp_rmem sysctls, which the test
// reads from the manifest (measured with both at 128 KiB: 126 KiB send
// queue + 47-50 KiB receive queue per connection; all told, 191 KiB of the
// 284 KiB this bound allows).

// theObjects are the three objects the manifests must hold, one of each.
type theObjects struct {
	dep *appsv1.Deployment
	svc *corev1.Service
	pdb *policyv1.PodDisruptionBudget
}

func findObjects(t *testing.T, objs []object) theObjects {
	t.Helper()
	var o theObjects
	count := map[string]int{}
	for _, x := range objs {
		switch v := x.obj.(type) {
		case *appsv1.Deployment:
			o.dep = v
			count["Deployment"]++
		case *corev1.Service:
			o.svc = v
			count["Service"]++
		case *policyv1.PodDisruptionBudget:
			o.pdb = v
			count["PodDisruptionBudget"]++
		}
	}
	for _, k := range []string{"Deployment", "Service", "PodDisruptionBudget"} {
		if count[k] != 1 {
			t.Fatalf("the manifests hold %d %s objects, want exactly 1", count[k], k)
		}
	}
	return o
}

// serveArgs are the container's `upcase serve` flags, each --name=value.
type serveArgs map[string]string

func parseArgs(t *testing.T, args []string) serveArgs {
	t.Helper()
	a := serveArgs{}
	for _, arg := range args {
		name, value, ok := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		if !strings.HasPrefix(arg, "--") || !ok {
			t.Fatalf("container arg %q: want --name=value (a bare value would be an argument, which serve refuses)", arg)
		}
		if _, dup := a[name]; dup {
			t.Fatalf("--%s given twice", name)
		}
		a[name] = value
	}
	return a
}

func (a serveArgs) duration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v, ok := a[name]
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("--%s=%s: %v", name, v, err)
	}
	return d
}

// listenPort checks that --name listens where others can reach it and
// returns its port.
func (a serveArgs) listenPort(t *testing.T, name string) int32 {
	t.Helper()
	v, ok := a[name]
	if !ok {
		t.Fatalf("container args lack --%s", name)
	}
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		t.Fatalf("--%s=%s: %v", name, v, err)
	}
	// upcase reads a bare :port as 127.0.0.1:port, and loopback inside a
	// pod is the pod's own: neither the Service nor the kubelet reaches it.
	if host != "0.0.0.0" && host != "::" {
		t.Errorf("--%s=%s: listen on 0.0.0.0 or [::]; %q is unreachable from outside the pod", name, v, host)
	}
	p, err := strconv.ParseInt(port, 10, 32)
	if err != nil || p <= 0 || p > 65535 {
		t.Fatalf("--%s=%s: bad port", name, v)
	}
	return int32(p)
}

// containerPort resolves a probe's or a Service's port (a number or a
// container port's name) to a number.
func containerPort(t *testing.T, c *corev1.Container, p intstr.IntOrString) int32 {
	t.Helper()
	if p.Type == intstr.Int {
		return p.IntVal
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return cp.ContainerPort
		}
	}
	t.Fatalf("no container port named %q", p.StrVal)
	return 0
}

// sysctlMax is the maximum (third field) of a "min default max" TCP buffer
// sysctl set on the pod.
func sysctlMax(t *testing.T, pod *corev1.PodSpec, name string) int64 {
	t.Helper()
	if pod.SecurityContext != nil {
		for _, s := range pod.SecurityContext.Sysctls {
			if s.Name != name {
				continue
			}
			f := strings.Fields(s.Value)
			if len(f) != 3 {
				t.Fatalf("sysctl %s=%q: want three numbers, min default max", name, s.Value)
			}
			var v [3]int64
			for i := range f {
				n, err := strconv.ParseInt(f[i], 10, 64)
				if err != nil {
					t.Fatalf("sysctl %s=%q: %v", name, s.Value, err)
				}
				v[i] = n
			}
			if v[0] > v[1] || v[1] > v[2] {
				t.Fatalf("sysctl %s=%q: not min <= default <= max", name, s.Value)
			}
			return v[2]
		}
	}
	t.Fatalf("the pod does not set sysctl %s: without it one non-reading client may hold the node's maximum socket buffers (megabytes) of the pod's memory, and no memory limit covers --max-conns of them", name)
	return 0
}

func TestManifests(t *testing.T) {
	o := findObjects(t, loadManifests(t))
	dep, svc, pdb := o.dep, o.svc, o.pdb
	pod := &dep.Spec.Template.Spec
	podLabels := labels.Set(dep.Spec.Template.Labels)

	// The Deployment's own selector must pick its pods (the API server
	// refuses it otherwise).
	depSel, err := metav1.LabelSelectorAsSelector(dep.Spec.Selector)
	if err != nil || depSel.Empty() || !depSel.Matches(podLabels) {
		t.Fatalf("Deployment selector %v does not match its pod labels %v (%v)", dep.Spec.Selector, podLabels, err)
	}
	replicas := int32(1)
	if dep.Spec.Replicas != nil {
		replicas = *dep.Spec.Replicas
	}
	if replicas < 3 {
		t.Errorf("replicas = %d, want at least 3", replicas)
	}

	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := &pod.Containers[0]
	if c.Image == "" {
		t.Error("container has no image")
	}
	if len(c.Command) != 0 {
		t.Errorf("command %q replaces the image's ENTRYPOINT (/upcase serve); set args only", c.Command)
	}
	args := parseArgs(t, c.Args)
	addrPort := args.listenPort(t, "addr")
	metricsPort := args.listenPort(t, "metrics")
	if addrPort == metricsPort {
		t.Errorf("--addr and --metrics share port %d", addrPort)
	}
	if args["log-format"] != "json" {
		t.Errorf("--log-format=%q, want json for the cluster's log collector", args["log-format"])
	}
	lameDuck := args.duration(t, "lame-duck", 0)
	drain := args.duration(t, "drain", 10*time.Second)  // serve's default
	linger := args.duration(t, "linger", 2*time.Second) // serve's default
	if lameDuck <= 0 {
		t.Errorf("--lame-duck=%v: without it the pod stops accepting before the endpoints controller has taken it out of the Service", lameDuck)
	}

	// Container ports: --addr's and --metrics' ports, by name.
	byName := map[string]int32{}
	var hasAddr, hasMetrics bool
	for _, p := range c.Ports {
		byName[p.Name] = p.ContainerPort
		hasAddr = hasAddr || p.ContainerPort == addrPort
		hasMetrics = hasMetrics || p.ContainerPort == metricsPort
		if p.Protocol != "" && p.Protocol != corev1.ProtocolTCP {
			t.Errorf("port %s: protocol %s, want TCP", p.Name, p.Protocol)
		}
	}
	if !hasAddr || !hasMetrics {
		t.Errorf("container ports %v lack --addr's %d or --metrics' %d", byName, addrPort, metricsPort)
	}

	// Probes: readiness on /readyz and liveness on /healthz, both on the
	// --metrics port. The readiness probe must notice /readyz's 503 within
	// the lame duck, while the pod still accepts.
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{{"readinessProbe", c.ReadinessProbe, "/readyz"}, {"livenessProbe", c.LivenessProbe, "/healthz"}} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("%s: want an httpGet probe of %s", p.name, p.path)
			continue
		}
		g := p.probe.HTTPGet
		if g.Path != p.path {
			t.Errorf("%s path %q, want %s", p.name, g.Path, p.path)
		}
		if port := containerPort(t, c, g.Port); port != metricsPort {
			t.Errorf("%s port %v = %d, want --metrics' %d", p.name, g.Port.String(), port, metricsPort)
		}
		if g.Scheme != "" && g.Scheme != corev1.URISchemeHTTP {
			t.Errorf("%s scheme %s: the metrics server speaks plain HTTP", p.name, g.Scheme)
		}
	}
	if r := c.ReadinessProbe; r != nil {
		period, failures, timeout := orDefault(r.PeriodSeconds, 10), orDefault(r.FailureThreshold, 3), orDefault(r.TimeoutSeconds, 1)
		notice := time.Duration(period*failures+timeout) * time.Second
		if notice >= lameDuck {
			t.Errorf("the readiness probe notices unready after up to %v (periodSeconds %d x failureThreshold %d + timeoutSeconds %d), not within --lame-duck=%v", notice, period, failures, timeout, lameDuck)
		}
	}

	// SIGKILL must not cut the shutdown short.
	grace := time.Duration(orDefault64(pod.TerminationGracePeriodSeconds, 30)) * time.Second
	if need := lameDuck + drain + linger; grace <= need {
		t.Errorf("terminationGracePeriodSeconds %v <= --lame-duck %v + --drain %v + --linger %v", grace, lameDuck, drain, linger)
	}

	// The image: the same user and ports (that it EXPOSEs them is
	// TestDockerfile's).
	df := loadDockerfile(t)
	checkSecurity(t, pod, c, df.uid)
	if df.addrPort != addrPort || df.metricsPort != metricsPort {
		t.Errorf("the Dockerfile's CMD listens on %d and %d, the Deployment's args on %d and %d", df.addrPort, df.metricsPort, addrPort, metricsPort)
	}
	checkResources(t, pod, c, args)

	// Service: ClusterIP, selecting the Deployment's pods, its ports
	// reaching --addr and --metrics.
	if svc.Spec.Type != "" && svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("Service type %s, want ClusterIP", svc.Spec.Type)
	}
	if len(svc.Spec.Selector) == 0 || !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
		t.Errorf("Service selector %v does not match the pod labels %v", svc.Spec.Selector, podLabels)
	}
	var svcAddr, svcMetrics bool
	for _, sp := range svc.Spec.Ports {
		target := sp.TargetPort
		if target.Type == intstr.Int && target.IntVal == 0 {
			target = intstr.FromInt32(sp.Port) // targetPort defaults to port
		}
		tp := containerPort(t, c, target)
		if sp.Protocol != "" && sp.Protocol != corev1.ProtocolTCP {
			t.Errorf("Service port %s: protocol %s, want TCP", sp.Name, sp.Protocol)
		}
		switch tp {
		case addrPort:
			svcAddr = true
			if sp.Port != addrPort {
				t.Errorf("Service port %s is %d, want %d as in the image and README", sp.Name, sp.Port, addrPort)
			}
		case metricsPort:
			svcMetrics = true
		default:
			t.Errorf("Service port %s targets %d, which upcase does not listen on", sp.Name, tp)
		}
	}
	if !svcAddr || !svcMetrics {
		t.Errorf("Service ports reach --addr: %v, --metrics: %v; want both", svcAddr, svcMetrics)
	}

	// PodDisruptionBudget: over the same pods, letting one go at a time.
	pdbSel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil || pdbSel.Empty() || !pdbSel.Matches(podLabels) {
		t.Errorf("PodDisruptionBudget selector %v does not match the pod labels %v (%v)", pdb.Spec.Selector, podLabels, err)
	}
	if (pdb.Spec.MinAvailable == nil) == (pdb.Spec.MaxUnavailable == nil) {
		t.Fatal("PodDisruptionBudget: set exactly one of minAvailable and maxUnavailable")
	}
	var allowed int
	if pdb.Spec.MaxUnavailable != nil {
		allowed, err = intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MaxUnavailable, int(replicas), true)
	} else {
		var minAvail int
		minAvail, err = intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, int(replicas), true)
		allowed = int(replicas) - minAvail
	}
	if err != nil {
		t.Fatal(err)
	}
	if allowed < 1 {
		t.Errorf("PodDisruptionBudget allows %d of %d pods to go: node drains would block", allowed, replicas)
	}
	if int(replicas)-allowed < 2 {
		t.Errorf("PodDisruptionBudget lets %d of %d pods go at once, leaving fewer than 2", allowed, replicas)
	}
}

func orDefault(p int32, def int32) int32 {
	if p == 0 {
		return def
	}
	return p
}

func orDefault64(p *int64, def int64) int64 {
	if p == nil {
		return def
	}
	return *p
}

// checkSecurity: non-root, no privilege escalation, no capabilities, a
// read-only root, the runtime's seccomp profile. The container's settings
// override the pod's, as the kubelet applies them.
func checkSecurity(t *testing.T, pod *corev1.PodSpec, c *corev1.Container, dockerfileUID int64) {
	t.Helper()
	psc := pod.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	csc := c.SecurityContext
	if csc == nil {
		t.Fatal("the container has no securityContext")
	}
	nonRoot := psc.RunAsNonRoot
	if csc.RunAsNonRoot != nil {
		nonRoot = csc.RunAsNonRoot
	}
	if nonRoot == nil || !*nonRoot {
		t.Error("runAsNonRoot is not true")
	}
	uid := psc.RunAsUser
	if csc.RunAsUser != nil {
		uid = csc.RunAsUser
	}
	if uid != nil && *uid == 0 {
		t.Error("runAsUser is 0 (root)")
	}
	if uid != nil && *uid != dockerfileUID {
		t.Errorf("runAsUser %d is not the Dockerfile's USER %d", *uid, dockerfileUID)
	}
	if csc.AllowPrivilegeEscalation == nil || *csc.AllowPrivilegeEscalation {
		t.Error("allowPrivilegeEscalation is not false")
	}
	if csc.Privileged != nil && *csc.Privileged {
		t.Error("privileged")
	}
	if csc.ReadOnlyRootFilesystem == nil || !*csc.ReadOnlyRootFilesystem {
		t.Error("readOnlyRootFilesystem is not true")
	}
	dropAll := false
	if csc.Capabilities != nil {
		for _, cp := range csc.Capabilities.Drop {
			dropAll = dropAll || cp == "ALL"
		}
		if len(csc.Capabilities.Add) > 0 {
			t.Errorf("capabilities added: %v", csc.Capabilities.Add)
		}
	}
	if !dropAll {
		t.Error("capabilities do not drop ALL")
	}
	seccomp := psc.SeccompProfile
	if csc.SeccompProfile != nil {
		seccomp = csc.SeccompProfile
	}
	if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Error("seccompProfile is not RuntimeDefault")
	}
	if pod.HostNetwork || pod.HostPID || pod.HostIPC {
		t.Error("the pod shares a host namespace")
	}
}

// checkResources: requests and limits set, and the memory limit covers
// --max-conns connections that each hold the worst a client can make them
// hold (the arithmetic in deployment.yaml's comment).
func checkResources(t *testing.T, pod *corev1.PodSpec, c *corev1.Container, args serveArgs) {
	t.Helper()
	req, lim := c.Resources.Requests, c.Resources.Limits
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		q, ok := req[r]
		if !ok || q.IsZero() {
			t.Errorf("no %s request", r)
		}
		l, ok := lim[r]
		if !ok || l.IsZero() {
			t.Errorf("no %s limit", r)
			continue
		}
		if q.Cmp(l) > 0 {
			t.Errorf("%s request %s above its limit %s", r, q.String(), l.String())
		}
	}

	// The constants are the epoll engine's; the goroutine engine costs a
	// goroutine and a 16 KiB buffer per idle connection.
	if e := args["engine"]; e != "epoll" {
		t.Errorf("--engine=%q: the memory figures are for --engine=epoll", e)
	}
	mc, ok := args["max-conns"]
	if !ok {
		t.Fatal("no --max-conns: serve's default (10000) would apply silently; set it with the memory limit")
	}
	maxConns, err := strconv.Atoi(mc)
	if err != nil || maxConns <= 0 {
		t.Fatalf("--max-conns=%s: want a positive number (0 is no limit, and no memory limit covers that)", mc)
	}
	rmem := sysctlMax(t, pod, "net.ipv4.tcp_rmem")
	wmem := sysctlMax(t, pod, "net.ipv4.tcp_wmem")
	worstKiB := pendingKiB + slabKiB + float64(rmem+wmem)/1024
	needKiB := headroom * (baseKiB + float64(maxConns)*worstKiB)
	limit := lim[corev1.ResourceMemory]
	if got := float64(limit.Value()) / 1024; got < needKiB {
		t.Errorf("memory limit %s = %.0f KiB < %.2f x (%d KiB + %d conns x %.0f KiB worst case) = %.0f KiB (%s)",
			limit.String(), got, headroom, baseKiB, maxConns, worstKiB, needKiB, mib(needKiB))
	} else {
		t.Logf("memory limit %s >= %.2f x (%d KiB + --max-conns %d x %.0f KiB) = %s", limit.String(), headroom, baseKiB, maxConns, worstKiB, mib(needKiB))
	}
	request := req[corev1.ResourceMemory]
	if needKiB := baseKiB + float64(maxConns)*idleKiB; float64(request.Value())/1024 < needKiB {
		t.Errorf("memory request %s < %d KiB + %d idle conns x %.2f KiB = %s", request.String(), baseKiB, maxConns, idleKiB, mib(needKiB))
	}
	// A limit not in whole MiB is almost surely a typo (768M vs 768Mi).
	if limit.Value()%(1<<20) != 0 {
		t.Errorf("memory limit %s is not a whole number of MiB", limit.String())
	}
}

func mib(kib float64) string { return fmt.Sprintf("%.1f MiB", kib/1024) }
