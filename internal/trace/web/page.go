package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"slices"
	"time"

	"github.com/upcase/upcase/internal/lang"
	"golang.org/x/text/language"
)

// static is the page: index.html and what it loads, nothing from elsewhere.
//
//go:embed static
var static embed.FS

// staticFile is one file of the page, with the ETag of its content, so
// that a browser revalidates it (Cache-Control: no-cache) for nothing.
type staticFile struct {
	body []byte
	etag string
}

// files are the page's files by name (index.html, app.css, js/main.js ...), read once.
var files = func() map[string]staticFile {
	m := map[string]staticFile{}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[p[len("static/"):]] = staticFile{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		panic("web: the embedded page: " + err.Error())
	}
	return m
}()

// serveStatic sends one of the page's files; there are no directories to
// list, and nothing else to find.
func serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := files[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", f.etag)
	http.ServeContent(w, r, path.Base(r.PathValue("file")), time.Time{}, bytes.NewReader(f.body))
}

// htmlLang finds the page's <html lang="..."> (or a bare <html>), whose
// language the server sets.
var htmlLang = regexp.MustCompile(`<html\b(\s+lang="[^"]*")?`)

// serveIndex sends the page in the language the request asks for:
// ?lang=en|zh, else Accept-Language. A ?lang= that is neither falls back
// to Accept-Language: the page itself says what it shows.
func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	l, err := requestLang(r)
	if err != nil {
		l = acceptLang(r.Header.Get("Accept-Language"))
	}
	f := files["index.html"]
	body := f.body
	if loc := htmlLang.FindIndex(body); loc != nil {
		body = slices.Concat(body[:loc[0]], []byte(`<html lang="`+l.String()+`"`), body[loc[1]:])
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Language")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(body))
}

// langMatcher matches a browser's languages against the page's.
var langMatcher = language.NewMatcher([]language.Tag{language.English, language.Chinese})

// acceptLang is the page's language for an Accept-Language header: Chinese
// when the browser prefers it to English, else English.
func acceptLang(header string) lang.Lang {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return lang.English
	}
	_, i, conf := langMatcher.Match(tags...)
	if i == 1 && conf != language.No {
		return lang.Chinese
	}
	return lang.English
}
