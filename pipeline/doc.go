// Package pipeline defines what a processing step is: the Stage interface, the Chain that
// runs stages in the order the rules give, the Registry that builds stages by name, and the
// two kinds of error (ErrInvalidRecord for data problems; anything else is infrastructure).
//
// It is pure: it must not import Kafka, SQL, HTTP or Watermill packages, nor handlers,
// warehouse or web.
package pipeline
