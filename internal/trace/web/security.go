package web

import (
	"errors"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// hostCheck decides which Host headers name the served address. A page of
// another site can make a browser connect here by pointing its own name at
// 127.0.0.1 (DNS rebinding); the browser then sends that name as Host, which
// is refused. Accepted, always with the bound port:
//
//   - the bound IP address (127.0.0.1:8099, [::1]:8099);
//   - localhost, when the bound address is a loopback one (localhost is
//     resolved by the browser itself, never by a site's DNS);
//   - Server.Name, the host name the user chose to serve on;
//   - for a wildcard bind (0.0.0.0 or ::, which listens on every address of
//     the machine) any IP address literal, since the machine's addresses are
//     many and may change, and an address typed as a number is not a name
//     that anyone else's DNS can rebind, and localhost.
type hostCheck struct {
	port     string
	ip       netip.Addr // the bound address; unspecified for a wildcard bind
	loopback bool
	name     string
}

// newHostCheck checks Host headers against bound ("host:port", as the
// listener has it) and name (a host name that also serves, or "").
func newHostCheck(bound, name string) (hostCheck, error) {
	host, port, err := net.SplitHostPort(bound)
	if err != nil {
		return hostCheck{}, err
	}
	hc := hostCheck{port: port, name: strings.ToLower(name)}
	if host == "" {
		hc.ip = netip.IPv6Unspecified()
		return hc, nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return hostCheck{}, err
	}
	hc.ip = ip.Unmap().WithZone("")
	hc.loopback = hc.ip.IsLoopback()
	return hc, nil
}

// errHost is why a request was refused for its Host header.
var errHost = errors.New("this server answers only to its own address (Host header refused)")

// allowed reports whether a Host header names the served address.
func (hc hostCheck) allowed(hostHeader string) bool {
	host, port, err := net.SplitHostPort(hostHeader)
	if err != nil {
		// No port: the browser leaves out the scheme's default.
		host, port = hostHeader, "80"
		if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
			host = host[1 : len(host)-1]
		}
	}
	if port != hc.port || host == "" {
		return false
	}
	host = strings.ToLower(host)
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return false
		}
		return hc.ip.IsUnspecified() || ip.Unmap() == hc.ip
	}
	if host == "localhost" && (hc.loopback || hc.ip.IsUnspecified()) {
		return true
	}
	return hc.name != "" && host == hc.name
}

// errCrossOrigin is why a POST from another origin was refused.
var errCrossOrigin = errors.New("only this page may send lines (cross-origin request refused)")

// sameOrigin reports whether a state-changing request comes from the
// page itself: its Origin header, if any, is this server's origin, and its
// Sec-Fetch-Site, if any, says same-origin. A request with neither comes
// from something that is not a browser (curl), which may. r.Host has been
// checked already.
func sameOrigin(r *http.Request) error {
	if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
		return errCrossOrigin
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return nil
	}
	return errCrossOrigin
}

// isJSON reports whether the request's body is declared as JSON. A browser
// sends such a request to another origin only after asking it (a CORS
// preflight, which this server never answers yes to).
func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// contentSecurityPolicy lets the page load its own files and nothing else:
// no inline script, no other origin, no framing by another page. Styles
// may only come from /static too: the page sets styles through the DOM
// (element.style), which this allows, not style attributes in markup.
const contentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// guard wraps every handler: it refuses a request whose Host header does
// not name the served address, and sets the security headers on every
// response.
func guard(hc hostCheck, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !hc.allowed(r.Host) {
			writeError(w, http.StatusMisdirectedRequest, errHost)
			return
		}
		next.ServeHTTP(w, r)
	})
}
