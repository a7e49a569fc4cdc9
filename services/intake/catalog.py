"""The catalogue shipped by default: Casablanca's 16 arrondissements and ten categories."""

from __future__ import annotations

from services.intake.model import Category, District

# code, French, Arabic, English, and an approximate centre (latitude, longitude) used to place an
# Open311 request that gives only a point; administrators can move a centre in the catalogue.
DISTRICTS = [
    ("ain-chock", "Aïn Chock", "عين الشق", "Ain Chock", (33.544, -7.596)),
    ("ain-sebaa", "Aïn Sebaâ", "عين السبع", "Ain Sebaa", (33.605, -7.533)),
    ("al-fida", "Al Fida", "الفداء", "Al Fida", (33.569, -7.597)),
    ("anfa", "Anfa", "أنفا", "Anfa", (33.589, -7.657)),
    ("ben-msick", "Ben M'Sick", "بن امسيك", "Ben M'Sick", (33.56, -7.572)),
    ("essoukhour-assawda", "Essoukhour Assawda", "الصخور السوداء", "Essoukhour Assawda", (33.6, -7.585)),
    ("hay-hassani", "Hay Hassani", "الحي الحسني", "Hay Hassani", (33.559, -7.676)),
    ("hay-mohammadi", "Hay Mohammadi", "الحي المحمدي", "Hay Mohammadi", (33.593, -7.56)),
    ("maarif", "Maârif", "المعاريف", "Maarif", (33.576, -7.637)),
    ("mers-sultan", "Mers Sultan", "مرس السلطان", "Mers Sultan", (33.582, -7.609)),
    ("moulay-rachid", "Moulay Rachid", "مولاي رشيد", "Moulay Rachid", (33.563, -7.54)),
    ("sbata", "Sbata", "سباتة", "Sbata", (33.549, -7.575)),
    ("sidi-belyout", "Sidi Belyout", "سيدي بليوط", "Sidi Belyout", (33.597, -7.617)),
    ("sidi-bernoussi", "Sidi Bernoussi", "سيدي البرنوصي", "Sidi Bernoussi", (33.608, -7.5)),
    ("sidi-moumen", "Sidi Moumen", "سيدي مومن", "Sidi Moumen", (33.584, -7.518)),
    ("sidi-othmane", "Sidi Othmane", "سيدي عثمان", "Sidi Othmane", (33.555, -7.555)),
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


def default_districts() -> list[District]:
    """Return the default districts as store documents."""
    return [
        {
            "_id": code,
            "name": {"fr": fr, "ar": ar, "en": en},
            "center": {"lat": lat, "lon": lon},
            "position": i,
            "active": True,
        }
        for i, (code, fr, ar, en, (lat, lon)) in enumerate(DISTRICTS)
    ]


def default_categories() -> list[Category]:
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
