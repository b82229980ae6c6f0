package main

// matchCommands are the batch matching commands (dedupe, link, train).
func matchCommands() map[string]command {
	return map[string]command{
		"dedupe":  {"find duplicates in a file without a warehouse; clusters as CSV, figures with -truth", runDedupe},
		"link":    {"link the records of two files (pairs across files only); clusters as CSV", runLink},
		"compare": {"score two records against each other and explain the weight field by field", runCompare},
		"train":   {"estimate the match model (m/u, prior, term frequencies) from records, without labels", runTrain},
	}
}
