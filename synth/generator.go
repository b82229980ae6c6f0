package synth

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/steward-crm/steward/contact"
)

// Generator streams synthetic records. It is not safe for concurrent use.
type Generator struct {
	cfg      Config
	r        *rand.Rand
	sources  []*source
	weights  []float64 // of cfg.Countries
	universe map[string]int
	zipf     map[string]*rand.Zipf
	cache    companyCache
	corr     corrupter
	sizes    sizePlan

	generated, dups, nextID int
	// mailboxes are the e-mail addresses given out so far: one person's each.
	mailboxes map[string]bool
	// numbers are the mobiles and direct lines given out so far ("FR" + NSN).
	numbers  map[string]bool
	pool     []*entity // recent entities, for hard negatives
	poolNext int
	window   []*contact.Record
	stats    Stats
}

// Stats describes what a generator produced so far.
type Stats struct {
	Records, Entities int
	// DupRecords are records beyond the first of their entity; DupEntities entities with
	// more than one record.
	DupRecords, DupEntities int
	B2BEntities             int
	// HardNegatives counts entities generated as a look-alike of a recent one, by relation.
	HardNegatives map[string]int
	// Corruptions counts the corruption operations applied, by name; CorruptionOps is
	// their total.
	Corruptions   map[string]int
	CorruptionOps int
	// Restored counts duplicates that shared no strong fact (e-mail, phone, birth date,
	// home address) with their entity's first record, through source profiles or
	// corruption, and got one of them back.
	Restored int
}

const (
	windowSize = 256
	poolSize   = 512
)

var (
	timeStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	timeSpan  = int64(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Sub(timeStart) / time.Second)
)

// New returns a generator for the config, defaults applied.
func New(cfg Config) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	g := &Generator{
		cfg:      cfg,
		r:        newRand(cfg.Seed, streamMain, 0),
		sources:  newSources(cfg.Sources),
		universe: map[string]int{},
		zipf:     map[string]*rand.Zipf{},
		cache:    companyCache{seed: cfg.Seed},
		sizes:    newSizePlan(cfg.MaxPerEntity),
		stats:    Stats{HardNegatives: map[string]int{}, Corruptions: map[string]int{}},
	}
	g.corr = corrupter{r: g.r, level: cfg.Corruption, stats: &g.stats, claim: g.claim}
	total := 0.0
	for _, cc := range cfg.Countries {
		total += countryWeights[cc]
	}
	for _, cc := range cfg.Countries {
		w := countryWeights[cc]
		g.weights = append(g.weights, w)
		// About 2.5 contacts per company on average, skewed: a few big accounts, a long tail.
		entities := float64(cfg.N) * (1 - cfg.DupRate) * w / total
		u := max(20, int(math.Round(entities*cfg.CompanyRate/2.5)))
		g.universe[cc] = u
		g.zipf[cc] = rand.NewZipf(g.r, 1.1, 20, uint64(u-1))
	}
	return g, nil
}

// Config returns the generator's config with defaults applied.
func (g *Generator) Config() Config { return g.cfg }

// CompanyUniverse returns how many companies of the country the generator draws B2B
// contacts from: CompanyAt(seed, country, i) for i < CompanyUniverse(country). Zero for
// countries not in the config.
func (g *Generator) CompanyUniverse(country string) int { return g.universe[country] }

// Stats returns what the generator produced so far (maps are copies).
func (g *Generator) Stats() Stats {
	s := g.stats
	s.HardNegatives = copyMap(g.stats.HardNegatives)
	s.Corruptions = copyMap(g.stats.Corruptions)
	return s
}

