package main

import (
	"flag"
	"slices"
	"testing"
)

func TestInterleaved(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	out := fs.String("out", "", "")
	q := fs.Bool("q", false, "")
	args := []string{"a.jsonl", "-out", "c.csv", "-", "-q", "--truth=x", "b.jsonl"}
	fs.String("truth", "", "")
	if err := fs.Parse(interleaved(fs, args)); err != nil {
		t.Fatal(err)
	}
	if *out != "c.csv" || !*q || !slices.Equal(fs.Args(), []string{"a.jsonl", "-", "b.jsonl"}) {
		t.Errorf("out=%q q=%v args=%v", *out, *q, fs.Args())
	}
}
