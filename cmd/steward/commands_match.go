package main

// matchCommands are the batch matching commands (dedupe, link, train).
func matchCommands() map[string]command {
	return map[string]command{}
}
