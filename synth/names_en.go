package synth

// English-speaking name tables (US, GB), each ordered by decreasing frequency.

var usMale = []string{
	"James", "Robert", "John", "Michael", "David", "William", "Richard", "Joseph", "Thomas",
	"Christopher", "Charles", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven",
	"Andrew", "Paul", "Joshua", "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald",
	"Jason", "Edward", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas", "Eric", "Jonathan",
	"Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Gregory",
	"Alexander", "Patrick", "Frank", "Raymond", "Jack", "Dennis", "Jerry", "Tyler", "Aaron",
	"José", "Adam", "Nathan", "Henry", "Zachary", "Douglas", "Peter", "Kyle", "Noah",
	"Ethan", "Jeremy", "Walter", "Christian", "Keith", "Roger", "Terry", "Austin", "Sean",
	"Gerald", "Carl", "Harold", "Dylan", "Arthur", "Lawrence", "Jordan", "Jesse", "Bryan",
	"Billy", "Bruce", "Gabriel", "Joe", "Logan", "Alan", "Juan", "Albert", "Willie",
	"Elijah", "Wayne", "Randy", "Vincent", "Mason", "Roy", "Ralph", "Bobby", "Russell",
	"Bradley", "Philip", "Eugene", "Liam", "DeShawn", "Luis", "Carlos", "Wei", "Raj",
}

var usFemale = []string{
	"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan", "Jessica",
	"Karen", "Sarah", "Lisa", "Nancy", "Sandra", "Betty", "Ashley", "Emily", "Kimberly",
	"Margaret", "Donna", "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie",
	"Rebecca", "Sharon", "Laura", "Cynthia", "Dorothy", "Amy", "Kathleen", "Angela",
	"Shirley", "Emma", "Brenda", "Pamela", "Nicole", "Anna", "Samantha", "Katherine",
	"Christine", "Debra", "Rachel", "Carolyn", "Janet", "María", "Olivia", "Heather",
	"Helen", "Catherine", "Diane", "Julie", "Victoria", "Joyce", "Lauren", "Kelly",
	"Christina", "Ruth", "Joan", "Virginia", "Judith", "Evelyn", "Hannah", "Andrea",
	"Megan", "Cheryl", "Jacqueline", "Madison", "Teresa", "Abigail", "Sophia", "Martha",
	"Sara", "Gloria", "Janice", "Kathryn", "Ann", "Isabella", "Judy", "Charlotte", "Julia",
	"Grace", "Amber", "Alice", "Jean", "Denise", "Frances", "Danielle", "Marilyn",
	"Natalie", "Beverly", "Diana", "Brittany", "Theresa", "Kayla", "Alexis", "Doris",
	"Lori", "Tiffany", "Mary-Kate", "Priya", "Mei",
}

var usSurnames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
	"Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
	"Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
	"Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
	"Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
	"Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter",
	"Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards",
	"Collins", "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers",
	"Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson", "Bailey", "Reed", "Kelly",
	"Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks", "Chavez",
	"Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez",
	"Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell",
	"Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson",
	"Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson",
	"Alexander", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno", "West",
	"Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar",
	"Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison", "Fernandez",
	"McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen",
	"Freeman", "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson",
	"Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon",
	"Muñoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd",
	"Rose", "Stone", "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt",
	"Garza", "Daniels", "Ferguson", "Nichols", "Stephens", "Soto", "Weaver", "Ryan",
	"O'Brien", "O'Connor", "McCarthy", "Kowalski", "Rossi", "Cohen", "Schwartz",
	"De la Cruz", "DeLuca", "Van Dyke", "St. John", "O'Neil", "MacLeod", "Nakamura",
}

var gbMale = []string{
	"Oliver", "George", "Harry", "Jack", "James", "William", "Thomas", "Charlie", "Joshua",
	"Daniel", "David", "John", "Michael", "Paul", "Andrew", "Mark", "Richard", "Peter",
	"Christopher", "Robert", "Stephen", "Ian", "Matthew", "Simon", "Gary", "Alan", "Steven",
	"Anthony", "Kevin", "Lee", "Jamie", "Craig", "Darren", "Neil", "Martin", "Graham",
	"Colin", "Keith", "Stuart", "Adam", "Benjamin", "Samuel", "Luke", "Ryan", "Liam",
	"Callum", "Connor", "Alexander", "Edward", "Henry", "Arthur", "Alfie", "Noah", "Leo",
	"Oscar", "Archie", "Freddie", "Theo", "Jacob", "Ethan", "Nathan", "Philip", "Nigel",
	"Trevor", "Derek", "Barry", "Malcolm", "Gordon", "Alistair", "Hamish", "Rhys",
	"Gareth", "Dylan", "Owen", "Seán", "Declan", "Mohammed", "Harrison", "Toby", "Rory",
	"Angus", "Dominic", "Rupert", "Hugh",
}

