"""The explicit-threat pattern layer (EN and DE): explainable rules that hold an explicit call to violence.

A rule fires when a violent verb has a person or group as its object (within a few words) and the text also
names a weapon or a time or place, and reads as a call or an intention ("let's", "bring", "wir werden", "lasst
uns"); a call to bring weapons with a target or a time fires too. Weaker forms (a threat with no weapon, time
or place; "X should all be shot") only send the post to review. Every match records the words that made it,
so a moderator sees why.

What must not fire is handled first: idioms are blanked out before matching ("kill it at the gym", "hang out",
"ich lach mich tot"), and a text that reads as a news report, a video game, hunting or counter-speech (quoting
a threat to condemn it) gets no pattern score at all; the model still scores it.

Patterns run on `normalise()`d text, so leetspeak, spaced letters, homoglyphs and zero-width characters are
already undone. Letters in word lists match repeated ("kiill"), because normalisation keeps two of a run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

HOLD_SCORE = 1.0
REVIEW_SCORE = 0.7
REFLEXIVE = re.compile(r"\s+(?:yourself|yourselves|urself|myself|dich\s+selbst|euch\s+selbst)\b")


def _tolerant(word: str) -> str:
    """A plain word list entry as a regex: letters may repeat, spaces match any whitespace."""
    out = []
    for ch in word:
        if ch.isalpha():
            out.append(re.escape(ch) + "+")
        elif ch == " ":
            out.append(r"\s+")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _words(*entries: str) -> re.Pattern[str]:
    """Alternatives as one regex. Entries starting with "re:" are raw regexes; others are tolerant words."""
    parts = [e[3:] if e.startswith("re:") else _tolerant(e) for e in entries]
    return re.compile(r"(?<![\w\[])(?:" + "|".join(parts) + r")(?![\w\]])")


_MONTHS_EN = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTHS_DE = (
    r"(?:januar|jänner|februar|märz|maerz|april|mai|juni|juli|august|september|oktober|november|dezember)"
)


@dataclass(frozen=True)
class Lexicon:
    verbs: re.Pattern[str]
    targets: re.Pattern[str]
    weapons: re.Pattern[str]
    time_place: re.Pattern[str]
    calls: re.Pattern[str]
    weapon_calls: re.Pattern[str]
    normative: re.Pattern[str]
    idioms: re.Pattern[str]
    contexts: dict[str, re.Pattern[str]]
    # How many words may stand between the verb and its object, before and after the verb.
    window_before: int
    window_after: int
    # Verbs with everyday objects too ("burn them", "den Grill anzünden") count only with a person or group
    # as their object, never with a bare pronoun or "the + noun".
    weak_verbs: re.Pattern[str] = re.compile(r"(?!)")
    pronouns: re.Pattern[str] = re.compile(r"(?!)")
    persons: re.Pattern[str] = re.compile(r"(?!)")
    # Phrases that carry their own object ("leave no one alive", "keinen am Leben lassen").
    complete: re.Pattern[str] = re.compile(r"(?!)")


EN = Lexicon(
    verbs=_words(
        "kill",
        "kil",
        "murder",
        "shoot",
        "shoot up",
        "gun down",
        "hang",
        "lynch",
        "stab",
        "behead",
        "decapitate",
        "execute",
        "slaughter",
        "butcher",
        "massacre",
        "exterminate",
        "bomb",
        "blow up",
        "burn",
        "torch",
        "string up",
        "beat to death",
        "slit",
        "cut the throats of",
        "strangle",
        "run over",
        "mow down",
        "wipe out",
        "take out",
        "hunt down",
        "gas",
        "assassinate",
        "shank",
        "put a bullet in",
        "put bullets in",
        "skin",
        "drown",
        "set fire to",
        "firebomb",
        "open fire on",
        "curb stomp",
        "curbstomp",
        "re:gun\\s+(?:\\S+\\s+){1,3}down",
        "re:mow\\s+(?:\\S+\\s+){1,3}down",
        "re:hunt\\s+(?:\\S+\\s+){1,3}down",
        "re:string\\s+(?:\\S+\\s+){1,3}up",
        "re:take\\s+(?:\\S+\\s+){1,3}out",
        "re:wipe\\s+(?:\\S+\\s+){1,3}out",
        "re:blow\\s+(?:\\S+\\s+){1,3}up",
        "re:run\\s+(?:\\S+\\s+){1,3}over",
        "re:make\\s+(?:\\S+\\s+){1,4}bleed",
        "re:beat\\s+(?:\\S+\\s+){1,3}to\\s+death",
        "re:finish\\s+(?:him|her|them)(?:\\s+off)?",
        "re:finish\\s+(?:\\S+\\s+){1,3}off",
        "re:blow\\s+(?:\\S+\\s+){1,3}brains\\s+out",
        "re:put\\s+(?:a\\s+)?(?:bullet|bullets|round|rounds|slug)\\s+(?:in|into|through)",
    ),
    targets=_words(
        "re:(?:his|her|their)\\s+(?:house|home|homes|houses|car|family|kids|children|wife|husband)",
        "re:\\w+'s\\s+(?:house|home|family|kids|children|wife|husband)",
        "re:(?:my|our|his|her|their|the|this|that)\\s+(?:school|class|college|campus|office|workplace|church|mosque|synagogue|temple|refugee\\s+(?:center|centre|shelter|camp)|shelter|abortion\\s+clinic|gay\\s+bar|newsroom|precinct)",
        "bastard",
        "bastards",
        "scum",
        "scumbag",
        "scumbags",
        "vermin",
        "pedos",
        "pedophiles",
        "groomers",
        "kafirs",
        "kuffar",
        "infidel",
        "them",
        "him",
        "her",
        "you",
        "y'all",
        "yall",
        "everyone",
        "everybody",
        "anyone",
        "re:\\[@ind\\]",
        "officials",
        "official",
        "politicians",
        "politician",
        "senators",
        "senator",
        "congressmen",
        "congressman",
        "representatives",
        "lawmakers",
        "judges",
        "judge",
        "cops",
        "cop",
        "police",
        "policemen",
        "officers",
        "governor",
        "governors",
        "mayor",
        "mayors",
        "president",
        "vice president",
        "ministers",
        "minister",
        "democrats",
        "republicans",
        "liberals",
        "leftists",
        "conservatives",
        "traitors",
        "traitor",
        "journalists",
        "reporters",
        "journalist",
        "reporter",
        "councilman",
        "councilmen",
        "councilwoman",
        "council members",
        "councilors",
        "board members",
        "sheriff",
        "prosecutor",
        "prosecutors",
        "attorney general",
        "commissioner",
        "commissioners",
        "prime minister",
        "chancellor",
        "congresswoman",
        "congress",
        "feds",
        "agents",
        "fbi agents",
        "soldiers",
        "troops",
        "teachers",
        "teacher",
        "doctors",
        "doctor",
        "nurses",
        "protesters",
        "protestors",
        "activists",
        "voters",
        "election officials",
        "elites",
        "globalists",
        "communists",
        "commies",
        "socialists",
        "nazis",
        "fascists",
        "antifa",
        "libs",
        "libtards",
        "dems",
        "rinos",
        "illegals",
        "foreigners",
        "mexicans",
        "arabs",
        "asians",
        "infidels",
        "homosexuals",
        "trans people",
        "abortionists",
        "priests",
        "pastors",
        "imams",
        "rabbis",
        "bankers",
        "landlords",
        "billionaires",
        "worshippers",
        "congregation",
        "jews",
        "muslims",
        "blacks",
        "whites",
        "immigrants",
        "refugees",
        "migrants",
        "gays",
        "women",
        "woman",
        "men",
        "christians",
        "children",
        "kids",
        "people",
        "family",
        "families",
        "pelosi",
        "biden",
        "trump",
        "the media",
        "election workers",
        "poll workers",
        "every one",
        "all of them",
        "those",
    ),
    weapons=_words(
        "gun",
        "guns",
        "rifle",
        "rifles",
        "shotgun",
        "shotguns",
        "pistol",
        "pistols",
        "handgun",
        "handguns",
        "firearms",
        "re:a[rk][\\s-]?(?:15|47)s?",
        "ammo",
        "ammunition",
        "bullets",
        "bullet",
        "knife",
        "knives",
        "machete",
        "machetes",
        "rope",
        "ropes",
        "noose",
        "nooses",
        "bomb",
        "bombs",
        "explosives",
        "molotov",
        "molotovs",
        "pipe bomb",
        "pipe bombs",
        "grenade",
        "grenades",
        "axe",
        "axes",
        "baseball bats",
        "pitchforks",
        "torches",
        "weapons",
        "gasoline",
        "zip ties",
        "gallows",
        "bats",
        "clubs",
        "crowbars",
    ),
    time_place=_words(
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "tomorrow",
        "tonight",
        "this weekend",
        "next week",
        "today",
        "at noon",
        "at dawn",
        "at midnight",
        "re:(?:on\\s+(?:the\\s+)?)?\\d{1,2}(?:st|nd|rd|th)?(?:\\s+of)?\\s+" + _MONTHS_EN,
        "re:" + _MONTHS_EN + "\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?",
        "re:\\d{1,2}(?::\\d\\d)?\\s*(?:am|pm)",
        "re:\\d{1,2}/\\d{1,2}",
        "re:lives?\\s+(?:at|on)\\s+\\d+",
        "re:(?:at|to|outside|inside|in front of|storm)\\s+(?:the\\s+)?(?:capitol|white house|state ?house|"
        "city hall|court ?house|parliament|rally|school|church|mosque|synagogue|polling station|office|"
        "clinic|parade|meeting|station|newsroom|town hall|school board|mall|concert|festival|pride|protest|"
        "march|campus|university|hospital|precinct|headquarters|embassy|temple|state house|capitol building)",
        "re:when\\s+(?:he|she|they|the\\s+\\w+)\\s+(?:leaves?|gets?\\s+home|arrives?|comes?\\s+out|walks?\\s+out)",
        "re:(?:know|found\\s+out|have\\s+found)\\s+where\\s+(?:\\S+\\s+){0,3}lives?",
        "re:(?:his|her|their) (?:home|homes|house|houses|address|office)",
        "re:meet (?:at|in|outside)",
    ),
    calls=_words(
        "let's",
        "lets",
        "let us",
        "re:we(?:'ll|\\s+will|\\s+must|\\s+should|\\s+need\\s+to|\\s+gotta|\\s+have"
        "\\s+to|\\s+are\\s+going\\s+to|'re\\s+going\\s+to|\\s+gonna|'re\\s+gonna)",
        "re:i(?:'ll|\\s+will|\\s+am\\s+going\\s+to|'m\\s+going\\s+to|'m\\s+gonna|\\s+gonna|m\\s+gonna|\\s+want"
        "\\s+to|\\s+intend\\s+to|'m\\s+about\\s+to)",
        "re:(?:you|readers|patriots|everyone|everybody|people|y'all|all of you)\\s+(?:should|must|need\\s+to|"
        "have\\s+to|gotta)",
        "time to",
        "it's time",
        "bring",
        "grab",
        "load up",
        "arm yourselves",
        "get your",
        "go and",
        "re:(?:someone|somebody|anyone|people|patriots|men|we\\s+all|y'all)\\s+(?:needs?\\s+to|should|has\\s+to|must|"
        "gotta|ought\\s+to)",
        "who's with me",
        "who is with me",
        "join me",
        "join us",
        "meet me",
        "re:we\\s+(?:go|march|ride|roll|move|head|meet|storm)",
        "re:we\\s+(?:kill|hang|shoot|slaughter|burn|torch|lynch|execute|stab|murder|butcher|bomb|massacre|behead|"
        "gun|take|wipe|hunt|string)",
        "re:(?:someone|somebody|anyone)\\s+(?:go|get|grab|do|take)",
        # Not "murder" or "bomb" here: after "and" they are mostly nouns ("riots and murder").
        "re:(?:(?<=[,;:])|\\band)\\s+(?:kill|hang|shoot|lynch|stab|burn|execute|string up|take out|wipe out|"
        "behead|slaughter|gun down|mow down|torch|blow up|hunt down)",
        "re:(?:^|(?<=[.!?]))\\s*(?:kill|hang|shoot|lynch|stab|burn|execute|string up|take out|wipe out)",
    ),
    weapon_calls=_words(
        "re:(?:bring|grab|get|load|pack|take|carry)\\s+(?:your|ur|the|some|all|every)?\\s*(?:\\w+\\s+)?(?:guns?|"
        "rifles?|shotguns?|pistols?|ammo|ammunition|rope|ropes|nooses?|knives|machetes|molotovs|bombs?|"
        "explosives|weapons|ar[\\s-]?15s?|ak[\\s-]?47s?|zip ties|pitchforks|torches|gasoline)",
        "re:sharpen\\s+(?:your|ur|the|our)\\s+(?:knives|machetes|axes|blades|swords)",
        "arm yourselves",
        "lock and load",
    ),
    normative=_words(
        "re:(?:should|must|need\\s+to|ought\\s+to|deserve\\s+to|will)\\s+(?:all\\s+)?be\\s+(?:shot|hanged|hung|"
        "killed|executed|lynched|murdered|gassed|exterminated|slaughtered|beheaded|strung up|put down)",
        "re:(?:deserve|deserves)\\s+(?:to\\s+die|a\\s+bullet|the\\s+rope|death)",
    ),
    idioms=_words(
        "kill it",
        "killing it",
        "killed it",
        "kill time",
        "re:kill(?:ing)?\\s+(?:the\\s+)?(?:lights?|engine|"
        "music|mood|vibe|process|app|power|noise|battery|conversation)",
        "dressed to kill",
        "kill for a",
        "re:shoot(?:ing)?\\s+(?:a|the|some|my|our|this)\\s+(?:photos?|pictures?|videos?|films?|movies?|scenes?|"
        "breeze|hoops|shot|commercial|episode|wedding)",
        "re:shoot\\s+(?:me|us|him|her|them)\\s+(?:a|an)\\s+(?:message|text|email|e-mail|dm|line|note)",
        "photo shoot",
        "re:hang(?:ing)?\\s+(?:out|on|up|in there|around|tight|loose|with)",
        "re:hang\\s+(?:a|the|my|our|some)\\s+(?:picture|painting|poster|"
        "shelf|lights|decorations|laundry|washing|flag)",
        "re:bomb(?:ed)?\\s+(?:the|my|an?|that)\\s+(?:test|exam|interview|audition|presentation|quiz)",
        "re:blow(?:ing)?\\s+up\\s+(?:my|your|his|her|"
        "their|the)\\s+(?:phone|inbox|dms|notifications|mentions)",
        "to die for",
        "re:hang\\s+(?:them|it|these|those|this|that)\\s+(?:up|on\\s+(?:the|a|my|our)\\s+\\w+)",
        "you're killing me",
        "re:kill(?:s|ing)?\\s+me",
        "burn calories",
        # Drugs, not violence (the model still scores the rest).
        "re:shoot(?:ing)?\\s+up\\s+(?:dope|heroin|drugs|meth|smack|insulin)",
        "re:burn(?:ing)?\\s+(?:the\\s+)?(?:midnight oil|calories|fat)",
    ),
    contexts={
        "news": _words(
            "said",
            "says",
            "reported",
            "reports",
            "according to",
            "re:(?:was|were|been|being)\\s+(?:\\w+\\s+)?"
            "(?:shot|killed|stabbed|hanged|murdered|executed|bombed|attacked)",
            "suspect",
            "gunman",
            "arrested",
            "charged with",
            "sentenced",
            "convicted",
            "police say",
            "officials say",
            "investigation",
            "breaking",
        ),
        "game": _words(
            "fortnite",
            "minecraft",
            "call of duty",
            "cod",
            "warzone",
            "valorant",
            "counter-strike",
            "csgo",
            "cs2",
            "apex",
            "pubg",
            "halo",
            "elden ring",
            "gta",
            "overwatch",
            "the game",
            "this game",
            "in-game",
            "ingame",
            "video game",
            "videogame",
            "gaming",
            "level",
            "boss",
            "raid",
            "respawn",
            "npc",
            "npcs",
            "zombies",
            "noobs",
            "squad",
            "lobby",
            "server",
            "xbox",
            "ps5",
            "playstation",
            "steam",
            "dungeon",
            "quest",
            "mobs",
            "creepers",
            "speedrun",
            "multiplayer",
            "campaign mode",
            "dlc",
        ),
        "hunting": _words(
            "hunting",
            "hunter",
            "hunters",
            "deer",
            "elk",
            "moose",
            "boar",
            "hogs",
            "duck",
            "ducks",
            "geese",
            "pheasant",
            "rabbit",
            "rabbits",
            "squirrels",
            "coyote",
            "coyotes",
            "turkey",
            "turkeys",
            "buck",
            "doe",
            "hunting season",
            "game warden",
            "tag",
            "bow season",
        ),
        "counter_speech": _words(
            're:["“”„«»].{3,}["“”«»]',
            "saying",
            "said that",
            "wrote",
            "tweeted",
            "posted",
            "re:(?:is|are|was)\\s+(?:not|never)\\s+(?:ok|okay|acceptable|fine|funny|a joke)",
            "unacceptable",
            "condemn",
            "re:wrong\\s+to",
            "re:(?:shouldn't|should not|don't|do not|never)\\s+(?:say|threaten|joke)",
            "re:threats?\\s+(?:like|such as)",
            "re:stop\\s+(?:saying|threatening|posting)",
            "how can you say",
            "reported this",
            "threatening",
            "calls for violence",
            "call for violence",
            "calling for",
        ),
    },
    window_before=0,
    window_after=4,
)

DE = Lexicon(
    verbs=_words(
        "töten",
        "tötet",
        "töte",
        "umbringen",
        "re:bring\\w*\\s+(?:\\S+\\s+){0,4}um",
        "ermorden",
        "ermordet",
        "erschießen",
        "erschiessen",
        "erschießt",
        "erschiesst",
        "abknallen",
        "re:knall(?:t|en)\\s+(?:\\S+\\s+){0,4}ab",
        "abstechen",
        "re:st[ie]cht\\s+(?:\\S+\\s+){0,4}ab",
        "aufhängen",
        "re:hängt\\s+(?:\\S+\\s+){0,4}auf",
        "hängen",
        "hängt",
        "aufknüpfen",
        "re:knüpf(?:t|en)\\s+(?:\\S+\\s+){0,4}auf",
        "lynchen",
        "lyncht",
        "abschlachten",
        "re:schlachtet\\s+(?:\\S+\\s+){0,4}ab",
        "niederstechen",
        "köpfen",
        "köpft",
        "enthaupten",
        "hinrichten",
        "re:richt(?:et|en)\\s+(?:\\S+\\s+){0,4}hin",
        "vergasen",
        "vergast",
        "verbrennen",
        "verbrennt",
        "anzünden",
        "re:zünde[nt]?\\s+(?:\\S+\\s+){0,4}an",
        "abfackeln",
        "sprengen",
        "sprengt",
        "in die luft jagen",
        "totschlagen",
        "re:schlag(?:t|en)\\s+(?:\\S+\\s+){0,4}tot",
        "erschlagen",
        "erschlagt",
        "totprügeln",
        "kaltmachen",
        "re:mach(?:t|en)\\s+(?:\\S+\\s+){0,4}kalt",
        "plattmachen",
        "an die wand stellen",
        "re:stellt\\s+(?:\\S+\\s+){0,4}an\\s+die\\s+wand",
        "erwürgen",
        "erdrosseln",
        "auslöschen",
        "ausrotten",
        "abmurksen",
        "umlegen",
        "re:leg(?:t|en)\\s+(?:\\S+\\s+){0,4}um",
        "niedermachen",
        "überfahren",
        "abstechen",
        "erstechen",
        "ersticht",
        "abschießen",
        "niederbrennen",
        "re:brenn(?:t|en)\\s+(?:\\S+\\s+){0,4}nieder",
        "re:(?:eine\\s+)?kugel\\s+(?:\\S+\\s+){0,4}(?:jagen|verpassen|schießen|schiessen)",
        "re:häng(?:en)\\s+(?:\\S+\\s+){0,4}auf",
        "niederschießen",
        "re:schieß(?:t|en)\\s+(?:\\S+\\s+){0,4}nieder",
        "über den haufen schießen",
        "re:jag(?:t|en)\\s+(?:\\S+\\s+){0,4}in\\s+die\\s+luft",
        "re:fackel(?:t|n)\\s+(?:\\S+\\s+){0,4}ab",
        "re:schlacht(?:en)\\s+(?:\\S+\\s+){0,5}ab",
        "re:stech(?:en|t)\\s+(?:\\S+\\s+){0,5}(?:ab|nieder)",
        "re:(?:erledigt|erledigen)\\s+(?:ihn|sie)",
    ),
    targets=_words(
        "re:(?:sein|ihr|deren)e?\\s+(?:haus|wohnung|familie|kinder|frau|mann|auto)",
        "ratsmitglieder",
        "stadtrat",
        "stadträte",
        "gemeinderat",
        "lehrer",
        "lehrerin",
        "ärzte",
        "demonstranten",
        "aktivisten",
        "antifa",
        "nazis",
        "faschisten",
        "kommunisten",
        "soldaten",
        "bonzen",
        "eliten",
        "araber",
        "türken",
        "syrer",
        "afghanen",
        "zigeuner",
        "ungläubige",
        "kuffar",
        "homos",
        "transen",
        "flüchtlingsheim",
        "asylheim",
        "asylbewerberheim",
        "flüchtlingsunterkunft",
        "asylunterkunft",
        "moschee",
        "synagoge",
        "gemeinde",
        "sie",
        "ihn",
        "euch",
        "dich",
        "alle",
        "jeden",
        "jeden einzelnen",
        "re:\\[@ind\\]",
        "politiker",
        "politikern",
        "beamte",
        "beamten",
        "minister",
        "ministerin",
        "richter",
        "richterin",
        "polizisten",
        "bullen",
        "verräter",
        "volksverräter",
        "abgeordnete",
        "abgeordneten",
        "bürgermeister",
        "bürgermeisterin",
        "kanzler",
        "kanzlerin",
        "regierung",
        "regierenden",
        "grünen",
        "linken",
        "linke",
        "journalisten",
        "presse",
        "juden",
        "muslime",
        "moslems",
        "ausländer",
        "flüchtlinge",
        "asylanten",
        "migranten",
        "schwule",
        "schwulen",
        "frauen",
        "kinder",
        "menschen",
        "pack",
        "gesindel",
        "die da oben",
        "re:(?:diese|die|den|dem|der)\\s+\\w+",
        "re:\\w*(?:politiker|minister|richter|beamt|polizist|verräter|abgeordnet|journalist)\\w*",
    ),
    weapons=_words(
        "waffe",
        "waffen",
        "gewehr",
        "gewehre",
        "gewehren",
        "pistole",
        "pistolen",
        "knarre",
        "knarren",
        "revolver",
        "flinte",
        "flinten",
        "munition",
        "patronen",
        "kugel",
        "kugeln",
        "messer",
        "messern",
        "machete",
        "macheten",
        "axt",
        "äxte",
        "strick",
        "stricke",
        "stricken",
        "seil",
        "seile",
        "galgen",
        "bombe",
        "bomben",
        "sprengstoff",
        "sprengsätze",
        "molotow",
        "molotowcocktails",
        "brandsätze",
        "baseballschläger",
        "knüppel",
        "fackeln",
        "mistgabeln",
        "benzin",
        "kabelbinder",
    ),
    time_place=_words(
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonnabend",
        "sonntag",
        "wochenende",
        "morgen",
        "übermorgen",
        "heute",
        "heute nacht",
        "heute abend",
        "nächste woche",
        "nächsten",
        "re:um\\s+\\d{1,2}(?::\\d\\d)?\\s*(?:uhr)?",
        "re:\\d{1,2}(?::\\d\\d)?\\s*uhr",
        "re:(?:am\\s+)?\\d{1,2}\\.\\s*(?:" + _MONTHS_DE + "|\\d{1,2}\\.?)",
        "re:am\\s+\\d{1,2}\\.",
        "re:(?:vor|zum|zur|im|ins|am)\\s+(?:dem\\s+|den\\s+|das\\s+)?(?:reichstag|bundestag|rathaus|landtag|"
        "kanzleramt|gericht|parlament|schule|moschee|synagoge|kirche|büro|wohnung|haus|kundgebung|demo)",
        "treffpunkt",
        "wir treffen uns",
        "re:(?:wissen|weiß|kennen|kenne)\\s+(?:\\S+\\s+){0,2}wo\\s+(?:\\S+\\s+){0,3}wohn(?:t|en)",
        "re:wenn\\s+(?:er|sie)\\s+(?:\\S+\\s+){0,4}(?:verlässt|verlassen|rauskommt|rauskommen|nach\\s+hause\\s+kommt)",
        "re:(?:vor|zum|zur|im|ins|am|beim)\\s+(?:dem\\s+|den\\s+|das\\s+)?(?:flüchtlingsheim|asylheim|"
        "bahnhof|stadion|konzert|umzug|parteitag|marktplatz|sitzung|wache|redaktion|krankenhaus|kanzleramt)",
        "re:(?:seine|ihre|deren)\\s+(?:adresse|wohnung|haus|häuser)",
    ),
    calls=_words(
        "lasst uns",
        "lass uns",
        "re:wir\\s+(?:werden|müssen|sollten|sollen|gehen|holen|machen|wollen)",
        "re:ich\\s+(?:werde|will|geh|gehe|komme)",
        "re:ihr\\s+(?:müsst|solltet|sollt|könnt)",
        "bringt",
        "nehmt",
        "holt",
        "kommt",
        "packt",
        "bewaffnet euch",
        "es ist zeit",
        "zeit für",
        "zeit zu",
        "auf gehts",
        "auf geht's",
        "los",
        "alle mann",
        "re:man\\s+(?:sollte|muss|müsste)",
        "re:(?:jemand|einer|irgendwer|irgendjemand)\\s+(?:sollte|muss|müsste)",
        "wer kommt mit",
        "wer ist dabei",
        "re:(?:zünden|brennen|knallen|hängen|erschießen|töten|stechen|schlagen|machen|holen|gehen|fahren|ziehen|"
        "marschieren|stürmen|treffen|bringen|legen|jagen|sprengen|fackeln|schlachten|lynchen|verbrennen|"
        "erledigen|vergasen|köpfen)\\s+wir",
        "re:wir\\s+(?:fahren|ziehen|marschieren|treffen|stürmen|zünden|brennen|knallen|hängen|erschießen|töten)",
        "re:(?:(?<=[,;:])|\\bund)\\s+(?:tötet|hängt|erschießt|erschiesst|knallt|stecht|schlagt|lyncht|verbrennt|zündet|"
        "brennt|stürmt)",
        "re:(?:^|(?<=[.!?]))\\s*(?:geht|fahrt|zieht|marschiert|stürmt)",
        "re:sollte\\s+man",
        "re:(?:^|(?<=[.!?]))\\s*(?:tötet|hängt|erschießt|erschiesst|knallt|stecht|schlagt|lyncht|verbrennt|zündet)",
    ),
    weapon_calls=_words(
        "re:(?:bringt|nehmt|holt|packt|ladet)\\s+(?:eure|die|alle|euere)?\\s*(?:\\w+\\s+)?(?:waffen|gewehre|"
        "pistolen|knarren|munition|messer|macheten|stricke|seile|bomben|molotowcocktails|fackeln|mistgabeln|"
        "baseballschläger|äxte|kabelbinder|benzin|knüppel)(?:\\s+mit)?",
        "re:(?:schärft|wetzt)\\s+(?:eure|die|alle|euere)\\s+(?:messer|macheten|äxte|klingen)",
        "bewaffnet euch",
    ),
    normative=_words(
        "re:gehör(?:en|t)\\s+(?:\\S+\\s+){0,3}(?:aufgehängt|erschossen|vergast|getötet|hingerichtet|gelyncht|"
        "erschlagen|abgestochen|an\\s+die\\s+wand\\s+gestellt|umgebracht|aufgeknüpft)",
        "re:(?:sollte|sollten|müsste|müssten|muss|müssen)\\s+(?:man\\s+)?(?:\\S+\\s+){0,3}(?:aufhängen|"
        "erschießen|erschiessen|vergasen|töten|hinrichten|lynchen|erschlagen|abstechen|umbringen|abknallen|"
        "aufgehängt\\s+werden|erschossen\\s+werden|getötet\\s+werden|hingerichtet\\s+werden)",
        "re:verdien(?:en|t)\\s+(?:\\S+\\s+){0,2}(?:den\\s+tod|eine\\s+kugel|den\\s+strick)",
    ),
    idioms=_words(
        "re:lach(?:e|en|t)?\\s+(?:mich|uns|mir|euch)\\s+tot",
        "re:(?:die\\s+)?zeit\\s+totschlagen",
        "re:(?:ab|rum|herum)hängen",
        "re:hängt\\s+(?:\\S+\\s+){0,4}ab(?![\\w])",
        "hängen bleiben",
        "re:(?:bringt|bringst)\\s+mich\\s+(?:noch\\s+)?um",
        "re:häng(?:en|t)\\s+(?:\\S+\\s+){0,2}(?:bild|bilder|poster|lampe|wäsche|fahne|plakat|plakate)",
        "re:(?:kalorien|fett)\\s+verbrennen",
    ),
    contexts={
        "news": _words(
            "laut polizei",
            "nach angaben",
            "re:wurden?\\s+(?:\\S+\\s+){0,3}(?:getötet|erschossen|erstochen|"
            "ermordet|verletzt|erschlagen|hingerichtet)",
            "berichtet",
            "berichten",
            "sagte",
            "re:teilte\\s+(?:\\S+\\s+){0,4}mit",
            "festgenommen",
            "tatverdächtig",
            "tatverdächtige",
            "ermittler",
            "ermittlungen",
            "staatsanwaltschaft",
            "prozess",
            "verurteilt",
            "angeklagt",
            "starben",
            "meldet",
            "polizei meldet",
            "eilmeldung",
        ),
        "game": _words(
            "spiel",
            "spielen",
            "game",
            "zocken",
            "zocke",
            "level",
            "boss",
            "endgegner",
            "fortnite",
            "minecraft",
            "call of duty",
            "cod",
            "counter-strike",
            "runde",
            "server",
            "lobby",
            "konsole",
            "ps5",
            "xbox",
            "zombies",
            "quest",
            "raid",
        ),
        "hunting": _words(
            "jagd",
            "jäger",
            "jägerin",
            "reh",
            "rehe",
            "hirsch",
            "hirsche",
            "wildschwein",
            "wildschweine",
            "hase",
            "hasen",
            "ente",
            "enten",
            "fuchs",
            "füchse",
            "hochsitz",
            "revier",
            "jagdschein",
        ),
        "counter_speech": _words(
            're:["“”„«»].{3,}["“”«»]',
            "darf man nicht",
            "re:(?:ist|sind|war)\\s+(?:nicht|nie)\\s+(?:ok|okay|in\\s+ordnung|akzeptabel|lustig)",
            "inakzeptabel",
            "verurteile",
            "verurteilen",
            "re:wer\\s+(?:so\\s+etwas|sowas|so\\s+was)\\s+(?:sagt|schreibt|postet)",
            "re:aufrufe?\\s+zu",
            "re:drohungen?\\s+wie",
            "schrieb",
            "hat geschrieben",
            "gepostet",
            "re:hört\\s+auf",
            "droht",
            "drohen",
        ),
    },
    window_before=6,
    window_after=6,
)

EN = replace(
    EN,
    complete=_words(
        "re:leave\\s+(?:no\\s+one|nobody|none\\s+of\\s+them|no\\s+survivors)(?:\\s+alive|\\s+breathing|\\s+standing)?",
        "no survivors",
        "spare no one",
        "kill every last one",
    ),
    weak_verbs=_words(
        "bomb",
        "blow up",
        "re:take\\s+(?:\\S+\\s+){1,3}out",
        "re:wipe\\s+(?:\\S+\\s+){1,3}out",
        "re:blow\\s+(?:\\S+\\s+){1,3}up",
        "re:run\\s+(?:\\S+\\s+){1,3}over",
        "burn",
        "torch",
        "run over",
        "wipe out",
        "take out",
        "gas",
        "skin",
        "drown",
        "set fire to",
        "firebomb",
    ),
    pronouns=_words(
        "them",
        "him",
        "her",
        "you",
        "y'all",
        "yall",
        "everyone",
        "everybody",
        "anyone",
        "every one",
        "all of them",
        "those",
        "re:(?:every|each|all)\\s+\\w+",
        "family",
        "families",
        "people",
    ),
    persons=re.compile(
        r"(?:politician|senator|congress|judge|\bcops?\b|police|officer|governor|mayor|president|minister|"
        r"democrat|republican|liberal|leftist|traitor|journalist|reporter|\bjews?\b|muslim|immigrant|refugee|"
        r"migrant|\bgays?\b|christian|official|councilm|teacher|doctor|nurse|protester|activist|voter|"
        r"election worker|poll worker|sheriff|prosecutor|\bagents?\b|soldier|\bfeds?\b)"
    ),
)
DE = replace(
    DE,
    complete=_words(
        "re:lass(?:t|en)?\\s+(?:\\S+\\s+){0,2}(?:keinen|niemanden|keine\\s+seele)\\s+(?:am\\s+leben|überleben|entkommen)",
        "re:(?:keinen|niemanden)\\s+am\\s+leben\\s+lassen",
        "keine überlebenden",
    ),
    weak_verbs=_words(
        "re:brenn(?:t|en)\\s+(?:\\S+\\s+){0,4}nieder",
        "niederbrennen",
        "re:jag(?:t|en)\\s+(?:\\S+\\s+){0,4}in\\s+die\\s+luft",
        "re:fackel(?:t|n)\\s+(?:\\S+\\s+){0,4}ab",
        "verbrennen",
        "verbrennt",
        "anzünden",
        "re:zünde[nt]?\\s+(?:\\S+\\s+){0,4}an",
        "abfackeln",
        "sprengen",
        "sprengt",
        "in die luft jagen",
        "überfahren",
        "plattmachen",
        "umlegen",
        "re:leg(?:t|en)\\s+(?:\\S+\\s+){0,4}um",
        "hängen",
        "hängt",
        "köpfen",
        "köpft",
        "auslöschen",
    ),
    pronouns=_words(
        "sie",
        "ihn",
        "euch",
        "dich",
        "alle",
        "jeden",
        "jeden einzelnen",
        "re:(?:diese|die|den|dem|der)\\s+\\w+",
        "menschen",
        "kinder",
        "pack",
    ),
    persons=re.compile(
        r"(?:politiker|minister|richter|beamt|polizist|verräter|abgeordnet|journalist|bürgermeister|kanzler|"
        r"flüchtling|migrant|ausländer|muslim|moslem|jude|asylant|regierung|grüne|linke|bullen|schwule|lehrer|"
        r"aktivist|demonstrant|nazi|faschist|kommunist|soldat|bonze|elite|araber|türke|syrer|afghane|zigeuner|"
        r"ungläubig|homo|transe|asylheim|asylbewerberheim|unterkunft|moschee|synagoge|stadtr|ratsmitglied|"
        r"(?:sein|ihr|deren)e?\s+(?:haus|wohnung|familie|kinder|frau|mann|auto))"
    ),
)

LEXICONS: dict[str, Lexicon] = {"en": EN, "de": DE}


@dataclass(frozen=True)
class PatternMatch:
    """One rule that fired: its name, the language's word lists it used, the score it gives, the evidence."""

    rule: str
    language: str
    score: float
    evidence: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        parts = ", ".join(f"{k}={v!r}" for k, v in self.evidence.items())
        return f"{self.language}:{self.rule}({parts})"


