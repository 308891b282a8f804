"""Stage 1 without a trained model: normalisation, language, the explicit-threat patterns and their tiers."""

# ruff: noqa: RUF001, RUF003 - look-alike letters are the point of these tests
from __future__ import annotations

import pytest

from agora.screening.language import detect_language
from agora.screening.normalise import dedupe_key, normalise
from agora.screening.services import PATTERNS_ONLY, screen


@pytest.mark.parametrize(
    ("evasion", "plain"),
    [
        ("h@ng th3m", "hang them"),
        ("k i l l them", "kill them"),
        ("k.i.l.l them", "kill them"),
        ("kі\u0438ll them".replace("\u0438", "l"), "kill them"),  # Cyrillic і
        ("ki\u200bll th\u200dem", "kill them"),
        ("KILLLLLL THEM!!!", "kill them!!"),
        ("Ｋｉｌｌ them", "kill them"),  # full-width (NFKC)
        ("ΚΙLL them", "kill them"),  # Greek capitals
    ],
)
def test_evasions_normalise_to_the_plain_text(evasion: str, plain: str) -> None:
    assert normalise(evasion) == plain


def test_numbers_dates_and_mentions_survive_normalisation() -> None:
    assert normalise("The riot left 5 dead on Jan 13th at 3pm") == "the riot left 5 dead on jan 13th at 3pm"
    assert normalise("@bob see https://example.com") == "[@ind] see [url]"
    assert dedupe_key("Hallo @USER, schau: https://x.de !!") == dedupe_key("hallo [@IND] schau url")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I think we should meet at the park tomorrow", "en"),
        ("Ich glaube, wir sollten uns morgen im Park treffen", "de"),
        ("Grüße", "de"),
        ("1234 !!!", ""),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(normalise(text)) == language


def test_a_language_hint_wins_unless_the_text_is_clearly_the_other_language() -> None:
    assert detect_language(normalise("ok"), "de") == "de"
    assert detect_language(normalise("Das ist nicht, was ich wollte, und es ist zu spät"), "en") == "de"


EXPLICIT_THREATS = [
    # EN: the acceptance case, then obfuscated variants
    "Readers should bring guns and hang Senator Miller and Judge Ross on January 6th.",
    "Everyone should bring their guns to the Capitol on January 6th and hang the traitor senators!",
    "Br1ng y0ur gun5 and h@ng th3m all at the c@pitol tomorrow",
    "bring your guns and k i l l them tomorrow at city hall",
    "Bring your r\u0456fles, we will sh\u200boot them all on Friday",
    "BRING YOUR ROPES and haaaang the politicians at noon",
    # DE
    "Bringt eure Waffen mit und hängt die Politiker am 6. Januar vor dem Reichstag auf!",
    "Lasst uns am Samstag mit Gewehren die Volksverräter erschießen",
    "L4sst uns m0rgen die P0litiker m1t Str1cken aufhängen",
    "bringt eure messer, wir werden sie morgen a b s t e c h e n",
    "Bringt Gewehre mit, wir er\u200bschießen die Bürgermeisterin am Montag",
    "Lasst uns morgen die Politiker mit Benzin anzünden",
    "Hängt die Grünen-Politiker am Montag auf, bringt Stricke",
    "Ich werde ihn morgen mit dem Messer abstechen",
    "Let's burn the senators alive tomorrow, bring gasoline",
    # the object inside the verb phrase, a place or a house as the target, calls mid-text
    "Tomorrow at noon we meet at city hall with guns. Shoot every councilman who voted for this.",
    "We know where Senator Collins lives. Let's burn her house down this weekend with her inside.",
    "On Friday we go to the mosque on Elm Street with AR-15s and leave no one alive.",
    "Someone needs to put a bullet in the mayor's head at the parade next week. Who's with me?",
    "Show up at the mayor's house at 6pm with rope. Hang the corrupt bastard from his porch.",
    "I'm going to shoot up my school on Monday, the teachers deserve it.",
    "Grab the gasoline, tonight we torch the refugee center on Miller Road while they sleep.",
    "Wir wissen, wo die Ministerin wohnt. Am Wochenende zünden wir ihr Haus an, mit ihr drin.",
    "Geht Samstag mit Macheten zur Moschee in der Bahnhofstraße und tötet alle.",
    "Wer kommt mit? Sonntag fahren wir zum Flüchtlingsheim und brennen es nieder.",
    "Der Bürgermeister wohnt in der Lindenstraße 5. Morgen früh fahren wir hin und legen ihn um.",
    "Brüder, schärft die Messer, am Sonntag schlachten wir die Ungläubigen am Markt ab.",
]


