package rules

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestReview2LowReviewThresholdStillLoads: a rules file that does not set
// split_threshold (every rules file written before it existed) with a review_threshold
// below 0.01 loaded before; split_threshold's default (0.01) is now refused as above
// review_threshold, so the file no longer loads and the service does not start.
func TestReview2LowReviewThresholdStillLoads(t *testing.T) {
	src := strings.Replace(string(editedRules(t, "  review_threshold: 0.50 ", "  review_threshold: 0.005 ")), "  split_threshold: 0.01 ", "  # split_threshold unset ", 1)
	if strings.Contains(src, "\n  split_threshold:") {
		t.Fatal("split_threshold still set")
	}
	if _, err := Load(fstest.MapFS{RulesFile: {Data: []byte(src)}}, "x"); err != nil {
		t.Errorf("rules without split_threshold, review_threshold 0.005: %v", err)
	}
}
