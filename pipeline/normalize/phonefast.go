package normalize

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// This file holds the fast path of phone parsing. phonenumbers answers with Go regexps
// (about 30 µs a number); here the same metadata patterns are compiled once per region
// into deterministic automata over the ten digits, and the steps of phonenumbers' Parse,
// GetNumberType, GetRegionCodeForNumber and IsPossibleNumberWithReason are replayed on
// them. fastPhone answers only when the answer is certain to be the one phonenumbers
// gives; otherwise phoneOne asks phonenumbers. TestPhoneFastDifferential and
// FuzzPhoneFast hold the two paths to the same answers.

// Errors of the digit automaton compiler. A region whose patterns fail to compile has no
// fast path.
var (
	errDFASyntax      = errors.New("normalize: pattern does not parse")
	errDFAUnsupported = errors.New("normalize: pattern syntax the digit automaton does not support")
	errDFATooLarge    = errors.New("normalize: digit automaton too large")
	errDFAPatterns    = errors.New("normalize: more patterns than the digit automaton has bits")
)

// Limits of the compiler: they bound the memory a region's automaton may take.
const (
	maxNFANodes  = 1 << 16
	maxDFAStates = 1 << 15
	maxRepeat    = 1000
)

// digitDFA is a deterministic automaton over the ASCII digits, compiled from up to 32
// regular expressions. State 0 is the start state; next[s*10+d] is the state after digit
// d in state s, or -1 when no pattern can match any more. accept[s] has bit i set when
// pattern i matches the whole input read to reach s.
type digitDFA struct {
	next   []int32
	accept []uint32
}

// match returns the set of patterns (bit i for pattern i) matching all of digits, which
// must be ASCII digits; anything else matches nothing.
func (d *digitDFA) match(digits []byte) uint32 {
	s := int32(0)
	for _, c := range digits {
		c -= '0'
		if c > 9 {
			return 0
		}
		s = d.next[int(s)*10+int(c)]
		if s < 0 {
			return 0
		}
	}
	return d.accept[s]
}

// prefixes counts the prefixes of digits, the empty one included, matched by any
// pattern, and returns the end of the longest. This is how the patterns phonenumbers
// applies with "^(?:...)" and no end anchor (national and international prefixes, leading
// digits) are replayed: a match exists when count > 0, and when count == 1 its end is
// certain whatever the regexp's preference among alternatives.
func (d *digitDFA) prefixes(digits []byte) (count, end int) {
	s := int32(0)
	if d.accept[0] != 0 {
		count = 1
	}
	for i, c := range digits {
		c -= '0'
		if c > 9 {
			break
		}
		if s = d.next[int(s)*10+int(c)]; s < 0 {
			break
		}
		if d.accept[s] != 0 {
			count, end = count+1, i+1
		}
	}
	return count, end
}

// states is the number of states of d.
func (d *digitDFA) states() int { return len(d.accept) }

// Kinds of NFA nodes.
const (
	nfaDigit = iota // reads one digit of mask, then goes to out
	nfaSplit        // goes to every node of alt without reading
	nfaMatch        // the patterns of match have matched
)

type nfaNode struct {
	kind  uint8
	mask  uint16 // nfaDigit: bit d set when the node reads digit d
	out   int32  // nfaDigit: next node
	alt   []int32
	match uint32
}

// nfaBuilder builds a Thompson NFA from regexp/syntax trees, then turns it into a
// digitDFA by subset construction.
type nfaBuilder struct {
	nodes []nfaNode
	// seen and stack serve closure; seen[n] == mark means n is in the current closure.
	seen  []uint32
	mark  uint32
	stack []int32
}

// compileDigitDFA compiles patterns (Go regexp syntax, as phonenumbers compiles them) into
// one digitDFA whose bit i stands for patterns[i] matching the whole input. Syntax that
// cannot be decided on digits alone (anchors, word boundaries) is refused with
// errDFAUnsupported. Letters and other non-digits are supported: they match nothing.
func compileDigitDFA(patterns ...string) (*digitDFA, error) {
	if len(patterns) > 32 {
		return nil, errDFAPatterns
	}
	b := &nfaBuilder{}
	starts := make([]int32, len(patterns))
	for i, p := range patterns {
		re, err := syntax.Parse(p, syntax.Perl)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %v", errDFASyntax, p, err)
		}
		m, err := b.add(nfaNode{kind: nfaMatch, match: 1 << i})
		if err != nil {
			return nil, err
		}
		if starts[i], err = b.build(re.Simplify(), m); err != nil {
			return nil, fmt.Errorf("%q: %w", p, err)
		}
	}
	return b.determinize(starts)
}