@pytest.mark.parametrize("text", EXPLICIT_THREATS)
def test_explicit_threats_are_held_with_the_pattern_recorded(text: str) -> None:
    (result,) = screen([text])
    assert result.decision == "hold"
    assert result.model == PATTERNS_ONLY and not result.model_loaded
    assert result.scores["threat_pattern"] == 1.0
    assert result.matched_patterns and (
        "explicit_threat" in result.matched_patterns[0] or "armed_call" in result.matched_patterns[0]
    )


ALLOWED = [
    "The riot left five dead, officials said.",
    "I'll kill it at the gym tomorrow!",
    "We're going to kill them in Fortnite tonight, bring your best guns",
    "Going hunting on Saturday, hope to shoot a deer with my new rifle",
    "Saying 'we should hang the officials on Monday' is never okay. Reported.",
    "Gunman shot three people at the mall on Monday, police said",
    "Let's hang out tomorrow at the mall",
    "Shoot me a message tomorrow when you're free",
    "My mom is going to kill me when she sees my grades",
    "Ich lach mich tot, morgen gehen wir ins Kino",
    "Laut Polizei wurden am Samstag zwei Menschen mit einem Messer getötet.",
    "Wir zocken heute Abend, ich werde sie alle mit dem Gewehr im Spiel abknallen",
    "Am Samstag geht es auf die Jagd, ich will ein Reh mit dem Gewehr schießen",
    "Wer so etwas schreibt wie 'hängt sie alle auf', gehört angezeigt.",
    "Morgen um 10 Uhr treffen wir uns vor dem Rathaus zur Demo",
    "Hello world, this is my first post!",
    # everyday objects of violent-sounding verbs
    "Lasst uns heute Abend den Grill anzünden, bringt Messer und Gabeln mit",
    "Wir werden morgen die Konkurrenz plattmachen",
    "I'll kill all the weeds tomorrow with this spray",
    "Let's hang them on the wall tomorrow, bring the rope and nails",
    "Lasst uns morgen die Reste verbrennen, bringt sie mit",
    "We will bomb the quiz tomorrow lol",
    "Bring your knives, we'll butcher the pig on Saturday",
    "My cat will murder me if I'm late with dinner tonight",
    "Morgen hängen wir die Bilder im Flur auf",
    "Let's blow up the balloons before the party on Friday!",
    "Grab your knives and forks, Sunday brunch at my place at 11.",
    "Tomorrow I'm taking my rifle to the range to practice for the biathlon.",
    '"Hang them all" was the slogan of the mob, the prosecutor told the jury on Wednesday.',
    "Morgen legen wir den Schalter um, dann läuft die neue Anlage",
    "Bringt Messer und Gabeln mit, am Sonntag grillen wir im Garten.",
    "Der Koch hat am Montag das Schwein geschlachtet, morgen gibt es Wurst.",
    "Wir haben die Bayern am Samstag mit 3:0 abgeschossen!",
    "Every day they sit on that bench and shoot up heroin with them",
    "The riots and murder of police officers were planned by the same people",
    "That's not how tagging works, kill yourself you idiot",  # abuse for the model to score, not a threat
    "Bring your bats Saturday, we play the Senators at 3pm",
    "I'm going to blow up the speaker tomorrow with this bass",
]


@pytest.mark.parametrize("text", ALLOWED)
def test_news_figurative_gaming_hunting_and_counter_speech_are_allowed(text: str) -> None:
    (result,) = screen([text])
    assert result.decision == "allow", result.matched_patterns
    assert result.matched_patterns == []


def test_weaker_threats_go_to_review() -> None:
    threat, normative = screen(["I'm going to kill you, traitor", "Traitors should all be hanged."])
    assert threat.decision == "review" and "threat(" in threat.matched_patterns[0]
    assert normative.decision == "review" and "normative_threat" in normative.matched_patterns[0]


def test_results_keep_input_order_and_shape() -> None:
    results = screen(["hello there", "Bringt eure Waffen und hängt sie morgen auf", "guten Morgen zusammen"])
    assert [r.decision for r in results] == ["allow", "hold", "allow"]
    assert [r.language for r in results] == ["en", "de", "de"]
    assert set(results[0].as_json()) >= {"text", "language", "scores", "decision", "stage", "model"}
    assert results[0].stage == 1


def test_seeded_demo_text_is_never_held() -> None:
    import random

    from agora.core.seed_vocabulary import ENGLISH, GERMAN
    from agora.core.seeding import _sentence

    rng = random.Random(12)
    texts = [_sentence(rng, vocabulary) for vocabulary in (ENGLISH, GERMAN) for _ in range(500)]
    assert [r.text for r in screen(texts) if r.decision != "allow"] == []
