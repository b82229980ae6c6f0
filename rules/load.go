package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"gopkg.in/yaml.v3"
)

// RulesFile is the main rule file of a rules directory; tables sit in TablesDir.
const (
	RulesFile = "rules.yaml"
	TablesDir = "tables"
)

// LoadDir loads the rules of a directory laid out as rules/default.
func LoadDir(dir string) (*Rules, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("rules directory: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("rules directory %s: not a directory", dir)
	}
	r, err := Load(os.DirFS(dir), dir)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Load reads rules.yaml, model.yaml (when present) and tables/*.yaml from fsys; name is used in error messages and
// stored in Rules.Dir. Every problem found is reported (errors.Join), each with its file,
// line and key. Unknown keys are errors.
func Load(fsys fs.FS, name string) (*Rules, error) {
	r := &Rules{Dir: name}
	data, err := fs.ReadFile(fsys, RulesFile)
	if err != nil {
		return nil, fmt.Errorf("rules %s: %w", name, err)
	}
	file := path.Join(name, RulesFile)
	root, err := decodeStrict(file, data, r)
	if err != nil {
		return nil, err
	}
	r.setDefaults()
	var errs []error
	for _, p := range r.validate() {
		errs = append(errs, fmt.Errorf("%s:%d: %s: %s", file, lineOf(root, p.path), p.path, p.msg))
	}
	if len(errs) == 0 {
		if err := loadModel(fsys, name, r); err != nil {
			errs = append(errs, err)
		}
	}
	t, err := loadTables(fsys, name)
	if err != nil {
		errs = append(errs, err)
	}
	r.Tables = t
	if r.Regions, err = loadRegions(fsys, name); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return r, nil
}

// decodeStrict decodes YAML into v rejecting unknown keys; errors name the file and line.
func decodeStrict(file string, data []byte, v any) (*yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			msgs := make([]string, len(te.Errors))
			for i, m := range te.Errors {
				msgs[i] = file + ": " + m
			}
			return nil, errors.New(strings.Join(msgs, "\n"))
		}
		return nil, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	return &root, nil
}

// lineOf finds the line of a dotted key path ("match.comparisons.2.levels.0.m") in a
// document; it returns the line of the deepest node it could reach.
func lineOf(root *yaml.Node, p string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, part := range strings.Split(p, ".") {
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == part {
					line = n.Content[i].Line
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			var idx int
			if _, err := fmt.Sscanf(part, "%d", &idx); err == nil && idx >= 0 && idx < len(n.Content) {
				next = n.Content[idx]
				line = next.Line
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}