func (b *nfaBuilder) add(n nfaNode) (int32, error) {
	if len(b.nodes) >= maxNFANodes {
		return 0, errDFATooLarge
	}
	b.nodes = append(b.nodes, n)
	return int32(len(b.nodes) - 1), nil
}

func (b *nfaBuilder) digit(mask uint16, next int32) (int32, error) {
	return b.add(nfaNode{kind: nfaDigit, mask: mask, out: next})
}

func (b *nfaBuilder) split(alt ...int32) (int32, error) {
	return b.add(nfaNode{kind: nfaSplit, alt: alt})
}

// runeMask is the digit set of one rune: itself if it is an ASCII digit, else nothing.
func runeMask(r rune) uint16 {
	if r >= '0' && r <= '9' {
		return 1 << (r - '0')
	}
	return 0
}

// build adds the nodes of re, followed by next, and returns the node they start with.
// Alternation priorities and greediness are ignored: only the set of matched strings
// matters here.
func (b *nfaBuilder) build(re *syntax.Regexp, next int32) (int32, error) {
	var err error
	switch re.Op {
	case syntax.OpNoMatch:
		return b.digit(0, next)
	case syntax.OpEmptyMatch:
		return next, nil
	case syntax.OpLiteral:
		for i := len(re.Rune) - 1; i >= 0 && err == nil; i-- {
			next, err = b.digit(runeMask(re.Rune[i]), next)
		}
		return next, err
	case syntax.OpCharClass:
		var mask uint16
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := max(re.Rune[i], '0'); r <= min(re.Rune[i+1], '9'); r++ {
				mask |= runeMask(r)
			}
		}
		return b.digit(mask, next)
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return b.digit(0x3ff, next)
	case syntax.OpCapture:
		return b.build(re.Sub[0], next)
	case syntax.OpConcat:
		for i := len(re.Sub) - 1; i >= 0 && err == nil; i-- {
			next, err = b.build(re.Sub[i], next)
		}
		return next, err
	case syntax.OpAlternate:
		alt := make([]int32, len(re.Sub))
		for i, sub := range re.Sub {
			if alt[i], err = b.build(sub, next); err != nil {
				return 0, err
			}
		}
		return b.split(alt...)
	case syntax.OpQuest:
		body, err := b.build(re.Sub[0], next)
		if err != nil {
			return 0, err
		}
		return b.split(body, next)
	case syntax.OpStar, syntax.OpPlus:
		loop, err := b.split()
		if err != nil {
			return 0, err
		}
		body, err := b.build(re.Sub[0], loop)
		if err != nil {
			return 0, err
		}
		b.nodes[loop].alt = []int32{body, next}
		if re.Op == syntax.OpPlus {
			return body, nil
		}
		return loop, nil
	case syntax.OpRepeat:
		// Simplify leaves none; kept so that build does not depend on it.
		if re.Min < 0 || re.Min > maxRepeat || re.Max > maxRepeat {
			return 0, errDFATooLarge
		}
		if re.Max < 0 {
			star := &syntax.Regexp{Op: syntax.OpStar, Sub: re.Sub[:1]}
			if next, err = b.build(star, next); err != nil {
				return 0, err
			}
		} else {
			for i := re.Min; i < re.Max; i++ {
				body, err := b.build(re.Sub[0], next)
				if err != nil {
					return 0, err
				}
				if next, err = b.split(body, next); err != nil {
					return 0, err
				}
			}
		}
		for i := 0; i < re.Min && err == nil; i++ {
			next, err = b.build(re.Sub[0], next)
		}
		return next, err
	}
	return 0, fmt.Errorf("%w: %s", errDFAUnsupported, re.Op)
}

