package synth

import "math/rand/v2"

// city is a real city: its postcodes, region and landline area codes agree, so that a
// record's postcode, city and phone tell a consistent story.
type city struct {
	name, region string
	// codes are the city's postcodes (FR) or postcode districts (GB); lo..hi is its ZIP
	// or PLZ range (US, DE).
	codes  []string
	lo, hi int
	// areas are landline prefixes without the trunk 0 (FR: the zone digit).
	areas  []string
	weight float64
}

func fc(name, region string, weight float64, areas []string, codes ...string) city {
	return city{name: name, region: region, codes: codes, areas: areas, weight: weight}
}

func cr(name, region string, weight float64, lo, hi int, areas ...string) city {
	return city{name: name, region: region, lo: lo, hi: hi, areas: areas, weight: weight}
}

var (
	idf, ara, paca, occ = "Île-de-France", "Auvergne-Rhône-Alpes", "Provence-Alpes-Côte d'Azur", "Occitanie"
	na, ge, hdf, bfc    = "Nouvelle-Aquitaine", "Grand Est", "Hauts-de-France", "Bourgogne-Franche-Comté"
	pdl, bzh, nor, cvl  = "Pays de la Loire", "Bretagne", "Normandie", "Centre-Val de Loire"
	z1, z2, z3, z4, z5  = []string{"1"}, []string{"2"}, []string{"3"}, []string{"4"}, []string{"5"}
)

var frCities = []city{
	fc("Paris", idf, 210, z1, "75001", "75002", "75003", "75004", "75005", "75006", "75007",
		"75008", "75009", "75010", "75011", "75012", "75013", "75014", "75015", "75016",
		"75017", "75018", "75019", "75020"),
	fc("Marseille", paca, 87, z4, "13001", "13002", "13003", "13004", "13005", "13006",
		"13007", "13008", "13009", "13010", "13011", "13012", "13013", "13014", "13015", "13016"),
	fc("Lyon", ara, 52, z4, "69001", "69002", "69003", "69004", "69005", "69006", "69007", "69008", "69009"),
	fc("Toulouse", occ, 50, z5, "31000", "31100", "31200", "31300", "31400", "31500"),
	fc("Nice", paca, 34, z4, "06000", "06100", "06200", "06300"),
	fc("Nantes", pdl, 32, z2, "44000", "44100", "44200", "44300"),
	fc("Montpellier", occ, 30, z4, "34000", "34070", "34080", "34090"),
	fc("Strasbourg", ge, 29, z3, "67000", "67100", "67200"),
	fc("Bordeaux", na, 26, z5, "33000", "33100", "33200", "33300", "33800"),
	fc("Lille", hdf, 23, z3, "59000", "59160", "59260", "59800"),
	fc("Rennes", bzh, 22, z2, "35000", "35200", "35700"),
	fc("Reims", ge, 18, z3, "51100"), fc("Saint-Étienne", ara, 17, z4, "42000", "42100"),
	fc("Le Havre", nor, 17, z2, "76600", "76610", "76620"), fc("Toulon", paca, 18, z4, "83000", "83100", "83200"),
	fc("Grenoble", ara, 16, z4, "38000", "38100"), fc("Dijon", bfc, 16, z3, "21000"),
	fc("Angers", pdl, 15, z2, "49000", "49100"), fc("Nîmes", occ, 15, z4, "30000", "30900"),
	fc("Villeurbanne", ara, 15, z4, "69100"), fc("Clermont-Ferrand", ara, 15, z4, "63000", "63100"),
	fc("Le Mans", pdl, 14, z2, "72000", "72100"), fc("Aix-en-Provence", paca, 14, z4, "13090", "13100"),
	fc("Brest", bzh, 14, z2, "29200"), fc("Tours", cvl, 14, z2, "37000", "37100", "37200"),
	fc("Amiens", hdf, 13, z3, "80000", "80080", "80090"), fc("Limoges", na, 13, z5, "87000", "87100", "87280"),
	fc("Annecy", ara, 13, z4, "74000"), fc("Perpignan", occ, 12, z4, "66000", "66100"),
	fc("Boulogne-Billancourt", idf, 12, z1, "92100"), fc("Metz", ge, 12, z3, "57000", "57050", "57070"),
	fc("Besançon", bfc, 12, z3, "25000"), fc("Orléans", cvl, 12, z2, "45000", "45100"),
	fc("Saint-Denis", idf, 11, z1, "93200"), fc("Argenteuil", idf, 11, z1, "95100"),
	fc("Rouen", nor, 11, z2, "76000", "76100"), fc("Montreuil", idf, 11, z1, "93100"),
	fc("Mulhouse", ge, 11, z3, "68100", "68200"), fc("Caen", nor, 11, z2, "14000"),
	fc("Nancy", ge, 10, z3, "54000", "54100"), fc("Versailles", idf, 9, z1, "78000"),
	fc("Neuilly-sur-Seine", idf, 6, z1, "92200"), fc("Issy-les-Moulineaux", idf, 7, z1, "92130"),
	fc("Levallois-Perret", idf, 6, z1, "92300"), fc("Courbevoie", idf, 8, z1, "92400"),
	fc("Rueil-Malmaison", idf, 8, z1, "92500"), fc("Nanterre", idf, 9, z1, "92000"),
	fc("Créteil", idf, 9, z1, "94000"), fc("Vitry-sur-Seine", idf, 9, z1, "94400"),
	fc("La Rochelle", na, 8, z5, "17000"), fc("Pau", na, 8, z5, "64000"), fc("Bayonne", na, 5, z5, "64100"),
	fc("Avignon", paca, 9, z4, "84000"), fc("Poitiers", na, 9, z5, "86000"), fc("Quimper", bzh, 6, z2, "29000"),
	fc("Vannes", bzh, 5, z2, "56000"), fc("Chambéry", ara, 6, z4, "73000"), fc("Colmar", ge, 7, z3, "68000"),
	fc("Saint-Malo", bzh, 5, z2, "35400"), fc("Troyes", ge, 6, z3, "10000"), fc("Valence", ara, 6, z4, "26000"),
	fc("L'Haÿ-les-Roses", idf, 3, z1, "94240"), fc("Saint-Jean-de-Luz", na, 1.5, z5, "64500"),
	fc("Châteauroux", cvl, 4, z2, "36000"), fc("Cahors", occ, 2, z5, "46000"),
	fc("Saint-Étienne-du-Rouvray", nor, 3, z2, "76800"), fc("Sainte-Geneviève-des-Bois", idf, 3, z1, "91700"),
}

