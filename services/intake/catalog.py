"""The catalogue shipped by default: Casablanca's 16 arrondissements and ten categories."""

KINDS = ["complaint", "claim", "suggestion"]

DISTRICTS = [
    ("ain-chock", "Aïn Chock", "عين الشق", "Ain Chock"),
    ("ain-sebaa", "Aïn Sebaâ", "عين السبع", "Ain Sebaa"),
    ("al-fida", "Al Fida", "الفداء", "Al Fida"),
    ("anfa", "Anfa", "أنفا", "Anfa"),
    ("ben-msick", "Ben M'Sick", "بن امسيك", "Ben M'Sick"),
    ("essoukhour-assawda", "Essoukhour Assawda", "الصخور السوداء", "Essoukhour Assawda"),
    ("hay-hassani", "Hay Hassani", "الحي الحسني", "Hay Hassani"),
    ("hay-mohammadi", "Hay Mohammadi", "الحي المحمدي", "Hay Mohammadi"),
    ("maarif", "Maârif", "المعاريف", "Maarif"),
    ("mers-sultan", "Mers Sultan", "مرس السلطان", "Mers Sultan"),
    ("moulay-rachid", "Moulay Rachid", "مولاي رشيد", "Moulay Rachid"),
    ("sbata", "Sbata", "سباتة", "Sbata"),
    ("sidi-belyout", "Sidi Belyout", "سيدي بليوط", "Sidi Belyout"),
    ("sidi-bernoussi", "Sidi Bernoussi", "سيدي البرنوصي", "Sidi Bernoussi"),
    ("sidi-moumen", "Sidi Moumen", "سيدي مومن", "Sidi Moumen"),
    ("sidi-othmane", "Sidi Othmane", "سيدي عثمان", "Sidi Othmane"),
]

# code, French, Arabic, English, department, days to acknowledge, days to answer.
# Decree 2-17-265: at most 15 days to acknowledge and 60 to answer; urgent domains are shorter.
CATEGORIES = [
    (
        "public-domain",
        "Occupation du domaine public",
        "احتلال الملك العمومي",
        "Occupation of the public domain",
        "public-domain",
        15,
        60,
    ),
    (
        "urbanism",
        "Urbanisme et autorisations de construire",
        "التعمير ورخص البناء",
        "Urbanism and building permits",
        "urbanism",
        15,
        60,
    ),
    ("health-hygiene", "Santé et hygiène", "الصحة والنظافة العامة", "Health and hygiene", "hygiene", 5, 30),
    ("safety", "Sécurité", "السلامة والأمن", "Safety", "safety", 2, 15),
    ("roads", "Voirie et trottoirs", "الطرق والأرصفة", "Roads and pavements", "roads", 10, 45),
    ("public-lighting", "Éclairage public", "الإنارة العمومية", "Public lighting", "lighting", 5, 30),
    (
        "cleanliness",
        "Propreté et déchets",
        "النظافة والنفايات",
        "Cleanliness and waste",
        "cleanliness",
        5,
        30,
    ),
    ("green-spaces", "Espaces verts", "المساحات الخضراء", "Green spaces", "green-spaces", 15, 60),
    (
        "civil-status",
        "État civil et légalisations",
        "الحالة المدنية والإشهاد",
        "Civil status and certifications",
        "civil-status",
        15,
        60,
    ),
    ("other", "Autre", "أخرى", "Other", "general", 15, 60),
]


def default_districts() -> list[dict]:
    """Return the default districts as store documents."""
    return [
        {"_id": code, "name": {"fr": fr, "ar": ar, "en": en}, "position": i, "active": True}
        for i, (code, fr, ar, en) in enumerate(DISTRICTS)
    ]


def default_categories() -> list[dict]:
    """Return the default categories as store documents."""
    return [
        {
            "_id": code,
            "name": {"fr": fr, "ar": ar, "en": en},
            "department": dept,
            "ack_days": ack,
            "answer_days": answer,
            "position": i,
            "active": True,
        }
        for i, (code, fr, ar, en, dept, ack, answer) in enumerate(CATEGORIES)
    ]