def _word_index(text: str, pos: int) -> int:
    return len(text[:pos].split())


def _first(pattern: re.Pattern[str], text: str) -> str:
    found = pattern.search(text)
    return found.group(0) if found else ""


def _verb_with_target(lex: Lexicon, text: str) -> tuple[str, str]:
    """The first violent verb whose object, a person or group, stands within the language's window."""
    if found := lex.complete.search(text):
        return found.group(0), found.group(0)
    targets = [(m.start(), m.end(), m.group(0)) for m in lex.targets.finditer(text)]
    # A pronoun after a weak verb ("legen ihn um", "burn them") stands for a person when the text names one.
    names_person = bool(lex.persons.search(text))
    for verb in lex.verbs.finditer(text):
        if REFLEXIVE.match(text, verb.end()):
            continue  # "kill yourself": abuse aimed at the reader, not a threat (the model scores it)
        v_start, v_end = _word_index(text, verb.start()), _word_index(text, verb.end())
        if lex.weak_verbs.fullmatch(verb.group(0)) and not names_person:
            candidates = [t for t in targets if not lex.pronouns.fullmatch(t[2]) or lex.persons.search(t[2])]
        else:
            candidates = targets
        for t_start, t_end, target in candidates:
            if verb.start() <= t_start < verb.end():
                continue  # the "target" is part of the verb phrase itself ("bringt sie um" holds both)
            t_word = _word_index(text, t_start)
            if v_end <= t_word <= v_end + lex.window_after:
                return verb.group(0), target
            if lex.window_before and v_start - lex.window_before <= t_word < v_start:
                return verb.group(0), target
            if verb.start() < t_start < verb.end() or (t_start <= verb.start() < t_end):
                continue
        # German separable verbs carry their object inside ("bringt die Politiker um").
        inner = [t for s, e, t in candidates if verb.start() < s and e <= verb.end()]
        if inner:
            return verb.group(0), inner[0]
    return "", ""


