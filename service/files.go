package service

import "os"

// fileSize returns the size of a regular file, 0 for stdin or anything else.
func fileSize(name string) int64 {
	if name == "-" {
		return 0
	}
	st, err := os.Stat(name)
	if err != nil || !st.Mode().IsRegular() {
		return 0
	}
	return st.Size()
}
