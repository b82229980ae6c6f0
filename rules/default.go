package rules

import (
	"embed"
	"io/fs"
)

//go:embed default
var defaultFS embed.FS

// Default returns the embedded default rules. It panics only if the embedded files are
// broken, which a test rules out.
func Default() *Rules {
	sub, err := fs.Sub(defaultFS, "default")
	if err != nil {
		panic(err)
	}
	r, err := Load(sub, "embedded")
	if err != nil {
		panic("embedded default rules: " + err.Error())
	}
	return r
}
