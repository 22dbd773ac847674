// Package web serves upcase trace --web: one page, embedded in the binary,
// that shows the demo's captured frames layer by layer, and the few JSON
// endpoints it reads. The server runs no demo itself: Server.Demo and
// Server.Live do that elsewhere (cmd/upcase runs them in private network
// namespaces, as upcase trace does), while the server listens on the
// host's loopback, where the browser is.
//
// The endpoints, all same-origin:
//
//	GET  /                     the page (index.html), its <html lang> set from
//	                           ?lang=en|zh, else Accept-Language
//	GET  /static/FILE          the page's scripts and styles (no directory listings)
//	GET  /api/scenarios?lang=  {"scenarios": [{"name", "title", "description"}, ...]}
//	GET  /api/trace?scenario=S&lang=L
//	                           the tracejson.Document of a fresh run of scenario S;
//	                           400 {"error"} for a bad scenario or lang, 500 {"error"}
//	                           when the demo fails
//	POST /api/live             {"line": "hello"} (application/json): one conversation
//	                           of the live demo; 202 {"conversation": N}; 400 for a bad
//	                           line, 403 cross-origin, 415 not JSON, 429 too fast,
//	                           503 live mode unavailable
//	GET  /api/live/events?lang=L
//	                           server-sent events: "step" (a tracejson.Record plus
//	                           "conversation"), "reply" ({"conversation", "reply"}),
//	                           "error" ({"error"}, and "conversation" where it is
//	                           about one); a ": ping" comment every 15 s
//
// Security: every request's Host header must name the served address
// (against DNS rebinding, see hostCheck), POSTs must be same-origin and JSON,
// live lines are bounded in size, content and rate, the event streams in
// number, and every response carries a Content-Security-Policy that allows
// nothing from another origin and no inline script.
package web
