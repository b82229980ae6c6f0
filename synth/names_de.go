package synth

// German name tables, each ordered by decreasing real-world frequency.

var deMale = []string{
	"Peter", "Michael", "Thomas", "Andreas", "Wolfgang", "Klaus", "Jürgen", "Günter",
	"Stefan", "Christian", "Uwe", "Werner", "Horst", "Frank", "Dieter", "Manfred",
	"Gerhard", "Hans", "Bernd", "Torsten", "Martin", "Matthias", "Helmut", "Markus", "Ralf",
	"Sven", "Jörg", "Alexander", "Heinz", "Rainer", "Sebastian", "Karl-Heinz", "Hans-Peter",
	"Hans-Jürgen", "Jan", "Tobias", "Daniel", "Florian", "Tim", "Lukas", "Jonas", "Leon",
	"Finn", "Felix", "Maximilian", "Paul", "Elias", "Noah", "Ben", "Luca", "Dirk", "Holger",
	"Volker", "Jens", "Olaf", "Detlef", "Axel", "Björn", "Kai", "Lars", "Mario", "Marco",
	"Patrick", "Philipp", "Dominik", "Kevin", "Dennis", "Fabian", "Johannes", "Moritz",
	"Niklas", "Simon", "Julian", "Friedrich", "Walter", "Heinrich", "Wilhelm", "Ernst",
	"Fritz", "Rüdiger", "Günther", "Mehmet", "Ali",
}

var deFemale = []string{
	"Ursula", "Monika", "Petra", "Elisabeth", "Sabine", "Renate", "Helga", "Karin",
	"Brigitte", "Ingrid", "Erika", "Andrea", "Gisela", "Claudia", "Susanne", "Gabriele",
	"Christa", "Christine", "Hildegard", "Anna", "Birgit", "Barbara", "Marion", "Heike",
	"Stefanie", "Nicole", "Katrin", "Julia", "Sandra", "Martina", "Anja", "Tanja",
	"Melanie", "Kerstin", "Silke", "Daniela", "Nadine", "Christina", "Jana", "Katharina",
	"Laura", "Sarah", "Lisa", "Lena", "Lea", "Hannah", "Mia", "Emma", "Sophie", "Marie",
	"Lina", "Johanna", "Leonie", "Anne", "Jutta", "Doris", "Bärbel", "Heidi", "Ilse",
	"Inge", "Waltraud", "Gertrud", "Annegret", "Dörte", "Maike", "Wiebke", "Jessica",
	"Vanessa", "Jennifer", "Franziska", "Anke", "Simone", "Manuela", "Yvonne", "Ayşe",
	"Fatma", "Anna-Lena", "Marie-Luise", "Hannelore",
}

var deSurnames = []string{
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
	"Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
	"Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann",
	"Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann",
	"Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer",
	"Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung",
	"Hahn", "Schubert", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger",
	"Winkler", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Schuster",
	"Simon", "Ludwig", "Böhm", "Winter", "Kraus", "Martin", "Schumacher", "Krämer", "Vogt",
	"Stein", "Jäger", "Otto", "Sommer", "Groß", "Seidel", "Heinrich", "Brandt", "Haas",
	"Schreiber", "Graf", "Schulte", "Dietrich", "Ziegler", "Kuhn", "Kühn", "Pohl", "Engel",
	"Horn", "Busch", "Bergmann", "Thomas", "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer",
	"Yılmaz", "Kaya", "Nowak", "Kowalski", "Öztürk", "von Bülow", "von der Heide",
	"van der Berg", "zu Salm", "Müller-Lüdenscheidt", "Schulze-Delitzsch", "von Essen",
	"de Vries", "ter Horst", "Meyer-Landrut", "Ostrowski",
}

// Rare German surnames are synthesized from these parts ("Steinbach", "Waldhofer"...).
var (
	deRarePre = []string{
		"Kirch", "Stein", "Wald", "Berg", "Feld", "Hof", "Lin", "Eich", "Brun", "Ros",
		"Schön", "Alt", "Neu", "Groß", "Kle", "Ober", "Unter", "Hart", "Ried", "Sand",
		"Wein", "Mühl", "Buch", "Dorn", "Fisch", "Hölz", "Kess", "Lind", "Mohr", "Pfaff",
		"Rein", "Sieb", "Trau", "Wolt",
	}
	deRareSuf = []string{
		"mann", "er", "ner", "meier", "huber", "bach", "berg", "feld", "hofer", "ke",
		"inger", "wald", "haus", "brink", "kamp", "rath", "stätter", "mayer", "ler", "ert",
	}
	deRareMid = []string{"en", "er", "el", "ling", "ers", "s", "en", "ing", "har", "ter", "ber", "hau"}
)