var usCities = []city{
	cr("New York", "NY", 85, 10001, 10040, "212", "646"), cr("Brooklyn", "NY", 26, 11201, 11239, "718", "347", "929"),
	cr("Los Angeles", "CA", 39, 90001, 90089, "213", "323", "310"), cr("Chicago", "IL", 27, 60601, 60661, "312", "773", "872"),
	cr("Houston", "TX", 23, 77002, 77099, "713", "281", "832"), cr("Phoenix", "AZ", 16, 85003, 85054, "602", "480"),
	cr("Philadelphia", "PA", 16, 19102, 19154, "215", "267"), cr("San Antonio", "TX", 15, 78201, 78266, "210"),
	cr("San Diego", "CA", 14, 92101, 92199, "619", "858"), cr("Dallas", "TX", 13, 75201, 75254, "214", "469", "972"),
	cr("Austin", "TX", 10, 78701, 78759, "512", "737"), cr("San Jose", "CA", 10, 95110, 95139, "408", "669"),
	cr("San Francisco", "CA", 9, 94102, 94134, "415", "628"), cr("Seattle", "WA", 7, 98101, 98199, "206"),
	cr("Boston", "MA", 7, 2108, 2137, "617", "857"), cr("Denver", "CO", 7, 80202, 80239, "303", "720"),
	cr("Washington", "DC", 7, 20001, 20020, "202"), cr("Nashville", "TN", 7, 37201, 37221, "615", "629"),
	cr("Atlanta", "GA", 5, 30303, 30350, "404", "678", "470"), cr("Miami", "FL", 4.5, 33125, 33199, "305", "786"),
	cr("Portland", "OR", 6.5, 97201, 97236, "503", "971"), cr("Las Vegas", "NV", 6.5, 89101, 89149, "702", "725"),
	cr("Detroit", "MI", 6.3, 48201, 48239, "313"), cr("Minneapolis", "MN", 4.3, 55401, 55419, "612"),
	cr("Charlotte", "NC", 8.7, 28202, 28227, "704", "980"), cr("Columbus", "OH", 9, 43201, 43235, "614", "380"),
	cr("Springfield", "IL", 1.1, 62701, 62712, "217"), cr("Springfield", "MA", 1.5, 1103, 1129, "413"),
	cr("Springfield", "MO", 1.7, 65801, 65810, "417"), cr("Portland", "ME", 0.7, 4101, 4109, "207"),
	cr("Cambridge", "MA", 1.2, 2138, 2142, "617", "857"),
}

