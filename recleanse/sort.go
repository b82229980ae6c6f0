package recleanse

import (
	"cmp"
	"slices"
)

func sortByLabel(order []int, labels []int32) {
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(labels[a], labels[b]), cmp.Compare(a, b))
	})
}
