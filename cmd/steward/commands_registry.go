package main

// registryCommands are the company registry commands.
func registryCommands() map[string]command {
	return map[string]command{
		"registry": {"company registry: `registry import --format sirene|gleif|csv [--map M] FILE...`", runRegistry},
	}
}