var gbFemale = []string{
	"Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Jessica", "Sarah", "Emma",
	"Charlotte", "Lucy", "Hannah", "Laura", "Rebecca", "Rachel", "Claire", "Helen", "Susan",
	"Elizabeth", "Catherine", "Katherine", "Margaret", "Mary", "Jane", "Karen", "Julie",
	"Nicola", "Joanne", "Louise", "Victoria", "Amy", "Gemma", "Kelly", "Lisa", "Michelle",
	"Samantha", "Stephanie", "Natalie", "Zoe", "Chloe", "Megan", "Grace", "Ella", "Poppy",
	"Freya", "Evie", "Isabella", "Mia", "Ruby", "Lily", "Alice", "Florence", "Eleanor",
	"Harriet", "Georgina", "Fiona", "Alison", "Angela", "Deborah", "Tracey", "Lorraine",
	"Wendy", "Gillian", "Pauline", "Janet", "Siân", "Rhiannon", "Bethan", "Niamh",
	"Siobhan", "Aisling", "Kirsty", "Shona", "Morag", "Eilidh", "Jennifer", "Patricia",
	"Anne", "Ann", "Sally", "Joanna", "Zoë",
}

var gbSurnames = []string{
	"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
	"Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
	"Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
	"Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
	"Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
	"Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook",
	"Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox",
	"Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh",
	"Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason",
	"Ali", "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills",
	"Barnes", "Knight", "Lloyd", "Butler", "Russell", "Barker", "Fisher", "Stevens",
	"Jenkins", "Murray", "Dixon", "Harvey", "Graham", "Pearson", "Ahmed", "Fletcher",
	"Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart", "Elliott", "Reynolds",
	"Saunders", "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West", "Lawrence",
	"Cole", "Atkinson", "Bradley", "Spencer", "Gill", "Dawson", "Ball", "Burton",
	"O'Brien", "Watts", "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells", "Armstrong",
	"Francis", "Rees", "Hayes", "Hart", "Hudson", "Newman", "Barrett", "Webster", "Hunter",
	"Gregory", "Carr", "Lowe", "Page", "Marsh", "Riley", "Dunn", "Woods", "Parsons", "Berry",
	"Stone", "Reid", "Holland", "Hawkins", "Harding", "Porter", "Robertson", "Newton",
	"Oliver", "Reed", "Kennedy", "Williamson", "Bird", "Gardner", "Shah", "Dean", "Lane",
	"Cooke", "Bates", "Henderson", "Parry", "Burgess", "Bishop", "Walton", "Burns",
	"Nicholson", "Shepherd", "Ross", "Cross", "Long", "Freeman", "Warren", "Nicholls",
	"Hamilton", "Byrne", "Sutton", "McDonald", "Yates", "Hodgson", "Robson", "Curtis",
	"Hopkins", "O'Neill", "Fraser", "MacDonald", "McKenzie", "O'Sullivan", "Fitzgerald",
	"ffrench", "Bowes-Lyon", "St Clair", "Featherstonehaugh", "ap Rhys", "Llewellyn",
}

// Rare English surnames are synthesized from these parts ("Ashworth", "Thornbury"...).
var (
	enRarePre = []string{
		"Ash", "Brad", "Carl", "Dar", "Eld", "Fair", "Gar", "Hal", "Kings", "Lang", "Mar",
		"Nor", "Pem", "Rad", "Sher", "Thorn", "Whit", "Wood", "Black", "Brook", "Cran",
		"Fen", "Hawk", "Holl", "Mill", "Rock", "Stan", "Wel", "Ross", "Cald", "Hol", "Brom",
	}
	enRareSuf = []string{
		"ton", "ley", "worth", "ford", "wood", "field", "by", "more", "well", "ridge",
		"stone", "ham", "er", "son", "ington", "croft", "bury", "dale", "shaw", "combe",
	}
	enRareMid = []string{"ing", "er", "en", "el", "es", "and", "ow", "ers", "ham", "ton", "ell", "ings"}
)
