package main

// streamCommands are the scale-out commands (run, produce).
func streamCommands() map[string]command {
	return map[string]command{}
}
