module github.com/upcase/upcase

go 1.26.0

toolchain go1.27.3

require (
	github.com/creack/pty v1.1.24
	github.com/ergochat/readline v0.1.3
	github.com/rogpeppe/go-internal v1.16.0
	go.uber.org/goleak v1.3.0
	golang.org/x/sys v0.50.0
	golang.org/x/term v0.48.0
)

require (
	golang.org/x/text v0.9.0 // indirect
	golang.org/x/tools v0.26.0 // indirect
)