// closure returns the sorted digit-reading and match nodes reachable from from without
// reading a digit. Digit nodes reading no digit are left out: they lead nowhere.
func (b *nfaBuilder) closure(from []int32) []int32 {
	if len(b.seen) < len(b.nodes) {
		b.seen = make([]uint32, len(b.nodes))
	}
	b.mark++
	var out []int32
	b.stack = append(b.stack[:0], from...)
	for len(b.stack) > 0 {
		n := b.stack[len(b.stack)-1]
		b.stack = b.stack[:len(b.stack)-1]
		if b.seen[n] == b.mark {
			continue
		}
		b.seen[n] = b.mark
		switch nd := &b.nodes[n]; nd.kind {
		case nfaSplit:
			b.stack = append(b.stack, nd.alt...)
		case nfaDigit:
			if nd.mask != 0 {
				out = append(out, n)
			}
		case nfaMatch:
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// determinize builds the digitDFA of the NFA started at every node of starts.
func (b *nfaBuilder) determinize(starts []int32) (*digitDFA, error) {
	d := &digitDFA{}
	index := map[string]int32{}
	var sets [][]int32
	// state returns the DFA state of a closure, adding it when new.
	state := func(set []int32) (int32, error) {
		key := setKey(set)
		if s, ok := index[key]; ok {
			return s, nil
		}
		if len(sets) >= maxDFAStates {
			return 0, errDFATooLarge
		}
		s := int32(len(sets))
		index[key] = s
		sets = append(sets, set)
		var acc uint32
		for _, n := range set {
			if b.nodes[n].kind == nfaMatch {
				acc |= b.nodes[n].match
			}
		}
		d.accept = append(d.accept, acc)
		d.next = append(d.next, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)
		return s, nil
	}
	if _, err := state(b.closure(starts)); err != nil {
		return nil, err
	}
	var moved []int32
	for s := 0; s < len(sets); s++ {
		for dg := 0; dg < 10; dg++ {
			moved = moved[:0]
			for _, n := range sets[s] {
				if nd := &b.nodes[n]; nd.kind == nfaDigit && nd.mask&(1<<dg) != 0 {
					moved = append(moved, nd.out)
				}
			}
			if len(moved) == 0 {
				continue
			}
			set := b.closure(moved)
			if len(set) == 0 {
				continue
			}
			t, err := state(set)
			if err != nil {
				return nil, err
			}
			d.next[s*10+dg] = t
		}
	}
	return d, nil
}

// setKey encodes a set of NFA nodes as a map key.
func setKey(set []int32) string {
	b := make([]byte, 0, 4*len(set))
	for _, n := range set {
		b = append(b, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	}
	return string(b)
}

// Bits of the number descriptions in a region's automaton.
const (
	descGeneral = iota
	descPremium
	descTollFree
	descShared
	descVoip
	descPersonal
	descPager
	descUAN
	descVoicemail
	descFixed
	descMobile
	numDescs
)

// typeOfDesc is the number type each description gives, in getNumberTypeHelper's order
// of precedence (fixed line and mobile are decided apart).
var typeOfDesc = [numDescs]phonenumbers.PhoneNumberType{
	descPremium: phonenumbers.PREMIUM_RATE, descTollFree: phonenumbers.TOLL_FREE,
	descShared: phonenumbers.SHARED_COST, descVoip: phonenumbers.VOIP,
	descPersonal: phonenumbers.PERSONAL_NUMBER, descPager: phonenumbers.PAGER,
	descUAN: phonenumbers.UAN, descVoicemail: phonenumbers.VOICEMAIL,
}

// maxFastDigits bounds the digits the fast path reads: longer inputs go to phonenumbers.
const maxFastDigits = 24

// fastRegion is one region's metadata compiled for the fast path.
type fastRegion struct {
	code     string
	cc       int
	ccDigits string
	// descs matches the number descriptions (bits desc*); lengths[l] holds the bits of the
	// descriptions whose possible lengths allow a national number of l digits.
	descs   *digitDFA
	lengths [maxFastDigits + 1]uint16
	// lengthCheck[l] is testNumberLength's answer for l digits against the general
	// description.
	lengthCheck     [maxFastDigits + 1]phonenumbers.ValidationResult
	sameMobileFixed bool
	// leading matches the leading digits that pick this region among those sharing its
	// country code; nil when the metadata has none.
	leading *digitDFA
	// nationalPrefix matches the national prefix for parsing (nil: none); nationalOK is
	// false when the region's national prefix rule is out of the fast path's reach (a
	// transform rule, or a pattern that does not compile).
	nationalPrefix *digitDFA
	nationalOK     bool
	// idd matches the international dialling prefix; nil when it does not compile.
	idd *digitDFA
}

// compileFastRegion compiles the metadata of one region; nil means no fast path for it.
func compileFastRegion(m *phonenumbers.PhoneMetadata) *fastRegion {
	descs := [numDescs]*phonenumbers.PhoneNumberDesc{
		descGeneral: m.GetGeneralDesc(), descPremium: m.GetPremiumRate(), descTollFree: m.GetTollFree(),
		descShared: m.GetSharedCost(), descVoip: m.GetVoip(), descPersonal: m.GetPersonalNumber(),
		descPager: m.GetPager(), descUAN: m.GetUan(), descVoicemail: m.GetVoicemail(),
		descFixed: m.GetFixedLine(), descMobile: m.GetMobile(),
	}
	var patterns [numDescs]string
	for i, d := range descs {
		if d == nil {
			return nil // phonenumbers would fail on it; leave it to phonenumbers
		}
		patterns[i] = d.GetNationalNumberPattern()
	}
	general := descs[descGeneral]
	if len(general.PossibleLength) == 0 || general.GetNationalNumberPattern() == "" {
		return nil
	}
	dfa, err := compileDigitDFA(patterns[:]...)
	if err != nil {
		return nil
	}
	r := &fastRegion{
		code: m.GetId(), cc: int(m.GetCountryCode()), ccDigits: fmt.Sprint(m.GetCountryCode()),
		descs: dfa, sameMobileFixed: m.GetSameMobileAndFixedLinePattern(),
	}
	for l := range r.lengths {
		for i, d := range descs {
			if len(d.PossibleLength) == 0 || slices.Contains(d.PossibleLength, int32(l)) {
				r.lengths[l] |= 1 << i
			}
		}
		r.lengthCheck[l] = generalLengthCheck(general, l)
	}
	if ld := m.GetLeadingDigits(); ld != "" {
		if r.leading, err = compileDigitDFA(ld); err != nil {
			return nil
		}
	}
	r.nationalOK = m.GetNationalPrefixTransformRule() == ""
	if np := m.GetNationalPrefixForParsing(); np != "" && r.nationalOK {
		if r.nationalPrefix, err = compileDigitDFA(np); err != nil {
			r.nationalOK = false
		}
	}
	r.idd, _ = compileDigitDFA(m.GetInternationalPrefix())
	return r
}

// generalLengthCheck is phonenumbers' testNumberLength(number, metadata, UNKNOWN) for a
// number of l digits.
func generalLengthCheck(general *phonenumbers.PhoneNumberDesc, l int) phonenumbers.ValidationResult {
	possible, n := general.PossibleLength, int32(l)
	switch {
	case possible[0] == -1:
		return phonenumbers.INVALID_LENGTH
	case slices.Contains(general.PossibleLengthLocalOnly, n):
		return phonenumbers.IS_POSSIBLE_LOCAL_ONLY
	case possible[0] == n:
		return phonenumbers.IS_POSSIBLE
	case possible[0] > n:
		return phonenumbers.TOO_SHORT
	case possible[len(possible)-1] < n:
		return phonenumbers.TOO_LONG
	case slices.Contains(possible[1:], n):
		return phonenumbers.IS_POSSIBLE
	}
	return phonenumbers.INVALID_LENGTH
}

// general reports whether the general description's pattern matches all of digits
// (lengths aside), as maybeStripNationalPrefixAndCarrierCode and maybeExtractCountryCode
// test it.
func (r *fastRegion) general(digits []byte) bool {
	return r.descs.match(digits)&(1<<descGeneral) != 0
}

// numberType is getNumberTypeHelper(nsn, metadata of r).
func (r *fastRegion) numberType(nsn []byte) phonenumbers.PhoneNumberType {
	m := r.descs.match(nsn) & uint32(r.lengths[len(nsn)])
	if m&(1<<descGeneral) == 0 {
		return phonenumbers.UNKNOWN
	}
	for i := descPremium; i <= descVoicemail; i++ {
		if m&(1<<i) != 0 {
			return typeOfDesc[i]
		}
	}
	fixed, mobile := m&(1<<descFixed) != 0, m&(1<<descMobile) != 0
	switch {
	case fixed && (r.sameMobileFixed || mobile):
		return phonenumbers.FIXED_LINE_OR_MOBILE
	case fixed:
		return phonenumbers.FIXED_LINE
	case mobile && !r.sameMobileFixed:
		return phonenumbers.MOBILE
	}
	return phonenumbers.UNKNOWN
}

// stripNationalPrefix is maybeStripNationalPrefixAndCarrierCode on num for a region
// without transform rule: the prefix goes when the number left still matches the general
// pattern or the number as given did not. ok is false when the prefix could end at more
// than one place (the regexp's preference would decide): then the fast path gives up.
func (r *fastRegion) stripNationalPrefix(num []byte) (rest []byte, ok bool) {
	if len(num) == 0 || r.nationalPrefix == nil {
		return num, true
	}
	count, end := r.nationalPrefix.prefixes(num)
	switch {
	case count == 0:
		return num, true
	case count > 1:
		return nil, false
	case r.general(num) && !r.general(num[end:]):
		return num, true
	}
	return num[end:], true
}

// fastTables are the fast path's lookups, built once: the metadata of every region and
// the regions of every country code, in phonenumbers' order (the main region first).
type fastTables struct {
	regions   map[string]*fastRegionSlot
	ccRegions [1000][]*fastRegionSlot
}

// fastRegionSlot compiles one region the first time it is needed.
type fastRegionSlot struct {
	once sync.Once
	meta *phonenumbers.PhoneMetadata
	r    *fastRegion
}

var (
	fastOnce sync.Once
	fastTab  fastTables
)

func loadFastTables() {
	fastTab.regions = map[string]*fastRegionSlot{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return // no fast path at all
	}
	for _, m := range coll.GetMetadata() {
		if id := m.GetId(); id != "001" && phonenumbers.GetSupportedRegions()[id] {
			fastTab.regions[id] = &fastRegionSlot{meta: m} // later entries win, as in phonenumbers
		}
	}
	for cc := range fastTab.ccRegions {
		for _, code := range phonenumbers.GetRegionCodesForCountryCode(cc) {
			slot := fastTab.regions[code]
			if slot == nil {
				slot = &fastRegionSlot{} // "001": non-geographical, no fast path
			}
			fastTab.ccRegions[cc] = append(fastTab.ccRegions[cc], slot)
		}
	}
}

// fastRegionFor returns the compiled metadata of a supported region, or nil when the
// region is unknown or has no fast path. It is safe for concurrent use.
func fastRegionFor(code string) *fastRegion {
	fastOnce.Do(loadFastTables)
	return fastTab.regions[code].get()
}

// get returns the compiled region of the slot, compiling it on first use; nil when there
// is none.
func (slot *fastRegionSlot) get() *fastRegion {
	if slot == nil {
		return nil
	}
	slot.once.Do(func() {
		if slot.meta != nil {
			slot.r = compileFastRegion(slot.meta)
		}
	})
	return slot.r
}

// phoneInfo is what phoneOne needs from the phone library about one parsed number.
type phoneInfo struct {
	e164 string
	nsn  string // national significant number
	typ  phonenumbers.PhoneNumberType
	// region is GetRegionCodeForNumber's answer; possible is IsPossibleNumberWithReason's.
	// The slow path fills them only when they are used: region for a valid number,
	// possible for an invalid one.
	region   string
	possible phonenumbers.ValidationResult
	ext      string
}

// isPhoneSeparator reports whether c is one of the separators the fast path reads past.
func isPhoneSeparator(c byte) bool {
	return c == ' ' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')'
}

// fastDigits appends the digits of s to buf. ok is false unless s is a plain number: a
// label without digits ("Tel: "), then only ASCII digits and separators, at most one '+'
// before any digit, and 3 to maxFastDigits digits. phonenumbers then skips the label,
// finds the same digits, sees a viable number, and no extension, RFC 3966 part or second
// number.
func fastDigits(s string, buf []byte) (digits []byte, plus, ok bool) {
	if len(s) > 250 {
		return nil, false, false
	}
	// phonenumbers starts the number at the first '+' or digit, of any script.
	i := 0
	for i < len(s) && s[i] != '+' && (s[i] < '0' || s[i] > '9') {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsDigit(r) || r == '\uFF0B' || r == ';' {
			return nil, false, false // a digit or plus sign of another script, or RFC 3966
		}
		i += size
	}
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if len(buf) == maxFastDigits {
				return nil, false, false
			}
			buf = append(buf, c)
		case c == '+':
			if plus || len(buf) > 0 {
				return nil, false, false
			}
			plus = true
		case !isPhoneSeparator(c):
			return nil, false, false
		}
	}
	return buf, plus, len(buf) >= 3
}

// countryCodeOf is phonenumbers' extractCountryCode: the first one to three digits that
// are a known country code, and their length; 0 when there is none.
func countryCodeOf(d []byte) (cc, n int) {
	if d[0] == '0' {
		return 0, 0
	}
	for i := 0; i < 3 && i < len(d); i++ {
		cc = cc*10 + int(d[i]-'0')
		if len(fastTab.ccRegions[cc]) > 0 {
			return cc, i + 1
		}
	}
	return 0, 0
}

// fastPhone parses s (the number as phoneOne hands it to phonenumbers.Parse) in region
// without phonenumbers' regexps. ok is false when s is not a plain number (digits,
// spaces, ". - / ( )", a leading '+'), when a region involved has no fast path, when
// phonenumbers would fail to parse it, or when any step is not certain to give
// phonenumbers' answer: the caller then asks phonenumbers.
func fastPhone(s, region string) (info phoneInfo, ok bool) {
	var buf [maxFastDigits]byte
	d, plus, ok := fastDigits(s, buf[:0])
	if !ok {
		return info, false
	}
	def := fastRegionFor(region)
	if def == nil {
		return info, false
	}
	// maybeExtractCountryCode: a '+' or the region's international prefix, then a
	// country code; or the region's own country code written without '+'.
	intl := plus
	if !plus {
		if def.idd == nil || !def.nationalOK {
			return info, false
		}
		switch count, end := def.idd.prefixes(d); {
		case count > 1:
			return info, false
		case count == 1 && (end == len(d) || d[end] != '0'):
			intl, d = true, d[end:]
		}
	}
	var (
		cc       int
		national []byte
		meta     *fastRegion // the metadata the national prefix is stripped with
	)
	if intl {
		if len(d) <= 2 {
			return info, false // ErrTooShortAfterIDD
		}
		var n int
		if cc, n = countryCodeOf(d); cc == 0 {
			return info, false // ErrInvalidCountryCode, or phonenumbers' retry without '+'
		}
		if meta = fastTab.ccRegions[cc][0].get(); meta == nil {
			return info, false // non-geographical code, or a region without fast path
		}
		national = d[n:]
	} else {
		if len(d) >= len(def.ccDigits) && string(d[:len(def.ccDigits)]) == def.ccDigits {
			potential, ok := def.stripNationalPrefix(d[len(def.ccDigits):])
			if !ok {
				return info, false
			}
			if !def.general(d) && def.general(potential) || def.lengthCheck[len(d)] == phonenumbers.TOO_LONG {
				cc, national = def.cc, potential
				if meta = fastTab.ccRegions[cc][0].get(); meta == nil {
					return info, false
				}
			}
		}
		if meta == nil {
			cc, national, meta = def.cc, d, def
		}
	}
	if !meta.nationalOK || meta.cc != cc || len(national) < phonenumbers.MIN_LENGTH_FOR_NSN {
		return info, false
	}
	// parseHelper strips the national prefix only when what is left has a possible length.
	potential, ok := meta.stripNationalPrefix(national)
	if !ok {
		return info, false
	}
	switch meta.lengthCheck[len(potential)] {
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY, phonenumbers.INVALID_LENGTH:
	default:
		national = potential
	}
	if len(national) < phonenumbers.MIN_LENGTH_FOR_NSN || len(national) > phonenumbers.MAX_LENGTH_FOR_NSN {
		return info, false
	}
	// GetRegionCodeForNumber, then GetNumberType in that region.
	regions := fastTab.ccRegions[cc]
	var home *fastRegion
	info.typ = phonenumbers.UNKNOWN
	for _, slot := range regions {
		r := slot.get()
		if r == nil {
			return info, false
		}
		if len(regions) == 1 {
			home, info.typ = r, r.numberType(national)
			break
		}
		if r.leading != nil {
			if count, _ := r.leading.prefixes(national); count > 0 {
				home, info.typ = r, r.numberType(national)
				break
			}
		} else if t := r.numberType(national); t != phonenumbers.UNKNOWN {
			home, info.typ = r, t
			break
		}
	}
	if home != nil {
		info.region = home.code
	}
	// IsPossibleNumberWithReason reads the country code's main region.
	main := regions[0].get()
	if main == nil {
		return info, false
	}
	info.possible = main.lengthCheck[len(national)]
	// The NSN keeps its leading zeros: phonenumbers stores them as the Italian leading
	// zero and their count, and GetNationalSignificantNumber writes them back.
	var e [1 + 3 + maxFastDigits]byte
	out := append(append(append(e[:0], '+'), meta.ccDigits...), national...)
	info.e164 = string(out)
	info.nsn = info.e164[len(out)-len(national):]
	return info, true
}
