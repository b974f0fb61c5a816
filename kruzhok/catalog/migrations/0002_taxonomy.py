"""The six directions, the three founding departments and the category taxonomy.

Each category: slug, Russian name, English name, synonyms (Russian and English words and
phrases people type; the search analyzer expands queries with them).
Later changes to the taxonomy come as new data migrations, never edits to this one.
"""

from django.db import migrations

DIRECTIONS = [
    ("technical", "Техническая", "Technical", 1),
    ("science", "Естественнонаучная", "Natural science", 2),
    ("sport", "Физкультурно-спортивная", "Physical culture and sport", 3),
    ("arts", "Художественная", "Arts", 4),
    ("tourism", "Туристско-краеведческая", "Tourism and local history", 5),
    ("social", "Социально-гуманитарная", "Social and humanities", 6),
]

DEPARTMENTS = [
    ("education", "Департамент образования Администрации города Омска"),
    ("culture", "Управление культуры Администрации города Омска"),
    ("youth-sport", "Департамент по делам молодёжи, физической культуры и спорта Администрации города Омска"),
]

CATEGORIES = {
    "technical": [
        (
            "robotics",
            "Робототехника",
            "Robotics",
            ["роботы", "лего", "lego", "lego robotics", "arduino", "ардуино", "mindstorms"],
        ),
        (
            "programming",
            "Программирование",
            "Programming",
            ["айти", "it", "кодинг", "coding", "python", "питон", "scratch", "скретч", "информатика"],
        ),
        (
            "3d-modeling",
            "3D-моделирование",
            "3D modelling",
            ["3d", "3д", "blender", "прототипирование", "3d-печать"],
        ),
        (
            "electronics",
            "Радиоэлектроника",
            "Electronics",
            ["радиотехника", "схемотехника", "паяльник", "электроника"],
        ),
        (
            "aeromodelling",
            "Авиамоделирование",
            "Model aircraft",
            ["авиамодели", "самолёты", "квадрокоптеры", "дроны", "бпла"],
        ),
        ("shipmodelling", "Судомоделирование", "Model ships", ["судомодели", "корабли", "модели кораблей"]),
        ("automodelling", "Автомоделирование", "Model cars", ["автомодели", "картинг", "трассовые модели"]),
        (
            "engineering-design",
            "Техническое конструирование",
            "Engineering design",
            ["конструирование", "инженерия", "изобретательство", "технотворчество"],
        ),
        (
            "game-development",
            "Разработка игр",
            "Game development",
            ["геймдев", "gamedev", "unity", "создание игр"],
        ),
        ("web-design", "Веб-дизайн", "Web design", ["сайты", "html", "создание сайтов", "web"]),
        (
            "photo-video",
            "Фото и видео",
            "Photo and video",
            ["фотография", "видеосъёмка", "монтаж", "фотостудия", "видеоблогинг"],
        ),
        (
            "animation",
            "Мультипликация",
            "Animation",
            ["анимация", "мультфильмы", "мультстудия", "stop motion"],
        ),
    ],
    "science": [
        ("ecology", "Экология", "Ecology", ["юные экологи", "охрана природы", "природа"]),
        ("biology", "Биология", "Biology", ["юннаты", "юные натуралисты", "ботаника", "зоология"]),
        ("chemistry", "Химия", "Chemistry", ["химические опыты", "юный химик", "лаборатория"]),
        ("physics", "Физика", "Physics", ["опыты", "эксперименты", "юный физик"]),
        ("astronomy", "Астрономия", "Astronomy", ["космонавтика", "космос", "телескоп", "звёзды"]),
        (
            "mathematics",
            "Математика",
            "Mathematics",
            ["олимпиадная математика", "логика", "ментальная арифметика", "maths", "math"],
        ),
        (
            "animal-care",
            "Живой уголок",
            "Animal care",
            ["животные", "зоокружок", "кинология", "уход за животными"],
        ),
        ("geography", "География", "Geography", ["картография", "юный географ"]),
        ("medicine", "Юный медик", "Young medic", ["медицина", "первая помощь", "анатомия"]),
    ],
    "sport": [
        ("football", "Футбол", "Football", ["soccer", "мини-футбол", "футзал"]),
        ("hockey", "Хоккей", "Ice hockey", ["хоккей с шайбой", "hockey"]),
        ("basketball", "Баскетбол", "Basketball", ["стритбол"]),
        ("volleyball", "Волейбол", "Volleyball", ["пляжный волейбол"]),
        ("swimming", "Плавание", "Swimming", ["бассейн", "пловцы", "синхронное плавание"]),
        ("athletics", "Лёгкая атлетика", "Athletics", ["бег", "легкая атлетика", "track and field"]),
        ("gymnastics", "Гимнастика", "Gymnastics", ["спортивная гимнастика", "акробатика", "батут"]),
        ("chess", "Шахматы", "Chess", ["шашки", "шахматный клуб", "го"]),
        ("karate", "Карате", "Karate", ["киокушинкай", "киокусинкай", "каратэ"]),
        ("judo", "Дзюдо", "Judo", []),
        ("sambo", "Самбо", "Sambo", ["боевое самбо"]),
        ("boxing", "Бокс", "Boxing", ["кикбоксинг", "тайский бокс"]),
        ("wrestling", "Спортивная борьба", "Wrestling", ["греко-римская борьба", "вольная борьба", "борьба"]),
        ("taekwondo", "Тхэквондо", "Taekwondo", ["тхэквондо итф", "тхеквондо"]),
        ("fencing", "Фехтование", "Fencing", ["шпага", "рапира", "сабля"]),
        ("tennis", "Теннис", "Tennis", ["большой теннис", "корт"]),
        ("table-tennis", "Настольный теннис", "Table tennis", ["пинг-понг", "ping pong"]),
        ("skiing", "Лыжные гонки", "Cross-country skiing", ["лыжи", "биатлон"]),
        ("figure-skating", "Фигурное катание", "Figure skating", ["коньки", "каток"]),
        ("cycling", "Велоспорт", "Cycling", ["велосипед", "bmx"]),
        ("climbing", "Скалолазание", "Climbing", ["альпинизм", "скалодром", "боулдеринг"]),
        ("general-fitness", "ОФП", "General fitness", ["общая физическая подготовка", "фитнес", "здоровье"]),
        (
            "rhythmic-gymnastics",
            "Художественная гимнастика",
            "Rhythmic gymnastics",
            ["гимнастика с лентой", "булавы"],
        ),
    ],
    "arts": [
        (
            "drawing",
            "Рисование",
            "Drawing",
            ["изо", "изостудия", "живопись", "графика", "художественная студия", "art", "painting"],
        ),
        (
            "applied-arts",
            "Декоративно-прикладное творчество",
            "Applied arts",
            ["дпи", "рукоделие", "бисероплетение", "вязание", "валяние", "handmade"],
        ),
        ("ceramics", "Керамика", "Ceramics", ["лепка", "гончарное дело", "глина"]),
        ("vocals", "Вокал", "Singing", ["пение", "эстрадный вокал", "академический вокал", "singing"]),
        ("choir", "Хор", "Choir", ["хоровое пение", "хоровая студия"]),
        ("piano", "Фортепиано", "Piano", ["пианино", "рояль", "клавишные"]),
        ("guitar", "Гитара", "Guitar", ["гитарная студия", "электрогитара"]),
        (
            "folk-instruments",
            "Народные инструменты",
            "Folk instruments",
            ["баян", "аккордеон", "домра", "балалайка", "гусли"],
        ),
        (
            "wind-instruments",
            "Духовые инструменты",
            "Wind instruments",
            ["духовой оркестр", "флейта", "саксофон", "труба"],
        ),
        ("violin", "Скрипка", "Violin", ["струнные", "виолончель"]),
        (
            "choreography",
            "Хореография",
            "Dance",
            ["танцы", "dance", "балет", "народный танец", "современный танец", "хип-хоп", "брейкданс"],
        ),
        ("ballroom-dance", "Бальные танцы", "Ballroom dance", ["спортивные бальные танцы", "латина"]),
        ("theatre", "Театр", "Theatre", ["театральная студия", "актёрское мастерство", "драма", "acting"]),
        ("circus", "Цирк", "Circus", ["цирковая студия", "жонглирование", "эквилибристика"]),
        ("design", "Дизайн", "Design", ["дизайн одежды", "графический дизайн", "мода"]),
        ("music-school", "Музыкальная школа", "Music school", ["сольфеджио", "музыка", "music"]),
    ],
    "tourism": [
        ("hiking", "Спортивный туризм", "Hiking", ["туризм", "походы", "туристический клуб"]),
        ("orienteering", "Спортивное ориентирование", "Orienteering", ["ориентирование", "компас"]),
        ("local-history", "Краеведение", "Local history", ["история омска", "родной край", "музейное дело"]),
        ("archaeology", "Археология", "Archaeology", ["раскопки", "юные археологи"]),
        ("excursions", "Экскурсионное дело", "Excursions", ["экскурсии", "экскурсовод"]),
    ],
    "social": [
        ("english", "Английский язык", "English", ["english", "английский", "иностранный язык"]),
        (
            "foreign-languages",
            "Иностранные языки",
            "Foreign languages",
            ["немецкий", "французский", "китайский", "испанский", "языки"],
        ),
        (
            "early-development",
            "Раннее развитие",
            "Early development",
            ["подготовка к школе", "развивашки", "дошкольники"],
        ),
        (
            "journalism",
            "Журналистика",
            "Journalism",
            ["юный журналист", "медиа", "школьная газета", "блогинг"],
        ),
        ("volunteering", "Волонтёрство", "Volunteering", ["добровольчество", "волонтеры"]),
        (
            "military-patriotic",
            "Военно-патриотическое воспитание",
            "Military-patriotic",
            ["юнармия", "кадеты", "патриотический клуб"],
        ),
        (
            "debate",
            "Дебаты и ораторское искусство",
            "Debate and public speaking",
            ["риторика", "ораторское мастерство", "публичные выступления"],
        ),
        ("psychology", "Психология", "Psychology", ["тренинги", "личностный рост", "общение"]),
        (
            "entrepreneurship",
            "Финансовая грамотность",
            "Financial literacy",
            ["предпринимательство", "экономика", "бизнес"],
        ),
        (
            "literature",
            "Литературное творчество",
            "Creative writing",
            ["литература", "поэзия", "литературная студия"],
        ),
        (
            "russian-language",
            "Русский язык",
            "Russian language",
            ["грамотность", "подготовка к огэ", "подготовка к егэ"],
        ),
        ("traffic-safety", "Юные инспекторы движения", "Road safety", ["юид", "пдд", "безопасность"]),
    ],
}


def load(apps, schema_editor):
    Direction = apps.get_model("catalog", "Direction")
    Category = apps.get_model("catalog", "Category")
    Department = apps.get_model("catalog", "Department")
    directions = {}
    for slug, name_ru, name_en, position in DIRECTIONS:
        directions[slug], _ = Direction.objects.update_or_create(
            slug=slug, defaults={"name_ru": name_ru, "name_en": name_en, "position": position}
        )
    for slug, name in DEPARTMENTS:
        Department.objects.update_or_create(slug=slug, defaults={"name": name})
    for direction_slug, rows in CATEGORIES.items():
        for slug, name_ru, name_en, synonyms in rows:
            Category.objects.update_or_create(
                slug=slug,
                defaults={
                    "direction": directions[direction_slug],
                    "name_ru": name_ru,
                    "name_en": name_en,
                    "synonyms": synonyms,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