var gbCities = []city{
	fc("London", "England", 90, []string{"20 7", "20 8", "20 3"}, "EC1A", "EC2V", "EC4M", "WC1E", "WC2N",
		"W1D", "W1K", "W2", "W8", "SW1A", "SW3", "SW11", "SW19", "SE1", "SE10", "SE15", "N1", "N7",
		"N16", "NW1", "NW3", "NW6", "E1", "E2", "E14", "E17"),
	fc("Manchester", "England", 55, []string{"161"}, "M1", "M2", "M3", "M4", "M13", "M14", "M20"),
	fc("Birmingham", "England", 26, []string{"121 [234567]"}, "B1", "B2", "B3", "B5", "B15", "B16"),
	fc("Leeds", "England", 19, []string{"113 [23458]"}, "LS1", "LS2", "LS6", "LS7", "LS11"),
	fc("Glasgow", "Scotland", 16, []string{"141"}, "G1", "G2", "G3", "G11", "G12"),
	fc("Edinburgh", "Scotland", 13, []string{"131 [2345678]"}, "EH1", "EH2", "EH3", "EH6", "EH10"),
	fc("Liverpool", "England", 12, []string{"151"}, "L1", "L2", "L3", "L8", "L17"),
	fc("Bristol", "England", 12, []string{"117 [2349]"}, "BS1", "BS2", "BS6", "BS8"),
	fc("Sheffield", "England", 11, []string{"114 [2345]"}, "S1", "S2", "S10", "S11"),
	fc("Cardiff", "Wales", 10, []string{"29 20", "29 21", "29 22"}, "CF10", "CF11", "CF14", "CF24"),
	fc("Newcastle upon Tyne", "England", 9, []string{"191"}, "NE1", "NE2", "NE4", "NE6"),
	fc("Nottingham", "England", 8, []string{"115 [26789]"}, "NG1", "NG2", "NG5", "NG7"),
	fc("Leicester", "England", 8, []string{"116 [234]"}, "LE1", "LE2", "LE3"),
	fc("Brighton", "England", 6, []string{"1273"}, "BN1", "BN2", "BN3"),
	fc("Oxford", "England", 4, []string{"1865"}, "OX1", "OX2", "OX4"),
	fc("Cambridge", "England", 4, []string{"1223"}, "CB1", "CB2", "CB4"),
	fc("Belfast", "Northern Ireland", 6, []string{"28 90", "28 95"}, "BT1", "BT2", "BT7", "BT9"),
	fc("Aberdeen", "Scotland", 4, []string{"1224"}, "AB10", "AB11", "AB15"),
	fc("York", "England", 3, []string{"1904"}, "YO1", "YO10", "YO24"),
	fc("Bath", "England", 2, []string{"1225"}, "BA1", "BA2"),
}

var deCities = []city{
	cr("Berlin", "Berlin", 37, 10115, 14199, "30"), cr("Hamburg", "Hamburg", 19, 20095, 22769, "40"),
	cr("München", "Bayern", 15, 80331, 81929, "89"), cr("Köln", "Nordrhein-Westfalen", 11, 50667, 51149, "221"),
	cr("Frankfurt am Main", "Hessen", 7.6, 60306, 60599, "69"), cr("Stuttgart", "Baden-Württemberg", 6.3, 70173, 70629, "711"),
	cr("Düsseldorf", "Nordrhein-Westfalen", 6.2, 40210, 40629, "211"), cr("Leipzig", "Sachsen", 6, 4103, 4357, "341"),
	cr("Dortmund", "Nordrhein-Westfalen", 5.9, 44135, 44388, "231"), cr("Essen", "Nordrhein-Westfalen", 5.8, 45127, 45359, "201"),
	cr("Bremen", "Bremen", 5.7, 28195, 28779, "421"), cr("Dresden", "Sachsen", 5.6, 1067, 1328, "351"),
	cr("Hannover", "Niedersachsen", 5.4, 30159, 30669, "511"), cr("Nürnberg", "Bayern", 5.2, 90402, 90491, "911"),
	cr("Duisburg", "Nordrhein-Westfalen", 5, 47051, 47279, "203"), cr("Bochum", "Nordrhein-Westfalen", 3.6, 44787, 44894, "234"),
	cr("Bonn", "Nordrhein-Westfalen", 3.3, 53111, 53229, "228"), cr("Münster", "Nordrhein-Westfalen", 3.2, 48143, 48167, "251"),
	cr("Mannheim", "Baden-Württemberg", 3.1, 68159, 68309, "621"), cr("Karlsruhe", "Baden-Württemberg", 3.1, 76131, 76229, "721"),
	cr("Augsburg", "Bayern", 3, 86150, 86199, "821"), cr("Freiburg im Breisgau", "Baden-Württemberg", 2.3, 79098, 79117, "761"),
	cr("Mainz", "Rheinland-Pfalz", 2.2, 55116, 55131, "6131"), cr("Regensburg", "Bayern", 1.5, 93047, 93059, "941"),
	cr("Halle (Saale)", "Sachsen-Anhalt", 2.4, 6108, 6132, "345"), cr("Mülheim an der Ruhr", "Nordrhein-Westfalen", 1.7, 45468, 45481, "208"),
	cr("Offenbach am Main", "Hessen", 1.3, 63065, 63075, "69"), cr("Frankfurt (Oder)", "Brandenburg", 0.6, 15230, 15236, "335"),
	cr("Garmisch-Partenkirchen", "Bayern", 0.3, 82467, 82467, "8821"),
}

var cityTables = map[string][]city{"FR": frCities, "US": usCities, "GB": gbCities, "DE": deCities}

// cityWeights caches each table's weights for weighted.
var cityWeights = func() map[string][]float64 {
	m := map[string][]float64{}
	for cc, t := range cityTables {
		ws := make([]float64, len(t))
		for i, ct := range t {
			ws[i] = ct.weight
		}
		m[cc] = ws
	}
	return m
}()

// drawCity returns a city of the country, weighted by population.
func drawCity(r *rand.Rand, cc string) *city {
	return &cityTables[cc][weighted(r, cityWeights[cc])]
}