def _person_target(lex: Lexicon, text: str) -> str:
    """A named person or group in the text (not a bare pronoun or "the + noun")."""
    for found in lex.targets.finditer(text):
        if not lex.pronouns.fullmatch(found.group(0)) or lex.persons.search(found.group(0)):
            return found.group(0)
    return ""


def _blank(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def neutralise(text: str, language: str) -> tuple[str, list[str]]:
    """`text` (normalised) with idioms blanked out, and the contexts it reads as (news, game, hunting,
    counter-speech). The model scores the blanked text too, and a context keeps its score from holding a post
    on its own (it can still send it to review)."""
    languages = [language] if language in LEXICONS else list(LEXICONS)
    contexts: list[str] = []
    for lang in languages:
        lex = LEXICONS[lang]
        text = _blank(lex.idioms, text)
        contexts += [f"{lang}:{name}" for name, pattern in lex.contexts.items() if pattern.search(text)]
    return " ".join(text.split()), contexts


def match_language(text: str, language: str) -> list[PatternMatch]:
    """The rules that fire on `text` (already normalised) with one language's word lists."""
    lex = LEXICONS[language]
    text = _blank(lex.idioms, text)
    for context in lex.contexts.values():
        if context.search(text):
            return []  # a report, a game, a hunt or counter-speech: never a pattern hold (see module docs)
    matches: list[PatternMatch] = []
    verb, target = _verb_with_target(lex, text)
    weapon, when = _first(lex.weapons, text), _first(lex.time_place, text)
    call, weapon_call = _first(lex.calls, text), _first(lex.weapon_calls, text)
    if verb and target and call and (weapon or when):
        evidence = {"verb": verb, "target": target, "call": call}
        evidence |= {"weapon": weapon} if weapon else {}
        evidence |= {"time_or_place": when} if when else {}
        matches.append(PatternMatch("explicit_threat", language, HOLD_SCORE, evidence))
    if weapon_call and ((verb and target) or (when and _person_target(lex, text))):
        evidence = {"weapon_call": weapon_call}
        evidence |= {"verb": verb, "target": target} if verb else {"time_or_place": when}
        matches.append(PatternMatch("armed_call", language, HOLD_SCORE, evidence))
    if not matches and verb and target and call:
        matches.append(
            PatternMatch("threat", language, REVIEW_SCORE, {"verb": verb, "target": target, "call": call})
        )
    if not matches and (normative := _first(lex.normative, text)):
        matches.append(PatternMatch("normative_threat", language, REVIEW_SCORE, {"phrase": normative}))
    return matches


def match_threats(text: str, language: str) -> list[PatternMatch]:
    """Rules that fire on normalised `text`; with no known language, both languages' lists are tried."""
    languages = [language] if language in LEXICONS else list(LEXICONS)
    return [m for lang in languages for m in match_language(text, lang)]
