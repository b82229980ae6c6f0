package synth

// Street names and types per country, ordered by decreasing frequency.

var frStreetTypes = []string{"rue", "avenue", "boulevard", "impasse", "allée", "chemin",
	"place", "route", "quai", "cours"}

var frStreetNames = []string{
	"de la République", "Victor Hugo", "Jean Jaurès", "de la Paix", "du Général de Gaulle",
	"Pasteur", "Gambetta", "de l'Église", "de la Gare", "du Moulin", "des Lilas", "Nationale",
	"Haussmann", "Voltaire", "Jules Ferry", "Carnot", "du Maréchal Foch", "des Écoles",
	"Saint-Honoré", "de Rivoli", "Émile Zola", "La Fayette", "du 8 Mai 1945",
	"Aristide Briand", "Louis Pasteur", "Anatole France", "de Verdun", "Édouard Vaillant",
	"Paul Bert", "Jean Moulin", "du Château", "des Peupliers", "du Stade", "de Bretagne",
	"Saint-Michel", "des Tilleuls", "de la Liberté", "Georges Clemenceau",
	"Charles de Gaulle", "du Commerce", "de Paris", "des Acacias", "du Port",
	"Sainte-Catherine", "de l'Hôtel de Ville", "Henri Barbusse", "Gabriel Péri",
	"Marcel Cachin", "de la Mairie", "des Roses", "des Vignes", "du Four", "Montmartre",
}

var usStreetTypes = []string{"Street", "Avenue", "Drive", "Road", "Lane", "Way",
	"Boulevard", "Court", "Place"}

var usStreetNames = []string{
	"Main", "Oak", "Park", "Pine", "Maple", "2nd", "Cedar", "Elm", "Washington", "Lake",
	"Hill", "3rd", "Sunset", "Lincoln", "Jefferson", "Madison", "Franklin", "Highland",
	"Church", "Market", "Mission", "Walnut", "Spring", "Ridge", "Chestnut", "Center",
	"River", "Forest", "Meadow", "Jackson", "Adams", "1st", "5th", "7th", "42nd", "Grand",
	"Broad", "Union", "Cherry", "Willow", "Dogwood", "Magnolia", "Peachtree", "Commonwealth",
}

var gbStreetTypes = []string{"Road", "Street", "Lane", "Avenue", "Close", "Drive",
	"Gardens", "Crescent", "Way", "Place"}

var gbStreetNames = []string{
	"High", "Station", "Church", "Victoria", "Green", "Manor", "Park", "Queens", "Kings",
	"New", "Grange", "Mill", "Baker", "Oxford", "London", "Albert", "Windsor", "York",
	"Springfield", "Chester", "Richmond", "Stanley", "Cromwell", "Elm", "Brook", "Harrow",
	"Beech", "Rectory", "School", "North", "St John's", "Castle", "Alexandra", "Mount Pleasant",
}

// German street names carry their type ("Hauptstraße", "Birkenweg", "Am Markt").
var deStreetNames = []string{
	"Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße",
	"Bergstraße", "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße",
	"Friedrichstraße", "Goethestraße", "Schillerstraße", "Am Markt", "Mozartstraße",
	"Berliner Allee", "Königsallee", "Lindenallee", "Marktplatz", "Rosenweg",
	"Kastanienallee", "Unter den Linden", "Sonnenallee", "Leopoldstraße",
	"Karl-Marx-Straße", "Beethovenstraße", "Parkstraße", "Am Bahnhof", "Wiesenweg",
	"Feldstraße", "Poststraße", "Kaiserstraße", "Mühlenweg", "Frankfurter Straße",
	"Hamburger Straße", "Münchner Straße", "Industriestraße", "Erlenweg", "Schloßstraße",
}

var (
	frStreetTypeT = zipfTable(frStreetTypes, 1.6, 1)
	frStreetNameT = zipfTable(frStreetNames, 0.7, 2)
	usStreetTypeT = zipfTable(usStreetTypes, 1.2, 1)
	usStreetNameT = zipfTable(usStreetNames, 0.7, 2)
	gbStreetTypeT = zipfTable(gbStreetTypes, 1.3, 1)
	gbStreetNameT = zipfTable(gbStreetNames, 0.7, 2)
	deStreetNameT = zipfTable(deStreetNames, 0.7, 2)
)

// Second address lines.
var (
	frLine2 = []string{"Bâtiment B", "Appartement 12", "Résidence Les Pins", "3e étage",
		"Bât. A, porte 4", "Escalier C", "Résidence du Parc", "Appt 21"}
	usLine2 = []string{"Apt 4B", "Suite 300", "Unit 12", "Apt 2", "Suite 1200", "# 5", "Apt 17C"}
	gbLine2 = []string{"Flat 3", "Flat 2B", "Unit 4", "Rose Cottage", "Flat 11", "The Old Rectory"}
	deLine2 = []string{"Hinterhaus", "3. OG", "Apartment 5", "Seitenflügel", "2. Etage links"}
)

// Business address second lines.
var (
	frBizLine2 = []string{"ZI des Marais", "Parc d'activités du Moulin", "Bâtiment C", "CS 30012", "BP 214", "ZAC de la Plaine"}
	enBizLine2 = []string{"Suite 400", "Floor 3", "Unit 7, Riverside Business Park", "Building 2"}
	deBizLine2 = []string{"Gewerbegebiet Nord", "Haus B", "4. OG", "Postfach 1234"}
)
