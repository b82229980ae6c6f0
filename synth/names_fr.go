package synth

// French name tables, each ordered by decreasing real-world frequency.

var frMale = []string{
	"Jean", "Philippe", "Michel", "Alain", "Patrick", "Nicolas", "Christophe", "Pierre",
	"Christian", "Éric", "Frédéric", "Laurent", "Stéphane", "David", "Pascal", "Daniel",
	"Sébastien", "Julien", "Thierry", "Olivier", "Bernard", "Thomas", "Alexandre", "Gérard",
	"Didier", "Dominique", "Vincent", "François", "Bruno", "Guillaume", "Jérôme", "Jacques",
	"Marc", "Maxime", "Romain", "Claude", "Antoine", "Franck", "Jean-Pierre", "Anthony",
	"Kévin", "Gilles", "Cédric", "Serge", "André", "Mathieu", "Benjamin", "Patrice",
	"Fabrice", "Joël", "Jérémy", "Clément", "Jean-Claude", "Hugo", "Lucas", "Louis",
	"Arthur", "Gabriel", "Raphaël", "Léo", "Jules", "Mathis", "Nathan", "Théo", "Emmanuel",
	"Yves", "Hervé", "Jean-Luc", "Jean-François", "Jean-Marc", "Jean-Michel",
	"Jean-Baptiste", "Régis", "Loïc", "Yannick", "Benoît", "Grégory", "Arnaud", "Sylvain",
	"Quentin", "Florian", "Adrien", "Baptiste", "Aurélien", "Damien", "Ludovic", "Xavier",
	"Rémi", "Mickaël", "Jean-Paul", "Gaël", "Noël", "René", "Roger", "Henri", "Marcel",
	"Georges", "Raymond", "Maurice", "Lucien", "Mohamed", "Karim", "Youssef",
}

var frFemale = []string{
	"Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Martine", "Christine",
	"Françoise", "Valérie", "Sandrine", "Stéphanie", "Véronique", "Sophie", "Céline",
	"Chantal", "Patricia", "Anne", "Brigitte", "Julie", "Monique", "Aurélie", "Nicole",
	"Laurence", "Émilie", "Annie", "Camille", "Dominique", "Claire", "Caroline", "Virginie",
	"Corinne", "Audrey", "Jacqueline", "Élodie", "Laetitia", "Christiane", "Hélène",
	"Pascale", "Florence", "Sarah", "Anne-Marie", "Marie-Christine", "Marie-Claire",
	"Anne-Sophie", "Marie-Pierre", "Marine", "Manon", "Léa", "Emma", "Chloé", "Inès",
	"Jade", "Louise", "Alice", "Lina", "Agnès", "Danielle", "Denise", "Éliane", "Josiane",
	"Mireille", "Odile", "Pauline", "Mathilde", "Charlotte", "Lucie", "Margaux", "Juliette",
	"Clémence", "Océane", "Amandine", "Karine", "Delphine", "Murielle", "Fabienne",
	"Béatrice", "Claude", "Geneviève", "Jeanne", "Yvette", "Ginette", "Maëlle", "Noémie",
	"Zoé", "Fatima", "Amina", "Élisabeth",
}

var frSurnames = []string{
	"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
	"Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David",
	"Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
	"Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc",
	"Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia",
	"Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu",
	"Gautier", "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire",
	"Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière",
	"Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche",
	"Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger",
	"Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe",
	"Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq",
	"Guillaume", "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger",
	"Carpentier", "Sanchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur",
	"Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier",
	"Marty", "Aubry", "Guyot", "Carré", "Charles", "Renault", "Charpentier", "Ménard",
	"Maillard", "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall",
	"Collet", "Léger", "Bouvier", "Julien", "Prévost", "Millet", "Perrot", "Daniel",
	"Le Roux", "Cousin", "Germain", "Breton", "Besson", "Langlois", "Rémy", "Le Goff",
	"Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun", "Marchal", "Weber",
	"Mallet", "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Guichard",
	"Gillet", "Étienne", "Grondin", "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin",
	"Da Silva", "Bouchet", "Gay", "Lemaître", "Bénard", "Maréchal", "Humbert", "Reynaud",
	"Antoine", "Hoarau", "Perret", "Barthélemy", "Cordier", "Pichon", "Lejeune", "Gilbert",
	"Lamy", "Delaunay", "Pasquier", "Carlier", "Laporte", "Nguyen", "Dos Santos",
	"Diallo", "Le Bihan", "Traoré", "Ben Ali", "de Oliveira", "N'Diaye", "de la Fontaine",
	"Saint-Martin", "d'Almeida", "de Villiers", "du Pont", "Le Floch", "Kervella",
	"Lefèvre-Pontalis", "de Saint-Exupéry", "Giscard", "Bouvier-Dumas",
}

// Rare French surnames are synthesized from these parts ("Kerbrat", "Chabignac"...).
var (
	frRarePre = []string{
		"Ker", "Chab", "Bour", "Lam", "Vaud", "Cour", "Faur", "Char", "Bel", "Mont", "Roch",
		"Pell", "Tess", "Dur", "Gaut", "Berth", "Vill", "Burg", "Quill", "Jourd", "Lang",
		"Mal", "Poul", "Sall", "Thom", "Guill", "Marc", "Rich", "Bross", "Chaum", "Desch",
		"Lec", "Bonn", "Grav", "Mart", "Pich", "Riv", "Sav", "Tard", "Vern", "Brand", "Cab",
	}
	frRareSuf = []string{
		"ard", "ier", "ot", "eau", "elle", "ac", "ec", "in", "on", "et", "and", "ault", "oux",
		"as", "ès", "ieu", "illon", "ouze", "aud", "enne", "ois", "ige", "ouet", "ignac",
		"erie", "iaux", "ourt", "ède", "ouin", "ereau", "isse",
	}
	frRareMid = []string{"our", "an", "er", "el", "ar", "on", "il", "ign", "eb", "ot", "ill", "ass", "err", "ouv", "and"}
)
