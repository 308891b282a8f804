"""Words for `agora seed`: names, bios, post templates and hashtags in English and German.

Plain data, no logic. Templates name their slots in braces; `agora.core.seeding` fills each slot from the list
of the same name in `Vocabulary.slots`. No word here contains `@` or `#`: mentions and hashtags are added by
the seeding code only, so the parser finds exactly the ones it put in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    """Everything one language contributes to a synthetic community."""

    code: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    handle_words: tuple[str, ...]
    jobs: tuple[str, ...]
    cities: tuple[str, ...]
    bio_templates: tuple[str, ...]
    post_templates: tuple[str, ...]
    slots: dict[str, tuple[str, ...]]
    replies: tuple[str, ...]
    thread_openers: tuple[str, ...]
    mention_phrases: tuple[str, ...]
    content_warnings: tuple[str, ...]
    hashtags: tuple[str, ...]


ENGLISH = Vocabulary(
    code="en",
    first_names=(
        "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "James", "Mia",
        "William", "Amelia", "Benjamin", "Harper", "Lucas", "Evelyn", "Henry", "Abigail", "Alexander",
        "Emily", "Daniel", "Ella", "Michael", "Grace", "Samuel", "Chloe", "Jack", "Zoe", "Owen", "Lily",
        "Ethan", "Nora", "Leo", "Hannah", "Isaac", "Ruby", "Theo", "Alice", "Arthur", "Freya", "George",
        "Ivy", "Oscar", "Rosie", "Sam", "Priya", "Arjun", "Mei", "Kenji", "Amara", "Tariq", "Sofia", "Mateo",
        "Aisha", "Kwame", "Niamh", "Rhys", "Maya", "Jonah", "Tess", "Felix", "Iris", "Ezra",
    ),
    last_names=(
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Clark",
        "Walker", "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
        "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Parker",
        "Collins", "Edwards", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Reed",
        "Bailey", "Bell", "Kelly", "Howard", "Ward", "Cox", "Patel", "Nguyen", "Kim", "Okafor", "Hughes",
        "Price", "Bennett", "Wood", "Barnes", "Ross", "Fisher", "Ellis", "Harrison", "Gibson",
    ),
    handle_words=(
        "coffee", "pixel", "quiet", "night", "owl", "river", "paper", "moss", "cloud", "tiny", "north",
        "fern", "byte", "rust", "tea", "garden", "lantern", "fox", "wander", "static", "maple", "orbit",
        "velvet", "lazy", "retro", "sunny", "stormy", "cosmic", "bread", "vinyl",
    ),
    jobs=(
        "Software developer", "Nurse", "Teacher", "Librarian", "Designer", "Photographer", "PhD student",
        "Barista", "Sysadmin", "Data scientist", "Carpenter", "Journalist", "Illustrator", "Researcher",
        "Product manager", "Translator", "Paramedic", "Musician", "Gardener", "Student", "Retired engineer",
        "Architect", "Bookseller", "Baker", "UX researcher", "Social worker",
    ),
    cities=(
        "London", "Manchester", "Dublin", "Edinburgh", "Bristol", "Toronto", "Vancouver", "Seattle",
        "Portland", "Chicago", "Boston", "Melbourne", "Wellington", "Cardiff", "Leeds", "Glasgow", "Austin",
        "Minneapolis",
    ),
    bio_templates=(
        "{job} in {city}. Into {interest_a} and {interest_b}.", "{job}. Opinions are my own, typos too.",
        "{job} by day, {hobby} by night. {city}.",
        "Mostly posting about {interest_a}. Sometimes {interest_b}. Rarely anything useful.",
        "{city} | {job} | she/her", "{city} | {job} | he/him", "{city} | {job} | they/them",
        "I like {interest_a}, long walks and good documentation.",
        "{job}. Trying to be kind on the internet. Based in {city}.",
        "Here for {interest_a}, stayed for the people.",
        "Amateur {hobby}. Professional procrastinator. {city}.",
    ),
    post_templates=(
        "Just finished {book}. {verdict}", "Anyone else {activity} this {daytime}?",
        "Hot take: {thing} is {opinion}.", "{weather} again. Perfect excuse for {activity}.",
        "Today I learned that {fact}.", "Spent the whole {daytime} {activity}. {feeling}",
        "My {relative} just discovered {thing} and now I hear about nothing else.",
        "Reminder: drink water, take breaks, and {advice}.",
        "Finally fixed the bug that has been haunting me for {duration}. It was {cause}.",
        "The {drink} at the little place around the corner is {praise}.",
        "Is it just me or is {thing} getting {trend}?",
        "New blog post about {thing} is up. Feedback welcome!",
        "Three things that made my day: {small}, {small} and {small}.",
        "Went {outdoor} this {daytime}. {verdict}",
        "Question for the {group} crowd: how do you deal with {problem}?", "Long week, but {small} helps.",
        "Cooking {food} tonight. Wish me luck.", "Can recommend {book}, especially if you like {genre}.",
        "The train was {delay} again. Classic.", "Looking for recommendations: {wish}.",
        "Unpopular opinion: {food} is better the next day.", "Note to self: {advice}.",
        "Okay, {thing} is actually {praise}. I was wrong.",
        "First day that really feels like {season}. {feeling}",
    ),
    slots={
        "book": (
            "a novel about a lighthouse keeper", "that thick fantasy trilogy", "a book on urban gardening",
            "a history of the printing press", "the new sci-fi everyone talks about", "a memoir by a chef",
            "a short story collection", "a book on sleep science",
        ),
        "verdict": (
            "Highly recommended.", "Not sure how I feel about the ending.", "Worth every minute.",
            "Could have been half as long.", "Still thinking about it.", "Five stars, no notes.",
        ),
        "activity": (
            "reorganising their bookshelf", "debugging someone else's code", "baking bread", "doing laundry",
            "learning a new language", "repotting plants", "writing documentation", "cleaning the kitchen",
            "fixing a bike", "watching old films", "knitting", "updating servers",
        ),
        "daytime": ("morning", "afternoon", "evening", "weekend", "Sunday", "lunch break"),
        "thing": (
            "sourdough", "static site generators", "standing desks", "mechanical keyboards", "podcasts",
            "electric scooters", "dark mode", "oat milk", "the fediverse", "board games", "vinyl records",
            "self-hosting", "cold showers", "night trains",
        ),
        "opinion": (
            "overrated", "underrated", "fine, actually", "a trap", "worth it", "the future", "a phase",
        ),
        "weather": ("Rain", "Fog", "Grey skies", "Sunshine", "Wind", "Snow", "Drizzle"),
        "fact": (
            "octopuses have three hearts", "honey never spoils", "bananas are berries",
            "the first computer bug was an actual moth", "sloths can hold their breath longer than dolphins",
            "there are more trees on Earth than stars in the Milky Way", "wombat poo is cube-shaped",
        ),
        "feeling": (
            "No regrets.", "Worth it.", "Exhausted.", "Weirdly satisfying.", "Would do again.",
            "Send snacks.",
        ),
        "relative": ("mum", "dad", "little brother", "neighbour", "flatmate", "grandmother", "cat"),
        "advice": (
            "back up your files", "go outside for ten minutes", "write the test first", "call a friend",
            "read the error message", "stretch", "close some tabs",
        ),
        "duration": ("two days", "a week", "three hours", "a month", "way too long"),
        "cause": (
            "a missing comma", "a timezone", "caching, of course", "DNS", "an off-by-one error",
            "a typo in the config",
        ),
        "drink": ("coffee", "tea", "hot chocolate", "chai", "lemonade"),
        "praise": ("ridiculously good", "the best in town", "life-changing", "solid", "underrated"),
        "trend": ("more expensive", "better", "weirder", "harder to avoid", "more popular"),
        "small": (
            "a good cup of coffee", "a friendly dog", "an empty inbox", "sunshine", "a kind message",
            "fresh bread", "a working build", "a nap",
        ),
        "outdoor": ("hiking", "cycling", "for a swim", "birdwatching", "for a long walk", "running"),
        "group": ("open source", "gardening", "parenting", "photography", "homelab", "teaching"),
        "problem": (
            "burnout", "slugs", "flaky tests", "noisy neighbours", "too many tabs", "meetings",
        ),
        "food": ("lasagne", "curry", "dumplings", "chili", "a vegan roast", "pancakes", "soup"),
        "genre": ("cosy mysteries", "hard sci-fi", "historical fiction", "nature writing", "graphic novels"),
        "delay": ("late", "cancelled", "full", "twenty minutes late", "replaced by a bus"),
        "wish": (
            "a good podcast about history", "a lightweight RSS reader", "a board game for two",
            "a beginner-friendly houseplant", "an album for rainy days",
        ),
        "season": ("spring", "summer", "autumn", "winter"),
    },
    replies=(
        "Totally agree!", "Ha, same here.", "Do you have a link for that?",
        "Not sure about that, to be honest.", "Thanks for sharing!", "Congrats! 🎉", "Oh no 😅",
        "This made my day.", "Interesting, I had the opposite experience.", "Can confirm.", "Wait, really?",
        "Good point.", "Saving this for later.", "Love it.", "Same problem here, did you find a fix?", "😂",
        "Welcome to the club!", "Hope it gets better soon.", "Absolutely.", "Tell me more!",
    ),
    thread_openers=("Also: ", "Update: ", "Edit: ", "And another thing: ", "2/ ", "Follow-up: "),
    mention_phrases=(
        "cc @{name}", "Thanks to @{name} for the tip!", "@{name} you will like this.",
        "What do you think, @{name}?", "(via @{name})",
    ),
    content_warnings=("politics", "food", "spoilers", "mental health", "long post", "eye contact", "rant"),
    hashtags=(
        "Fediverse", "Caturday", "Photography", "OpenSource", "Gardening", "Books", "Coffee", "Python",
        "Cycling", "Music", "Linux", "Climate", "Hiking", "Cooking", "Science", "Privacy", "Baking", "Art",
        "SelfHosting", "Astronomy", "Birds", "Running", "Podcast", "Gaming", "Django", "Knitting",
        "Accessibility", "RetroComputing", "Football", "MastoArt",
    ),
)

GERMAN = Vocabulary(
    code="de",
    first_names=(
        "Anna", "Lukas", "Lena", "Jonas", "Marie", "Leon", "Sophie", "Finn", "Laura", "Paul", "Julia",
        "Felix", "Lea", "Maximilian", "Hannah", "Elias", "Katharina", "Tim", "Sarah", "Moritz", "Johanna",
        "Niklas", "Clara", "Jan", "Charlotte", "Tobias", "Emilia", "Simon", "Frieda", "Jakob", "Mila",
        "Matthias", "Greta", "Stefan", "Paula", "Andreas", "Ida", "Thomas", "Nele", "Sebastian", "Ronja",
        "Florian", "Merle", "Christian", "Ute", "Klaus", "Birgit", "Jürgen", "Sabine", "Uwe", "Petra",
        "Dieter", "Jörg", "Käthe", "Björn", "Sören", "Aylin", "Emre", "Mehmet", "Zeynep", "Milan", "Luca",
    ),
    last_names=(
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
        "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz",
        "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz",
        "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler", "Herrmann", "König", "Walter",
        "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn",
        "Vogel", "Yılmaz", "Kaya", "Nowak", "Kowalski",  # noqa: RUF001 (the Turkish dotless i is meant)
    ),
    handle_words=(
        "kaffee", "nachteule", "wolke", "fuchs", "stern", "igel", "moos", "bahn", "brezel", "nebel", "regen",
        "funk", "dackel", "wald", "kiesel", "laterne", "zwieback", "spatz", "ahorn", "hummel",
    ),
    jobs=(
        "Softwareentwicklerin", "Softwareentwickler", "Lehrerin", "Lehrer", "Pflegekraft", "Bibliothekarin",
        "Designerin", "Fotograf", "Doktorandin", "Doktorand", "Sysadmin", "Tischlerin", "Journalist",
        "Illustratorin", "Übersetzerin", "Sozialarbeiter", "Musikerin", "Gärtner", "Studentin", "Student",
        "Rentner", "Architektin", "Buchhändler", "Bäckerin", "Hebamme", "Elektriker",
    ),
    cities=(
        "Berlin", "Hamburg", "München", "Köln", "Leipzig", "Dresden", "Frankfurt", "Stuttgart", "Bremen",
        "Freiburg", "Münster", "Nürnberg", "Hannover", "Kiel", "Wien", "Zürich", "Graz", "Bochum", "Jena",
    ),
    bio_templates=(
        "{job} in {city}. Mag {interest_a} und {interest_b}.", "{job}. Hier privat.",
        "Tagsüber {job}, abends {hobby}. {city}.",
        "Meistens {interest_a}, manchmal {interest_b}, selten Sinnvolles.", "{city} | {job} | sie/ihr",
        "{city} | {job} | er/ihm", "{job} aus {city}. Kaffee, Bücher, gute Laune.",
        "Hier wegen {interest_a}, geblieben wegen der Leute.",
        "Hobby-{hobby}. Profi-Prokrastination. {city}.",
        "Ich mag {interest_a}, lange Spaziergänge und gute Dokumentation.",
    ),
    post_templates=(
        "Gerade {book} ausgelesen. {verdict}", "Noch jemand heute {activity}?",
        "Steile These: {thing} wird {opinion}.", "{weather} draußen. Perfekte Ausrede für {indoor}.",
        "Heute gelernt: {fact}.", "Den ganzen {daytime} mit {indoor} verbracht. {feeling}",
        "Mein {relative} hat {thing} entdeckt und redet über nichts anderes mehr.",
        "Erinnerung: Wasser trinken, Pausen machen und {advice}.",
        "Endlich den Fehler gefunden, der mich seit {duration} verfolgt. Es war {cause}.",
        "Der {drink} im kleinen Café um die Ecke ist {praise}.",
        "Bin ich das, oder wird {thing} immer {trend}?",
        "Neuer Blogartikel über {thing} ist online. Feedback willkommen!",
        "Drei Dinge, die meinen Tag gerettet haben: {small}, {small} und {small}.",
        "Heute {outdoor} gewesen. {verdict}",
        "Frage an alle aus dem Bereich {group}: Wie geht ihr mit {problem} um?",
        "Lange Woche, aber {small} hilft.", "Heute Abend gibt es {food}. Drückt mir die Daumen.",
        "Kann {book} empfehlen, vor allem wenn man {genre} mag.",
        "Die Bahn hatte mal wieder {delay}. Immerhin gab es {small}.", "Suche Empfehlungen: {wish}.",
        "Unpopuläre Meinung: {food} schmeckt am nächsten Tag besser.", "Notiz an mich selbst: {advice}.",
        "Okay, {thing} ist tatsächlich {praise}. Ich hatte unrecht.",
        "Erster Tag, der sich wirklich nach {season} anfühlt. {feeling}", "Feierabend! Jetzt {indoor}.",
    ),
    slots={
        "book": (
            "einen Roman über eine Leuchtturmwärterin", "diese dicke Fantasy-Trilogie",
            "ein Buch über Stadtgärten", "eine Geschichte des Buchdrucks", "den neuen Science-Fiction-Roman",
            "die Memoiren einer Köchin", "einen Band mit Kurzgeschichten", "ein Sachbuch über Schlaf",
        ),
        "verdict": (
            "Klare Empfehlung.", "Beim Ende bin ich noch unschlüssig.", "Hat sich gelohnt.",
            "Hätte auch halb so lang sein können.", "Beschäftigt mich immer noch.", "Fünf Sterne.",
        ),
        "activity": (
            "am Bücherregal am Umräumen", "im fremden Code am Debuggen", "am Brotbacken", "am Wäschewaschen",
            "am Vokabellernen", "am Pflanzenumtopfen", "am Dokumentationschreiben", "am Fahrradreparieren",
        ),
        "indoor": (
            "Tee und ein gutes Buch", "Brotbacken", "alte Filme", "Stricken", "Serverupdates", "Brettspiele",
            "Aufräumen", "Musik hören", "ein Nickerchen",
        ),
        "daytime": ("Vormittag", "Nachmittag", "Abend", "Sonntag", "Tag"),
        "thing": (
            "Sauerteig", "Hafermilch", "das Fediverse", "der Dark Mode", "Brettspielen", "Lastenrad fahren",
            "Self-Hosting", "kalt duschen", "der Nachtzug", "Schallplatten hören", "Podcasts hören",
        ),
        "opinion": ("überschätzt", "unterschätzt", "die Zukunft", "nur eine Phase"),
        "weather": ("Regen", "Nebel", "Grauer Himmel", "Sonnenschein", "Sturm", "Schnee", "Nieselregen"),
        "fact": (
            "Kraken haben drei Herzen", "Honig wird nie schlecht", "Bananen sind Beeren",
            "der erste Computer-Bug war eine echte Motte", "Wombat-Kot ist würfelförmig",
            "Faultiere länger die Luft anhalten können als Delfine",
        ),
        "feeling": (
            "Keine Reue.", "Hat sich gelohnt.", "Völlig erledigt.", "Seltsam befriedigend.", "Gerne wieder.",
        ),
        "relative": ("Vater", "kleiner Bruder", "Nachbar", "Mitbewohner", "Opa", "Kater"),
        "advice": (
            "Backups machen", "zehn Minuten rausgehen", "erst den Test schreiben", "Freunde anrufen",
            "die Fehlermeldung lesen", "ein paar Tabs schließen",
        ),
        "duration": ("zwei Tagen", "einer Woche", "drei Stunden", "einem Monat", "viel zu lange"),
        "cause": (
            "ein fehlendes Komma", "eine Zeitzone", "natürlich der Cache", "DNS", "ein Off-by-one-Fehler",
            "ein Tippfehler in der Konfiguration",
        ),
        "drink": ("Kaffee", "Tee", "Kakao", "Chai", "Eistee"),
        "praise": ("unverschämt gut", "der beste der Stadt", "richtig solide", "unterschätzt"),
        "trend": ("teurer", "besser", "seltsamer", "beliebter"),
        "small": (
            "ein guter Kaffee", "ein freundlicher Hund", "ein leeres Postfach", "Sonnenschein",
            "eine nette Nachricht", "frisches Brot", "ein grüner Build", "ein Nickerchen",
        ),
        "outdoor": ("wandern", "Rad fahren", "schwimmen", "Vögel beobachten", "lange spazieren", "laufen"),
        "group": ("Open Source", "Garten", "Fotografie", "Homelab", "Schule", "Pflege"),
        "problem": ("Erschöpfung", "Schnecken", "wackeligen Tests", "lauten Nachbarn", "zu vielen Meetings"),
        "food": ("Lasagne", "Curry", "Maultaschen", "Chili", "Käsespätzle", "Pfannkuchen", "Linsensuppe"),
        "genre": ("gemütliche Krimis", "harte Science-Fiction", "historische Romane", "Graphic Novels"),
        "delay": ("Verspätung", "einen Zugausfall", "eine Weichenstörung", "Ersatzverkehr"),
        "wish": (
            "ein guter Geschichtspodcast", "ein schlanker RSS-Reader", "ein Brettspiel für zwei",
            "eine pflegeleichte Zimmerpflanze", "ein Album für Regentage",
        ),
        "season": ("Frühling", "Sommer", "Herbst", "Winter"),
    },
    replies=(
        "Sehe ich genauso!", "Haha, geht mir auch so.", "Hast du dazu einen Link?",
        "Bin mir da nicht so sicher.", "Danke fürs Teilen!", "Glückwunsch! 🎉", "Oh nein 😅",
        "Das hat meinen Tag gerettet.", "Spannend, bei mir war es genau andersrum.", "Kann ich bestätigen.",
        "Echt jetzt?", "Guter Punkt.", "Gemerkt!", "Großartig.",
        "Gleiches Problem hier. Schon eine Lösung gefunden?", "😂", "Willkommen im Club!", "Gute Besserung!",
        "Auf jeden Fall.", "Erzähl mehr!",
    ),
    thread_openers=("Nachtrag: ", "Update: ", "Und noch was: ", "2/ ", "Ergänzung: "),
    mention_phrases=(
        "cc @{name}", "Danke an @{name} für den Tipp!", "@{name} das ist was für dich.",
        "Was meinst du, @{name}?", "(via @{name})",
    ),
    content_warnings=("Politik", "Essen", "Spoiler", "Gesundheit", "langer Text", "Augenkontakt", "Rant"),
    hashtags=(
        "Fediverse", "Kaffee", "Katzen", "Fotografie", "Garten", "Bahn", "Bücher", "Radfahren", "Musik",
        "Linux", "Klimaschutz", "Wandern", "Kochen", "Tatort", "Datenschutz", "Backen", "Fußball",
        "Feierabend", "Wissenschaft", "Kunst", "Berlin", "Hamburg", "Leipzig", "Köln", "München", "Sonntag",
        "Bundesliga", "Nachhaltigkeit", "Podcast", "Regen",
    ),
)

LANGUAGES: tuple[Vocabulary, ...] = (ENGLISH, GERMAN)

# Words people use in a bio for what they do in their free time; the same in both languages is fine here.
HOBBIES: dict[str, tuple[str, ...]] = {
    "en": ("baker", "photographer", "gardener", "guitarist", "birdwatcher", "runner", "knitter", "gamer"),
    "de": ("Bäckerin", "Fotograf", "Gärtnerin", "Gitarrist", "Vogelbeobachterin", "Läufer", "Strickerin"),
}

EMOJI = ("🌿", "☕", "🚲", "📚", "🎧", "🌻", "🐈", "✨", "🏔️", "🧶", "🎨", "🌊")
