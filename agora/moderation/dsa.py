"""The vocabulary of the EU DSA Transparency Database (statement-of-reasons API v1, schema since 1 July 2025).

Every value here is sent as its KEY, exactly as the Commission's validator expects it; the label is what
people read. Rules, reports and decisions store these keys, so a statement of reasons exports 1:1 (see
`sor.py`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    ANIMAL_WELFARE = "STATEMENT_CATEGORY_ANIMAL_WELFARE", _("Animal welfare")
    CONSUMER_INFORMATION = "STATEMENT_CATEGORY_CONSUMER_INFORMATION", _("Consumer information infringements")
    CYBER_VIOLENCE = "STATEMENT_CATEGORY_CYBER_VIOLENCE", _("Cyber violence")
    CYBER_VIOLENCE_AGAINST_WOMEN = (
        "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
        _("Cyber violence against women"),
    )
    DATA_PROTECTION_AND_PRIVACY_VIOLATIONS = (
        "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        _("Data protection and privacy violations"),
    )
    ILLEGAL_OR_HARMFUL_SPEECH = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", _("Illegal or harmful speech")
    INTELLECTUAL_PROPERTY_INFRINGEMENTS = (
        "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        _("Intellectual property infringements"),
    )
    NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS = (
        "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        _("Negative effects on civic discourse or elections"),
    )
    NOT_SPECIFIED_NOTICE = (
        "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
        _("Type of alleged illegal content not specified by the notifier"),
    )
    OTHER_VIOLATION_TC = (
        "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        _("Other violation of the rules (terms and conditions)"),
    )
    PROTECTION_OF_MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", _("Protection of minors")
    RISK_FOR_PUBLIC_SECURITY = "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", _("Risk for public security")
    SCAMS_AND_FRAUD = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", _("Scams and fraud")
    SELF_HARM = "STATEMENT_CATEGORY_SELF_HARM", _("Self-harm")
    UNSAFE_AND_PROHIBITED_PRODUCTS = (
        "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
        _("Unsafe and prohibited products"),
    )
    VIOLENCE = "STATEMENT_CATEGORY_VIOLENCE", _("Violence")


# The 69 `category_specification` keywords. Labels follow the Commission's where it gives them.
KEYWORDS: dict[str, str] = {
    "KEYWORD_ADULT_SEXUAL_MATERIAL": "Adult sexual material",
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS": "Age-specific restrictions",
    "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS": "Age-specific restrictions concerning minors",
    "KEYWORD_ANIMAL_HARM": "Animal harm",
    "KEYWORD_BIOMETRIC_DATA_BREACH": "Biometric data breach",
    "KEYWORD_BULLYING_AGAINST_GIRLS": "Bullying against girls",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL": "Child sexual abuse material",
    "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE": "Child sexual abuse material (deepfake)",
    "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS": "Content promoting eating disorders",
    "KEYWORD_COORDINATED_HARM": "Coordinated harm",
    "KEYWORD_COPYRIGHT_INFRINGEMENT": "Copyright infringement",
    "KEYWORD_CYBER_BULLYING_INTIMIDATION": "Cyber bullying and intimidation",
    "KEYWORD_CYBER_HARASSMENT": "Cyber harassment",
    "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN": "Cyber harassment against women",
    "KEYWORD_CYBER_INCITEMENT": "Cyber incitement to hatred or violence",
    "KEYWORD_CYBER_STALKING": "Cyber stalking",
    "KEYWORD_CYBER_STALKING_AGAINST_WOMEN": "Cyber stalking against women",
    "KEYWORD_DATA_FALSIFICATION": "Data falsification",
    "KEYWORD_DEFAMATION": "Defamation",
    "KEYWORD_DESIGN_INFRINGEMENT": "Design infringement",
    "KEYWORD_DISCRIMINATION": "Discrimination",
    "KEYWORD_FEMALE_GENDERED_DISINFORMATION": "Female gendered disinformation",
    "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT": "Geographic indications infringement",
    "KEYWORD_GEOGRAPHICAL_REQUIREMENTS": "Geographical requirements",
    "KEYWORD_GOODS_SERVICES_NOT_PERMITTED": "Goods or services not permitted",
    "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS": "Grooming or sexual enticement of minors",
    "KEYWORD_HATE_SPEECH": "Illegal incitement to violence and hatred based on protected characteristics",
    "KEYWORD_HIDDEN_ADVERTISEMENT": "Hidden advertisement",
    "KEYWORD_HUMAN_EXPLOITATION": "Human exploitation",
    "KEYWORD_HUMAN_TRAFFICKING": "Human trafficking",
    "KEYWORD_ILLEGAL_ORGANIZATIONS": "Illegal organisations",
    "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING": "Impersonation or account hijacking",
    "KEYWORD_INAUTHENTIC_ACCOUNTS": "Inauthentic accounts",
    "KEYWORD_INAUTHENTIC_LISTINGS": "Inauthentic listings",
    "KEYWORD_INAUTHENTIC_USER_REVIEWS": "Inauthentic user reviews",
    "KEYWORD_INCITEMENT_AGAINST_WOMEN": "Incitement against women",
    "KEYWORD_INCITEMENT_VIOLENCE_HATRED": "General calls or incitement to violence and/or hatred",
    "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS": "Insufficient information on traders",
    "KEYWORD_LANGUAGE_REQUIREMENTS": "Language requirements",
    "KEYWORD_MISINFORMATION_DISINFORMATION": "Misinformation and disinformation",
    "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS": "Misleading information about consumer rights",
    "KEYWORD_MISLEADING_INFO_GOODS_SERVICES": "Misleading information about goods or services",
    "KEYWORD_MISSING_PROCESSING_GROUND": "Missing processing ground for data",
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING": "Non-consensual image sharing",
    "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN": "Non-consensual image sharing against women",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE": "Non-consensual material (deepfake)",
    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN": (
        "Non-consensual material (deepfake) against women"
    ),
    "KEYWORD_NONCOMPLIANCE_PRICING": "Non-compliance with pricing regulations",
    "KEYWORD_NUDITY": "Nudity",
    "KEYWORD_PATENT_INFRINGEMENT": "Patent infringement",
    "KEYWORD_PHISHING": "Phishing",
    "KEYWORD_PROHIBITED_PRODUCTS": "Prohibited or restricted products",
    "KEYWORD_PYRAMID_SCHEMES": "Pyramid schemes",
    "KEYWORD_RIGHT_TO_BE_FORGOTTEN": "Right to be forgotten",
    "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE": "Risk of environmental damage",
    "KEYWORD_RISK_PUBLIC_HEALTH": "Risk for public health",
    "KEYWORD_SELF_MUTILATION": "Self-mutilation",
    "KEYWORD_STALKING": "Stalking",
    "KEYWORD_SUICIDE": "Suicide",
    "KEYWORD_TERRORIST_CONTENT": "Terrorist content",
    "KEYWORD_TRADE_SECRET_INFRINGEMENT": "Trade secret infringement",
    "KEYWORD_TRADEMARK_INFRINGEMENT": "Trademark infringement",
    "KEYWORD_TRAFFICKING_WOMEN_GIRLS": "Trafficking in women and girls",
    "KEYWORD_UNLAWFUL_SALE_ANIMALS": "Unlawful sale of animals",
    "KEYWORD_UNSAFE_CHALLENGES": "Unsafe challenges",
    "KEYWORD_UNSAFE_PRODUCTS": "Unsafe products",
    "KEYWORD_VIOLATION_EU_LAW": "Violation of EU law",
    "KEYWORD_VIOLATION_NATIONAL_LAW": "Violation of national law",
    "KEYWORD_OTHER": "Not captured by any other keyword",
}
KEYWORD_CHOICES = list(KEYWORDS.items())

DECISION_VISIBILITY = (
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
)
DECISION_MONETARY = (
    "DECISION_MONETARY_SUSPENSION",
    "DECISION_MONETARY_TERMINATION",
    "DECISION_MONETARY_OTHER",
)
DECISION_PROVISION = (
    "DECISION_PROVISION_PARTIAL_SUSPENSION",
    "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION",
    "DECISION_PROVISION_TOTAL_TERMINATION",
)
DECISION_ACCOUNT = ("DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED")
ACCOUNT_TYPE = ("ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE")
CONTENT_TYPE = (
    "CONTENT_TYPE_APP",
    "CONTENT_TYPE_AUDIO",
    "CONTENT_TYPE_IMAGE",
    "CONTENT_TYPE_PRODUCT",
    "CONTENT_TYPE_SYNTHETIC_MEDIA",
    "CONTENT_TYPE_TEXT",
    "CONTENT_TYPE_VIDEO",
    "CONTENT_TYPE_OTHER",
)
SOURCE_TYPE = (
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
    "SOURCE_VOLUNTARY",
)
AUTOMATED_DECISION = (
    "AUTOMATED_DECISION_FULLY",
    "AUTOMATED_DECISION_PARTIALLY",
    "AUTOMATED_DECISION_NOT_AUTOMATED",
)
YES_NO = ("Yes", "No")
# EU and EEA member states, the only values `territorial_scope` accepts.
TERRITORIES = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IS", "IT",
    "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip


class Ground(models.TextChoices):
    """Why something is restricted: it breaks the law, or it breaks this server's rules."""

    ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT", _("Illegal content")
    INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT", _("Content incompatible with the rules")


# How grave each category is, 1 (least) to 5 (threat to life). Drives the queue's priority and deadline.
SEVERITY: dict[str, int] = {
    Category.VIOLENCE: 5,
    Category.RISK_FOR_PUBLIC_SECURITY: 5,
    Category.PROTECTION_OF_MINORS: 5,
    Category.SELF_HARM: 4,
    Category.ILLEGAL_OR_HARMFUL_SPEECH: 4,
    Category.CYBER_VIOLENCE: 4,
    Category.CYBER_VIOLENCE_AGAINST_WOMEN: 4,
    Category.DATA_PROTECTION_AND_PRIVACY_VIOLATIONS: 3,
    Category.SCAMS_AND_FRAUD: 3,
    Category.UNSAFE_AND_PROHIBITED_PRODUCTS: 3,
    Category.NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS: 3,
    Category.INTELLECTUAL_PROPERTY_INFRINGEMENTS: 2,
    Category.CONSUMER_INFORMATION: 2,
    Category.ANIMAL_WELFARE: 2,
    Category.NOT_SPECIFIED_NOTICE: 2,
    Category.OTHER_VIOLATION_TC: 1,
}