func copyMap(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Rest returns the records Next has not returned yet (all of them on a new Generator),
// in its order: for inputs small enough to hold in memory (tests, benchmarks).
func (g *Generator) Rest() ([]*contact.Record, error) {
	var out []*contact.Record
	for {
		r, err := g.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
}

// Next returns the next record, or io.EOF after Config.N records. Records of one entity
// are emitted close together but shuffled within a bounded window with other entities'.
func (g *Generator) Next() (*contact.Record, error) {
	for len(g.window) < windowSize && g.generated < g.cfg.N {
		g.window = append(g.window, g.entityRecords()...)
	}
	if len(g.window) == 0 {
		return nil, io.EOF
	}
	i := g.r.IntN(len(g.window))
	rec := g.window[i]
	last := len(g.window) - 1
	g.window[i] = g.window[last]
	g.window[last] = nil
	g.window = g.window[:last]
	g.stats.Records++
	return rec, nil
}

// entityRecords draws one entity and renders all its records.
func (g *Generator) entityRecords() []*contact.Record {
	r := g.r
	k := g.sizes.next(r, g.cfg.N-g.generated, int(math.Round(g.cfg.DupRate*float64(g.cfg.N)))-g.dups)
	g.generated += k
	g.dups += k - 1
	e := g.newEntity()
	g.stats.Entities++
	if k > 1 {
		g.stats.DupEntities++
		g.stats.DupRecords += k - 1
	}
	srcs := g.pickSources(k)
	out := make([]*contact.Record, 0, k)
	base := render(r, e, srcs[0])
	out = append(out, g.finish(base))
	for _, s := range srcs[1:] {
		x := render(r, e, s)
		g.corr.corrupt(x, base)
		out = append(out, g.finish(x))
	}
	return out
}

// newEntity draws a fresh entity or, now and then, a hard negative of a recent one.
func (g *Generator) newEntity() *entity {
	r := g.r
	g.nextID++
	hard := 0.04 + 0.16*g.cfg.Corruption
	var e *entity
	if len(g.pool) > 0 && chance(r, hard) {
		base := g.pool[r.IntN(len(g.pool))]
		kind := weighted(r, relationWeights)
		if kind == relColleague && base.company == nil {
			kind = relHousehold
		}
		var company *Company
		if kind != relColleague && chance(r, g.cfg.CompanyRate) {
			company = g.drawCompany(base.cc)
		}
		e = related(r, newRand(g.cfg.Seed, streamRedraw, uint64(g.nextID)), g.nextID, base, kind, company)
		g.stats.HardNegatives[relationNames[kind]]++
	} else {
		cc := g.cfg.Countries[weighted(r, g.weights)]
		var company *Company
		if chance(r, g.cfg.CompanyRate) {
			company = g.drawCompany(cc)
		}
		e = newEntity(r, g.nextID, cc, company)
	}
	g.claimPhones(e)
	g.claimMailboxes(e)
	if e.company != nil {
		g.stats.B2BEntities++
	}
	if len(g.pool) < poolSize {
		g.pool = append(g.pool, e)
	} else {
		g.pool[g.poolNext] = e
		g.poolNext = (g.poolNext + 1) % poolSize
	}
	return e
}

// claimMailboxes makes e's e-mail addresses its own: an address another entity has (two
// namesakes at one company, or at one free-mail provider) gets the next free number after
// its local part, as a mail server hands out "marie.guerin2@". A mailbox is one person's;
// two people with one address would be a match no matcher should refuse. Addresses are
// claimed as the provider delivers them (emailKey): "olivia.hussain@gmail.com" and
// "oliviahussain@gmail.com" are one Gmail mailbox, so two people cannot hold them. It
// draws nothing from the random source, so the rest of the data is the same with or
// without it.
func (g *Generator) claimMailboxes(e *entity) {
	if g.mailboxes == nil {
		g.mailboxes = map[string]bool{}
	}
	var own []string // this entity's, claimed already
	for _, addr := range []*string{&e.corporate, &e.personal, &e.old} {
		key := emailKey(*addr)
		if key == "" || slices.Contains(own, key) {
			continue
		}
		*addr = g.claim(*addr)
		own = append(own, emailKey(*addr))
	}
}

// claim returns addr, numbered as a mail server numbers a taken mailbox, and takes its
// mailbox. It draws nothing from the random source.
func (g *Generator) claim(addr string) string {
	if g.mailboxes == nil {
		g.mailboxes = map[string]bool{}
	}
	key := emailKey(addr)
	local, domain, _ := strings.Cut(addr, "@")
	for n := 2; g.mailboxes[key]; n++ {
		addr = local + strconv.Itoa(n) + "@" + domain
		key = emailKey(addr)
	}
	g.mailboxes[key] = true
	return addr
}

// claimPhones makes e's mobile and direct line its own: a number already given to
// another entity is drawn again, from a stream of its own, so the rest of the data stays
// as it was. Households share a landline and colleagues a switchboard on
// purpose; a mobile or a direct line is one person's.
func (g *Generator) claimPhones(e *entity) {
	if g.numbers == nil {
		g.numbers = map[string]bool{}
	}
	var redraw *rand.Rand
	if e.mobile != nil {
		for g.numbers[e.mobile.cc+e.mobile.nsn()] {
			if redraw == nil {
				redraw = newRand(g.cfg.Seed, streamRedraw, uint64(e.id)|1<<62)
			}
			m := newMobile(redraw, e.cc)
			e.mobile = &m
		}
		g.numbers[e.mobile.cc+e.mobile.nsn()] = true
	}
	if e.direct != nil {
		for g.numbers[e.direct.cc+e.direct.nsn()] {
			if redraw == nil {
				redraw = newRand(g.cfg.Seed, streamRedraw, uint64(e.id)|1<<62)
			}
			d := newLandline(redraw, e.cc, e.est.addr.city, false)
			e.direct = &d
		}
		g.numbers[e.direct.cc+e.direct.nsn()] = true
	}
}

func (g *Generator) drawCompany(cc string) *Company {
	return g.cache.get(cc, int(g.zipf[cc].Uint64()))
}

// pickSources returns k sources, all different while there are enough.
func (g *Generator) pickSources(k int) []*source {
	perm := g.r.Perm(len(g.sources))
	out := make([]*source, k)
	for i := range out {
		if i < len(perm) {
			out[i] = g.sources[perm[i]]
		} else {
			out[i] = pick(g.r, g.sources)
		}
	}
	return out
}

// finish gives the record its identity, time and ground truth.
func (g *Generator) finish(x *rendering) *contact.Record {
	rec := x.rec
	rec.SourceID = x.src.nextID()
	span := timeSpan
	if x.old {
		span = timeSpan * 2 / 5
	}
	rec.UpdatedAt = timeStart.Add(time.Duration(g.r.Int64N(span)) * time.Second)
	rec.Attributes = map[string]any{"entity_id": x.e.ID()}
	return rec
}
