"""Seed the instance rules a new server starts with (admins edit them on /moderation/rules)."""

from django.db import migrations

ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"
TERMS = "DECISION_GROUND_INCOMPATIBLE_CONTENT"

DEFAULT_RULES = [
    {
        "number": 1,
        "title": "No calls to violence, threats or glorification of violence",
        "description": "Do not threaten anyone, call for or incite violence against people or groups, or celebrate "
        "violent attacks. This includes calls to violence against office holders, officials and public figures.",
        "category": "STATEMENT_CATEGORY_VIOLENCE",
        "category_specification": ["KEYWORD_INCITEMENT_VIOLENCE_HATRED"],
        "ground": ILLEGAL,
        "legal_ground": "§ 111 StGB (public incitement to crime); § 126 StGB (disturbing the peace by threatening "
        "crimes); § 140 StGB (rewarding and approving of crimes); § 241 StGB (threat)",
        "strike_severity": 3,
        "strike_expiry_days": 365,
    },
    {
        "number": 2,
        "title": "No terrorist or violent extremist content",
        "description": "No propaganda, recruitment or symbols of terrorist or banned organisations, and no "
        "instructions for attacks.",
        "category": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        "category_specification": ["KEYWORD_TERRORIST_CONTENT", "KEYWORD_ILLEGAL_ORGANIZATIONS"],
        "ground": ILLEGAL,
        "legal_ground": "§§ 86, 86a, 89a, 91, 129a StGB; Regulation (EU) 2021/784 (terrorist content online)",
        "strike_severity": 3,
        "strike_expiry_days": 365,
    },
    {
        "number": 3,
        "title": "No sexual content involving minors, no grooming",
        "description": "Zero tolerance: such content is removed, the account is terminated and authorities are "
        "informed.",
        "category": "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        "category_specification": [
            "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
            "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
        ],
        "ground": ILLEGAL,
        "legal_ground": "§§ 176, 184b StGB",
        "strike_severity": 3,
        "strike_expiry_days": 365,
    },
    {
        "number": 4,
        "title": "No harassment and no hate against people for who they are",
        "description": "Do not harass, bully or stalk anyone, and do not attack people for their ethnicity, "
        "origin, religion, disability, gender, sexual orientation or similar characteristics.",
        "category": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        "category_specification": ["KEYWORD_HATE_SPEECH", "KEYWORD_CYBER_HARASSMENT", "KEYWORD_DISCRIMINATION"],
        "ground": TERMS,
        "legal_ground": "",
        "strike_severity": 2,
        "strike_expiry_days": 180,
    },
    {
        "number": 5,
        "title": "No sharing of other people's private data",
        "description": "Do not publish addresses, phone numbers, identity documents or other private information "
        "about anyone without their consent (doxxing), and no intimate images shared without consent.",
        "category": "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        "category_specification": ["KEYWORD_NON_CONSENSUAL_IMAGE_SHARING"],
        "ground": ILLEGAL,
        "legal_ground": "§ 126a StGB (dangerous dissemination of personal data); § 201a StGB; Art. 6 GDPR",
        "strike_severity": 2,
        "strike_expiry_days": 180,
    },
    {
        "number": 6,
        "title": "No spam, scams or deception",
        "description": "No fake accounts, impersonation, phishing, scams or coordinated manipulation.",
        "category": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        "category_specification": [
            "KEYWORD_INAUTHENTIC_ACCOUNTS",
            "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",
            "KEYWORD_PHISHING",
        ],
        "ground": TERMS,
        "legal_ground": "",
        "strike_severity": 1,
        "strike_expiry_days": 90,
    },
    {
        "number": 7,
        "title": "No encouragement of suicide or self-harm",
        "description": "Talking about your own struggles is welcome; encouraging or instructing others to harm "
        "themselves is not.",
        "category": "STATEMENT_CATEGORY_SELF_HARM",
        "category_specification": ["KEYWORD_SUICIDE", "KEYWORD_SELF_MUTILATION"],
        "ground": TERMS,
        "legal_ground": "",
        "strike_severity": 2,
        "strike_expiry_days": 180,
    },
    {
        "number": 8,
        "title": "Mark sensitive content with a content warning",
        "description": "Nudity, graphic violence and other content some people do not want to see unasked must "
        "carry a content warning.",
        "category": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        "category_specification": ["KEYWORD_ADULT_SEXUAL_MATERIAL"],
        "ground": TERMS,
        "legal_ground": "",
        "strike_severity": 1,
        "strike_expiry_days": 90,
    },
]


def seed_rules(apps, schema_editor):  # type: ignore[no-untyped-def]
    from agora.core.ids import new_id

    Rule = apps.get_model("moderation", "Rule")
    for fields in DEFAULT_RULES:
        if not Rule.objects.filter(number=fields["number"]).exists():
            Rule.objects.create(id=new_id(), **fields)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(seed_rules, migrations.RunPython.noop)]
