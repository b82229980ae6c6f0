package recleanse

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/steward-crm/steward/internal/csvsafe"
)

// WriteClusters writes one CSV row per record, sorted by cluster then key:
// cluster_id (the key of the cluster's first record; in link runs prefixed with its
// side, "0/" or "1/", since both files may hold a key), cluster_size, source, source_id,
// side (link runs only). The same input and rules always give the same bytes. A key that
// a spreadsheet would read as a formula gets a leading ' (csvsafe.Cell).
func (res *Result) WriteClusters(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"cluster_id", "cluster_size", "source", "source_id"}
	if res.Link {
		head = append(head, "side")
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	size := map[int32]int{}
	for _, l := range res.Labels {
		size[l]++
	}
	order := make([]int, len(res.Records))
	for i := range order {
		order[i] = i
	}
	// Records are sorted by (side, key) and a label is the smallest index of its cluster:
	// sorting by (label, index) groups clusters in a stable order.
	sortByLabel(order, res.Labels)
	row := make([]string, len(head))
	for _, i := range order {
		r := &res.Records[i]
		src, id, _ := strings.Cut(r.Key, ":")
		first := &res.Records[res.Labels[i]]
		row[0] = csvsafe.Cell(first.Key)
		if res.Link {
			row[0] = strconv.Itoa(int(first.Side)) + "/" + first.Key
		}
		row[1] = strconv.Itoa(size[res.Labels[i]])
		row[2], row[3] = csvsafe.Cell(src), csvsafe.Cell(id)
		if res.Link {
			row[4] = strconv.Itoa(int(r.Side))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write clusters: %w", err)
	}
	return nil
}
